import { EdgeError } from '../edge-error.ts';
import { normalizePassword, type PasswordHasher } from './password-hasher.ts';

/** NIST SP 800-63B §5.1.1.2: at least 8; we also cap the length so hashing stays bounded. */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export interface PasswordComplexity {
  /** How many of the four classes (lower, upper, digit, symbol) must appear: 0–4. */
  classesRequired: number;
  minLower: number;
  minUpper: number;
  minDigits: number;
  minSymbols: number;
}

/** The password part of the enterprise policy (policies/policy-schema.ts). */
export interface PasswordPolicy {
  passwordMinLength: number;
  passwordComplexity: PasswordComplexity;
  passwordHistory: number;
}

export type PasswordRuleId =
  | 'min-length'
  | 'max-length'
  | 'characters'
  | 'classes'
  | 'min-lower'
  | 'min-upper'
  | 'min-digits'
  | 'min-symbols'
  | 'not-email'
  | 'not-common'
  | 'history';

/**
 * One rule and whether the password meets it: a panel shows the whole list while the person types.
 * `ok` is null for the history rule until the password is submitted (it needs the stored hashes).
 */
export interface PasswordRuleResult {
  rule: PasswordRuleId;
  ok: boolean | null;
  message: string;
}

/** PASSWORD_POLICY, with every rule the password failed (the message lists them too). */
export class PasswordPolicyError extends EdgeError {
  readonly failed: PasswordRuleResult[];

  constructor(failed: PasswordRuleResult[]) {
    super(
      'PASSWORD_POLICY',
      `The password does not meet these rules: ${failed.map((r) => r.message).join('; ')}.`,
      { rules: failed },
    );
    this.failed = failed;
  }
}

// Character classes by Unicode category, so "É" is upper-case and "ß" lower-case. Symbols are
// everything else that is not a letter or digit (punctuation, spaces, emoji); letters without case
// (e.g. CJK) count toward no class but toward the length.
const LOWER = /\p{Ll}/gu;
const UPPER = /\p{Lu}/gu;
const DIGIT = /\p{Nd}/gu;
const SYMBOL = /[^\p{L}\p{Nd}]/gu;
// C0/C1 controls, and line/paragraph separators: nobody types them, and they break logs and forms.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
// Half of a surrogate pair: text that was cut or mis-decoded, with no NFC form and no UTF-8 encoding.
const LONE_SURROGATE = /\p{Cs}/u;

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

let common: Promise<ReadonlySet<string>> | undefined;

/**
 * Common and breached passwords to refuse (NIST SP 800-63B §5.1.1.2, "passwords obtained from previous
 * breach corpuses", "commonly-used values"): the `passwords-common` dictionary of
 * @zxcvbn-ts/language-common (≈49,000 entries, lower-case). Loaded once, on first use (~60 ms).
 */
export function loadCommonPasswords(): Promise<ReadonlySet<string>> {
  common ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common'].map((p) => p.toLowerCase())),
  );
  return common;
}

/**
 * Every rule of the policy against a password, in display order. Pure and synchronous (give it the
 * loaded common list), so a panel can re-check on each key press. History is not checked here.
 */
export function evaluatePassword(
  password: string,
  policy: PasswordPolicy,
  context: { email?: string; commonPasswords: ReadonlySet<string> },
): PasswordRuleResult[] {
  const wellFormed = !LONE_SURROGATE.test(password) && !CONTROL.test(password);
  const text = wellFormed ? normalizePassword(password) : password;
  // Length in code points (NIST: each Unicode code point is one character), after NFC.
  const length = [...text].length;
  const minLength = Math.max(MIN_PASSWORD_LENGTH, policy.passwordMinLength);
  const c = policy.passwordComplexity;
  const counts = {
    lower: count(text, LOWER),
    upper: count(text, UPPER),
    digit: count(text, DIGIT),
    symbol: count(text, SYMBOL),
  };
  const results: PasswordRuleResult[] = [
    { rule: 'min-length', ok: length >= minLength, message: `At least ${plural(minLength, 'character')}` },
    {
      rule: 'max-length',
      ok: length <= MAX_PASSWORD_LENGTH,
      message: `At most ${MAX_PASSWORD_LENGTH} characters`,
    },
    {
      rule: 'characters',
      ok: wellFormed,
      message: 'No control characters (tab, line break…) or broken characters',
    },
  ];
  if (c.classesRequired > 0) {
    const met = Object.values(counts).filter((n) => n > 0).length;
    results.push({
      rule: 'classes',
      ok: met >= c.classesRequired,
      message:
        c.classesRequired === 4
          ? 'Lower-case and upper-case letters, digits and symbols'
          : `At least ${c.classesRequired} of: lower-case letters, upper-case letters, digits, symbols`,
    });
  }
  const minimums: [PasswordRuleId, number, number, string][] = [
    ['min-lower', c.minLower, counts.lower, 'lower-case letter'],
    ['min-upper', c.minUpper, counts.upper, 'upper-case letter'],
    ['min-digits', c.minDigits, counts.digit, 'digit'],
    ['min-symbols', c.minSymbols, counts.symbol, 'symbol'],
  ];
  for (const [rule, minimum, actual, word] of minimums) {
    if (minimum > 0)
      results.push({ rule, ok: actual >= minimum, message: `At least ${plural(minimum, word)}` });
  }
  const local = (context.email ?? '').split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 3) {
    results.push({
      rule: 'not-email',
      ok: !text.toLowerCase().includes(local),
      message: 'Does not contain your email name',
    });
  }
  results.push({
    rule: 'not-common',
    ok: !context.commonPasswords.has(text.toLowerCase()),
    message: 'Not a common or previously breached password',
  });
  if (policy.passwordHistory > 0) {
    results.push({
      rule: 'history',
      ok: null,
      message: `Not one of your last ${plural(policy.passwordHistory, 'password')}`,
    });
  }
  return results;
}

/**
 * Enforces the policy on a new password: every rule, and the history against `recentHashes`
 * (the current hash first, then past ones; UserRepository.recentPasswordHashes). Throws a
 * PasswordPolicyError naming every failed rule.
 */
export async function enforcePassword(
  password: string,
  policy: PasswordPolicy,
  context: { email?: string; recentHashes?: string[]; hasher: PasswordHasher },
): Promise<void> {
  const results = evaluatePassword(password, policy, {
    ...(context.email === undefined ? {} : { email: context.email }),
    commonPasswords: await loadCommonPasswords(),
  });
  const history = results.find((r) => r.rule === 'history');
  const wellFormed = results.every((r) => (r.rule !== 'characters' && r.rule !== 'max-length') || r.ok);
  if (history && wellFormed) {
    history.ok = true;
    for (const stored of (context.recentHashes ?? []).slice(0, policy.passwordHistory)) {
      if (await context.hasher.verify(stored, password)) {
        history.ok = false;
        break;
      }
    }
  }
  const failed = results.filter((r) => r.ok === false);
  if (failed.length > 0) throw new PasswordPolicyError(failed);
}
