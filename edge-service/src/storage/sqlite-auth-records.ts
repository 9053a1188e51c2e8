import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type {
  AccountLinkKind,
  AccountLinkRecord,
  AccountLinkRepository,
  PanelSessionRecord,
  PanelSessionRepository,
  SessionTarget,
} from '../domain/auth-records.ts';

interface SessionRow {
  id: string;
  user_id: string;
  device_id: string;
  created_at: string;
  last_activity_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

const toSession = (row: SessionRow): PanelSessionRecord => ({
  id: row.id,
  userId: row.user_id,
  deviceId: row.device_id,
  createdAt: row.created_at,
  lastActivityAt: row.last_activity_at,
  revokedAt: row.revoked_at,
  revokedReason: row.revoked_reason,
});

export class SqlitePanelSessionRepository implements PanelSessionRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  create(input: { id: string; userId: string; deviceId: string; at: Date }): PanelSessionRecord {
    const at = input.at.toISOString();
    this.#db
      .prepare(
        'INSERT INTO panel_sessions (id, user_id, device_id, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(input.id, input.userId, input.deviceId, at, at);
    return this.get(input.id)!;
  }

  get(id: string): PanelSessionRecord | null {
    const row = this.#db.prepare('SELECT * FROM panel_sessions WHERE id = ?').get(id) as
      SessionRow | undefined;
    return row ? toSession(row) : null;
  }

  touch(id: string, at: Date): boolean {
    return (
      this.#db
        .prepare('UPDATE panel_sessions SET last_activity_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(at.toISOString(), id).changes === 1
    );
  }

  revoke(target: SessionTarget, reason: string, at: Date): PanelSessionRecord[] {
    const [column, value] =
      'sessionId' in target
        ? ['id', target.sessionId]
        : 'userId' in target
          ? ['user_id', target.userId]
          : ['device_id', target.deviceId];
    return (
      this.#db
        .prepare(
          `UPDATE panel_sessions SET revoked_at = ?, revoked_reason = ?
           WHERE ${column} = ? AND revoked_at IS NULL RETURNING *`,
        )
        .all(at.toISOString(), reason.slice(0, 64), value) as SessionRow[]
    ).map(toSession);
  }
}

interface LinkRow {
  id: string;
  user_id: string;
  kind: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

const toLink = (row: LinkRow): AccountLinkRecord => ({
  id: row.id,
  userId: row.user_id,
  kind: row.kind as AccountLinkKind,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
});

export class SqliteAccountLinkRepository implements AccountLinkRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  create(input: {
    userId: string;
    kind: AccountLinkKind;
    tokenHash: string;
    at: Date;
    expiresAt: Date;
  }): AccountLinkRecord {
    const id = randomUUID();
    this.#db
      .prepare(
        `INSERT INTO account_links (id, user_id, kind, token_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.userId,
        input.kind,
        input.tokenHash,
        input.at.toISOString(),
        input.expiresAt.toISOString(),
      );
    return toLink(this.#db.prepare('SELECT * FROM account_links WHERE id = ?').get(id) as LinkRow);
  }

  findByTokenHash(tokenHash: string): AccountLinkRecord | null {
    const row = this.#db.prepare('SELECT * FROM account_links WHERE token_hash = ?').get(tokenHash) as
      LinkRow | undefined;
    return row ? toLink(row) : null;
  }

  markUsed(id: string, at: Date): boolean {
    return (
      this.#db
        .prepare('UPDATE account_links SET used_at = ? WHERE id = ? AND used_at IS NULL')
        .run(at.toISOString(), id).changes === 1
    );
  }

  expireUnused(userId: string, kind: AccountLinkKind, at: Date): void {
    this.#db
      .prepare(
        `UPDATE account_links SET expires_at = ? WHERE user_id = ? AND kind = ? AND used_at IS NULL
           AND expires_at > ?`,
      )
      .run(at.toISOString(), userId, kind, at.toISOString());
  }
}
