import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import { createAccount, ensureEnterprise, startApiEdge, type ApiEdge } from '../../helpers/api-client.ts';
import { CookieJarClient, htmlForm } from '../../helpers/cookie-jar-client.ts';
import { craftSamlResponse, type CraftedResponse } from '../../helpers/saml-response.ts';
import { SimpleSamlIdp } from '../../helpers/simplesamlphp-idp.ts';
import { testCertificate } from '../../helpers/test-certificate.ts';

/**
 * SAML 2.0 company sign-in against the real simplesamlphp IdP, walked over HTTP hop by hop, and
 * every refusal of issue 12 with a response made by hand: each has its stable code and an audit entry.
 */
describe('sso: SAML 2.0 sign-in against simplesamlphp', function () {
  this.timeout(60_000);
  let api: ApiEdge;
  let idp: SimpleSamlIdp;
  let enterprise: EnterpriseRecord;
  let base: string;
  let ownKey: { key: string; cert: string };

  before(async () => {
    api = await startApiEdge();
    enterprise = ensureEnterprise(api.edge, 'Acme', 'acme');
    base = `${api.url}/auth/acme`;
    idp = new SimpleSamlIdp({
      users: [
        { username: 'carol', password: 'carol-pw', mail: 'Carol@ACME.test' },
        { username: 'admin', password: 'admin-pw', mail: 'admin@acme.test' },
        { username: 'nobody', password: 'nobody-pw', mail: 'nobody@acme.test' },
        { username: 'dora', password: 'dora-pw', mail: 'dora@acme.test' },
      ],
      saml: [{ entityId: `${base}/saml`, acsUrl: `${base}/saml/acs`, sloUrl: `${base}/saml/slo` }],
    });
    await idp.start();
    const { users } = api.edge.people;
    // An SSO-only person: no built-in password.
    users.create({
      enterpriseId: enterprise.id,
      email: 'carol@acme.test',
      displayName: 'Carol',
      role: 'user',
      builtinPasswordDisabled: true,
    });
    const dora = users.create({
      enterpriseId: enterprise.id,
      email: 'dora@acme.test',
      displayName: 'Dora',
      role: 'user',
    });
    users.update(dora.id, { disabledAt: new Date().toISOString() });
    await createAccount(api.edge, { enterprise, email: 'admin@acme.test', role: 'admin' });
    api.edge.sso.settings.set(enterprise, { protocol: 'saml', metadataUrl: idp.metadataUrl }, 'system');
    const own = testCertificate('not the IdP');
    ownKey = { key: own.key, cert: own.pem };
  });
  after(async () => {
    await idp?.stop();
    await api?.stop();
  });

  /** Starts a sign-in in `client`: the IdP URL it was sent to and the request id (RelayState). */
  async function start(client: CookieJarClient, purpose: 'console' | 'account', returnPath = '/account/') {
    const answer = await client.request(
      `${base}/sso/start?purpose=${purpose}&return=${encodeURIComponent(returnPath)}`,
    );
    assert.equal(answer.status, 303, await answer.text());
    const location = answer.headers.get('location')!;
    assert.ok(location.startsWith(`${idp.baseUrl}/saml2/idp/SSOService.php?`), location);
    const requestId = new URL(location).searchParams.get('RelayState')!;
    return { location, requestId };
  }

  /** Signs in at the IdP; answers the auto-post form it returns (SAMLResponse, RelayState). */
  async function atIdp(client: CookieJarClient, location: string, username: string, password: string) {
    const { response, url } = await client.follow(location);
    const login = htmlForm(await response.text());
    const posted = await client.request(new URL(login.action, url).href, {
      form: { ...login.fields, username, password },
    });
    // The auto-post page, at once or after the IdP's own redirects (never the login page again:
    // that would make a second response and a second IdP session).
    const next = posted.headers.get('location');
    const html =
      next === null
        ? await posted.text()
        : await (await client.follow(new URL(next, url).href)).response.text();
    const form = htmlForm(html);
    assert.equal(form.action, `${base}/saml/acs`, html.slice(0, 300));
    return form.fields as { SAMLResponse: string; RelayState: string };
  }

  /** Posts an answer at the ACS and follows to the end (finish and return, or a refusal page). */
  async function post(client: CookieJarClient, fields: Record<string, string>) {
    const acs = await client.request(`${base}/saml/acs`, { form: fields });
    if (acs.status !== 303)
      return { status: acs.status, text: await acs.text(), location: null as string | null };
    const finish = new URL(acs.headers.get('location')!, api.url).href;
    const done = await client.request(finish);
    return { status: done.status, text: await done.text(), location: done.headers.get('location') };
  }

  const audited = (action: string) => {
    const { items } = api.edge.audit.list({ enterpriseId: enterprise.id, action }, { offset: 0, limit: 500 });
    return items.reduce((a, b) => (b.seq > a.seq ? b : a));
  };
  const codeOf = (text: string) => /<code>([A-Z_]+)<\/code>/.exec(text)?.[1];

  function lastFailure(code: string) {
    const entries = api.edge.audit.list(
      { enterpriseId: enterprise.id, action: 'auth.sign-in-failed' },
      { offset: 0, limit: 500 },
    ).items;
    const found = [...entries].sort((a, b) => b.seq - a.seq).find((e) => e.details.code === code);
    assert.ok(
      found,
      `an audit entry auth.sign-in-failed with ${code}: ${JSON.stringify(entries.map((e) => e.details))}`,
    );
    return found;
  }

  async function refused(fields: Record<string, string>, code: string, client = new CookieJarClient()) {
    const answer = await post(client, fields);
    assert.equal(codeOf(answer.text), code, answer.text.slice(0, 400));
    assert.ok(answer.status >= 400, String(answer.status));
    lastFailure(code);
  }

  let accepted: { SAMLResponse: string; RelayState: string };

  it('signs an SSO-only user in to the account page (email matched case-insensitively), once', async () => {
    const client = new CookieJarClient();
    const { location, requestId } = await start(client, 'account', '/account/?welcome=1');
    const fields = await atIdp(client, location, 'carol', 'carol-pw');
    assert.equal(fields.RelayState, requestId);
    const answer = await post(client, fields);
    assert.equal(answer.status, 303, answer.text.slice(0, 400));
    assert.equal(answer.location, '/account/?welcome=1');
    const cookie = client.cookie(api.url, 'mfp-account');
    assert.ok(cookie, 'the account cookie');
    assert.equal(client.cookie(api.url, 'mfp-console'), undefined);
    const who = await client.request(`${api.url}/auth/account-session`);
    assert.equal(who.status, 200);
    assert.equal(((await who.json()) as { user: { email: string } }).user.email, 'carol@acme.test');
    // The account cookie opens no console.
    const consoleAnswer = await fetch(`${api.url}/api/v1/session`, {
      headers: { cookie: `mfp-console=${cookie}` },
    });
    assert.equal(consoleAnswer.status, 401);
    const success = audited('auth.sign-in');
    assert.deepEqual(success.details, { channel: 'account', via: 'sso', protocol: 'saml' });
    accepted = fields;
  });

  it('refuses a replay of that accepted response (SSO_REQUEST_USED)', async () => {
    await refused(accepted, 'SSO_REQUEST_USED');
  });

  it('signs an admin in to the console; a user is refused there (SSO_CONSOLE_NOT_ALLOWED)', async () => {
    const client = new CookieJarClient();
    const { location } = await start(client, 'console', '/admin/');
    const answer = await post(client, await atIdp(client, location, 'admin', 'admin-pw'));
    assert.equal(answer.location, '/admin/');
    const session = await client.request(`${api.url}/api/v1/session`);
    assert.equal(session.status, 200);
    assert.equal(((await session.json()) as { user: { email: string } }).user.email, 'admin@acme.test');
    const success = audited('auth.sign-in');
    assert.deepEqual(success.details, { channel: 'console', via: 'sso', protocol: 'saml' });

    const user = new CookieJarClient();
    const started = await start(user, 'console', '/admin/');
    const refusal = await post(user, await atIdp(user, started.location, 'carol', 'carol-pw'));
    assert.equal(codeOf(refusal.text), 'SSO_CONSOLE_NOT_ALLOWED');
    assert.equal(user.cookie(api.url, 'mfp-console'), undefined);
  });

  it('refuses an email that matches no user, and a disabled user', async () => {
    for (const [name, code] of [
      ['nobody', 'SSO_USER_UNKNOWN'],
      ['dora', 'ACCOUNT_DISABLED'],
    ] as const) {
      const client = new CookieJarClient();
      const { location } = await start(client, 'account');
      const answer = await post(client, await atIdp(client, location, name, `${name}-pw`));
      assert.equal(codeOf(answer.text), code);
      assert.equal(client.cookie(api.url, 'mfp-account'), undefined);
      assert.equal(lastFailure(code).details.email, `${name}@acme.test`);
    }
  });

  describe('crafted responses', () => {
    const crafted = (requestId: string, over: Partial<CraftedResponse> = {}) => ({
      SAMLResponse: craftSamlResponse({
        issuer: idp.entityId,
        audience: `${base}/saml`,
        destination: `${base}/saml/acs`,
        inResponseTo: requestId,
        email: 'carol@acme.test',
        key: idp.privateKey,
        cert: idp.certificate,
        ...over,
      }),
      RelayState: requestId,
    });

    it('accepts a well-made one signed with the IdP key (the crafting is right)', async () => {
      const client = new CookieJarClient();
      const { requestId } = await start(client, 'account');
      const answer = await post(client, crafted(requestId));
      assert.equal(answer.status, 303, answer.text.slice(0, 300));
      assert.ok(client.cookie(api.url, 'mfp-account'));
    });

    const cases: [string, (id: string) => Partial<CraftedResponse>, string][] = [
      ['unsigned', () => ({ sign: 'none' }), 'SSO_SIGNATURE_INVALID'],
      ['signed with another key', () => ({ key: ownKey.key, cert: ownKey.cert }), 'SSO_SIGNATURE_INVALID'],
      [
        'expired',
        () => ({
          notBefore: new Date(Date.now() - 3_600_000),
          notOnOrAfter: new Date(Date.now() - 1_800_000),
        }),
        'SSO_RESPONSE_EXPIRED',
      ],
      [
        'not yet valid',
        () => ({
          notBefore: new Date(Date.now() + 1_800_000),
          notOnOrAfter: new Date(Date.now() + 3_600_000),
        }),
        'SSO_RESPONSE_EXPIRED',
      ],
      ['for another audience', () => ({ audience: 'https://other.example/sp' }), 'SSO_AUDIENCE_MISMATCH'],
      ['from another issuer', () => ({ issuer: 'https://evil.example/idp' }), 'SSO_ISSUER_MISMATCH'],
      [
        'wrapped: a second, unsigned assertion for another email',
        () => ({ wrappedEmail: 'admin@acme.test' }),
        'SSO_SIGNATURE_INVALID',
      ],
      ['for a request never made', () => ({ inResponseTo: `_${'0'.repeat(40)}` }), 'SSO_REQUEST_UNKNOWN'],
    ];
    for (const [name, change, code] of cases)
      it(`refuses one ${name} (${code})`, async () => {
        const client = new CookieJarClient();
        const { requestId } = await start(client, 'account');
        const fields = crafted(requestId, change(requestId));
        if (name === 'for a request never made') fields.RelayState = `_${'0'.repeat(40)}`;
        await refused(fields, code, client);
        assert.equal(client.cookie(api.url, 'mfp-account'), undefined);
      });

    it('accepts one signed as a whole Response instead of the assertion', async () => {
      const client = new CookieJarClient();
      const { requestId } = await start(client, 'account');
      const answer = await post(client, crafted(requestId, { sign: 'response' }));
      assert.equal(answer.status, 303, answer.text.slice(0, 300));
    });

    it('refuses a tampered RelayState (SSO_STATE_INVALID)', async () => {
      const client = new CookieJarClient();
      const { requestId } = await start(client, 'account');
      const other = await start(client, 'account');
      await refused({ ...crafted(requestId), RelayState: other.requestId }, 'SSO_STATE_INVALID', client);
    });

    it("refuses a response to another browser's request (SSO_BROWSER_MISMATCH); that browser still signs in", async () => {
      const victim = new CookieJarClient();
      const { requestId } = await start(victim, 'account');
      const attacker = new CookieJarClient();
      await start(attacker, 'account');
      const fields = crafted(requestId);
      await refused(fields, 'SSO_BROWSER_MISMATCH', attacker);
      assert.equal(attacker.cookie(api.url, 'mfp-account'), undefined);
      // The answer was recorded against the victim's request: the victim's own browser finishes it.
      const done = await victim.request(`${base}/sso/finish?request=${requestId}`);
      assert.equal(done.status, 303);
      assert.ok(victim.cookie(api.url, 'mfp-account'));
    });

    it('refuses an expired request (SSO_REQUEST_EXPIRED)', async () => {
      const client = new CookieJarClient();
      const { requestId } = await start(client, 'account');
      // The store's clock is the real one: age the row instead of waiting 10 minutes.
      const db = openDb(api.dataDir);
      db.prepare('UPDATE sso_requests SET expires_at = ? WHERE id = ?').run(
        new Date(Date.now() - 1000).toISOString(),
        requestId,
      );
      db.close();
      await refused(crafted(requestId), 'SSO_REQUEST_EXPIRED', client);
    });
  });

  it('signs out here and at the IdP (SAML single logout), and the session is gone', async () => {
    const client = new CookieJarClient();
    const { location } = await start(client, 'account');
    await post(client, await atIdp(client, location, 'carol', 'carol-pw'));
    const token = client.cookie(api.url, 'mfp-account')!;
    assert.ok(token);
    const out = await client.request(`${base}/logout?purpose=account`, { method: 'POST', form: {} });
    assert.equal(out.status, 303);
    const idpLogout = out.headers.get('location')!;
    assert.ok(
      idpLogout.startsWith(`${idp.baseUrl}/saml2/idp/SingleLogoutService.php?SAMLRequest=`),
      idpLogout,
    );
    assert.equal(client.cookie(api.url, 'mfp-account'), undefined);
    // The IdP ends its session and answers at our SLO URL with a signed LogoutResponse.
    const back = await client.follow(idpLogout, {}, (url) => !url.startsWith(`${base}/saml/slo`));
    const slo = new URL(back.response.headers.get('location') ?? '', back.url).href;
    assert.ok(
      slo.startsWith(`${base}/saml/slo?SAMLResponse=`),
      `${back.response.status} ${slo} ${idp.output.slice(-500)}`,
    );
    const done = await client.request(slo);
    assert.equal(done.status, 303, await done.text());
    assert.equal(done.headers.get('location'), '/account/sign-in');
    const who = await fetch(`${api.url}/auth/account-session`, {
      headers: { cookie: `mfp-account=${token}` },
    });
    assert.equal(who.status, 401);
    assert.equal(audited('auth.sign-out').details.via, 'sso');
  });

  it('ends the session when the IdP signs the person out (IdP-initiated single logout)', async () => {
    const client = new CookieJarClient();
    const { location } = await start(client, 'account');
    await post(client, await atIdp(client, location, 'carol', 'carol-pw'));
    const token = client.cookie(api.url, 'mfp-account')!;
    const returnTo = `${api.url}/healthz`;
    const walk = await client.follow(
      `${idp.baseUrl}/saml2/idp/SingleLogoutService.php?ReturnTo=${encodeURIComponent(returnTo)}`,
      {},
      () => true,
      20,
    );
    const page = walk.url === returnTo ? '' : await walk.response.text();
    assert.equal(
      walk.url,
      returnTo,
      `${walk.response.status} ${page
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 1500)}`,
    );
    const who = await fetch(`${api.url}/auth/account-session`, {
      headers: { cookie: `mfp-account=${token}` },
    });
    assert.equal(who.status, 401);
  });

  it('serves our SP metadata with entity ID <origin>/auth/<slug>/saml and the ACS', async () => {
    const answer = await fetch(`${base}/saml/metadata`);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type')!, /samlmetadata\+xml/);
    const xml = await answer.text();
    assert.match(xml, new RegExp(`entityID="${base}/saml"`));
    assert.match(xml, new RegExp(`Location="${base}/saml/acs"`));
  });
});

import Database from 'better-sqlite3';
function openDb(dataDir: string) {
  const db = new Database(join(dataDir, 'edge.db'));
  db.pragma('busy_timeout = 5000');
  return db;
}
