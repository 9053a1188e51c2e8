import assert from 'node:assert/strict';
import { AccountLockedError } from '../../../edge-service/src/auth/lockout.ts';
import type { PasswordPolicyError } from '../../../edge-service/src/auth/password-rules.ts';
import type { SignInStep } from '../../../edge-service/src/auth/sign-in-service.ts';
import { totpCode } from '../../../edge-service/src/auth/totp.ts';
import { AuthHarness } from './auth-harness.ts';

const PASSWORD = 'Blue-Harbour-41';
const code = (error: unknown) => (error as { code?: string }).code;

async function refusal(promise: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code: string };
  }
  throw new Error('expected a refusal');
}

function expectStep<K extends SignInStep['step']>(step: SignInStep, kind: K): SignInStep & { step: K } {
  assert.equal(step.step, kind);
  return step as SignInStep & { step: K };
}

describe('auth/sign-in-service', function () {
  this.timeout(60_000);
  let h: AuthHarness;
  beforeEach(() => (h = new AuthHarness()));
  afterEach(() => h.close());

  it('signs in with email and password to a session bound to the device', async () => {
    const user = await h.user('ann@acme.test', PASSWORD);
    const done = expectStep(await h.signIn.password('ANN@acme.test', PASSWORD, h.context()), 'done');
    assert.equal(done.user.id, user.id);
    const claims = await h.sessions.verify(done.session.token, h.deviceId);
    assert.equal(claims.userId, user.id);
    assert.equal(
      code(await refusal(h.sessions.verify(done.session.token, h.otherDeviceId))),
      'SESSION_DEVICE_MISMATCH',
    );
    assert.ok(!h.log.includes(PASSWORD), 'no password in the logs');
    assert.ok(!h.log.includes(done.session.token), 'no token in the logs');
  });

  it('answers a wrong password and an unknown email alike, in similar time', async () => {
    await h.user('ann@acme.test', PASSWORD);
    const time = async (email: string) => {
      const started = performance.now();
      const error = await refusal(
        h.signIn.password(email, 'Wrong-Pass-99', h.context(`198.51.100.${email.length}`)),
      );
      return { code: error.code, message: error.message, ms: performance.now() - started };
    };
    await time('warm@acme.test');
    const wrong = await time('ann@acme.test');
    const unknown = await time('nobody@acme.test');
    assert.equal(wrong.code, 'INVALID_CREDENTIALS');
    assert.deepEqual([unknown.code, unknown.message], [wrong.code, wrong.message]);
    assert.ok(unknown.ms > wrong.ms * 0.4 && unknown.ms < wrong.ms * 2.5, `${wrong.ms} vs ${unknown.ms} ms`);
  });

  it('refuses empty, 1 MB, control-character and broken credentials as INVALID_CREDENTIALS', async () => {
    await h.user('ann@acme.test', PASSWORD);
    for (const [email, password] of [
      ['', ''],
      ['ann@acme.test', ''],
      ['ann@acme.test', 'x'.repeat(1 << 20)],
      ['a'.repeat(1 << 20), PASSWORD],
      ['ann@acme.test\u0000', PASSWORD],
      ['ann@acme.test', `${PASSWORD}\u0000`],
      ['ann@acme.test', 'Blue-Harbour-\ud800'],
      [null as unknown as string, undefined as unknown as string],
    ]) {
      assert.equal(
        code(await refusal(h.signIn.password(email!, password!, h.context('203.0.113.1')))),
        'INVALID_CREDENTIALS',
      );
    }
  });

  it('locks after lockoutAttempts failures (ACCOUNT_LOCKED with the time), before checking the password; auto-unlocks', async () => {
    const ann = await h.user('ann@acme.test', PASSWORD);
    for (let i = 1; i <= 5; i++)
      assert.equal(
        code(await refusal(h.signIn.password('ann@acme.test', `Wrong-${i}-xx`, h.context(`192.0.2.${i}`)))),
        'INVALID_CREDENTIALS',
      );
    // Failures at another device count too (the counter is in the database).
    const locking = await refusal(
      h.signIn.password('ann@acme.test', 'Wrong-6-xx', h.context('192.0.2.6', h.otherDeviceId)),
    );
    assert.ok(locking instanceof AccountLockedError);
    assert.equal(locking.lockedUntil?.toISOString(), new Date(h.clock.ms + 30 * 60_000).toISOString());
    assert.deepEqual(h.seen, [{ name: 'account-locked', userId: ann.id }]);
    const locked = await refusal(h.signIn.password('ann@acme.test', PASSWORD, h.context('192.0.2.7')));
    assert.equal(locked.code, 'ACCOUNT_LOCKED');
    assert.match(locked.message, /until 2026-03-02T09:30:00\.000Z/);
    h.clock.advance(30 * 60_000);
    expectStep(await h.signIn.password('ann@acme.test', PASSWORD, h.context('192.0.2.8')), 'done');
    assert.equal(h.users.get(ann.id)?.failedAttempts, 0);
  });

  it('an administrator unlocks; lockoutAutoUnlockMinutes = 0 keeps the lock until then', async () => {
    const ann = await h.user('ann@acme.test', PASSWORD);
    h.policies.update(h.enterpriseId, { lockoutAttempts: 2, lockoutAutoUnlockMinutes: 0 }, 'test');
    await refusal(h.signIn.password('ann@acme.test', 'Wrong-1-xx', h.context()));
    const locked = (await refusal(
      h.signIn.password('ann@acme.test', 'Wrong-2-xx', h.context()),
    )) as AccountLockedError;
    assert.equal(locked.lockedUntil, null);
    assert.match(locked.message, /ask an administrator/);
    h.clock.advance(7 * 86_400_000);
    assert.equal(
      code(await refusal(h.signIn.password('ann@acme.test', PASSWORD, h.context()))),
      'ACCOUNT_LOCKED',
    );
    h.users.resetFailures(ann.id);
    expectStep(await h.signIn.password('ann@acme.test', PASSWORD, h.context()), 'done');
  });

  it('one device guessing across accounts is RATE_LIMITED without touching those accounts', async () => {
    const users = await Promise.all(['a', 'b', 'c', 'd'].map((n) => h.user(`${n}@acme.test`, PASSWORD)));
    for (let i = 0; i < 10; i++) {
      const email = `${'abcd'[i % 4]}@acme.test`;
      assert.equal(
        code(await refusal(h.signIn.password(email, 'Wrong-pass-1', h.context(`192.0.2.${i}`)))),
        'INVALID_CREDENTIALS',
      );
    }
    const limited = await refusal(h.signIn.password('a@acme.test', PASSWORD, h.context('192.0.2.99')));
    assert.equal(limited.code, 'RATE_LIMITED');
    assert.match(limited.message, /this printer/);
    assert.ok(users.every((u) => (h.users.get(u.id)?.failedAttempts ?? 0) <= 3));
    assert.ok(
      users.every((u) => h.users.get(u.id)?.lockedAt === null),
      'no account locked',
    );
    // Another printer still works, and this one again after the window.
    expectStep(
      await h.signIn.password('a@acme.test', PASSWORD, h.context('192.0.2.99', h.otherDeviceId)),
      'done',
    );
    h.clock.advance(15 * 60_000);
    expectStep(await h.signIn.password('b@acme.test', PASSWORD, h.context('192.0.2.99')), 'done');
  });

  it('refuses SSO-only users with BUILTIN_PASSWORD_DISABLED and disabled users only once the password is right', async () => {
    await h.user('sso@acme.test', PASSWORD, { builtinPasswordDisabled: true });
    const sso = await refusal(h.signIn.password('sso@acme.test', 'anything-at-all', h.context()));
    assert.equal(sso.code, 'BUILTIN_PASSWORD_DISABLED');
    assert.match(sso.message, /printer's own sign-in|company sign-in/);
    const gone = await h.user('gone@acme.test', PASSWORD);
    h.users.update(gone.id, { disabledAt: h.clock.now().toISOString() });
    assert.equal(
      code(await refusal(h.signIn.password('gone@acme.test', 'Wrong-pass-1', h.context()))),
      'INVALID_CREDENTIALS',
    );
    assert.equal(
      code(await refusal(h.signIn.password('gone@acme.test', PASSWORD, h.context()))),
      'ACCOUNT_DISABLED',
    );
  });

  describe('two-factor', () => {
    async function enrolled(email: string) {
      await h.user(email, PASSWORD);
      h.policies.update(h.enterpriseId, { twoFactor: 'mandatory' }, 'test');
      const enrol = expectStep(await h.signIn.password(email, PASSWORD, h.context()), 'enrol-2fa');
      const done = expectStep(
        await h.signIn.enrolTwoFactor(
          enrol.stepToken,
          await totpCode(enrol.secret, h.clock.now()),
          h.context(),
        ),
        'done',
      );
      h.clock.advance(30_000);
      return { secret: enrol.secret, uri: enrol.otpauthUri, recoveryCodes: done.recoveryCodes! };
    }

    it('mandatory 2FA enrols after the password: otpauth URI, confirm with a code, 10 recovery codes once', async () => {
      const { secret, uri, recoveryCodes } = await enrolled('ann@acme.test');
      assert.match(uri, /^otpauth:\/\/totp\/Acme%20Corp:ann%40acme\.test\?/);
      assert.equal(recoveryCodes.length, 10);
      const stored = h.users.findByEmail(h.enterpriseId, 'ann@acme.test')!;
      assert.match(stored.totpSecret!, /^sb1\./);
      assert.ok(!stored.totpSecret!.includes(secret), 'encrypted at rest');
      assert.deepEqual(
        h.seen.map((e) => e.name),
        ['two-factor-enabled'],
      );
      assert.ok(!h.log.includes(secret));
    });

    it('asks for TOTP next; wrong codes count toward the lock; a code is accepted once', async () => {
      const { secret } = await enrolled('ann@acme.test');
      const step = expectStep(await h.signIn.password('ann@acme.test', PASSWORD, h.context()), 'totp');
      assert.equal(code(await refusal(h.signIn.totp(step.stepToken, '000000', h.context()))), 'TOTP_INVALID');
      assert.equal(h.users.findByEmail(h.enterpriseId, 'ann@acme.test')!.failedAttempts, 1);
      const good = await totpCode(secret, h.clock.now());
      expectStep(await h.signIn.totp(step.stepToken, good, h.context()), 'done');
      assert.equal(
        code(await refusal(h.signIn.totp(step.stepToken, good, h.context()))),
        'TOKEN_INVALID',
        'step used up',
      );
      const again = expectStep(await h.signIn.password('ann@acme.test', PASSWORD, h.context()), 'totp');
      assert.equal(code(await refusal(h.signIn.totp(again.stepToken, good, h.context()))), 'TOTP_REPLAYED');
      h.clock.advance(30_000);
      expectStep(
        await h.signIn.totp(again.stepToken, await totpCode(secret, h.clock.now()), h.context()),
        'done',
      );
    });

    it('knowing the password does not buy unlimited TOTP guesses: the lock comes at lockoutAttempts', async () => {
      await enrolled('ann@acme.test');
      let last: Error | undefined;
      for (let i = 0; i < 6; i++) {
        const step = expectStep(
          await h.signIn.password(
            'ann@acme.test',
            PASSWORD,
            h.context(`192.0.2.${i}`, i % 2 ? h.deviceId : h.otherDeviceId),
          ),
          'totp',
        );
        last = await refusal(
          h.signIn.totp(
            step.stepToken,
            '123456',
            h.context(`192.0.2.${i}`, i % 2 ? h.deviceId : h.otherDeviceId),
          ),
        );
      }
      assert.ok(last instanceof AccountLockedError);
      assert.equal(
        code(await refusal(h.signIn.password('ann@acme.test', PASSWORD, h.context()))),
        'ACCOUNT_LOCKED',
      );
    });

    it('takes a recovery code instead of a TOTP code, once', async () => {
      const { recoveryCodes } = await enrolled('ann@acme.test');
      const recovery = recoveryCodes[0]!;
      const step = expectStep(await h.signIn.password('ann@acme.test', PASSWORD, h.context()), 'totp');
      expectStep(await h.signIn.totp(step.stepToken, recovery.toLowerCase(), h.context()), 'done');
      const again = expectStep(await h.signIn.password('ann@acme.test', PASSWORD, h.context()), 'totp');
      const reused = await refusal(h.signIn.totp(again.stepToken, recovery, h.context()));
      assert.equal(reused.code, 'TOTP_INVALID');
      assert.match(reused.message, /already used/);
      assert.equal(h.users.recoveryCodesLeft(h.users.findByEmail(h.enterpriseId, 'ann@acme.test')!.id), 9);
    });

    it('a user resets their own 2FA only while signed in', async () => {
      const { secret } = await enrolled('ann@acme.test');
      const step = expectStep(await h.signIn.password('ann@acme.test', PASSWORD, h.context()), 'totp');
      const done = expectStep(
        await h.signIn.totp(step.stepToken, await totpCode(secret, h.clock.now()), h.context()),
        'done',
      );
      assert.equal(code(await refusal(h.signIn.resetTwoFactor('', h.context()))), 'AUTH_REQUIRED');
      assert.equal(
        code(await refusal(h.signIn.resetTwoFactor('forged.token.here', h.context()))),
        'TOKEN_INVALID',
      );
      await h.signIn.resetTwoFactor(done.session.token, h.context());
      assert.equal(h.users.findByEmail(h.enterpriseId, 'ann@acme.test')!.totpSecret, null);
      assert.ok(h.seen.some((e) => e.name === 'two-factor-disabled'));
      // Mandatory policy: the next sign-in enrols again.
      expectStep(await h.signIn.password('ann@acme.test', PASSWORD, h.context()), 'enrol-2fa');
    });

    it('a signed-in user enrols under an optional policy; excluded users are not asked', async () => {
      await h.user('ann@acme.test', PASSWORD);
      const done = expectStep(await h.signIn.password('ann@acme.test', PASSWORD, h.context()), 'done');
      const enrol = await h.signIn.beginTwoFactor(done.session.token, h.context());
      const { recoveryCodes } = await h.signIn.confirmTwoFactor(
        done.session.token,
        enrol.stepToken,
        await totpCode(enrol.secret, h.clock.now()),
        h.context(),
      );
      assert.equal(recoveryCodes.length, 10);
      await h.user('bob@acme.test', PASSWORD, { twoFactorExcluded: true });
      h.policies.update(h.enterpriseId, { twoFactor: 'mandatory' }, 'test');
      expectStep(await h.signIn.password('bob@acme.test', PASSWORD, h.context()), 'done');
    });
  });

  describe('password change', () => {
    it('must-change users choose a new password by the rules before the session', async () => {
      const ann = await h.user('ann@acme.test', PASSWORD, { mustChangePassword: true });
      const step = expectStep(
        await h.signIn.password('ann@acme.test', PASSWORD, h.context()),
        'change-password',
      );
      assert.equal(step.reason, 'must-change');
      const rules = await h.signIn.passwordRules(step.stepToken, 'short', h.context());
      assert.equal(rules.find((r) => r.rule === 'min-length')?.ok, false);
      const weak = (await refusal(
        h.signIn.changePassword(step.stepToken, 'password123', h.context()),
      )) as PasswordPolicyError;
      assert.equal(weak.code, 'PASSWORD_POLICY');
      assert.deepEqual(
        weak.failed.map((r) => r.rule),
        ['not-common'],
      );
      expectStep(await h.signIn.changePassword(step.stepToken, 'Fresh-Lantern-77', h.context()), 'done');
      assert.equal(h.users.get(ann.id)?.mustChangePassword, false);
      assert.deepEqual(h.seen, [{ name: 'password-changed', userId: ann.id }]);
      expectStep(await h.signIn.password('ann@acme.test', 'Fresh-Lantern-77', h.context()), 'done');
    });

    it('expired passwords (policy) must change unless the user never expires; the history is enforced', async () => {
      await h.user('ann@acme.test', PASSWORD);
      await h.user('bob@acme.test', PASSWORD, { passwordNeverExpires: true });
      h.policies.update(h.enterpriseId, { passwordExpiryDays: 90, passwordHistory: 3 }, 'test');
      h.clock.advance(90 * 86_400_000);
      expectStep(await h.signIn.password('bob@acme.test', PASSWORD, h.context()), 'done');
      const step = expectStep(
        await h.signIn.password('ann@acme.test', PASSWORD, h.context()),
        'change-password',
      );
      assert.equal(step.reason, 'expired');
      const reused = (await refusal(
        h.signIn.changePassword(step.stepToken, PASSWORD, h.context()),
      )) as PasswordPolicyError;
      assert.deepEqual(
        reused.failed.map((r) => r.rule),
        ['history'],
      );
      expectStep(await h.signIn.changePassword(step.stepToken, 'Other-Harbour-52', h.context()), 'done');
    });
  });

  it('step tokens: other device, unknown, expired', async () => {
    await h.user('ann@acme.test', PASSWORD, { mustChangePassword: true });
    const step = expectStep(
      await h.signIn.password('ann@acme.test', PASSWORD, h.context()),
      'change-password',
    );
    assert.equal(
      code(
        await refusal(
          h.signIn.changePassword(step.stepToken, 'Fresh-Lantern-77', h.context('x', h.otherDeviceId)),
        ),
      ),
      'TOKEN_INVALID',
    );
    assert.equal(
      code(await refusal(h.signIn.changePassword('nope', 'Fresh-Lantern-77', h.context()))),
      'TOKEN_INVALID',
    );
    assert.equal(
      code(await refusal(h.signIn.totp(step.stepToken, '123456', h.context()))),
      'TOKEN_INVALID',
      'wrong step',
    );
    h.clock.advance(5 * 60_000);
    assert.equal(
      code(await refusal(h.signIn.changePassword(step.stepToken, 'Fresh-Lantern-77', h.context()))),
      'SIGN_IN_EXPIRED',
    );
    assert.equal(
      code(await refusal(h.signIn.password('ann@acme.test', PASSWORD, h.context('x', 'no-such-device')))),
      'DEVICE_UNAUTHORIZED',
    );
  });
});
