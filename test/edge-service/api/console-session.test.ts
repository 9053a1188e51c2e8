import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../edge-service/src/db/database.ts';
import {
  ApiClient,
  createAccount,
  ensureEnterprise,
  freshTotpCode,
  sessionClient,
  startApiEdge,
  type ApiEdge,
  type TestAccount,
} from '../../helpers/api-client.ts';

describe('api/console sessions: sign-in, session, CSRF, sign-out', function () {
  this.timeout(60_000);
  let api: ApiEdge;
  let admin: TestAccount;
  let slug: string;

  before(async () => {
    api = await startApiEdge();
    const acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    slug = acme.slug;
    admin = await createAccount(api.edge, { enterprise: acme, email: 'admin@acme.test' });
  });
  after(async () => api?.stop());

  it('signs an admin in with password and TOTP; GET /session names the user, the enterprise and a CSRF token', async () => {
    const client = new ApiClient(api.url);
    const done = await client.signIn(admin);
    assert.equal(done.user.email, 'admin@acme.test');
    assert.equal(done.enterprise.slug, slug);
    assert.ok(client.cookie?.startsWith('mfp-console='));
    const session = await client.request('GET', '/session');
    assert.equal(session.status, 200);
    assert.equal(session.body.user.role, 'admin');
    assert.equal(session.body.csrfToken, done.csrfToken);
    assert.deepEqual(session.body.enterprise, { id: done.enterprise.id, name: 'Acme', slug: 'acme' });
  });

  it('sets the cookie HttpOnly, SameSite=Strict, Path=/ (no Secure on plain http)', async () => {
    const step = await fetch(`${api.url}/api/v1/session/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    const { stepToken } = (await step.json()) as { stepToken: string };
    const lastStep = api.edge.people.users.get(admin.user.id)!.totpLastStep;
    const done = await fetch(`${api.url}/api/v1/session/totp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stepToken, code: await freshTotpCode(admin.totpSecret!, lastStep) }),
    });
    assert.equal(done.status, 200, await done.clone().text());
    const cookie = done.headers.get('set-cookie')!;
    assert.match(cookie, /^mfp-console=[\w-]{43};/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/i);
  });

  it('refuses a wrong password (401 INVALID_CREDENTIALS) and a wrong code (401 TOTP_INVALID), audited', async () => {
    const client = new ApiClient(api.url);
    const wrong = await client.request('POST', '/session/password', {
      email: admin.email,
      password: 'nope nope nope',
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS');
    const step = await client.request('POST', '/session/password', {
      email: admin.email,
      password: admin.password,
    });
    assert.equal(step.body.step, 'totp');
    const code = await client.request('POST', '/session/totp', {
      stepToken: step.body.stepToken,
      code: '000000',
    });
    assert.equal(code.status, 401);
    assert.equal(code.body.error.code, 'TOTP_INVALID');
    const failures = api.edge.audit
      .list(
        { enterpriseId: admin.user.enterpriseId, action: 'auth.sign-in-failed' },
        { offset: 0, limit: 10 },
      )
      .items.map((e) => e.details.code);
    assert.ok(
      failures.includes('INVALID_CREDENTIALS') && failures.includes('TOTP_INVALID'),
      String(failures),
    );
    // A complete sign-in resets the failure count for the next tests.
    api.edge.people.users.resetFailures(admin.user.id);
  });

  it('makes an admin without 2FA enrol after the password, whatever the policy says', async () => {
    const acme = api.edge.repositories.directory.findEnterpriseBySlug('acme')!;
    const fresh = await createAccount(api.edge, {
      enterprise: acme,
      email: 'new-admin@acme.test',
      totp: false,
    });
    const client = new ApiClient(api.url);
    const step = await client.request('POST', '/session/password', {
      email: fresh.email,
      password: fresh.password,
    });
    assert.equal(step.status, 200);
    assert.equal(step.body.step, 'enrol-2fa');
    assert.match(step.body.otpauthUri, /^otpauth:\/\/totp\//);
    assert.match(step.body.qrPng, /^data:image\/png;base64,/);
    const done = await client.request('POST', '/session/enrol-2fa', {
      stepToken: step.body.stepToken,
      code: await freshTotpCode(step.body.secret, null),
    });
    assert.equal(done.status, 200);
    assert.equal(done.body.step, 'done');
    assert.equal(done.body.recoveryCodes.length, 10);
    assert.ok(api.edge.people.users.get(fresh.user.id)!.totpSecret);
  });

  it('asks for a new password when it must change, with the rules refused as PASSWORD_POLICY', async () => {
    const acme = api.edge.repositories.directory.findEnterpriseBySlug('acme')!;
    const account = await createAccount(api.edge, { enterprise: acme, email: 'must@acme.test', totp: false });
    api.edge.people.users.update(account.user.id, { mustChangePassword: true });
    const client = new ApiClient(api.url);
    const step = await client.request('POST', '/session/password', {
      email: account.email,
      password: account.password,
    });
    assert.equal(step.body.step, 'change-password');
    assert.equal(step.body.reason, 'must-change');
    const rules = await client.request('POST', '/session/password-rules', {
      stepToken: step.body.stepToken,
      password: 'short',
    });
    assert.ok(rules.body.rules.some((r: { ok: boolean }) => !r.ok));
    const weak = await client.request('POST', '/session/change-password', {
      stepToken: step.body.stepToken,
      password: 'short',
    });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, 'PASSWORD_POLICY');
    const changed = await client.request('POST', '/session/change-password', {
      stepToken: step.body.stepToken,
      password: 'an entirely new passphrase 9',
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    // Then the admin enrols 2FA (required at the console).
    assert.equal(changed.body.step, 'enrol-2fa');
  });

  it('refuses a `user` at the console with 403 FORBIDDEN after a right password', async () => {
    const acme = api.edge.repositories.directory.findEnterpriseBySlug('acme')!;
    const person = await createAccount(api.edge, {
      enterprise: acme,
      email: 'person@acme.test',
      role: 'user',
    });
    const answer = await new ApiClient(api.url).request('POST', '/session/password', {
      email: person.email,
      password: person.password,
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.code, 'FORBIDDEN');
  });

  it('refuses a state-changing request on a cookie session without its CSRF token, or from another Origin', async () => {
    const client = sessionClient(api.edge, admin);
    const without = await client.request('POST', '/tokens', { name: 'x', expiresInDays: 1 }, { csrf: false });
    assert.equal(without.status, 403);
    assert.equal(without.body.error.code, 'CSRF_INVALID');
    const wrong = await client.request(
      'POST',
      '/tokens',
      { name: 'x', expiresInDays: 1 },
      { headers: { 'x-csrf-token': 'A'.repeat(43) }, csrf: false },
    );
    assert.equal(wrong.body.error.code, 'CSRF_INVALID');
    client.origin = 'https://evil.example';
    const foreign = await client.request('POST', '/tokens', { name: 'x', expiresInDays: 1 });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.error.code, 'CSRF_INVALID');
    client.origin = new URL(api.url).origin;
    const ok = await client.request('POST', '/tokens', { name: 'x', expiresInDays: 1 });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });

  it('signs out: the cookie is cleared and the session refused at once (401)', async () => {
    const client = sessionClient(api.edge, admin);
    const kept = client.cookie;
    const out = await client.request('DELETE', '/session');
    assert.equal(out.status, 204);
    client.cookie = kept;
    const after = await client.request('GET', '/session');
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'SESSION_REVOKED');
  });

  it('ends an idle session (SESSION_EXPIRED) after the idle timeout', async () => {
    const client = sessionClient(api.edge, admin);
    // The row's last activity 31 minutes ago, as an idle browser would leave it.
    const old = new Date(Date.now() - 31 * 60_000).toISOString();
    const sessionDb = openDb(api.dataDir);
    sessionDb.prepare('UPDATE console_sessions SET last_seen_at = ? WHERE revoked_at IS NULL').run(old);
    sessionDb.close();
    const after = await client.request('GET', '/session');
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, 'SESSION_EXPIRED');
  });

  it('answers 401 UNAUTHENTICATED without credentials, 404 and 405 as JSON', async () => {
    const anonymous = new ApiClient(api.url);
    const none = await anonymous.request('GET', '/session');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHENTICATED');
    const missing = await anonymous.request('GET', '/no-such-thing');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
    const method = await anonymous.request('PUT', '/session');
    assert.equal(method.status, 405);
    assert.equal(method.body.error.code, 'METHOD_NOT_ALLOWED');
    assert.match(method.headers.get('allow') ?? '', /GET/);
  });
});

function openDb(dataDir: string) {
  return openDatabase(join(dataDir, 'edge.db'));
}

describe('api/console sign-in rate limit', function () {
  this.timeout(60_000);
  let api: ApiEdge;
  before(async () => {
    api = await startApiEdge();
    ensureEnterprise(api.edge, 'Acme', 'acme');
  });
  after(async () => api?.stop());

  it('answers 429 RATE_LIMITED with Retry-After once an address failed too often', async () => {
    const client = new ApiClient(api.url);
    let last;
    for (let i = 0; i < 11; i++)
      last = await client.request('POST', '/session/password', {
        email: `nobody${i}@acme.test`,
        password: 'wrong wrong wrong',
      });
    assert.equal(last!.status, 429);
    assert.equal(last!.body.error.code, 'RATE_LIMITED');
    assert.match(last!.body.error.message, /network address/);
    assert.ok(Number(last!.headers.get('retry-after')) > 0);
  });
});
