import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/statement-cache.ts';
import type {
  FailureOutcome,
  NewUser,
  UserAccount,
  UserLanguage,
  UserRepository,
  UserRole,
  UserSettings,
} from '../domain/user.ts';
import { MAX_PASSWORD_HISTORY } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';

interface UserRow {
  id: string;
  enterprise_id: string;
  email: string;
  display_name: string;
  created_at: string;
  role: string;
  language: string;
  time_zone: string;
  password_hash: string | null;
  password_changed_at: string | null;
  must_change_password: number;
  password_never_expires: number;
  builtin_password_disabled: number;
  two_factor_excluded: number;
  disabled_at: string | null;
  totp_secret: string | null;
  totp_enrolled_at: string | null;
  totp_last_step: number | null;
  failed_attempts: number;
  locked_at: string | null;
  locked_until: string | null;
  fax_enabled: number;
  last_sign_in_at: string | null;
  deleted_at: string | null;
}

function toAccount(row: UserRow): UserAccount {
  return {
    id: row.id,
    enterpriseId: row.enterprise_id,
    email: row.email,
    displayName: row.display_name,
    createdAt: row.created_at,
    role: row.role as UserRole,
    language: row.language as UserLanguage,
    timeZone: row.time_zone,
    passwordHash: row.password_hash,
    passwordChangedAt: row.password_changed_at,
    mustChangePassword: row.must_change_password === 1,
    passwordNeverExpires: row.password_never_expires === 1,
    builtinPasswordDisabled: row.builtin_password_disabled === 1,
    twoFactorExcluded: row.two_factor_excluded === 1,
    disabledAt: row.disabled_at,
    totpSecret: row.totp_secret,
    totpEnrolledAt: row.totp_enrolled_at,
    totpLastStep: row.totp_last_step,
    failedAttempts: row.failed_attempts,
    lockedAt: row.locked_at,
    lockedUntil: row.locked_until,
    faxEnabled: row.fax_enabled === 1,
    lastSignInAt: row.last_sign_in_at,
    deletedAt: row.deleted_at,
  };
}

/** Column of each directly settable field; booleans are stored 0/1. */
const SETTING_COLUMNS: Record<keyof UserSettings, string> = {
  displayName: 'display_name',
  role: 'role',
  language: 'language',
  timeZone: 'time_zone',
  mustChangePassword: 'must_change_password',
  passwordNeverExpires: 'password_never_expires',
  builtinPasswordDisabled: 'builtin_password_disabled',
  twoFactorExcluded: 'two_factor_excluded',
  disabledAt: 'disabled_at',
  faxEnabled: 'fax_enabled',
};

const bit = (value: boolean | undefined): number => (value === true ? 1 : 0);

export { MAX_PASSWORD_HISTORY };

