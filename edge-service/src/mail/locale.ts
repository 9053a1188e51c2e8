/** The languages notifications are written in; anything else falls back to English. */
export const MAIL_LANGUAGES = ['en', 'fr', 'de'] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

/** How one reader's messages are written: the language, the locale for dates and numbers, the zone. */
export interface MailLocale {
  language: MailLanguage;
  /** A BCP 47 tag for Intl: the user's own (e.g. `en-GB`, `fr-CA`) when its language is supported. */
  locale: string;
  timeZone: string;
}

/**
 * Picks the language from a user's setting (`fr`, `fr-CA`, `de_DE`, `FR`…) and keeps the full tag for
 * formatting when it is one Intl understands; an unknown language gives English, an unknown time zone
 * UTC, so a bad profile value never stops a security notice.
 */
export function resolveLocale(language: string | undefined, timeZone: string | undefined): MailLocale {
  const tag = (language ?? '').trim().replace(/_/g, '-');
  const base = tag.split('-')[0]!.toLowerCase();
  const known = (MAIL_LANGUAGES as readonly string[]).includes(base);
  let locale: string = known ? base : 'en';
  if (known && tag.length > base.length) {
    try {
      locale = Intl.getCanonicalLocales(tag)[0] ?? base;
    } catch {
      locale = base;
    }
  }
  return { language: known ? (base as MailLanguage) : 'en', locale, timeZone: validTimeZone(timeZone) };
}

function validTimeZone(timeZone: string | undefined): string {
  if (!timeZone) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

/** A moment in the reader's zone with the zone named, e.g. "Monday, 3 June 2024, 14:30 CEST". */
export function formatDateTime(at: Date, l: MailLocale): string {
  return new Intl.DateTimeFormat(l.locale, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: l.timeZone,
    timeZoneName: 'short',
  }).format(at);
}

/** A duration as the reader says it: "7 days", "24 heures", "1 Tag". */
export function formatDuration(ms: number, l: MailLocale): string {
  const hours = Math.max(1, Math.round(ms / 3_600_000));
  const [value, unit] = hours >= 48 && hours % 24 === 0 ? [hours / 24, 'day'] : [hours, 'hour'];
  return new Intl.NumberFormat(l.locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/** "in 5 days", "demain", "in 2 Tagen". */
export function formatInDays(days: number, l: MailLocale): string {
  return new Intl.RelativeTimeFormat(l.locale, { numeric: 'auto' }).format(days, 'day');
}

export function formatNumber(value: number, l: MailLocale): string {
  return new Intl.NumberFormat(l.locale).format(value);
}
