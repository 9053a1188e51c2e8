import type { Db } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { Notifier } from './notifier.ts';
import { SinglePass } from '../services/single-pass.ts';

const DAY_MS = 86_400_000;

/** A user whose password expires, as the users code lists them (users with "never expires" are left out). */
export interface PasswordExpiry {
  userId: string;
  enterpriseId?: string;
  email: string;
  name: string;
  language?: string;
  timeZone?: string;
  expiresAt: Date | string;
}

/** Where the users are: implemented by the users/policies code. */
export interface PasswordExpirySource {
  listPasswordExpiries(): readonly PasswordExpiry[] | Promise<readonly PasswordExpiry[]>;
}

/**
 * The policy's `passwordExpiryReminderDays` for a user (by user or by enterprise, as the policies
 * code resolves it): how many days before expiry the reminder goes; 0 or null: no reminder.
 */
export interface PasswordReminderPolicy {
  reminderDays(user: { userId: string; enterpriseId?: string }): number | null | Promise<number | null>;
}

export interface PasswordExpiryRemindersOptions {
  db: Db;
  source: PasswordExpirySource;
  policy: PasswordReminderPolicy;
  notifier: Pick<Notifier, 'passwordExpiring'>;
  logger: Logger;
  /** How often the check runs (a day). */
  intervalMs?: number;
  /** The first check after start(), soon, so an edge restarted daily still checks. */
  firstRunDelayMs?: number;
  now?: () => number;
}

/**
 * Mails each user whose password expires within the policy's reminder days, once per expiry date.
 * The reminder is recorded (user + expiry date) in the same transaction that queues the mail, so
 * neither a crash nor a restart nor a second check sends it twice, and none is lost between the two.
 * A password already expired gets no reminder: signing in asks for a new one.
 */
export class PasswordExpiryReminders {
  readonly #o: PasswordExpiryRemindersOptions;
  readonly #now: () => number;
  #first: NodeJS.Timeout | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #checking = new SinglePass<number>(
    () => this.#check(),
    (error) => {
      this.#o.logger.error({ err: error }, 'password expiry check failed; next one at the next interval');
      return 0;
    },
  );

  constructor(options: PasswordExpiryRemindersOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#first || this.#timer) return;
    this.#first = setTimeout(() => {
      this.#first = undefined;
      void this.check();
      this.#timer = setInterval(() => void this.check(), this.#o.intervalMs ?? DAY_MS);
      this.#timer.unref();
    }, this.#o.firstRunDelayMs ?? 60_000);
    this.#first.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#first);
    clearInterval(this.#timer);
    this.#first = this.#timer = undefined;
    await this.#checking.settled();
  }

  /** One check; resolves with the number of reminders queued. Never rejects. */
  check(): Promise<number> {
    return this.#checking.run();
  }

  async #check(): Promise<number> {
    const { db, source, policy, notifier, logger } = this.#o;
    const seen = db.prepare('SELECT 1 FROM password_expiry_reminders WHERE user_id = ? AND expires_on = ?');
    const record = db.prepare(
      'INSERT INTO password_expiry_reminders (user_id, expires_on, mail_id, created_at) VALUES (?, ?, ?, ?)',
    );
    let queued = 0;
    for (const user of await source.listPasswordExpiries()) {
      const expiresAt = new Date(user.expiresAt);
      const now = this.#now();
      if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now) continue;
      const days = await policy.reminderDays({
        userId: user.userId,
        ...(user.enterpriseId ? { enterpriseId: user.enterpriseId } : {}),
      });
      if (!days || days <= 0 || expiresAt.getTime() - now > days * DAY_MS) continue;
      const expiresOn = expiresAt.toISOString().slice(0, 10);
      try {
        const mailId = db.transaction(() => {
          if (seen.get(user.userId, expiresOn)) return null;
          const { id } = notifier.passwordExpiring({
            to: user.email,
            name: user.name,
            ...(user.language ? { language: user.language } : {}),
            ...(user.timeZone ? { timeZone: user.timeZone } : {}),
            expiresAt,
          });
          record.run(user.userId, expiresOn, id, new Date(now).toISOString());
          return id;
        })();
        if (mailId) {
          queued++;
          logger.info(
            { userId: user.userId, mailId, kind: 'password-expiring' },
            'password expiry reminder queued',
          );
        }
      } catch (error) {
        logger.warn({ err: error, userId: user.userId }, 'password expiry reminder not queued');
      }
    }
    return queued;
  }
}
