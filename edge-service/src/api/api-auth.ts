import { readCookies } from '../account/csrf.ts';
import type { ApiTokens } from '../auth/api-tokens.ts';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import { isLocked, type UserAccount, type UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { ApiActor } from './endpoint.ts';

/** The console's session cookie: `__Host-` over TLS (Secure, Path=/, no Domain); plain http cannot use the prefix. */
export const CONSOLE_COOKIE_TLS = '__Host-mfp-console';
export const CONSOLE_COOKIE_PLAIN = 'mfp-console';
export const consoleCookieName = (secure: boolean): string =>
  secure ? CONSOLE_COOKIE_TLS : CONSOLE_COOKIE_PLAIN;

export interface Authenticated {
  actor: ApiActor;
  /** Cookie sessions only: whether a submitted X-CSRF-Token belongs to this session. */
  checkCsrf?: (given: unknown) => boolean;
  csrfToken?: string;
  expiresAt?: string;
}

/**
 * Who is calling: a personal API token (Authorization: Bearer), else the console cookie. A bearer
 * header that is present but wrong is refused even when a cookie is there too, so a script never
 * silently runs as whoever is signed in to the browser. The account is looked at on every
 * request: a disabled, deleted or locked user's tokens and sessions stop working at once.
 */
export class ApiAuthenticator {
  readonly #sessions: ConsoleSessions;
  readonly #tokens: ApiTokens;
  readonly #users: Pick<UserRepository, 'get'>;
  readonly #now: () => Date;

  constructor(options: {
    sessions: ConsoleSessions;
    tokens: ApiTokens;
    users: Pick<UserRepository, 'get'>;
    now?: () => Date;
  }) {
    this.#sessions = options.sessions;
    this.#tokens = options.tokens;
    this.#users = options.users;
    this.#now = options.now ?? (() => new Date());
  }

  /** Null when the request carries no credential at all. */
  authenticate(headers: { authorization?: string; cookie?: string }, secure: boolean): Authenticated | null {
    const authorization = headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match)
        throw new EdgeError('API_TOKEN_INVALID', 'Send the API token as "Authorization: Bearer mfpe_…".');
      const record = this.#tokens.verify(match[1]!);
      const user = this.#usable(record.userId);
      if (!user) throw new EdgeError('API_TOKEN_INVALID');
      return { actor: { via: 'token', user, credentialId: record.id } };
    }
    const cookie = readCookies(headers.cookie).get(consoleCookieName(secure));
    if (cookie === undefined) return null;
    const session = this.#sessions.verify(cookie);
    const user = this.#usable(session.userId);
    if (!user) {
      this.#sessions.revoke({ sessionId: session.id }, 'user-unavailable');
      throw new EdgeError('SESSION_REVOKED');
    }
    return {
      actor: { via: 'session', user, credentialId: session.id },
      checkCsrf: (given) => this.#sessions.checkCsrf(session.id, given),
      csrfToken: this.#sessions.csrfToken(session.id),
      expiresAt: session.expiresAt,
    };
  }

  #usable(userId: string): UserAccount | null {
    const user = this.#users.get(userId);
    if (!user || user.deletedAt !== null || user.disabledAt !== null || isLocked(user, this.#now()))
      return null;
    return user;
  }
}
