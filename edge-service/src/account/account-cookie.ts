import type { Request, Response } from 'express';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import { isLocked, type UserAccount, type UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import { accountCookieName } from './account-session.ts';
import { readCookies } from './csrf.ts';

/**
 * The account session cookie's attributes: HttpOnly, Path=/ (the phone's page is under /auth/),
 * Secure over TLS (`__Host-`), no Max-Age (the server ends the session sooner). SameSite=Lax, not
 * the console's Strict: a company sign-in comes back as a cross-site POST from the IdP, and the
 * 303 after it must carry the cookie to the page that asked for the sign-in (under Strict, a
 * redirect chain begun by another site sends no cookie). Lax sends it on top-level GETs only; every
 * state-changing request still needs the page's CSRF token.
 */
export function setAccountCookie(res: Response, token: string, secure: boolean): void {
  res.cookie(accountCookieName(secure), token, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

export function clearAccountCookie(res: Response, secure: boolean): void {
  res.clearCookie(accountCookieName(secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

export interface AccountSignedIn {
  sessionId: string;
  user: UserAccount;
  csrfToken: string;
}

/**
 * The person of a request's account cookie, or null (no cookie, unknown, expired, revoked). A
 * disabled, deleted or locked user's session ends at their next request.
 */
export function accountSessionOf(
  req: Request,
  sessions: ConsoleSessions,
  users: Pick<UserRepository, 'get'>,
  now: () => Date = () => new Date(),
): AccountSignedIn | null {
  const cookie = readCookies(req.headers.cookie).get(accountCookieName(req.secure));
  if (cookie === undefined) return null;
  let session;
  try {
    session = sessions.verify(cookie);
  } catch (error) {
    if (error instanceof EdgeError) return null;
    throw error;
  }
  const user = users.get(session.userId);
  if (!user || user.deletedAt !== null || user.disabledAt !== null || isLocked(user, now())) {
    sessions.revoke({ sessionId: session.id }, 'user-unavailable');
    return null;
  }
  return { sessionId: session.id, user, csrfToken: sessions.csrfToken(session.id) };
}
