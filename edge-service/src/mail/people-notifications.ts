import type { AuthEventMap, AuthEvents } from '../auth/auth-events.ts';
import type { DeviceRepository, DirectoryRepository } from '../domain/device.ts';
import { isFinal, type JobRecord } from '../domain/job.ts';
import type { UserAccount, UserRepository } from '../domain/user.ts';
import type { Logger } from '../logger.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { FaxReceiptRecipient } from './mail-templates.ts';
import type { Notifier } from './notifier.ts';
import type {
  PasswordExpiry,
  PasswordExpirySource,
  PasswordReminderPolicy,
} from './password-expiry-reminders.ts';

const DAY_MS = 86_400_000;
/** Job ids already given a receipt, so a repeated final event does not mail twice (bounded). */
const RECEIPTS_REMEMBERED = 1000;

type Reader = { to: string; name: string; language: string; timeZone: string };
const readerOf = (user: UserAccount): Reader => ({
  to: user.email,
  name: user.displayName,
  language: user.language,
  timeZone: user.timeZone,
});

/**
 * What people are emailed about (DESIGN.md §4), wired to what happens: the auth events (password
 * changed, 2FA enabled or disabled, account locked) and fax receipts. Each mail is rendered in the
 * user's language and time zone and only queued (SQLite): nothing here waits for a mail server, and a
 * failure to queue is logged, never thrown into the sign-in or the fax job that caused it.
 *
 * Fax receipts go to the person who sent the fax when the enterprise's `faxReceipts` is on — not to
 * a device's shared account: its mailbox (e.g. front-desk@) is read by nobody in particular or by
 * everyone at the desk, so a receipt there would tell them who faxed what to whom without reaching
 * the sender. The design's answer for shared devices is the optional reply address the panel may
 * ask for (DESIGN.md §3), which has its own issue; until then shared-account faxes get no receipt.
 */
export interface PeopleNotificationsOptions {
  events: AuthEvents;
  users: Pick<UserRepository, 'get'>;
  devices: Pick<DeviceRepository, 'get'>;
  policies: Pick<PolicyService, 'get'>;
  notifier: Notifier;
  logger: Logger;
}

export class PeopleNotifications {
  readonly #o: PeopleNotificationsOptions;
  readonly #receipted = new Set<string>();
  readonly #unsubscribe: (() => void)[] = [];

  constructor(options: PeopleNotificationsOptions) {
    this.#o = options;
  }

  start(): void {
    const { events } = this.#o;
    const on = <K extends keyof AuthEventMap>(name: K, listener: (...args: AuthEventMap[K]) => void) => {
      events.on(name, listener as never);
      this.#unsubscribe.push(() => events.off(name, listener as never));
    };
    on('password-changed', (e) =>
      this.#mail('password-changed', e.userId, (r) => this.#o.notifier.passwordChanged({ ...r, at: e.at })),
    );
    on('two-factor-enabled', (e) =>
      this.#mail('two-factor-enabled', e.userId, (r) =>
        this.#o.notifier.twoFactorEnabled({ ...r, at: e.at }),
      ),
    );
    on('two-factor-disabled', (e) =>
      this.#mail('two-factor-disabled', e.userId, (r) =>
        this.#o.notifier.twoFactorDisabled({ ...r, at: e.at }),
      ),
    );
    on('account-locked', (e) =>
      this.#mail('account-locked', e.userId, (r) =>
        this.#o.notifier.accountLocked({ ...r, at: e.at, unlockAt: e.lockedUntil }),
      ),
    );
  }

  stop(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  /** For the fax engine's 'job' event. */
  readonly onJob = (job: JobRecord): void => {
    if (!isFinal(job.state) || job.userId === null || this.#receipted.has(job.id)) return;
    // An emailed fax gets its one receipt from email-intake/email-receipts.ts, to the address it came from.
    if (job.source === 'email') return;
    try {
      const device = this.#o.devices.get(job.deviceId);
      if (!device || job.userId === device.sharedUserId) return;
      if (!this.#o.policies.get(device.enterpriseId).document.faxReceipts) return;
      this.#remember(job.id);
      const recipients: FaxReceiptRecipient[] = job.recipients.map((r) => ({
        number: r.number,
        result: r.state === 'delivered' ? 'delivered' : job.state === 'cancelled' ? 'cancelled' : 'failed',
        pagesSent: r.pagesSent,
        ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
      }));
      this.#mail('fax-receipt', job.userId, (reader) =>
        this.#o.notifier.faxReceipt({
          ...reader,
          job: {
            id: job.id,
            pages: job.totalPages ?? job.pagesScanned,
            submittedAt: new Date(job.createdAt),
            finishedAt: new Date(job.updatedAt),
            recipients,
          },
        }),
      );
    } catch (error) {
      this.#o.logger.warn({ err: error, jobId: job.id }, 'fax receipt not queued');
    }
  };

  #remember(jobId: string): void {
    this.#receipted.add(jobId);
    if (this.#receipted.size > RECEIPTS_REMEMBERED) {
      const oldest = this.#receipted.values().next();
      if (!oldest.done) this.#receipted.delete(oldest.value);
    }
  }

  #mail(kind: string, userId: string, send: (reader: Reader) => { id: string }): void {
    try {
      const user = this.#o.users.get(userId);
      if (!user || user.disabledAt !== null) return;
      const { id } = send(readerOf(user));
      this.#o.logger.info({ kind, userId, mailId: id }, 'notification queued');
    } catch (error) {
      // Logged by kind and user id only: no address, no content.
      this.#o.logger.warn({ err: error, kind, userId }, 'notification not queued');
    }
  }
}

/** PasswordExpiryReminders' view of the users: those whose built-in password expires under the policy. */
export class UserPasswordExpiries implements PasswordExpirySource, PasswordReminderPolicy {
  readonly #users: Pick<UserRepository, 'list'>;
  readonly #directory: Pick<DirectoryRepository, 'listEnterprises'>;
  readonly #policies: Pick<PolicyService, 'get'>;

  constructor(options: {
    users: Pick<UserRepository, 'list'>;
    directory: Pick<DirectoryRepository, 'listEnterprises'>;
    policies: Pick<PolicyService, 'get'>;
  }) {
    this.#users = options.users;
    this.#directory = options.directory;
    this.#policies = options.policies;
  }

  listPasswordExpiries(): PasswordExpiry[] {
    return this.#directory.listEnterprises().flatMap((enterprise) => {
      const { passwordExpiryDays } = this.#policies.get(enterprise.id).document;
      if (passwordExpiryDays === 0) return [];
      return this.#users
        .list(enterprise.id)
        .filter(
          (u) =>
            u.passwordHash !== null &&
            u.passwordChangedAt !== null &&
            !u.passwordNeverExpires &&
            !u.builtinPasswordDisabled &&
            u.disabledAt === null,
        )
        .map((u) => ({
          userId: u.id,
          enterpriseId: u.enterpriseId,
          email: u.email,
          name: u.displayName,
          language: u.language,
          timeZone: u.timeZone,
          expiresAt: new Date(Date.parse(u.passwordChangedAt!) + passwordExpiryDays * DAY_MS),
        }));
    });
  }

  reminderDays(user: { userId: string; enterpriseId?: string }): number | null {
    if (!user.enterpriseId) return null;
    const { passwordExpiryDays, passwordExpiryReminderDays } = this.#policies.get(user.enterpriseId).document;
    return passwordExpiryDays === 0 ? null : passwordExpiryReminderDays;
  }
}
