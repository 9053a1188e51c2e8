import assert from 'node:assert/strict';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import { signInAtAdfs } from '../../helpers/adfs-sign-in.ts';
import { createAccount, ensureEnterprise, startApiEdge, type ApiEdge } from '../../helpers/api-client.ts';
import { CookieJarClient } from '../../helpers/cookie-jar-client.ts';
import { signInAtOidcIdp, startOidcIdp, type OidcIdp } from '../../helpers/oidc-idp.ts';
import { SimpleSamlIdp } from '../../helpers/simplesamlphp-idp.ts';

/**
 * OpenID Connect and WS-Federation through the whole edge (the sso part's /auth/<slug>/ routes,
 * stored requests, email matching, sessions) against the real IdPs, walked over HTTP: a sign-in
 * each, and refusals with their stable code on the page and an audit entry.
 */
describe('sso: OpenID Connect and WS-Federation sign-in through the edge', function () {
  this.timeout(90_000);
  let api: ApiEdge;
  let oidc: OidcIdp;
  let adfs: SimpleSamlIdp;
  let acme: EnterpriseRecord;
  let globex: EnterpriseRecord;

  before(async () => {
    api = await startApiEdge();
    acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    globex = ensureEnterprise(api.edge, 'Globex', 'globex');
    for (const [enterprise, domain] of [
      [acme, 'acme.test'],
      [globex, 'globex.test'],
    ] as const) {
      api.edge.people.users.create({
        enterpriseId: enterprise.id,
        email: `carol@${domain}`,
        displayName: 'Carol',
        role: 'user',
        builtinPasswordDisabled: true,
      });
      await createAccount(api.edge, { enterprise, email: `admin@${domain}`, role: 'admin' });
    }
    oidc = await startOidcIdp({
      redirectUri: `${api.url}/auth/acme/oidc/callback`,
      accounts: {
        carol: { email: 'CAROL@acme.test', email_verified: true },
        unverified: { email: 'carol@acme.test', email_verified: false },
        stranger: { email: 'nobody@acme.test', email_verified: true },
      },
    });
    api.edge.sso.settings.set(
      acme,
      { protocol: 'oidc', issuer: oidc.issuer, clientId: oidc.clientId, clientSecret: oidc.clientSecret },
      'system',
    );
    const globexBase = `${api.url}/auth/globex`;
    adfs = new SimpleSamlIdp({
      users: [
        { username: 'carol', password: 'carol-pw', mail: 'Carol@Globex.test' },
        { username: 'other', password: 'other-pw', mail: 'carol@globex.test' },
      ],
      wsfed: [
        { realm: `${globexBase}/wsfed`, replyUrl: `${globexBase}/wsfed` },
        { realm: `${api.url}/auth/acme/wsfed`, replyUrl: `${globexBase}/wsfed` },
      ],
    });
    await adfs.start();
    api.edge.sso.settings.set(globex, { protocol: 'wsfed', metadataUrl: adfs.wsfedMetadataUrl }, 'system');
  });

  after(async () => {
    await adfs?.stop();
    await oidc?.stop();
    await api?.stop();
  });

  beforeEach(() => oidc.tamperIdToken(null));

  const codeOf = (text: string) => /<code>([A-Z_]+)<\/code>/.exec(text)?.[1];

  function lastFailure(enterprise: EnterpriseRecord, code: string) {
    const entries = api.edge.audit.list(
      { enterpriseId: enterprise.id, action: 'auth.sign-in-failed' },
      { offset: 0, limit: 500 },
    ).items;
    const found = entries.find((e) => e.details.code === code);
    assert.ok(found, `an audit entry with ${code}: ${JSON.stringify(entries.map((e) => e.details))}`);
    return found;
  }

  function lastSignIn(enterprise: EnterpriseRecord) {
    const { items } = api.edge.audit.list(
      { enterpriseId: enterprise.id, action: 'auth.sign-in' },
      { offset: 0, limit: 500 },
    );
    return items.reduce((a, b) => (b.seq > a.seq ? b : a));
  }

  async function start(client: CookieJarClient, slug: string, purpose: 'account' | 'console') {
    const answer = await client.request(
      `${api.url}/auth/${slug}/sso/start?purpose=${purpose}&return=${encodeURIComponent(`/${purpose === 'console' ? 'admin' : 'account'}/`)}`,
    );
    assert.equal(answer.status, 303, await answer.text());
    return answer.headers.get('location')!;
  }

  /** The answer's hop at the edge, then finish: the final status, page and where it sends the browser. */
  async function deliver(client: CookieJarClient, response: Response) {
    if (response.status !== 303)
      return { status: response.status, text: await response.text(), location: null };
    const finish = await client.request(new URL(response.headers.get('location')!, api.url).href);
    return { status: finish.status, text: await finish.text(), location: finish.headers.get('location') };
  }

  describe('OpenID Connect', () => {
    async function callback(client: CookieJarClient, login: string): Promise<URL> {
      return signInAtOidcIdp(
        await start(client, 'acme', 'account'),
        login,
        `${api.url}/auth/acme/oidc/callback`,
        client,
      );
    }

    let accepted: URL;

    it('signs an SSO-only user in to the account page (email matched case-insensitively)', async () => {
      const client = new CookieJarClient();
      accepted = await callback(client, 'carol');
      const done = await deliver(client, await client.request(accepted.href));
      assert.equal(done.location, '/account/', done.text.slice(0, 300));
      assert.ok(client.cookie(api.url, 'mfp-account'));
      assert.deepEqual(lastSignIn(acme).details, { channel: 'account', via: 'sso', protocol: 'oidc' });
    });

    it('refuses that callback again (SSO_REQUEST_USED), audited', async () => {
      const done = await deliver(new CookieJarClient(), await fetch(accepted.href, { redirect: 'manual' }));
      assert.equal(codeOf(done.text), 'SSO_REQUEST_USED');
      lastFailure(acme, 'SSO_REQUEST_USED');
    });

    it('refuses a tampered state (SSO_REQUEST_UNKNOWN), audited', async () => {
      const client = new CookieJarClient();
      const url = await callback(client, 'carol');
      url.searchParams.set('state', `${url.searchParams.get('state')}x`);
      const done = await deliver(client, await client.request(url.href));
      assert.equal(codeOf(done.text), 'SSO_REQUEST_UNKNOWN');
      assert.ok(done.status >= 400);
      lastFailure(acme, 'SSO_REQUEST_UNKNOWN');
    });

    it('refuses an ID token for another client (SSO_AUDIENCE_MISMATCH), audited', async () => {
      const client = new CookieJarClient();
      const url = await callback(client, 'carol');
      oidc.tamperIdToken((claims) => ({ ...claims, aud: 'someone-else' }));
      const done = await deliver(client, await client.request(url.href));
      assert.equal(codeOf(done.text), 'SSO_AUDIENCE_MISMATCH');
      lastFailure(acme, 'SSO_AUDIENCE_MISMATCH');
    });

    it('refuses email_verified false (SSO_EMAIL_UNVERIFIED), audited', async () => {
      const client = new CookieJarClient();
      const done = await deliver(client, await client.request((await callback(client, 'unverified')).href));
      assert.equal(codeOf(done.text), 'SSO_EMAIL_UNVERIFIED');
      lastFailure(acme, 'SSO_EMAIL_UNVERIFIED');
    });

    it('refuses an email that matches nobody (SSO_USER_UNKNOWN), audited', async () => {
      const client = new CookieJarClient();
      const done = await deliver(client, await client.request((await callback(client, 'stranger')).href));
      assert.equal(codeOf(done.text), 'SSO_USER_UNKNOWN');
      lastFailure(acme, 'SSO_USER_UNKNOWN');
    });

    it('refuses the answer in another browser than the one that started (the binding cookie)', async () => {
      const url = await callback(new CookieJarClient(), 'carol');
      const done = await deliver(new CookieJarClient(), await fetch(url.href, { redirect: 'manual' }));
      assert.equal(codeOf(done.text), 'SSO_BROWSER_MISMATCH');
    });

    it('logs out at the provider with the ID token as hint', async () => {
      const client = new CookieJarClient();
      await deliver(client, await client.request((await callback(client, 'carol')).href));
      const out = await client.request(`${api.url}/auth/acme/logout`, { form: { purpose: 'account' } });
      assert.equal(out.status, 303);
      const location = new URL(out.headers.get('location')!);
      assert.equal(location.origin + location.pathname, `${oidc.issuer}/session/end`);
      assert.ok(location.searchParams.get('id_token_hint'));
      assert.equal(client.cookie(api.url, 'mfp-account'), undefined);
    });
  });

  describe('WS-Federation', () => {
    let accepted: Record<string, string>;

    const post = (client: CookieJarClient, fields: Record<string, string>) =>
      client.request(`${api.url}/auth/globex/wsfed`, { form: fields });

    it('signs an SSO-only user in to the account page', async () => {
      const client = new CookieJarClient();
      const { action, fields } = await signInAtAdfs(
        await start(client, 'globex', 'account'),
        'carol',
        'carol-pw',
        client,
      );
      assert.equal(action, `${api.url}/auth/globex/wsfed`);
      const done = await deliver(client, await post(client, fields));
      assert.equal(done.location, '/account/', done.text.slice(0, 300));
      assert.deepEqual(lastSignIn(globex).details, { channel: 'account', via: 'sso', protocol: 'wsfed' });
      accepted = fields;
    });

    it('refuses that answer again (SSO_REQUEST_USED), audited', async () => {
      const done = await deliver(new CookieJarClient(), await post(new CookieJarClient(), accepted));
      assert.equal(codeOf(done.text), 'SSO_REQUEST_USED');
      lastFailure(globex, 'SSO_REQUEST_USED');
    });

    it('refuses a used token with a fresh request of the attacker (SSO_REQUEST_USED), audited', async () => {
      const attacker = new CookieJarClient();
      const wctx = new URL(await start(attacker, 'globex', 'account')).searchParams.get('wctx')!;
      const done = await deliver(attacker, await post(attacker, { ...accepted, wctx }));
      assert.equal(codeOf(done.text), 'SSO_REQUEST_USED');
    });

    it('refuses a token for another realm (SSO_AUDIENCE_MISMATCH), audited', async () => {
      const client = new CookieJarClient();
      const url = new URL(await start(client, 'globex', 'account'));
      url.searchParams.set('wtrealm', `${api.url}/auth/acme/wsfed`);
      const { fields } = await signInAtAdfs(url.href, 'carol', 'carol-pw', client);
      const done = await deliver(client, await post(client, fields));
      assert.equal(codeOf(done.text), 'SSO_AUDIENCE_MISMATCH');
      lastFailure(globex, 'SSO_AUDIENCE_MISMATCH');
    });

    it('refuses a wrapped token (SSO_SIGNATURE_WRAPPED), audited', async () => {
      const client = new CookieJarClient();
      const { fields } = await signInAtAdfs(
        await start(client, 'globex', 'account'),
        'carol',
        'carol-pw',
        client,
      );
      const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(fields.wresult!)![0];
      const evil = signed
        .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
        .replace(/AssertionID="[^"]+"/, 'AssertionID="evil"')
        .replaceAll('Carol@Globex.test', 'admin@globex.test');
      const wresult = fields.wresult!.replace(signed, `${evil}${signed}`);
      const done = await deliver(client, await post(client, { ...fields, wresult }));
      assert.equal(codeOf(done.text), 'SSO_SIGNATURE_WRAPPED');
      lastFailure(globex, 'SSO_SIGNATURE_WRAPPED');
    });

    it('refuses an unsigned token (SSO_SIGNATURE_INVALID), audited', async () => {
      const client = new CookieJarClient();
      const { fields } = await signInAtAdfs(
        await start(client, 'globex', 'account'),
        'carol',
        'carol-pw',
        client,
      );
      const wresult = fields.wresult!.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
      const done = await deliver(client, await post(client, { ...fields, wresult }));
      assert.equal(codeOf(done.text), 'SSO_SIGNATURE_INVALID');
      lastFailure(globex, 'SSO_SIGNATURE_INVALID');
    });

    it('serves our WS-Fed SP metadata', async () => {
      const answer = await fetch(`${api.url}/auth/globex/wsfed/metadata`);
      assert.equal(answer.status, 200);
      const xml = await answer.text();
      assert.match(xml, /entityID="http:\/\/127\.0\.0\.1:\d+\/auth\/globex\/wsfed"/);
      assert.match(xml, /fed:ApplicationServiceType/);
      assert.match(xml, /PassiveRequestorEndpoint/);
    });
  });
});
