import type { Mailer, QueuedMail } from './mailer.ts';
import {
  renderNotification,
  type MailReader,
  type NotificationKind,
  type NotificationParams,
} from './mail-templates.ts';

const DAY_MS = 86_400_000;

/**
 * The notifications of DESIGN.md §4 and issue 9 as a typed API: each method renders the message in
 * the reader's language and time zone and queues it, returning once it is stored; none waits for
 * the mail server. Times default to now. Throws (plain Error) only on a programming error: an
 * address that is not one, or a link that is not http(s).
 */
export class Notifier {
  readonly #mailer: Pick<Mailer, 'enqueue'>;
  readonly #now: () => number;

  constructor(options: { mailer: Pick<Mailer, 'enqueue'>; now?: () => number }) {
    this.#mailer = options.mailer;
    this.#now = options.now ?? Date.now;
  }

  passwordChanged(r: MailReader & { at?: Date }): QueuedMail {
    return this.send('password-changed', r, { at: r.at ?? this.#date() });
  }

  twoFactorEnabled(r: MailReader & { at?: Date }): QueuedMail {
    return this.send('two-factor-enabled', r, { at: r.at ?? this.#date() });
  }

  twoFactorDisabled(r: MailReader & { at?: Date }): QueuedMail {
    return this.send('two-factor-disabled', r, { at: r.at ?? this.#date() });
  }

  /** unlockAt: when the policy's auto-unlock frees the account; null when only an admin can. */
  accountLocked(r: MailReader & { at?: Date; unlockAt: Date | null }): QueuedMail {
    return this.send('account-locked', r, { at: r.at ?? this.#date(), unlockAt: r.unlockAt });
  }

  /** daysLeft defaults to the whole days from now to expiresAt, rounded up. */
  passwordExpiring(r: MailReader & { expiresAt: Date; daysLeft?: number }): QueuedMail {
    const daysLeft = r.daysLeft ?? Math.max(0, Math.ceil((r.expiresAt.getTime() - this.#now()) / DAY_MS));
    return this.send('password-expiring', r, { expiresAt: r.expiresAt, daysLeft });
  }

  invitation(
    r: MailReader & { url: string; expiresAt: Date; enterpriseName: string; invitedBy?: string; at?: Date },
  ): QueuedMail {
    const { url, expiresAt, enterpriseName, invitedBy } = r;
    return this.send('invitation', r, {
      url,
      expiresAt,
      enterpriseName,
      at: r.at ?? this.#date(),
      ...(invitedBy ? { invitedBy } : {}),
    });
  }

  passwordReset(r: MailReader & { url: string; expiresAt: Date; at?: Date }): QueuedMail {
    return this.send('password-reset', r, { url: r.url, expiresAt: r.expiresAt, at: r.at ?? this.#date() });
  }

  welcome(r: MailReader & { enterpriseName: string; signInUrl?: string }): QueuedMail {
    return this.send('welcome', r, {
      enterpriseName: r.enterpriseName,
      ...(r.signInUrl ? { signInUrl: r.signInUrl } : {}),
    });
  }

  faxReceipt(r: MailReader & { job: NotificationParams['fax-receipt']['job'] }): QueuedMail {
    return this.send('fax-receipt', r, { job: r.job });
  }

  /** The generic form the methods above use. */
  send<K extends NotificationKind>(kind: K, reader: MailReader, params: NotificationParams[K]): QueuedMail {
    const { subject, text, html } = renderNotification(kind, reader, params);
    const name = reader.name.trim();
    return this.#mailer.enqueue({
      kind,
      to: reader.to,
      ...(name ? { toName: name } : {}),
      subject,
      text,
      html,
    });
  }

  #date(): Date {
    return new Date(this.#now());
  }
}
