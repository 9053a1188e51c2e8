import { de } from './mail-catalog-de.ts';
import { en } from './mail-catalog-en.ts';
import { fr } from './mail-catalog-fr.ts';
import type { FaxOutcome, MailCatalog, MailCatalogs } from './mail-catalog.ts';
import { renderMail, type MailBlock, type RenderedMail } from './mail-document.ts';
import {
  formatDateTime,
  formatDuration,
  formatInDays,
  formatNumber,
  resolveLocale,
  type MailLocale,
} from './locale.ts';

const CATALOGS: MailCatalogs = { en, fr, de };

/** Who a notification is for: the address, the name it greets, and how it is written for them. */
export interface MailReader {
  to: string;
  name: string;
  /** The user's language (`en`, `fr`, `de`, or a tag such as `fr-CA`); anything else gives English. */
  language?: string;
  /** IANA zone (`Europe/Paris`) for every date and time in the message; UTC when unset or unknown. */
  timeZone?: string;
}

export interface FaxReceiptRecipient {
  /** E.164, as dialled. */
  number: string;
  result: 'delivered' | 'failed' | 'cancelled';
  pagesSent?: number;
  /** Times the number was dialled: shown beside a failure (the retries made). */
  attempts?: number;
  /** Why it failed: the code picks the translated reason, the message is shown for other codes. */
  error?: { code: string; message: string };
}

export interface FaxReceiptJob {
  id: string;
  pages: number;
  submittedAt: Date;
  finishedAt: Date;
  recipients: readonly FaxReceiptRecipient[];
}

/** Every notification with what it needs besides the reader. */
export interface NotificationParams {
  'password-changed': { at: Date };
  'two-factor-enabled': { at: Date };
  'two-factor-disabled': { at: Date };
  /** unlockAt null: only an administrator can unlock (no auto-unlock in the policy). */
  'account-locked': { at: Date; unlockAt: Date | null };
  /** daysLeft: whole days until expiry, counted by the caller's clock. */
  'password-expiring': { expiresAt: Date; daysLeft: number };
  invitation: { url: string; at: Date; expiresAt: Date; enterpriseName: string; invitedBy?: string };
  'password-reset': { url: string; at: Date; expiresAt: Date };
  welcome: { enterpriseName: string; signInUrl?: string };
  'fax-receipt': { job: FaxReceiptJob };
}

export type NotificationKind = keyof NotificationParams;

export const NOTIFICATION_KINDS = [
  'password-changed',
  'two-factor-enabled',
  'two-factor-disabled',
  'account-locked',
  'password-expiring',
  'invitation',
  'password-reset',
  'welcome',
  'fax-receipt',
] as const satisfies readonly NotificationKind[];

interface Parts {
  subject: string;
  blocks: MailBlock[];
}

type Builder<K extends NotificationKind> = (c: MailCatalog, l: MailLocale, p: NotificationParams[K]) => Parts;

const p = (text: string): MailBlock => ({ kind: 'paragraph', text });
const note = (text: string): MailBlock => ({ kind: 'note', text });