export class SqliteUserRepository implements UserRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  create(input: NewUser): UserAccount {
    const id = randomUUID();
    try {
      this.#db
        .prepare(
          `INSERT INTO users (id, enterprise_id, email, display_name, created_at, role, language, time_zone,
             must_change_password, password_never_expires, builtin_password_disabled, two_factor_excluded,
             fax_enabled)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.enterpriseId,
          input.email,
          input.displayName,
          new Date().toISOString(),
          input.role ?? 'user',
          input.language ?? 'en',
          input.timeZone ?? 'UTC',
          bit(input.mustChangePassword),
          bit(input.passwordNeverExpires),
          bit(input.builtinPasswordDisabled),
          bit(input.twoFactorExcluded),
          input.faxEnabled === false ? 0 : 1,
        );
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new EdgeError('USER_EXISTS', `A user with the email ${input.email} already exists.`);
      throw error;
    }
    return this.get(id)!;
  }

  get(id: string): UserAccount | null {
    const row = prepared(this.#db, 'SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row ? toAccount(row) : null;
  }

  findByEmail(enterpriseId: string, email: string): UserAccount | null {
    // The column is COLLATE NOCASE (ASCII); emails are compared after trimming only.
    const row = this.#db
      .prepare('SELECT * FROM users WHERE enterprise_id = ? AND email = ? AND deleted_at IS NULL')
      .get(enterpriseId, email.trim()) as UserRow | undefined;
    return row ? toAccount(row) : null;
  }

  list(enterpriseId: string, filter: { lockedAt?: Date } = {}): UserAccount[] {
    if (filter.lockedAt) {
      const at = filter.lockedAt.toISOString();
      return (
        this.#db
          .prepare(
            `SELECT * FROM users WHERE enterprise_id = ? AND deleted_at IS NULL AND locked_at IS NOT NULL
               AND (locked_until IS NULL OR locked_until > ?) ORDER BY email`,
          )
          .all(enterpriseId, at) as UserRow[]
      ).map(toAccount);
    }
    return (
      this.#db
        .prepare('SELECT * FROM users WHERE enterprise_id = ? AND deleted_at IS NULL ORDER BY email')
        .all(enterpriseId) as UserRow[]
    ).map(toAccount);
  }

  update(id: string, settings: UserSettings): UserAccount {
    const entries = Object.entries(settings).filter(([, value]) => value !== undefined) as [
      keyof UserSettings,
      unknown,
    ][];
    if (entries.length > 0) {
      const sets = entries.map(([key]) => `${SETTING_COLUMNS[key]} = ?`).join(', ');
      const values = entries.map(([, value]) => (typeof value === 'boolean' ? bit(value) : value));
      this.#db.prepare(`UPDATE users SET ${sets} WHERE id = ?`).run(...values, id);
    }
    const user = this.get(id);
    if (!user) throw new EdgeError('USER_NOT_FOUND');
    return user;
  }

  setPasswordHash(
    id: string,
    hash: string,
    at: Date,
    options: { mustChange?: boolean; historyKeep?: number } = {},
  ): void {
    const keep = Math.min(MAX_PASSWORD_HISTORY, Math.max(0, options.historyKeep ?? MAX_PASSWORD_HISTORY));
    this.#db
      .transaction(() => {
        const previous = this.#db.prepare('SELECT password_hash FROM users WHERE id = ?').get(id) as
          { password_hash: string | null } | undefined;
        if (!previous) throw new EdgeError('USER_NOT_FOUND');
        if (previous.password_hash !== null) {
          this.#db
            .prepare('INSERT INTO password_history (user_id, password_hash, created_at) VALUES (?, ?, ?)')
            .run(id, previous.password_hash, at.toISOString());
        }
        this.#db
          .prepare(
            `DELETE FROM password_history WHERE user_id = ? AND seq NOT IN
             (SELECT seq FROM password_history WHERE user_id = ? ORDER BY seq DESC LIMIT ?)`,
          )
          .run(id, id, keep);
        this.#db
          .prepare(
            'UPDATE users SET password_hash = ?, password_changed_at = ?, must_change_password = ? WHERE id = ?',
          )
          .run(hash, at.toISOString(), bit(options.mustChange), id);
      })
      .immediate();
  }

  recentPasswordHashes(id: string, limit: number): string[] {
    if (limit <= 0) return [];
    const current = this.#db.prepare('SELECT password_hash FROM users WHERE id = ?').get(id) as
      { password_hash: string | null } | undefined;
    const past = (
      this.#db
        .prepare('SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY seq DESC LIMIT ?')
        .all(id, limit) as { password_hash: string }[]
    ).map((r) => r.password_hash);
    return [...(current?.password_hash ? [current.password_hash] : []), ...past].slice(0, limit);
  }

  recordFailure(id: string, at: Date, lock: { maxAttempts: number; lockUntil: Date | null }): FailureOutcome {
    const now = at.toISOString();
    return this.#db
      .transaction(() => {
        // A lock that has run out starts a fresh count, as if an administrator had unlocked.
        this.#db
          .prepare(
            `UPDATE users SET failed_attempts = 0, locked_at = NULL, locked_until = NULL
           WHERE id = ? AND locked_until IS NOT NULL AND locked_until <= ?`,
          )
          .run(id, now);
        const before = this.#db.prepare('SELECT locked_at FROM users WHERE id = ?').get(id) as
          { locked_at: string | null } | undefined;
        if (!before) throw new EdgeError('USER_NOT_FOUND');
        const row = this.#db
          .prepare(
            `UPDATE users SET failed_attempts = failed_attempts + 1,
             locked_at = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= ? THEN ? ELSE locked_at END,
             locked_until = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= ? THEN ? ELSE locked_until END
           WHERE id = ? RETURNING failed_attempts, locked_at, locked_until`,
          )
          .get(lock.maxAttempts, now, lock.maxAttempts, lock.lockUntil?.toISOString() ?? null, id) as {
          failed_attempts: number;
          locked_at: string | null;
          locked_until: string | null;
        };
        return {
          failedAttempts: row.failed_attempts,
          lockedNow: before.locked_at === null && row.locked_at !== null,
          lockedAt: row.locked_at,
          lockedUntil: row.locked_until,
        };
      })
      .immediate();
  }

  resetFailures(id: string): void {
    this.#db
      .prepare('UPDATE users SET failed_attempts = 0, locked_at = NULL, locked_until = NULL WHERE id = ?')
      .run(id);
  }

  setTotp(id: string, secret: { ciphertext: string; enrolledAt: Date; step: number } | null): void {
    this.#db
      .prepare('UPDATE users SET totp_secret = ?, totp_enrolled_at = ?, totp_last_step = ? WHERE id = ?')
      .run(secret?.ciphertext ?? null, secret?.enrolledAt.toISOString() ?? null, secret?.step ?? null, id);
  }

  claimTotpStep(id: string, step: number): boolean {
    return (
      this.#db
        .prepare(
          'UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)',
        )
        .run(step, id, step).changes === 1
    );
  }

  replaceRecoveryCodes(id: string, hashes: string[], at: Date): void {
    this.#db
      .transaction(() => {
        this.#db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(id);
        const insert = this.#db.prepare(
          'INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)',
        );
        for (const hash of hashes) insert.run(id, hash, at.toISOString());
      })
      .immediate();
  }

  useRecoveryCode(id: string, hash: string, at: Date): boolean {
    return (
      this.#db
        .prepare(
          'UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL',
        )
        .run(at.toISOString(), id, hash).changes === 1
    );
  }

  recoveryCodesLeft(id: string): number {
    return (
      this.#db
        .prepare('SELECT count(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL')
        .get(id) as { n: number }
    ).n;
  }

  recordSignIn(id: string, at: Date): void {
    this.#db.prepare('UPDATE users SET last_sign_in_at = ? WHERE id = ?').run(at.toISOString(), id);
  }

  /**
   * Deletes an account: the row stays (jobs and audit entries name it) but it is disabled, its
   * credentials and 2FA are cleared and its email is renamed, so the address can be used again.
   */
  delete(id: string, at: Date): void {
    const changed = this.#db
      .prepare(
        `UPDATE users SET deleted_at = ?, disabled_at = COALESCE(disabled_at, ?),
           email = 'deleted-' || id || '@' || email, password_hash = NULL, totp_secret = NULL
         WHERE id = ? AND deleted_at IS NULL`,
      )
      .run(at.toISOString(), at.toISOString(), id);
    if (changed.changes === 0) throw new EdgeError('USER_NOT_FOUND');
  }
}
