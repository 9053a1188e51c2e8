import type { UserRecord } from './device.ts';

/** admin and user are the enterprise's own; support-agent and reseller-admin are vendor-side. */
export const USER_ROLES = ['admin', 'user', 'support-agent', 'reseller-admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** The most past password hashes kept per user (the policy's passwordHistory goes up to 24). */
export const MAX_PASSWORD_HISTORY = 24;

export const USER_LANGUAGES = ['en', 'fr', 'de'] as const;
export type UserLanguage = (typeof USER_LANGUAGES)[number];

/**
 * A user with everything the people path needs. `UserRecord` (id, enterprise, email, name) stays
 * what the fax path uses; this is the same row seen by the auth code. Times are ISO 8601 strings.
 */
export interface UserAccount extends UserRecord {
  role: UserRole;
  language: UserLanguage;
  /** IANA time zone, e.g. Europe/Paris: for times shown to this person (lock ends, expiry dates). */
  timeZone: string;
  /** argon2id PHC string; null: no built-in password (invited, or SSO / device login only). */
  passwordHash: string | null;
  passwordChangedAt: string | null;
  mustChangePassword: boolean;
  passwordNeverExpires: boolean;
  builtinPasswordDisabled: boolean;
  twoFactorExcluded: boolean;
  disabledAt: string | null;
  /** Secret-box ciphertext of the Base32 TOTP secret; null: not enrolled. */
  totpSecret: string | null;
  totpEnrolledAt: string | null;
  /** RFC 6238 time step of the last accepted code. */
  totpLastStep: number | null;
  failedAttempts: number;
  lockedAt: string | null;
  /** null while lockedAt is set: locked until an administrator unlocks. */
  lockedUntil: string | null;
  createdAt: string;
  /** The fax service (on by default): off, the panel refuses this person's fax.send. */
  faxEnabled: boolean;
  /** The last complete sign-in (panel or console); null: never, or before this was recorded. */
  lastSignInAt: string | null;
  /** Set when an administrator deleted the account: it no longer signs in nor is listed. */
  deletedAt: string | null;
}

export interface NewUser {
  enterpriseId: string;
  email: string;
  displayName: string;
  role?: UserRole;
  language?: UserLanguage;
  timeZone?: string;
  mustChangePassword?: boolean;
  passwordNeverExpires?: boolean;
  builtinPasswordDisabled?: boolean;
  twoFactorExcluded?: boolean;
  faxEnabled?: boolean;
}

/** Settings an administrator (or the user) changes directly. */
export type UserSettings = Partial<
  Pick<
    UserAccount,
    | 'displayName'
    | 'role'
    | 'language'
    | 'timeZone'
    | 'mustChangePassword'
    | 'passwordNeverExpires'
    | 'builtinPasswordDisabled'
    | 'twoFactorExcluded'
    | 'disabledAt'
    | 'faxEnabled'
  >
>;

export interface FailureOutcome {
  failedAttempts: number;
  /** Set when this failure locked the account. */
  lockedNow: boolean;
  lockedAt: string | null;
  lockedUntil: string | null;
}

/** True while the account is locked at `now`. */
export function isLocked(user: Pick<UserAccount, 'lockedAt' | 'lockedUntil'>, now: Date): boolean {
  if (user.lockedAt === null) return false;
  return user.lockedUntil === null || Date.parse(user.lockedUntil) > now.getTime();
}

/**
 * Users as the people path sees them. Counters and single-use values change in one statement each
 * (or one immediate transaction), so an edge and the admin CLI writing the same file cannot lose an
 * update or accept a code twice.
 */
export interface UserRepository {
  create(input: NewUser): UserAccount;
  get(id: string): UserAccount | null;
  /** Email match is case-insensitive. */
  findByEmail(enterpriseId: string, email: string): UserAccount | null;
  list(enterpriseId: string, filter?: { lockedAt?: Date }): UserAccount[];
  update(id: string, settings: UserSettings): UserAccount;
  /**
   * Stores a new password hash; the previous one goes to the history, which keeps at most
   * `historyKeep` entries. Clears mustChangePassword unless `mustChange` is set.
   */
  setPasswordHash(
    id: string,
    hash: string,
    at: Date,
    options?: { mustChange?: boolean; historyKeep?: number },
  ): void;
  /** The current hash first, then past ones, newest first: at most `limit` in all. */
  recentPasswordHashes(id: string, limit: number): string[];
  /** Counts a failure; locks (until `lockUntil`, or until unlocked when null) once `maxAttempts` is reached. */
  recordFailure(id: string, at: Date, lock: { maxAttempts: number; lockUntil: Date | null }): FailureOutcome;
  /** Clears the counter and any lock. */
  resetFailures(id: string): void;
  setTotp(id: string, secret: { ciphertext: string; enrolledAt: Date; step: number } | null): void;
  /** Records `step` as used if it is newer than the last one; false when it is not (a replay). */
  claimTotpStep(id: string, step: number): boolean;
  replaceRecoveryCodes(id: string, hashes: string[], at: Date): void;
  /** Marks the code used; false when it is unknown or already used. */
  useRecoveryCode(id: string, hash: string, at: Date): boolean;
  recoveryCodesLeft(id: string): number;
  /** A complete sign-in happened (shown to administrators as "last sign-in"). */
  recordSignIn?(id: string, at: Date): void;
}
