/**
 * The account page's browser session: a `ConsoleSessions` instance with `audience: 'account'`
 * (auth/console-sessions.ts, migration 14) behind its own cookie, so a console cookie never opens
 * the account page and back. Any signed-in person may hold one (a phone confirming a panel sign-in,
 * an SSO-only user); it carries no console rights.
 */
export const ACCOUNT_COOKIE_TLS = '__Host-mfp-account';
export const ACCOUNT_COOKIE_PLAIN = 'mfp-account';
export const accountCookieName = (secure: boolean): string =>
  secure ? ACCOUNT_COOKIE_TLS : ACCOUNT_COOKIE_PLAIN;

/** Where the account page's sign-in lives; `?return=<same-origin path>` comes back after it. */
export const ACCOUNT_SIGN_IN_PATH = '/account/sign-in';

/**
 * The paths a sign-in may return to: same-origin, absolute-path only (no scheme, no `//host`, no
 * backslash), under one of these prefixes. Anything else returns to the account page itself.
 */
const RETURN_PREFIXES = ['/account/', '/admin/', '/auth/'];

const hasControl = (text: string): boolean => [...text].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f');

export function safeReturnPath(value: unknown, fallback = '/account/'): string {
  if (typeof value !== 'string' || value.length > 2048) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\s]/.test(value) || hasControl(value))
    return fallback;
  let url: URL;
  try {
    url = new URL(value, 'http://edge.invalid');
  } catch {
    return fallback;
  }
  if (url.host !== 'edge.invalid') return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return RETURN_PREFIXES.some((p) => url.pathname.startsWith(p)) ? path : fallback;
}
