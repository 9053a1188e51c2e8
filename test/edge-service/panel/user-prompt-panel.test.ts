import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../edge-service/src/db/database.ts';
import { SqlitePanelSessionRepository } from '../../../edge-service/src/storage/sqlite-auth-records.ts';
import { totpCode } from '../../../edge-service/src/auth/totp.ts';
import { CLOSE_CODES, type ErrorBody, type SignInStep } from '../../../protocol/index.ts';
import { textPageJpeg } from '../../helpers/sample-page.ts';
import { NEW_PASSWORD, PASSWORD, PeopleEdge, until } from './people-harness.ts';

/*
 * Service tests of the user-prompt people path over the real WebSocket: the real edge (SQLite,
 * argon2, jose, mail queue) with fake device drivers, a manual panel clock and recorded mail.
 */

type Refusal = Error & { code: string; body: ErrorBody };
const refusal = async (promise: Promise<unknown>): Promise<Refusal> => {
  try {
    await promise;
  } catch (error) {
    return error as Refusal;
  }
  throw new Error('expected a refusal');
};

describe('panel people path: user-prompt (service)', function () {
  this.timeout(60_000);
  let t: PeopleEdge;
  let page: Buffer;

  before(async () => {
    page = await textPageJpeg(150);
  });

  beforeEach(async () => {
    t = await new PeopleEdge().start();
    t.scanner.pages = [page];
  });

  afterEach(async () => {
    await t.stop();
  });

  it('full flow: password → change with rules → enrol 2FA → done → fax under the user; again with a TOTP code; no secret in the logs', async () => {
    t.edge.people.policies.update(t.enterpriseId, { twoFactor: 'mandatory' }, 'test');
    const user = await t.user({
      email: 'Ada.Lovelace@acme.test',
      displayName: 'Ada',
      mustChangePassword: true,
    });
    const device = t.device('user-prompt');
    const { client, hello } = await t.connect(device.token);
    assert.equal(hello.user, null);
    assert.equal(hello.policy?.twoFactor, 'mandatory');
    assert.equal(hello.policy?.panelInactivitySeconds, 60);

    const secrets: string[] = [PASSWORD, NEW_PASSWORD, device.token];
    // Email matched case-insensitively.
    const first = await client.request('auth.password', {
      email: 'ada.lovelace@ACME.test',
      password: PASSWORD,
    });
    assert.equal(first.step, 'change-password');
    const change = first as Extract<SignInStep, { step: 'change-password' }>;
    secrets.push(change.stepToken);
    assert.equal(change.reason, 'must-change');
    assert.ok(change.rules.some((r) => r.rule === 'min-length'));
    const live = await client.request('auth.passwordRules', {
      stepToken: change.stepToken,
      candidate: 'short',
    });
    assert.equal(live.rules.find((r) => r.rule === 'min-length')?.ok, false);
    const weak = await refusal(
      client.request('auth.changePassword', { stepToken: change.stepToken, password: 'short' }),
    );
    assert.equal(weak.code, 'PASSWORD_POLICY');
    assert.ok(weak.body.rules?.some((r) => r.rule === 'min-length' && r.ok === false));

    const enrol = await client.request('auth.changePassword', {
      stepToken: change.stepToken,
      password: NEW_PASSWORD,
    });
    assert.equal(enrol.step, 'enrol-2fa');
    const e = enrol as Extract<SignInStep, { step: 'enrol-2fa' }>;
    secrets.push(e.secret, e.stepToken);
    assert.match(e.qrPng, /^data:image\/png;base64,/);
    assert.match(e.otpauthUri, /^otpauth:\/\/totp\//);
    const enrolCode = await totpCode(e.secret, new Date());
    const wrong = await refusal(
      client.request('auth.enrolTwoFactor', {
        stepToken: e.stepToken,
        code: '000000' === enrolCode ? '111111' : '000000',
      }),
    );
    assert.equal(wrong.code, 'TOTP_INVALID');
    const done = await client.request('auth.enrolTwoFactor', { stepToken: e.stepToken, code: enrolCode });
    assert.equal(done.step, 'done');
    const d = done as Extract<SignInStep, { step: 'done' }>;
    secrets.push(d.session.sessionToken, ...(d.recoveryCodes ?? []));
    assert.equal(d.session.user.email, 'Ada.Lovelace@acme.test');
    assert.ok((d.recoveryCodes ?? []).length > 0);

    const { job } = await client.request('fax.send', { recipients: ['+12125550100'] });
    assert.equal(t.edge.repositories.jobs.get(job.id)?.userId, user.id);
    await client.waitForJob((j) => j.id === job.id && j.state === 'delivered');

    // Mail: password changed, 2FA on, and the fax receipt, each to the user.
    await until(() => t.mailsTo(user.email, /password was changed/).length === 1, 5000, 'password mail');
    await until(
      () => t.mailsTo(user.email, /Two-factor authentication is on/).length === 1,
      5000,
      '2FA mail',
    );
    await until(() => t.mailsTo(user.email, /Fax to .* delivered/).length === 1, 5000, 'receipt');

    await client.request('auth.signOut', {});
    const ended = await client.waitForEvent('session.changed', (p) => p.user === null, 2000);
    assert.equal(ended.reason, 'sign-out');
    await assert.rejects(client.request('fax.send', { recipients: ['+12125550100'] }), {
      code: 'AUTH_REQUIRED',
    });

    // Again: the password, then a TOTP code (a later step than the enrolment's: codes are single-use).
    const totp = await client.request('auth.password', { email: user.email, password: NEW_PASSWORD });
    assert.equal(totp.step, 'totp');
    const tStep = totp as Extract<SignInStep, { step: 'totp' }>;
    secrets.push(tStep.stepToken);
    const code = await totpCode(e.secret, new Date(Date.now() + 30_000));
    secrets.push(code, enrolCode);
    const again = await client.request('auth.totp', { stepToken: tStep.stepToken, code });
    assert.equal(again.step, 'done');
    secrets.push((again as Extract<SignInStep, { step: 'done' }>).session.sessionToken);
    const renewed = await client.request('session.activity', {});
    assert.ok(renewed.session);
    secrets.push(renewed.session.sessionToken);

    // The log-grep: nothing secret in a whole sign-in run's logs, at trace level.
    const logs = t.logs.text();
    assert.ok(logs.includes('panel session started'), 'the run was logged');
    for (const secret of secrets) {
      const pattern = new RegExp(`\\b${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
      assert.ok(!pattern.test(logs), `a secret (${secret.slice(0, 4)}…) is in the logs`);
    }
  });

  it('fax receipts go to the person who sent, not to a shared account, and only while the policy says so', async () => {
    const shared = await t.user({ email: 'desk@acme.test', displayName: 'Desk' }, null);
    const s = await t.connect(t.device('shared-account', { sharedUserId: shared.id }).token);
    const { job } = await s.client.request('fax.send', { recipients: ['+12125550100'] });
    await s.client.waitForJob((j) => j.id === job.id && j.state === 'delivered');
    await t.user({ email: 'kim@acme.test', displayName: 'Kim' });
    const p = await t.connect(t.device('user-prompt').token);
    await t.signIn(p.client, 'kim@acme.test');
    t.edge.people.policies.update(t.enterpriseId, { faxReceipts: false }, 'test');
    const quiet = await p.client.request('fax.send', { recipients: ['+12125550100'] });
    await p.client.waitForJob((j) => j.id === quiet.job.id && j.state === 'delivered');
    t.edge.people.policies.update(t.enterpriseId, { faxReceipts: true }, 'test');
    const loud = await p.client.request('fax.send', { recipients: ['+12125550100'] });
    await p.client.waitForJob((j) => j.id === loud.job.id && j.state === 'delivered');
    await until(() => t.mailsTo('kim@acme.test', /Fax to/).length === 1, 5000, 'receipt');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(t.mailsTo('kim@acme.test', /Fax to/).length, 1);
    assert.equal(t.mailsTo('desk@acme.test').length, 0);
  });

  it("the next person at the printer sees and cancels only their own jobs, and hears nothing of the last one's", async () => {
    await t.user({ email: 'kim@acme.test', displayName: 'Kim' });
    await t.user({ email: 'lou@acme.test', displayName: 'Lou' });
    const { token } = t.device('user-prompt');
    const kim = await t.connect(token);
    await t.signIn(kim.client, 'kim@acme.test');
    const { job } = await kim.client.request('fax.send', { recipients: ['+12125550100'] });
    await kim.client.request('auth.signOut', {});
    kim.client.close();
    const lou = await t.connect(token);
    await t.signIn(lou.client, 'lou@acme.test');
    assert.deepEqual((await lou.client.request('jobs.list', {})).jobs, []);
    await assert.rejects(lou.client.request('job.cancel', { jobId: job.id }), { code: 'JOB_NOT_FOUND' });
    const own = (await lou.client.request('fax.send', { recipients: ['+12125550111'] })).job;
    await lou.client.waitForJob((j) => j.id === own.id && j.state === 'delivered');
    assert.deepEqual(
      (await lou.client.request('jobs.list', {})).jobs.map((j) => j.id),
      [own.id],
    );
    const heard = lou.client.events.filter((e) => e.event === 'job.updated');
    assert.ok(heard.every((e) => (e.payload as { job: { id: string } }).job.id === own.id));
    // Thumbnails too go to the owner's panel only.
    const pages = lou.client.events.filter((e) => e.event === 'job.page');
    assert.ok(pages.length > 0);
    assert.ok(pages.every((e) => (e.payload as { jobId: string }).jobId === own.id));
  });

  it('six wrong passwords lock the account (ACCOUNT_LOCKED with until); another panel of the user is signed out; mfp-edge admin user unlock frees it', async () => {
    const user = await t.user({ email: 'bob@acme.test', displayName: 'Bob' });
    const device = t.device('user-prompt');
    const a = await t.connect(device.token);
    const b = await t.connect(device.token);
    await t.signIn(b.client, user.email);
    for (let i = 1; i <= 5; i++) {
      const wrong = await refusal(
        a.client.request('auth.password', { email: user.email, password: `wrong-${i}` }),
      );
      assert.equal(wrong.code, 'INVALID_CREDENTIALS');
    }
    const locked = await refusal(
      a.client.request('auth.password', { email: user.email, password: 'wrong-6' }),
    );
    assert.equal(locked.code, 'ACCOUNT_LOCKED');
    assert.ok(locked.body.until && Date.parse(locked.body.until) > Date.now() + 29 * 60_000);
    const ended = await b.client.waitForEvent('session.changed', (p) => p.user === null, 2000);
    assert.equal(ended.reason, 'locked');
    const still = await refusal(a.client.request('auth.password', { email: user.email, password: PASSWORD }));
    assert.equal(still.code, 'ACCOUNT_LOCKED');
    await until(() => t.mailsTo(user.email, /account is locked/).length === 1, 5000, 'lock mail');

    const unlocked = await t.admin(['user', 'unlock', '--email', user.email]);
    assert.equal(unlocked.code, 0, unlocked.stderr);
    assert.equal((await t.signIn(a.client, user.email)).step, 'done');
  });

  it('a user whose built-in password is disabled is pointed to device login, not told "wrong password"', async () => {
    await t.user({ email: 'sso@acme.test', displayName: 'Sso', builtinPasswordDisabled: true }, null);
    const { client } = await t.connect(t.device('user-prompt').token);
    const refused = await refusal(
      client.request('auth.password', { email: 'sso@acme.test', password: 'anything-at-all' }),
    );
    assert.equal(refused.code, 'BUILTIN_PASSWORD_DISABLED');
    assert.match(refused.message, /printer's own sign-in/);
  });

  it('auth.* on a shared-account or device-login device is refused with AUTH_MODE_MISMATCH', async () => {
    const shared = await t.user({ email: 'desk@acme.test', displayName: 'Desk' }, null);
    await t.user({ email: 'carol@acme.test', displayName: 'Carol' });
    const s = await t.connect(t.device('shared-account', { sharedUserId: shared.id }).token);
    assert.equal(s.hello.user?.email, 'desk@acme.test');
    assert.equal(
      (await refusal(s.client.request('auth.password', { email: 'carol@acme.test', password: PASSWORD })))
        .code,
      'AUTH_MODE_MISMATCH',
    );
    assert.equal((await refusal(s.client.request('auth.signOut', {}))).code, 'AUTH_MODE_MISMATCH');
    const dl = await t.connect(t.device('device-login').token);
    assert.equal(
      (await refusal(dl.client.request('auth.password', { email: 'carol@acme.test', password: PASSWORD })))
        .code,
      'AUTH_MODE_MISMATCH',
    );
  });

  it('inactivity: session.expiring 10 s before, then signed out with reason inactivity', async () => {
    await t.user({ email: 'dan@acme.test', displayName: 'Dan' });
    const { client } = await t.connect(t.device('user-prompt').token);
    const done = await t.signIn(client, 'dan@acme.test');
    const deadline = Date.parse(done.session.expiresAt);
    assert.equal(deadline, t.clock.now() + 60_000);
    t.clock.tick(45_000);
    // Activity starts the countdown again.
    const touched = await client.request('session.activity', {});
    assert.equal(Date.parse(touched.expiresAt!), t.clock.now() + 60_000);
    t.clock.tick(50_000);
    const expiring = await client.waitForEvent('session.expiring', () => true, 2000);
    assert.equal(Date.parse(expiring.at), Date.parse(touched.expiresAt!));
    assert.equal(client.eventsOf('session.changed').length, 0);
    t.clock.tick(10_000);
    const ended = await client.waitForEvent('session.changed', (p) => p.user === null, 2000);
    assert.equal(ended.reason, 'inactivity');
    await assert.rejects(client.request('jobs.list', {}), { code: 'AUTH_REQUIRED' });
  });

  it("inactivity never signs out during the user's running send; the countdown starts again when it ends", async () => {
    await t.user({ email: 'eve@acme.test', displayName: 'Eve' });
    const { client } = await t.connect(t.device('user-prompt').token);
    await t.signIn(client, 'eve@acme.test');
    t.faxLine.pollsPerJob = 1_000_000;
    const { job } = await client.request('fax.send', { recipients: ['+12125550100'] });
    await client.waitForJob((j) => j.id === job.id && j.state === 'sending');
    t.clock.tick(10 * 60_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(client.eventsOf('session.changed').length, 0, 'still signed in during the send');
    assert.equal(client.eventsOf('session.expiring').length, 0);
    t.faxLine.pollsPerJob = 0;
    await client.waitForJob((j) => j.id === job.id && j.state === 'delivered');
    t.clock.tick(59_000);
    assert.equal(client.eventsOf('session.changed').length, 0);
    t.clock.tick(1_000);
    const ended = await client.waitForEvent('session.changed', (p) => p.user === null, 2000);
    assert.equal(ended.reason, 'inactivity');
  });

  it('revocations end the session with their reason: password change elsewhere, admin set-password from another connection, device revoked', async () => {
    const user = await t.user({ email: 'fay@acme.test', displayName: 'Fay' });
    const device = t.device('user-prompt');
    const a = await t.connect(device.token);
    await t.signIn(a.client, user.email);

    // The user changes the password through the edge (another panel's change step): revoked at once.
    await t.edge.people.passwords.change(t.edge.people.users.get(user.id)!, NEW_PASSWORD, { by: 'test' });
    assert.equal(
      (await a.client.waitForEvent('session.changed', (p) => p.user === null, 1000)).reason,
      'password-changed',
    );

    // mfp-edge admin user set-password: another database connection; caught by the periodic check.
    await t.signIn(a.client, user.email, NEW_PASSWORD);
    const set = await t.admin(
      ['user', 'set-password', '--email', user.email, '--password-stdin'],
      'Quartz-Meadow-5512\n',
    );
    assert.equal(set.code, 0, set.stderr);
    const changed = await a.client.waitForEvent(
      'session.changed',
      (p) => p.user === null && a.client.eventsOf('session.changed').length === 2,
      2000,
    );
    assert.equal(changed.reason, 'password-changed');

    // Device revoked by the CLI: the panel is told and disconnected (back to pairing).
    await t.signIn(a.client, user.email, 'Quartz-Meadow-5512');
    const revoked = await t.admin(['device', 'revoke', device.id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await a.client.waitForClose(3000)).code, CLOSE_CODES.DEVICE_REVOKED);
    assert.equal(a.client.eventsOf('session.changed').at(-1)?.reason, 'device-revoked');
  });

  it('a session revoked by another process is refused at the very next request, before the periodic check', async () => {
    await t.stop();
    t = await new PeopleEdge({ sessionCheckMs: 3_600_000 }).start();
    const user = await t.user({ email: 'gus@acme.test', displayName: 'Gus' });
    const { client } = await t.connect(t.device('user-prompt').token);
    await t.signIn(client, user.email);
    // Over a database connection of its own, as another process would; then a request at once.
    const db = openDatabase(join(t.dir.path, 'edge.db'));
    new SqlitePanelSessionRepository(db).revoke({ userId: user.id }, 'admin', new Date());
    db.close();
    await assert.rejects(client.request('jobs.list', {}), { code: 'SESSION_REVOKED' });
    assert.equal(client.eventsOf('session.changed').at(-1)?.reason, 'admin');
    await assert.rejects(client.request('jobs.list', {}), { code: 'AUTH_REQUIRED' });
  });

  it('policy changes reach connected panels within a second (CLI included) and the next sign-in obeys them', async () => {
    await t.user({ email: 'hal@acme.test', displayName: 'Hal' });
    const { client, hello } = await t.connect(t.device('user-prompt').token);
    const set = await t.admin(['policy', 'set', 'twoFactor=mandatory', 'panelInactivitySeconds=120']);
    assert.equal(set.code, 0, set.stderr);
    const started = Date.now();
    const pushed = await client.waitForEvent('policy.updated', () => true, 1000);
    assert.ok(Date.now() - started < 1000);
    assert.equal(pushed.policy.twoFactor, 'mandatory');
    assert.equal(pushed.policy.panelInactivitySeconds, 120);
    assert.ok(pushed.policy.version > hello.policy!.version);
    const step = await client.request('auth.password', { email: 'hal@acme.test', password: PASSWORD });
    assert.equal(step.step, 'enrol-2fa');
  });

  it('hello resumes a valid session token; a tampered, other-device, signed-out or timed-out one gives no user', async () => {
    const user = await t.user({ email: 'ivy@acme.test', displayName: 'Ivy' });
    const device = t.device('user-prompt');
    const other = t.device('user-prompt');
    const first = await t.connect(device.token);
    const done = await t.signIn(first.client, user.email);
    const token = done.session.sessionToken;
    first.client.close();

    const resumed = await t.connect(device.token, { sessionToken: token });
    assert.equal(resumed.hello.user?.email, user.email);
    assert.ok(resumed.hello.session?.sessionToken);
    assert.ok((await resumed.client.request('jobs.list', {})).jobs);

    const tampered = `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    assert.equal((await t.connect(device.token, { sessionToken: tampered })).hello.user, null);
    assert.equal((await t.connect(other.token, { sessionToken: token })).hello.user, null);
    assert.equal((await t.connect(device.token, { sessionToken: 'not-a-token' })).hello.user, null);

    // Timed out: the panel went away and came back after the inactivity timeout.
    resumed.client.close();
    t.clock.tick(61_000);
    assert.equal((await t.connect(device.token, { sessionToken: token })).hello.user, null);

    // Signed out.
    const again = await t.connect(device.token);
    const second = await t.signIn(again.client, user.email);
    await again.client.request('auth.signOut', {});
    assert.equal(
      (await t.connect(device.token, { sessionToken: second.session.sessionToken })).hello.user,
      null,
    );
  });
});
