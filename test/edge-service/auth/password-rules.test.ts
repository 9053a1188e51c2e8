import assert from 'node:assert/strict';
import { PasswordHasher } from '../../../edge-service/src/auth/password-hasher.ts';
import {
  enforcePassword,
  evaluatePassword,
  loadCommonPasswords,
  PasswordPolicyError,
  type PasswordPolicy,
} from '../../../edge-service/src/auth/password-rules.ts';

const BASE: PasswordPolicy = {
  passwordMinLength: 8,
  passwordComplexity: { classesRequired: 0, minLower: 0, minUpper: 0, minDigits: 0, minSymbols: 0 },
  passwordHistory: 0,
};
const strict = (
  changes: Partial<PasswordPolicy['passwordComplexity']>,
  more: Partial<PasswordPolicy> = {},
) => ({
  ...BASE,
  ...more,
  passwordComplexity: { ...BASE.passwordComplexity, ...changes },
});

describe('auth/password-rules', function () {
  this.timeout(30_000);
  let common: ReadonlySet<string>;
  const hasher = new PasswordHasher();
  before(async () => (common = await loadCommonPasswords()));

  const failed = (password: string, policy: PasswordPolicy, email?: string) =>
    evaluatePassword(password, policy, { commonPasswords: common, ...(email ? { email } : {}) })
      .filter((r) => r.ok === false)
      .map((r) => r.rule);

  it('lists every rule of the policy with a message, for a panel to show as the person types', () => {
    const results = evaluatePassword(
      'abc',
      strict({ classesRequired: 3, minDigits: 2 }, { passwordHistory: 5 }),
      {
        commonPasswords: common,
        email: 'ann.lee@acme.test',
      },
    );
    assert.deepEqual(
      results.map((r) => [r.rule, r.ok]),
      [
        ['min-length', false],
        ['max-length', true],
        ['characters', true],
        ['classes', false],
        ['min-digits', false],
        ['not-email', true],
        ['not-common', true],
        ['history', null],
      ],
    );
    assert.ok(results.every((r) => r.message.length > 5));
    assert.equal(results[0]!.message, 'At least 8 characters');
  });

  it('never asks for fewer than 8 characters and counts code points after NFC', () => {
    assert.deepEqual(failed('abcdefg', strict({}, { passwordMinLength: 4 })), ['min-length']);
    assert.deepEqual(failed('tr\u00e8s-bien', BASE), []);
    assert.deepEqual(failed('\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}x', BASE), []);
    assert.deepEqual(
      failed('e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301', BASE),
      ['min-length'],
      '7 after NFC',
    );
  });

  it('checks classes and per-class minimums with Unicode categories', () => {
    const policy = strict({ classesRequired: 4 });
    assert.deepEqual(failed('lowercaseonly', policy), ['classes']);
    assert.deepEqual(failed('Mixed-Case-9', policy), []);
    assert.deepEqual(failed('ÉCOLE-école-1', policy), []);
    const minimums = strict({ minLower: 2, minUpper: 2, minDigits: 2, minSymbols: 2 });
    assert.deepEqual(failed('aB1!xxxxxx', minimums), ['min-upper', 'min-digits', 'min-symbols']);
    assert.deepEqual(failed('aaBB11!!', minimums), []);
  });

  it('refuses common and breached passwords, the email name, control characters, broken text, > 128', () => {
    assert.deepEqual(failed('password1', BASE), ['not-common']);
    assert.deepEqual(failed('Qwertyuiop', BASE), ['not-common'], 'case does not matter');
    assert.deepEqual(failed('my-ann.lee-pass', BASE, 'Ann.Lee@acme.test'), ['not-email']);
    assert.deepEqual(failed('tab\there-long', BASE), ['characters']);
    assert.deepEqual(failed('nul\u0000here-long', BASE), ['characters']);
    assert.deepEqual(failed('broken\ud800-surrogate', BASE), ['characters']);
    assert.deepEqual(failed('x'.repeat(129), BASE), ['max-length']);
    assert.deepEqual(failed('', BASE), ['min-length']);
    assert.ok(failed('y'.repeat(1 << 20), BASE).includes('max-length'), '1 MB');
  });

  it('enforcing throws PASSWORD_POLICY with the failed rules, including the history', async () => {
    const policy = strict({}, { passwordHistory: 2 });
    const hashes = [await hasher.hash('first-pass-2024'), await hasher.hash('second-pass-2024')];
    await enforcePassword('third-pass-2024', policy, { recentHashes: hashes, hasher });
    await assert.rejects(
      enforcePassword('second-pass-2024', policy, { recentHashes: hashes, hasher }),
      (error: PasswordPolicyError) => {
        assert.ok(error instanceof PasswordPolicyError);
        assert.equal(error.code, 'PASSWORD_POLICY');
        assert.deepEqual(
          error.failed.map((r) => r.rule),
          ['history'],
        );
        assert.match(error.message, /Not one of your last 2 passwords/);
        assert.ok(!error.message.includes('second-pass'), 'the password is never in the message');
        return true;
      },
    );
    await enforcePassword('first-pass-2024', strict({}, { passwordHistory: 1 }), {
      recentHashes: hashes, // hashes[0] is the current one
      hasher,
    }).then(
      () => assert.fail('the current password counts as the last one'),
      (error: PasswordPolicyError) => assert.equal(error.failed[0]?.rule, 'history'),
    );
    await assert.rejects(enforcePassword('short', policy, { hasher }), { code: 'PASSWORD_POLICY' });
  });
});
