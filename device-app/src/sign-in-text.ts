import type { ErrorBody, SessionEndReason } from '../../protocol/messages.ts';

/*
 * What the person at the panel reads about signing in: from stable codes, never from parsing the
 * edge's messages. Pure (no DOM), so it is unit-tested in node.
 */

/**
 * The panel's own wording for the codes a person meets at sign-in; others fall back to the edge's
 * text. Keyed by string: a code newer than this panel simply falls back.
 */
const CODE_TEXT: { [code: string]: string | undefined } = {
  INVALID_CREDENTIALS: 'The email or password is wrong. Check both and try again.',
  ACCOUNT_DISABLED: 'Your account is disabled. Ask an administrator of your company.',
  BUILTIN_PASSWORD_DISABLED:
    "Your account does not use a password on this printer: use the printer's own sign-in (card or PIN) or your company sign-in.",
  TOTP_INVALID: 'That code is wrong or too old. Enter the current code from your authenticator app.',
  TOTP_REPLAYED: 'That code was already used. Wait for the next code in your authenticator app.',
  TWO_FACTOR_NOT_ENROLLED: 'Two-factor authentication is not set up for this account.',
  PASSWORD_POLICY: 'The new password does not meet every rule below.',
  SIGN_IN_EXPIRED: 'The sign-in took too long. Enter your email and password again.',
  TOKEN_INVALID: 'The sign-in took too long or was interrupted. Enter your email and password again.',
  AUTH_REQUIRED: 'Sign in first.',
  SESSION_EXPIRED: 'You were signed out after a while without activity. Sign in again.',
  SESSION_REVOKED: 'You were signed out. Sign in again.',
  UNKNOWN_USER: 'The person signed in at the printer has no account in this company. Ask an administrator.',
  DEVICE_LOGIN_UNAVAILABLE:
    'The fax service cannot read who is signed in at this printer. Ask an administrator.',
};

export function errorText(error: { code: string; message?: string }): string {
  return CODE_TEXT[error.code] ?? (error.message || 'Something went wrong. Try again.');
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

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
  return sameDay ? time : `${at.getDate()} ${MONTHS[at.getMonth()]} ${time}`;
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
        title: 'Account locked',
        text: at
          ? `Your account is locked until ${at} after too many failed attempts. An administrator can unlock it sooner.`
          : 'Your account is locked until an administrator unlocks it.',
      };
    }
    case 'RATE_LIMITED': {
      const at = formatLocalTime(error.until, now);
      return {
        title: 'Too many attempts',
        text: at
          ? `Too many sign-in attempts on this printer. Try again at ${at}.`
          : 'Too many sign-in attempts on this printer. Wait a few minutes and try again.',
      };
    }
    case 'BUILTIN_PASSWORD_DISABLED':
      return { title: 'No password on this printer', text: errorText(error) };
    case 'INVALID_CREDENTIALS':
      return { title: 'Wrong email or password', text: errorText(error) };
    case 'ACCOUNT_DISABLED':
      return { title: 'Account disabled', text: errorText(error) };
    case 'SIGN_IN_EXPIRED':
    case 'TOKEN_INVALID':
      return { title: 'Start again', text: errorText(error) };
    default:
      return null;
  }
}

/** The short notice on the sign-in (or waiting) screen after a session ended. */
export function endNotice(reason: SessionEndReason | undefined, inactivitySeconds: number | null): string {
  switch (reason) {
    case 'sign-out':
      return 'You are signed out.';
    case 'inactivity':
      return inactivitySeconds
        ? `Signed out after ${inactivitySeconds} s without activity.`
        : 'Signed out after a while without activity.';
    case 'expired':
      return 'Your session ended. Sign in again.';
    case 'locked':
      return 'Your account was locked.';
    case 'disabled':
      return 'Your account was disabled.';
    case 'password-changed':
      return 'Your password was changed. Sign in with the new one.';
    case 'admin':
      return 'An administrator signed you out.';
    case 'device-revoked':
      return 'This printer was removed from the fax service.';
    case 'device-sign-out':
      return 'The printer signed you out.';
    case 'unknown-person':
      return 'The person signed in at the printer has no account here.';
    default:
      return 'You were signed out.';
  }
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
      ? 'No fax account'
      : code === 'ACCOUNT_DISABLED'
        ? 'Account disabled'
        : code === 'DEVICE_LOGIN_UNAVAILABLE'
          ? 'Printer sign-in unavailable'
          : 'Not signed in';
  return { title, message: message || errorText({ code }) };
}
