import { EdgeError } from '../edge-error.ts';
import { isLocked, type UserAccount, type UserRepository } from '../domain/user.ts';
import type { PolicyDocument } from '../policies/policy-schema.ts';
import { FailureRateLimiter } from './rate-limiter.ts';

/** ACCOUNT_LOCKED with when it unlocks (null: only an administrator can unlock it). */
export class AccountLockedError extends EdgeError {
  readonly lockedUntil: Date | null;

  constructor(lockedUntil: Date | null) {
    super(
      'ACCOUNT_LOCKED',
      lockedUntil
        ? `The account is locked after too many failed attempts until ${lockedUntil.toISOString()}; an administrator can unlock it sooner.`
        : 'The account is locked after too many failed attempts: ask an administrator to unlock it.',
      lockedUntil ? { until: lockedUntil } : {},
    );
    this.lockedUntil = lockedUntil;
  }
}

/** RATE_LIMITED with when to try again. */
export class RateLimitedError extends EdgeError {
  readonly retryAt: Date;

  constructor(retryAt: Date, what: string) {
    super(
      'RATE_LIMITED',
      `Too many failed sign-ins from this ${what}; try again after ${retryAt.toISOString()}.`,
      { until: retryAt },
    );
    this.retryAt = retryAt;
  }
}

/**
 * The per-account lock (DESIGN.md §4): `lockoutAttempts` failures, password and TOTP alike, lock the
 * account for `lockoutAutoUnlockMinutes` (0: until an administrator unlocks). Counted in the
 * database, so failures at every device and in every process add up.
 */
export class AccountLockout {
  readonly #users: UserRepository;
  readonly #now: () => Date;

  constructor(options: { users: UserRepository; now?: () => Date }) {
    this.#users = options.users;
    this.#now = options.now ?? (() => new Date());
  }

  /** Throws AccountLockedError while the account is locked. */
  check(user: UserAccount): void {
    if (isLocked(user, this.#now()))
      throw new AccountLockedError(user.lockedUntil ? new Date(user.lockedUntil) : null);
  }

  /** Counts a failure; `lockedNow` is true for the failure that locked the account. */
  recordFailure(
    user: UserAccount,
    policy: Pick<PolicyDocument, 'lockoutAttempts' | 'lockoutAutoUnlockMinutes'>,
  ): { lockedNow: boolean; lockedUntil: Date | null; failedAttempts: number } {
    const now = this.#now();
    const lockUntil =
      policy.lockoutAutoUnlockMinutes === 0
        ? null
        : new Date(now.getTime() + policy.lockoutAutoUnlockMinutes * 60_000);
    const outcome = this.#users.recordFailure(user.id, now, {
      maxAttempts: policy.lockoutAttempts,
      lockUntil,
    });
    return {
      lockedNow: outcome.lockedNow,
      lockedUntil: outcome.lockedUntil ? new Date(outcome.lockedUntil) : null,
      failedAttempts: outcome.failedAttempts,
    };
  }

  /** A complete sign-in: the count starts again. */
  recordSuccess(user: UserAccount): void {
    if (user.failedAttempts > 0 || user.lockedAt !== null) this.#users.resetFailures(user.id);
  }

  /** An administrator's unlock. */
  unlock(userId: string): void {
    this.#users.resetFailures(userId);
  }
}

/**
 * Limits on top of the account lock, so one panel (or one address) guessing across many accounts
 * cannot lock out the whole company: at most `perDevice` failures per device and `perSource`
 * per source address within `windowMs` (all accounts, known or not), then RATE_LIMITED — refused
 * before any account is looked at, so those accounts' counters are not touched.
 *
 * With the defaults (10 per device, 30 per address, 15 minutes) and lockoutAttempts = 6, one device
 * can lock at most one account per 15 minutes.
 */
export const SIGN_IN_LIMITS = { perDevice: 10, perSource: 30, windowMs: 15 * 60_000 } as const;

export class SignInRateLimits {
  readonly #devices: FailureRateLimiter;
  readonly #sources: FailureRateLimiter;

  constructor(options: { perDevice?: number; perSource?: number; windowMs?: number; now?: () => Date } = {}) {
    const windowMs = options.windowMs ?? SIGN_IN_LIMITS.windowMs;
    const now = options.now ?? (() => new Date());
    this.#devices = new FailureRateLimiter({
      maxFailures: options.perDevice ?? SIGN_IN_LIMITS.perDevice,
      windowMs,
      now,
    });
    this.#sources = new FailureRateLimiter({
      maxFailures: options.perSource ?? SIGN_IN_LIMITS.perSource,
      windowMs,
      now,
    });
  }

  /** Throws RateLimitedError when the device or the source address has failed too often. */
  check(context: { deviceId: string; source: string }, deviceLabel = 'printer'): void {
    const device = this.#devices.blockedUntil(context.deviceId);
    if (device) throw new RateLimitedError(device, deviceLabel);
    const source = this.#sources.blockedUntil(context.source);
    if (source) throw new RateLimitedError(source, 'network address');
  }

  recordFailure(context: { deviceId: string; source: string }): void {
    this.#devices.recordFailure(context.deviceId);
    this.#sources.recordFailure(context.source);
  }
}
