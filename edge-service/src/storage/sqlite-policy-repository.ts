import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/statement-cache.ts';
import { EdgeError } from '../edge-error.ts';
import type { PolicyChange, PolicyChangeRecord, PolicyRepository } from '../policies/policy-repository.ts';
import { DEFAULT_POLICY, PolicyDocumentSchema, type VersionedPolicy } from '../policies/policy-schema.ts';

interface Row {
  version: number;
  document: string;
  updated_at: string;
  updated_by: string;
}

/** A change record keeps long values (SSO metadata XML) short. */
const MAX_RECORDED_VALUE = 200;
const shorten = (value: unknown): unknown =>
  typeof value === 'string' && value.length > MAX_RECORDED_VALUE
    ? `${value.slice(0, MAX_RECORDED_VALUE)}… (${value.length} characters)`
    : value;

export class SqlitePolicyRepository implements PolicyRepository {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, options: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
  }

  get(enterpriseId: string): VersionedPolicy {
    const row = prepared(
      this.#db,
      'SELECT version, document, updated_at, updated_by FROM enterprise_policies WHERE enterprise_id = ?',
    ).get(enterpriseId) as Row | undefined;
    if (!row) return { enterpriseId, version: 0, document: DEFAULT_POLICY, updatedAt: null, updatedBy: null };
    // Parsed again on read: keys added by a later edge version get their defaults.
    const parsed = PolicyDocumentSchema.safeParse(JSON.parse(row.document));
    if (!parsed.success) {
      throw new EdgeError(
        'POLICY_INVALID',
        `The stored policy of enterprise ${enterpriseId} (version ${row.version}) is not valid for this edge: ${parsed.error.issues[0]?.message}`,
      );
    }
    return {
      enterpriseId,
      version: row.version,
      document: parsed.data,
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }

  update(
    enterpriseId: string,
    actor: string,
    change: (current: VersionedPolicy) => { document: VersionedPolicy['document']; changes: PolicyChange[] },
  ): VersionedPolicy {
    return this.#db
      .transaction(() => {
        const exists = this.#db.prepare('SELECT 1 FROM enterprises WHERE id = ?').get(enterpriseId);
        if (!exists) throw new EdgeError('ENTERPRISE_NOT_FOUND');
        const current = this.get(enterpriseId);
        const { document, changes } = change(current);
        if (changes.length === 0) return current;
        const version = current.version + 1;
        const at = this.#now().toISOString();
        this.#db
          .prepare(
            `INSERT INTO enterprise_policies (enterprise_id, version, document, updated_at, updated_by)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (enterprise_id) DO UPDATE SET version = excluded.version, document = excluded.document,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          )
          .run(enterpriseId, version, JSON.stringify(document), at, actor);
        this.#db
          .prepare(
            `INSERT INTO enterprise_policy_changes (id, enterprise_id, version, actor, changes, changed_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(
            randomUUID(),
            enterpriseId,
            version,
            actor,
            JSON.stringify(changes.map((c) => ({ key: c.key, from: shorten(c.from), to: shorten(c.to) }))),
            at,
          );
        return { enterpriseId, version, document, updatedAt: at, updatedBy: actor };
      })
      .immediate();
  }

  versions(): Map<string, number> {
    const rows = this.#db.prepare('SELECT enterprise_id, version FROM enterprise_policies').all() as {
      enterprise_id: string;
      version: number;
    }[];
    return new Map(rows.map((r) => [r.enterprise_id, r.version]));
  }

  history(enterpriseId: string, limit = 100): PolicyChangeRecord[] {
    const rows = this.#db
      .prepare(
        `SELECT id, enterprise_id, version, actor, changes, changed_at FROM enterprise_policy_changes
         WHERE enterprise_id = ? ORDER BY seq DESC LIMIT ?`,
      )
      .all(enterpriseId, limit) as {
      id: string;
      enterprise_id: string;
      version: number;
      actor: string;
      changes: string;
      changed_at: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      enterpriseId: r.enterprise_id,
      version: r.version,
      actor: r.actor,
      changes: JSON.parse(r.changes) as PolicyChange[],
      changedAt: r.changed_at,
    }));
  }

  externalChangeCounter(): number {
    // Changes when another connection (the admin CLI, another edge process) commits; not for our own.
    return this.#db.pragma('data_version', { simple: true }) as number;
  }
}
