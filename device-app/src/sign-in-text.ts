import type { ErrorBody, SessionEndReason } from '../../protocol/messages.ts';
import { t, tMaybe } from './i18n/index.ts';

/*
 * What the person at the panel reads about signing in: from stable codes, never from parsing the
 * edge's messages. Pure (no DOM), so it is unit-tested in node.
 */

/**
 * The panel's own wording for the codes a person meets at sign-in (catalog keys `code.<CODE>`);
 * others fall back to the edge's text: a code newer than this panel simply falls back.
 */
export function errorText(error: { code: string; message?: string }): string {
  return tMaybe(`code.${error.code}`) ?? (error.message || t('app.somethingWrong'));
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * "14:32" in the panel's local time, with the day ("3 Dec 14:32") when it is not today; null when
 * `iso` is absent or not a time.
 */
export function formatLocalTime(iso: string | undefined, now: Date = new Date()): string | null {
  if (!iso) return null;
  const at = new Date(iso);
  if (isNaN(at.getTime())) return null;
  const time = `${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}`;
  const sameDay =
    at.getFullYear() === now.getFullYear() &&
    at.getMonth() === now.getMonth() &&
    at.getDate() === now.getDate();
  return sameDay ? time : `${at.getDate()} ${t('time.months').split(' ')[at.getMonth()]} ${time}`;
}

/** A refusal that gets a screen of its own (the person starts the sign-in again from it). */
export interface Refusal {
  title: string;
  text: string;
}

/**
 * The screen for a refused sign-in request, or null when the refusal belongs on the screen the
 * person is on (a wrong TOTP code, a password the rules refuse, a lost connection).
 */
export function refusalFor(
  error: Pick<ErrorBody, 'code' | 'message' | 'until'>,
  now: Date = new Date(),
): Refusal | null {
  switch (error.code) {
    case 'ACCOUNT_LOCKED': {
      const at = formatLocalTime(error.until, now);
      return {
        title: t('refusal.locked'),
        text: at ? t('refusal.lockedUntil', { time: at }) : t('refusal.lockedAdmin'),
      };
    }
    case 'RATE_LIMITED': {
      const at = formatLocalTime(error.until, now);
      return {
        title: t('refusal.rateLimited'),
        text: at ? t('refusal.rateLimitedUntil', { time: at }) : t('refusal.rateLimitedWait'),
      };
    }
    case 'BUILTIN_PASSWORD_DISABLED':
      return { title: t('refusal.noPassword'), text: errorText(error) };
    case 'INVALID_CREDENTIALS':
      return { title: t('refusal.wrongCredentials'), text: errorText(error) };
    case 'ACCOUNT_DISABLED':
      return { title: t('refusal.disabled'), text: errorText(error) };
    case 'SIGN_IN_EXPIRED':
    case 'TOKEN_INVALID':
      return { title: t('refusal.startAgain'), text: errorText(error) };
    default:
      return null;
  }
}

/** The short notice on the sign-in (or waiting) screen after a session ended. */
export function endNotice(reason: SessionEndReason | undefined, inactivitySeconds: number | null): string {
  if (reason === 'inactivity')
    return inactivitySeconds
      ? t('end.inactivitySeconds', { seconds: inactivitySeconds })
      : t('end.inactivity');
  return (reason && tMaybe(`end.${reason}`)) || t('end.other');
}

/** "JBSW Y3DP EHPK 3PXP": a TOTP key in groups of four, for typing into an app by hand. */
export function groupKey(secret: string): string {
  const plain = secret.replace(/[\s=]/g, '').toUpperCase();
  return (plain.match(/.{1,4}/g) ?? []).join(' ');
}

/** Whole seconds left until `at` (never negative). */
export function secondsLeft(at: string, now: number = Date.now()): number {
  const end = Date.parse(at);
  if (isNaN(end)) return 0;
  return Math.max(0, Math.ceil((end - now) / 1000));
}

/** device-login: why the person signed in at the MFP is not signed in here, in the edge's words when it gave some. */
export function personRefusal(code: string, message: string | undefined): { title: string; message: string } {
  const title =
    code === 'UNKNOWN_USER'
      ? t('refusal.noFaxAccount')
      : code === 'ACCOUNT_DISABLED'
        ? t('refusal.disabled')
        : code === 'DEVICE_LOGIN_UNAVAILABLE'
          ? t('refusal.printerSignInUnavailable')
          : t('refusal.notSignedIn');
  return { title, message: message || errorText({ code }) };
}
