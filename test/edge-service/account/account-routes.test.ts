import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ACCOUNT_CSP } from '../../../edge-service/src/account/account-routes.ts';
import { totpCode } from '../../../edge-service/src/auth/totp.ts';
import {
  AccountHarness,
  PageClient,
  inputValue,
  linkIn,
  readable,
  tokenOf,
  type Reply,
} from './account-harness.ts';

const GOOD = 'Fresh-Lantern-77';
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";

function assertError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  const body = reply.json();
  assert.equal(body.error?.code, code);
  assert.equal(typeof body.error?.message, 'string');
}

describe('account page routes (/account/)', function () {
  this.timeout(60_000);
  let h: AccountHarness;
  let browser: PageClient;

  beforeEach(async () => {
    h = await new AccountHarness().start();
    browser = new PageClient(h);
  });
  afterEach(() => h.stop());

  it('invitation with mandatory 2FA: password under the rules, enrolment, recovery codes once, then the panel signs in', async () => {
    h.policies.update(h.enterpriseId, { twoFactor: 'mandatory', passwordMinLength: 12 }, 'test');
    const ann = await h.user('ann@acme.test', null, { displayName: 'Ann Archer' });
    const url = await h.invite(ann.id);
    assert.ok(url.startsWith(`${h.origin}/account/invite#token=`), url);
    const token = tokenOf(url);

    const page = await browser.get('/account/invite');
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes(token), 'the page never saw the token: it is in the fragment');
    assert.match(
      page.text,
      /<form\s+id="password-form"[^>]*\shidden\s*>/,
      'form hidden until the script checks the link',
    );
    assert.match(page.text, /<script src="\/account\/account\.js" defer><\/script>/);

    const link = await browser.api('/account/api/link', { kind: 'invitation', token });
    assert.equal(link.status, 200, link.text);
    const info = link.json() as {
      user: { email: string };
      greeting: string;
      rules: { rule: string; ok: boolean }[];
    };
    assert.equal(info.user.email, 'ann@acme.test');
    assert.match(info.greeting, /^Welcome, Ann Archer\./);
    assert.equal(info.rules.find((r) => r.rule === 'min-length')?.ok, false);

    const live = await browser.api('/account/api/password-rules', {
      kind: 'invitation',
      token,
      password: 'Short-1',
    });
    const rules = (live.json() as { rules: { rule: string; ok: boolean; message: string }[] }).rules;
    assert.deepEqual(
      rules.filter((r) => !r.ok).map((r) => r.rule),
      ['min-length'],
    );
    assert.equal(rules[0]!.message, 'At least 12 characters');

    const weak = await browser.form('/account/invite', {
      token,
      email: 'ann@acme.test',
      password: 'password1234',
      confirm: 'password1234',
    });
    assert.equal(weak.status, 422);
    assert.match(readable(weak.text), /Not met: Not a common or previously breached password/);
    assert.equal(inputValue(weak.text, 'token'), token, 'the form keeps the link: it is still unused');

    const mismatch = await browser.form('/account/invite', {
      token,
      email: 'ann@acme.test',
      password: 'Fresh-Lantern-771',
      confirm: 'Fresh-Lantern-772',
    });
    assert.equal(mismatch.status, 422);
    assert.match(readable(mismatch.text), /The two passwords are not the same/);

    const enrol = await browser.form('/account/invite', {
      token,
      email: 'ann@acme.test',
      password: 'Fresh-Lantern-771',
      confirm: 'Fresh-Lantern-771',
    });
    assert.equal(enrol.status, 200, enrol.text);
    assert.match(readable(enrol.text), /Set up two-factor authentication/);
    assert.match(
      enrol.text,
      /<img\s+id="qr"\s+src="data:image\/png;base64,[A-Za-z0-9+/=]+"\s+alt="QR code to scan/,
    );
    const key = /<code id="totp-key"[^>]*>([A-Z2-7 ]+)<\/code>/.exec(enrol.text)![1]!.replace(/ /g, '');
    assert.equal(key.length, 32);
    const enrolToken = inputValue(enrol.text, 'enrolToken');
    assert.ok(h.users.get(ann.id)!.passwordHash, 'the password is stored before 2FA');
    assert.equal(h.users.get(ann.id)!.totpSecret, null);

    const wrong = await browser.form('/account/two-factor', { enrolToken, code: '000000' });
    assert.equal(wrong.status, 422);
    assert.match(readable(wrong.text), /The code is wrong or too old/);
    assert.ok(wrong.text.includes(key.match(/.{4}/g)!.join(' ')), 'the same key is offered again');

    const done = await browser.form('/account/two-factor', {
      enrolToken,
      code: await totpCode(key, h.clock.now()),
    });
    assert.equal(done.status, 200, done.text);
    assert.match(readable(done.text), /Your account is ready/);
    const codes = [...done.text.matchAll(/<li><code>([A-Z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10);
    assert.ok(h.users.get(ann.id)!.totpSecret, 'enrolled');
    assert.deepEqual(
      h.seen.map((e) => e.name),
      ['password-changed', 'two-factor-enabled'],
    );
    const again = await browser.form('/account/two-factor', {
      enrolToken,
      code: await totpCode(key, h.clock.now()),
    });
    assert.equal(again.status, 400, 'the enrolment token is single use');

    // The panel's sign-in reads what the page stored: password, then a TOTP code from the same key.
    const step = await h.signIn.password('ann@acme.test', 'Fresh-Lantern-771', h.context());
    assert.equal(step.step, 'totp');
    h.clock.advance(30_000);
    const signedIn = await h.signIn.totp(
      (step as { stepToken: string }).stepToken,
      await totpCode(key, h.clock.now()),
      h.context(),
    );
    assert.equal(signedIn.step, 'done');
  });

  it('a JSON client gets the enrolment as JSON too', async () => {
    h.policies.update(h.enterpriseId, { twoFactor: 'mandatory' }, 'test');
    const bo = await h.user('bo@acme.test', null);
    const token = tokenOf(await h.invite(bo.id));
    await browser.get('/account/invite');
    const set = await browser.api('/account/invite', { token, email: 'bo@acme.test', password: GOOD });
    assert.equal(set.status, 200, set.text);
    const offer = set.json() as { next: string; enrolToken: string; secret: string; otpauthUri: string };
    assert.equal(offer.next, 'enrol-2fa');
    assert.match(offer.otpauthUri, /^otpauth:\/\/totp\/Acme%20Corp:bo%40acme\.test\?/);
    const done = await browser.api('/account/two-factor', {
      enrolToken: offer.enrolToken,
      code: await totpCode(offer.secret, h.clock.now()),
    });
    assert.equal(done.status, 200, done.text);
    assert.equal((done.json() as { recoveryCodes: string[] }).recoveryCodes.length, 10);
  });

  it('the enrolment token works only in the browser that set the password', async () => {
    h.policies.update(h.enterpriseId, { twoFactor: 'mandatory' }, 'test');
    const bo = await h.user('bo@acme.test', null);
    const token = tokenOf(await h.invite(bo.id));
    await browser.get('/account/invite');
    const offer = (
      await browser.api('/account/invite', { token, email: 'bo@acme.test', password: GOOD })
    ).json() as {
      enrolToken: string;
      secret: string;
    };
    const other = new PageClient(h);
    await other.get('/account/invite');
    const stolen = await other.api('/account/two-factor', {
      enrolToken: offer.enrolToken,
      code: await totpCode(offer.secret, h.clock.now()),
    });
    assertError(stolen, 400, 'TOKEN_INVALID');
    h.clock.advance(11 * 60_000);
    const late = await browser.form('/account/two-factor', {
      enrolToken: offer.enrolToken,
      code: await totpCode(offer.secret, h.clock.now()),
    });
    assert.equal(late.status, 410);
    assert.match(readable(late.text), /Your password is saved: sign in at a printer/);
  });

  it('refuses a link used twice, expired, or for another user, with a page a person can act on', async () => {
    const ann = await h.user('ann@acme.test', null);
    await h.user('bob@acme.test', null);
    const token = tokenOf(await h.invite(ann.id));
    await browser.get('/account/invite');
    const first = await browser.form('/account/invite', {
      token,
      email: 'ann@acme.test',
      password: GOOD,
      confirm: GOOD,
    });
    assert.equal(first.status, 200, first.text);
    assert.match(readable(first.text), /Your account is ready/);

    const twice = await browser.form('/account/invite', {
      token,
      email: 'ann@acme.test',
      password: 'Other-Lantern-88',
      confirm: 'Other-Lantern-88',
    });
    assert.equal(twice.status, 410);
    assert.match(readable(twice.text), /This invitation was already used/);
    assert.match(readable(twice.text), /ask your administrator for a new invitation/);
    assertError(await browser.api('/account/api/link', { kind: 'invitation', token }), 410, 'LINK_USED');
    const viaQuery = await browser.get(`/account/invite?token=${encodeURIComponent(token)}`);
    assert.equal(viaQuery.status, 410);

    const late = tokenOf(await h.invite(ann.id));
    h.clock.advance(7 * 86_400_000);
    const expired = await browser.form('/account/invite', {
      token: late,
      email: 'ann@acme.test',
      password: 'Other-Lantern-88',
      confirm: 'Other-Lantern-88',
    });
    assert.equal(expired.status, 410);
    assert.match(
      readable(expired.text),
      /This invitation has expired.*Ask your administrator for a new invitation/,
    );
    const json = await browser.api('/account/api/link', { kind: 'invitation', token: late });
    assertError(json, 410, 'LINK_EXPIRED');
    assert.match(json.json().error!.message, /Ask your administrator for a new invitation/);

    const fresh = tokenOf(await h.invite(ann.id));
    const forBob = await browser.form('/account/invite', {
      token: fresh,
      email: 'bob@acme.test',
      password: 'Other-Lantern-88',
      confirm: 'Other-Lantern-88',
    });
    assert.equal(forBob.status, 404);
    assert.match(readable(forBob.text), /This link is not valid.*for another account/);
    assert.equal(h.users.get(ann.id)!.passwordHash !== null, true);
    assertError(await browser.api('/account/api/link', { kind: 'reset', token: fresh }), 404, 'LINK_INVALID');
    assertError(
      await browser.api('/account/api/link', { kind: 'invitation', token: 'made-up' }),
      404,
      'LINK_INVALID',
    );
    // The refused attempts did not spend the link.
    assert.equal((await browser.api('/account/api/link', { kind: 'invitation', token: fresh })).status, 200);
  });

  it('a reset request has the same answer for an unknown email, answered before any look-up; the link resets under the policy and unlocks', async () => {
    h.policies.update(h.enterpriseId, { passwordHistory: 2 }, 'test');
    const ann = await h.user('ann@acme.test', 'Blue-Harbour-41', { displayName: 'Ann', language: 'fr' });
    h.users.recordFailure(ann.id, h.clock.now(), { maxAttempts: 1, lockUntil: null });
    assert.ok(h.users.get(ann.id)!.lockedAt);
    await browser.get('/account/');
    const lookups = sinon.spy(h.users, 'findByEmail');

    h.holdResetWork = true;
    const answers: Reply[] = [];
    for (const email of ['nobody@acme.test', 'ann@acme.test']) {
      answers.push(await browser.form('/account/reset-request', { email }));
    }
    assert.equal(lookups.callCount, 0, 'both answered before either address was looked up');
    assert.equal(h.heldWork.length, 2);
    for (const work of h.heldWork.splice(0)) work();
    h.holdResetWork = false;
    await h.routes.settled();
    assert.equal(lookups.callCount, 2);
    const [unknown, known] = answers as [Reply, Reply];
    assert.equal(unknown.status, 202);
    assert.equal(known.status, unknown.status);
    assert.equal(readable(known.text).replace('ann@', 'X@'), readable(unknown.text).replace('nobody@', 'X@'));
    assert.match(readable(known.text), /If an account with that email address exists, we sent it an email/);
    const json = await browser.api('/account/reset-request', { email: 'nobody@acme.test' });
    assert.deepEqual(
      [json.status, json.json()],
      [
        202,
        {
          ok: true,
          message: 'If an account with that email address exists, we sent it an email with what to do next.',
        },
      ],
    );

    const mails = await h.delivered();
    assert.equal(mails.length, 1, 'one mail, to the account that exists');
    assert.equal(mails[0]!.to, 'Ann <ann@acme.test>');
    assert.equal(mails[0]!.subject, 'Réinitialisez votre mot de passe');
    const url = linkIn(mails[0]!.text);
    assert.ok(url.startsWith(`${h.origin}/account/reset#token=`));
    const token = tokenOf(url);

    await browser.get('/account/reset');
    const reused = await browser.form('/account/reset', {
      token,
      email: 'ann@acme.test',
      password: 'Blue-Harbour-41',
      confirm: 'Blue-Harbour-41',
    });
    assert.equal(reused.status, 422);
    assert.match(readable(reused.text), /Not met: Not one of your last 2 passwords/);
    const common = await browser.api('/account/reset', {
      token,
      email: 'ann@acme.test',
      password: 'password1234',
    });
    assertError(common, 422, 'PASSWORD_POLICY');
    assert.ok((common.json().error!.rules as { rule: string }[]).some((r) => r.rule === 'not-common'));

    const reset = await browser.form('/account/reset', {
      token,
      email: 'ann@acme.test',
      password: GOOD,
      confirm: GOOD,
    });
    assert.equal(reset.status, 200, reset.text);
    assert.match(readable(reset.text), /Your password was changed/);
    assert.equal(h.users.get(ann.id)!.lockedAt, null, 'the reset cleared the lock');
    assert.equal((await h.signIn.password('ann@acme.test', GOOD, h.context())).step, 'done');
    const twice = await browser.form('/account/reset', {
      token,
      email: 'ann@acme.test',
      password: 'Other-Lantern-88',
      confirm: 'Other-Lantern-88',
    });
    assert.equal(twice.status, 410);
    assert.match(twice.text, /<a href="\/account\/">Ask for a new reset link<\/a>/);
  });

  it('no reset for a user whose built-in password is disabled: the page says the same, the mail says where to sign in', async () => {
    const sso = await h.user('sso@acme.test', null, { builtinPasswordDisabled: true, displayName: 'Sam' });
    await browser.get('/account/');
    const unknown = await browser.form('/account/reset-request', { email: 'ghost@acme.test' });
    const reply = await browser.form('/account/reset-request', { email: 'SSO@acme.test' });
    assert.equal(reply.status, unknown.status);
    assert.equal(readable(reply.text).replace('SSO@', 'X@'), readable(unknown.text).replace('ghost@', 'X@'));
    const mails = await h.delivered();
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.to, 'Sam <sso@acme.test>');
    assert.equal(mails[0]!.subject, 'About your password reset request');
    assert.match(mails[0]!.text, /Your account does not use a password here, so there is nothing to reset\./);
    assert.match(
      mails[0]!.text,
      /Sign in with your company sign-in, or at the printer's own sign-in \(your badge, card or PIN\)/,
    );
    assert.ok(!/https?:\/\//.test(mails[0]!.text), 'no link in it');
    const row = h.db.prepare('SELECT COUNT(*) AS n FROM account_links WHERE user_id = ?').get(sso.id);
    assert.equal((row as { n: number }).n, 0, 'no link made');

    // An invitation sent before the admin turned the password off is refused with the same advice.
    const ann = await h.user('ann@acme.test', null);
    const token = tokenOf(await h.invite(ann.id));
    h.users.update(ann.id, { builtinPasswordDisabled: true });
    const page = await browser.get(`/account/invite?token=${encodeURIComponent(token)}`);
    assert.equal(page.status, 403);
    assert.match(
      readable(page.text),
      /Your account does not use a password here.*company sign-in.*\(badge, card or PIN\)/,
    );
  });

  it('every POST needs the page’s CSRF token and this site’s Origin', async () => {
    const ann = await h.user('ann@acme.test', null);
    const token = tokenOf(await h.invite(ann.id));
    const body = { token, email: 'ann@acme.test', password: GOOD };
    const page = await browser.get('/account/invite');
    const cookie = page.headers.get('set-cookie')!;
    assert.match(cookie, /^mfp-account-csrf=[A-Za-z0-9_-]{43}; Path=\/account; HttpOnly; SameSite=Strict$/);

    assertError(await browser.api('/account/invite', body, { csrf: null }), 403, 'CSRF_INVALID');
    assertError(await browser.api('/account/invite', body, { csrf: 'x'.repeat(43) }), 403, 'CSRF_INVALID');
    const other = new PageClient(h);
    await other.get('/account/invite');
    assertError(await browser.api('/account/invite', body, { csrf: other.csrf }), 403, 'CSRF_INVALID');
    const noCookie = new PageClient(h);
    noCookie.csrf = browser.csrf;
    assertError(await noCookie.api('/account/invite', body), 403, 'CSRF_INVALID');
    assertError(await browser.api('/account/invite', body, { origin: null }), 403, 'ORIGIN_INVALID');
    assertError(
      await browser.api('/account/invite', body, { origin: 'https://evil.example' }),
      403,
      'ORIGIN_INVALID',
    );
    assertError(
      await browser.api('/account/invite', body, { headers: { 'sec-fetch-site': 'same-site' } }),
      403,
      'ORIGIN_INVALID',
    );
    // `Origin: null` (what no-referrer makes of a form post) only with the browser's own Sec-Fetch-Site.
    assertError(await browser.api('/account/invite', body, { origin: 'null' }), 403, 'ORIGIN_INVALID');
    assertError(
      await browser.api('/account/invite', body, {
        origin: 'null',
        headers: { 'sec-fetch-site': 'cross-site' },
      }),
      403,
      'ORIGIN_INVALID',
    );
    assertError(
      await browser.api('/account/invite', body, {
        origin: null,
        csrf: null,
        headers: { 'sec-fetch-site': 'same-origin' },
      }),
      403,
      'CSRF_INVALID',
    );
    const form = await browser.form('/account/reset-request', { email: 'ann@acme.test' }, { csrf: null });
    assert.equal(form.status, 403);
    assert.match(form.headers.get('content-type')!, /^text\/html/);
    assert.match(readable(form.text), /Reload the page/);
    assert.equal(h.users.get(ann.id)!.passwordHash, null, 'nothing was changed');
    assert.equal((await h.delivered()).length, 1, 'only the invitation');

    const ok = await browser.api('/account/invite', body);
    assert.equal(ok.status, 200, ok.text);

    // Over TLS (here: a proxy on this host says https) the cookie is __Host- and Secure.
    const tls = new PageClient(h);
    const secure = await tls.get('/account/', { 'x-forwarded-proto': 'https' });
    assert.match(
      secure.headers.get('set-cookie')!,
      /^__Host-mfp-account-csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
  });

  it('sends the exact CSP and no-store, no-referrer on every answer, and escapes every value shown', async () => {
    assert.equal(ACCOUNT_CSP, CSP);
    const hostile = `<img src=x onerror="alert(1)">'&`;
    const eve = await h.user('eve@acme.test', null, { displayName: hostile });
    const token = tokenOf(await h.invite(eve.id));
    for (const reply of [
      await browser.get('/account/'),
      await browser.get('/account/invite'),
      await browser.get(`/account/invite?token=${encodeURIComponent(token)}`),
      await browser.get('/account/nowhere'),
      await browser.api('/account/api/link', { kind: 'invitation', token: 'nope' }),
      await browser.get('/account/account.js'),
    ]) {
      assert.equal(reply.headers.get('content-security-policy'), CSP);
      assert.equal(reply.headers.get('referrer-policy'), 'no-referrer');
      assert.match(reply.headers.get('cache-control')!, /^no-(store|cache)$/);
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(reply.headers.get('x-frame-options'), 'DENY');
    }
    const page = await browser.get(`/account/invite?token=${encodeURIComponent(token)}`);
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('<img src=x'), 'no markup from the name');
    assert.ok(page.text.includes('Welcome, &lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;.'));
    assert.ok(
      (page.text.match(/<[a-z][^>]*>/g) ?? []).every(
        (tag) => !/\s(style|on[a-z]+)=/.test(tag) && (!tag.startsWith('<script') || tag.includes(' src=')),
      ),
      'nothing inline',
    );
    const echoed = await browser.form('/account/reset-request', { email: `"><script>x</script>@acme.test` });
    assert.ok(!echoed.text.includes('<script>x'), 'the typed email is escaped too');
    const js = await browser.get('/account/account.js');
    assert.match(js.headers.get('content-type')!, /^text\/javascript/);
    assert.match(js.text, /api\/password-rules/);
    const api = await browser.api('/account/api/link', { kind: 'invitation', token });
    assert.equal(
      (api.json() as { user: { displayName: string } }).user.displayName,
      hostile,
      'JSON carries it as data',
    );
  });

  it('limits reset requests per address, refused links per source; bounds and checks bodies', async () => {
    await h.stop();
    h = await new AccountHarness({
      limits: {
        resetPerSource: { maxFailures: 3, windowMs: 60_000 },
        resetPerEmail: { maxFailures: 2, windowMs: 3_600_000 },
        linkPerSource: { maxFailures: 3, windowMs: 60_000 },
      },
    }).start();
    browser = new PageClient(h);
    const ann = await h.user('ann@acme.test', 'Blue-Harbour-41');
    await browser.get('/account/');
    for (let i = 0; i < 3; i++)
      assert.equal((await browser.api('/account/reset-request', { email: 'ann@acme.test' })).status, 202);
    const limited = await browser.api('/account/reset-request', { email: 'ann@acme.test' });
    assertError(limited, 429, 'RATE_LIMITED');
    assert.equal(limited.headers.get('retry-after'), '60');
    assert.equal((await h.delivered()).length, 2, 'at most 2 reset mails an hour to one address');
    h.clock.advance(61_000);
    assert.equal((await browser.form('/account/reset-request', { email: 'ann@acme.test' })).status, 202);

    const good = tokenOf(await h.invite((await h.user('new@acme.test', null)).id));
    for (let i = 0; i < 3; i++)
      assertError(
        await browser.api('/account/api/link', { kind: 'invitation', token: `guess-${i}` }),
        404,
        'LINK_INVALID',
      );
    assertError(
      await browser.api('/account/api/link', { kind: 'invitation', token: good }),
      429,
      'RATE_LIMITED',
    );
    const page = await browser.form('/account/invite', {
      token: good,
      email: 'new@acme.test',
      password: GOOD,
    });
    assert.equal(page.status, 429);
    assert.match(readable(page.text), /Too many attempts/);
    h.clock.advance(61_000);
    assert.equal((await browser.api('/account/api/link', { kind: 'invitation', token: good })).status, 200);
    assert.ok(ann);

    assertError(
      await browser.api('/account/api/link', { kind: 'invitation', token: 'x'.repeat(20_000) }),
      413,
      'BODY_TOO_LARGE',
    );
    assertError(await browser.api('/account/api/link', '{"kind":'), 400, 'INVALID_BODY');
    assertError(
      await browser.api('/account/api/link', { kind: 'invitation', token: 7 }),
      400,
      'INVALID_BODY',
    );
    assertError(
      await browser.api('/account/api/link', 'x', { headers: { 'content-type': 'text/plain' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    assertError(await browser.api('/account/api/nothing', {}), 404, 'NOT_FOUND');
    const redirect = await browser.get('/account');
    assert.deepEqual([redirect.status, redirect.headers.get('location')], [301, '/account/']);
  });
});