const BUILDERS: { [K in NotificationKind]: Builder<K> } = {
  'password-changed': (c, l, { at }) => ({
    subject: c.passwordChanged.subject,
    blocks: [p(c.passwordChanged.body(formatDateTime(at, l))), p(c.notYou)],
  }),
  'two-factor-enabled': (c, l, { at }) => ({
    subject: c.twoFactorEnabled.subject,
    blocks: [p(c.twoFactorEnabled.body(formatDateTime(at, l))), p(c.notYou)],
  }),
  'two-factor-disabled': (c, l, { at }) => ({
    subject: c.twoFactorDisabled.subject,
    blocks: [p(c.twoFactorDisabled.body(formatDateTime(at, l))), p(c.twoFactorDisabled.advice), p(c.notYou)],
  }),
  'account-locked': (c, l, { at, unlockAt }) => ({
    subject: c.accountLocked.subject,
    blocks: [
      p(c.accountLocked.body(formatDateTime(at, l))),
      p(unlockAt ? c.accountLocked.unlocksAt(formatDateTime(unlockAt, l)) : c.accountLocked.adminUnlock),
      p(c.notYou),
    ],
  }),
  'password-expiring': (c, l, { expiresAt, daysLeft }) => {
    const inDays = formatInDays(Math.max(0, daysLeft), l);
    return {
      subject: c.passwordExpiring.subject(inDays),
      blocks: [p(c.passwordExpiring.body(inDays, formatDateTime(expiresAt, l))), p(c.passwordExpiring.howTo)],
    };
  },
  invitation: (c, l, { url, at, expiresAt, enterpriseName, invitedBy }) => ({
    subject: c.invitation.subject(enterpriseName),
    blocks: [
      p(c.invitation.body(enterpriseName, invitedBy)),
      { kind: 'action', label: c.invitation.action, url: checkedUrl(url), fallback: c.actionFallback },
      p(
        c.invitation.validity(
          formatDuration(expiresAt.getTime() - at.getTime(), l),
          formatDateTime(expiresAt, l),
        ),
      ),
      note(c.invitation.ignore),
    ],
  }),
  'password-reset': (c, l, { url, at, expiresAt }) => ({
    subject: c.passwordReset.subject,
    blocks: [
      p(c.passwordReset.body),
      { kind: 'action', label: c.passwordReset.action, url: checkedUrl(url), fallback: c.actionFallback },
      p(
        c.passwordReset.validity(
          formatDuration(expiresAt.getTime() - at.getTime(), l),
          formatDateTime(expiresAt, l),
        ),
      ),
      note(c.passwordReset.ignore),
    ],
  }),
  welcome: (c, _l, { enterpriseName, signInUrl }) => ({
    subject: c.welcome.subject(enterpriseName),
    blocks: [
      p(c.welcome.body(enterpriseName)),
      p(c.welcome.howTo),
      ...(signInUrl
        ? [
            {
              kind: 'action',
              label: c.welcome.action,
              url: checkedUrl(signInUrl),
              fallback: c.actionFallback,
            } as const,
          ]
        : []),
    ],
  }),
  'fax-receipt': (c, l, { job }) => {
    const r = c.faxReceipt;
    const total = job.recipients.length;
    const delivered = job.recipients.filter((x) => x.result === 'delivered').length;
    const outcome: FaxOutcome =
      delivered === total && total > 0 ? 'delivered' : delivered > 0 ? 'partial' : 'failed';
    const to = total === 1 ? job.recipients[0]!.number : r.recipients(total, formatNumber(total, l));
    const n = (value: number) => formatNumber(value, l);
    return {
      subject: r.subject[outcome](to),
      blocks: [
        p(r.summary[outcome](n(delivered), n(total))),
        {
          kind: 'facts',
          items: [
            [r.facts.job, job.id],
            [r.facts.pages, n(job.pages)],
            [r.facts.submitted, formatDateTime(job.submittedAt, l)],
            [r.facts.finished, formatDateTime(job.finishedAt, l)],
          ],
        },
        {
          kind: 'table',
          head: [r.head.number, r.head.result, r.head.details],
          rows: job.recipients.map((x) => [
            x.number,
            r.results[x.result],
            x.result === 'delivered'
              ? r.pagesSent(n(x.pagesSent ?? job.pages), n(job.pages))
              : x.error
                ? (r.reasons[x.error.code] ?? x.error.message) +
                  (x.attempts !== undefined && x.attempts > 0 ? ` (${r.attempts(n(x.attempts))})` : '')
                : x.pagesSent !== undefined
                  ? r.pagesSent(n(x.pagesSent), n(job.pages))
                  : '',
          ]),
        },
      ],
    };
  },
};

/** Links go into href: only http(s), so a bad caller cannot put javascript: or data: in a mail. */
function checkedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`mail links must be http(s), not ${parsed.protocol}`);
  }
  return parsed.href;
}

/** Renders one notification for one reader: subject, text and HTML in their language and zone. */
export function renderNotification<K extends NotificationKind>(
  kind: K,
  reader: MailReader,
  params: NotificationParams[K],
): RenderedMail & { language: string } {
  const locale = resolveLocale(reader.language, reader.timeZone);
  const catalog = CATALOGS[locale.language];
  const { subject, blocks } = BUILDERS[kind](catalog, locale, params);
  const rendered = renderMail({
    language: locale.language,
    subject,
    greeting: catalog.greeting(reader.name.trim() || reader.to),
    blocks,
    signature: catalog.signature,
    footer: catalog.footer,
  });
  return { ...rendered, language: locale.language };
}
