import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { EdgeError } from '../edge-error.ts';
import type {
  ConsoleSessionRecord,
  SqliteConsoleSessionRepository,
  WebSessionAudience,
} from '../storage/sqlite-console-records.ts';
import { deriveKey } from './secret-key.ts';

/** Console sessions end after 30 minutes without a request, and 12 hours after sign-in at the latest. */
export const CONSOLE_SESSION = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 } as const;

export interface IssuedConsoleSession {
  sessionId: string;
  /** The cookie value: shown to the browser once, stored as SHA-256. */
  token: string;
  expiresAt: Date;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64url');

/**
 * Browser cookie sessions of one audience: the admin console's (the default) or the account
 * page's (`audience: 'account'`, a second instance on the same table with its own cookie). The
 * admin console's cookie sessions: an opaque random token (256 bits) in an HttpOnly cookie, a
 * row per session (revocable at once), an idle and an absolute timeout. The CSRF token of a
 * session is HMAC(key, session id): the page reads it from GET /session and sends it back in
 * X-CSRF-Token; another site can neither read it nor compute it.
 */
export class ConsoleSessions {
  readonly #repository: SqliteConsoleSessionRepository;
  readonly #csrfKey: Buffer;
  readonly #now: () => Date;
  readonly #idleMs: number;
  readonly #absoluteMs: number;
  readonly audience: WebSessionAudience;

  constructor(options: {
    repository: SqliteConsoleSessionRepository;
    audience?: WebSessionAudience;
    masterKey: Buffer;
    now?: () => Date;
    idleMs?: number;
    absoluteMs?: number;
  }) {
    this.#repository = options.repository;
    this.audience = options.audience ?? 'console';
    // The console keeps its original key label, so sessions from before migration 14 stay valid.
    this.#csrfKey = deriveKey(
      options.masterKey,
      this.audience === 'console' ? 'console-csrf hmac v1' : `${this.audience}-csrf hmac v1`,
    );
    this.#now = options.now ?? (() => new Date());
    this.#idleMs = options.idleMs ?? CONSOLE_SESSION.idleMs;
    this.#absoluteMs = options.absoluteMs ?? CONSOLE_SESSION.absoluteMs;
  }

  create(userId: string, source: string): IssuedConsoleSession {
    const sessionId = randomUUID();
    const token = randomBytes(32).toString('base64url');
    const at = this.#now();
    const expiresAt = new Date(at.getTime() + this.#absoluteMs);
    this.#repository.create({
      id: sessionId,
      userId,
      tokenHash: sha256(token),
      at,
      expiresAt,
      source,
      audience: this.audience,
    });
    return { sessionId, token, expiresAt: this.#expiry(at, expiresAt) };
  }

  /**
   * The live session of a cookie value, with its activity recorded. SESSION_EXPIRED after the idle
   * or absolute timeout, SESSION_REVOKED once revoked, UNAUTHENTICATED for an unknown value.
   */
  verify(token: string): ConsoleSessionRecord & { expiresAt: string } {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token))
      throw new EdgeError('UNAUTHENTICATED');
    const row = this.#repository.findByTokenHash(sha256(token));
    if (!row || row.audience !== this.audience) throw new EdgeError('UNAUTHENTICATED');
    if (row.revokedAt !== null) throw new EdgeError('SESSION_REVOKED');
    const now = this.#now();
    const absolute = new Date(row.expiresAt);
    if (now.getTime() >= absolute.getTime() || now.getTime() - Date.parse(row.lastSeenAt) >= this.#idleMs) {
      this.#repository.revoke({ sessionId: row.id }, 'expired', now);
      throw new EdgeError('SESSION_EXPIRED');
    }
    this.#repository.touch(row.id, now);
    return { ...row, lastSeenAt: now.toISOString(), expiresAt: this.#expiry(now, absolute).toISOString() };
  }

  csrfToken(sessionId: string): string {
    return createHmac('sha256', this.#csrfKey).update(`console-csrf:${sessionId}`).digest('base64url');
  }

  checkCsrf(sessionId: string, given: unknown): boolean {
    if (typeof given !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(sessionId));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  revoke(target: { sessionId: string } | { userId: string }, reason: string): number {
    return this.#repository.revoke(target, reason, this.#now());
  }

  // When the session ends if nothing more happens: the idle end, or the absolute one if sooner.
  #expiry(lastSeen: Date, absolute: Date): Date {
    return new Date(Math.min(lastSeen.getTime() + this.#idleMs, absolute.getTime()));
  }
}
