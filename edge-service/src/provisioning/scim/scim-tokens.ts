import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { EdgeError } from '../../edge-error.ts';

export interface ScimTokenRecord {
  id: string;
  enterpriseId: string;
  name: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface Row {
  id: string;
  enterprise_id: string;
  name: string;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toRecord = (r: Row): ScimTokenRecord => ({
  id: r.id,
  enterpriseId: r.enterprise_id,
  name: r.name,
  createdAt: r.created_at,
  createdBy: r.created_by,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export const SCIM_TOKEN_PREFIX = 'mfps_';
const FORMAT = /^mfps_[A-Za-z0-9_-]{43}$/;
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Bearer tokens an identity provider uses for an enterprise's SCIM endpoint (as auth/api-tokens.ts
 * does for people): 32 random bytes shown once, kept as SHA-256, revocable. They do not expire on
 * their own: Entra ID and Okta keep one secret per app and offer no rotation flow; revoking is the
 * way to end one. A token acts only on its enterprise's /scim/v2/<slug>/.
 */
export class ScimTokens {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  create(enterpriseId: string, name: string, createdBy: string): { token: string; record: ScimTokenRecord } {
    const token = `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    this.#db
      .prepare(
        `INSERT INTO scim_tokens (id, enterprise_id, name, token_hash, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(id, enterpriseId, name, sha256(token), this.#now().toISOString(), createdBy);
    return { token, record: this.get(id)! };
  }

  /** The live token's record, its use recorded; SCIM_TOKEN_INVALID when unknown, revoked or of another enterprise. */
  verify(token: string, enterpriseId: string): ScimTokenRecord {
    if (typeof token !== 'string' || !FORMAT.test(token)) throw new EdgeError('SCIM_TOKEN_INVALID');
    const row = this.#db.prepare('SELECT * FROM scim_tokens WHERE token_hash = ?').get(sha256(token)) as
      Row | undefined;
    if (!row || row.revoked_at !== null || row.enterprise_id !== enterpriseId)
      throw new EdgeError('SCIM_TOKEN_INVALID');
    this.#db
      .prepare('UPDATE scim_tokens SET last_used_at = ? WHERE id = ?')
      .run(this.#now().toISOString(), row.id);
    return toRecord(row);
  }

  get(id: string): ScimTokenRecord | null {
    const row = this.#db.prepare('SELECT * FROM scim_tokens WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  list(enterpriseId: string): ScimTokenRecord[] {
    return (
      this.#db
        .prepare('SELECT * FROM scim_tokens WHERE enterprise_id = ? ORDER BY created_at')
        .all(enterpriseId) as Row[]
    ).map(toRecord);
  }

  /** SCIM_TOKEN_NOT_FOUND when it is not a live token of this enterprise. */
  revoke(enterpriseId: string, id: string): ScimTokenRecord {
    const changed = this.#db
      .prepare(
        'UPDATE scim_tokens SET revoked_at = ? WHERE id = ? AND enterprise_id = ? AND revoked_at IS NULL',
      )
      .run(this.#now().toISOString(), id, enterpriseId);
    if (changed.changes === 0) throw new EdgeError('SCIM_TOKEN_NOT_FOUND');
    return this.get(id)!;
  }
}
