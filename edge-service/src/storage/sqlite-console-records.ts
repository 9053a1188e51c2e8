import type { Db } from '../db/database.ts';

/** Stored records of the REST API's credentials: console cookie sessions and personal API tokens. */

/** Which browser surface a session opens (migration 14): the admin console or the account page. */
export type WebSessionAudience = 'console' | 'account';

export interface ConsoleSessionRecord {
  id: string;
  audience: WebSessionAudience;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
}

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface SessionRow {
  id: string;
  audience: WebSessionAudience;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

const toSession = (r: SessionRow): ConsoleSessionRecord => ({
  id: r.id,
  audience: r.audience,
  userId: r.user_id,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  revokedReason: r.revoked_reason,
});

const toToken = (r: TokenRow): ApiTokenRecord => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export class SqliteConsoleSessionRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  create(input: {
    id: string;
    userId: string;
    tokenHash: string;
    at: Date;
    expiresAt: Date;
    source: string;
    audience: WebSessionAudience;
  }): void {
    this.#db
      .prepare(
        `INSERT INTO console_sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at, source, audience)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.id,
        input.userId,
        input.tokenHash,
        input.at.toISOString(),
        input.at.toISOString(),
        input.expiresAt.toISOString(),
        input.source,
        input.audience,
      );
  }

  findByTokenHash(tokenHash: string): ConsoleSessionRecord | null {
    const row = this.#db.prepare('SELECT * FROM console_sessions WHERE token_hash = ?').get(tokenHash) as
      SessionRow | undefined;
    return row ? toSession(row) : null;
  }

  touch(id: string, at: Date): void {
    this.#db
      .prepare('UPDATE console_sessions SET last_seen_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(at.toISOString(), id);
  }

  /** Revokes live sessions (one, or all of a user); returns how many. */
  revoke(target: { sessionId: string } | { userId: string }, reason: string, at: Date): number {
    const [column, value] = 'sessionId' in target ? ['id', target.sessionId] : ['user_id', target.userId];
    return this.#db
      .prepare(
        `UPDATE console_sessions SET revoked_at = ?, revoked_reason = ? WHERE ${column} = ? AND revoked_at IS NULL`,
      )
      .run(at.toISOString(), reason.slice(0, 64), value).changes;
  }
}

export class SqliteApiTokenRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  create(input: {
    id: string;
    userId: string;
    name: string;
    tokenHash: string;
    at: Date;
    expiresAt: Date;
  }): ApiTokenRecord {
    this.#db
      .prepare(
        `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.id,
        input.userId,
        input.name,
        input.tokenHash,
        input.at.toISOString(),
        input.expiresAt.toISOString(),
      );
    return this.get(input.id)!;
  }

  get(id: string): ApiTokenRecord | null {
    const row = this.#db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return row ? toToken(row) : null;
  }

  findByTokenHash(tokenHash: string): ApiTokenRecord | null {
    const row = this.#db.prepare('SELECT * FROM api_tokens WHERE token_hash = ?').get(tokenHash) as
      TokenRow | undefined;
    return row ? toToken(row) : null;
  }

  listByUser(userId: string): ApiTokenRecord[] {
    return (
      this.#db
        .prepare('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id')
        .all(userId) as TokenRow[]
    ).map(toToken);
  }

  markUsed(id: string, at: Date): void {
    this.#db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at.toISOString(), id);
  }

  /** Revokes one live token, or all of a user's; returns how many. */
  revoke(target: { tokenId: string } | { userId: string }, at: Date): number {
    const [column, value] = 'tokenId' in target ? ['id', target.tokenId] : ['user_id', target.userId];
    return this.#db
      .prepare(`UPDATE api_tokens SET revoked_at = ? WHERE ${column} = ? AND revoked_at IS NULL`)
      .run(at.toISOString(), value).changes;
  }
}
