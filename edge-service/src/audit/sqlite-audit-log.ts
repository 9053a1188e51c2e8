import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { AuditEntry, AuditEntryInput, AuditTrail } from '../domain/audit.ts';
import { canonicalJson } from './canonical-json.ts';

/** The prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);
/** Longest details text kept: an entry is a record, not a dump. */
const MAX_DETAILS = 16 * 1024;

interface Row {
  seq: number;
  id: string;
  enterprise_id: string | null;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: string;
  source: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * The hash of an entry: SHA-256 (hex) over the canonical JSON of its fields in a fixed order,
 * the previous entry's hash first. The details are hashed as the stored text (already canonical).
 */
export function entryHash(row: Omit<Row, 'hash'>): string {
  const fields = [
    row.prev_hash,
    row.id,
    row.seq,
    row.at,
    row.enterprise_id,
    row.actor,
    row.action,
    row.target,
    row.details,
    row.source,
  ];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

const toEntry = (row: Row): AuditEntry => ({
  seq: row.seq,
  id: row.id,
  enterpriseId: row.enterprise_id,
  at: row.at,
  actor: row.actor,
  action: row.action,
  target: row.target,
  details: JSON.parse(row.details) as Record<string, unknown>,
  source: row.source,
  prevHash: row.prev_hash,
  hash: row.hash,
});

export type AuditVerification =
  { ok: true; count: number } | { ok: false; count: number; seq: number; reason: string };

export interface AuditFilter {
  enterpriseId: string;
  action?: string;
  actor?: string;
  from?: Date;
  to?: Date;
}

/**
 * The audit trail in SQLite: one hash chain over the whole edge (every enterprise's entries and
 * the edge's own), so a deleted entry breaks the chain wherever it was. Append-only: triggers
 * refuse UPDATE and DELETE; someone with the file can drop them, and verify() then finds the first
 * entry that does not match. The edge and the admin CLI append to the same file: each append reads
 * the last entry and writes the next in one IMMEDIATE transaction, so the chain never forks.
 */
export class SqliteAuditLog implements AuditTrail {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, options: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
  }

  record(input: AuditEntryInput): AuditEntry {
    let details = canonicalJson(input.details ?? {});
    if (details.length > MAX_DETAILS) details = canonicalJson({ truncated: true, length: details.length });
    return this.#db
      .transaction(() => {
        const last = this.#db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
          { seq: number; hash: string } | undefined;
        const row: Omit<Row, 'hash'> = {
          seq: (last?.seq ?? 0) + 1,
          id: randomUUID(),
          enterprise_id: input.enterpriseId,
          at: this.#now().toISOString(),
          actor: input.actor,
          action: input.action,
          target: input.target ?? null,
          details,
          source: input.source ?? null,
          prev_hash: last?.hash ?? GENESIS_HASH,
        };
        const full: Row = { ...row, hash: entryHash(row) };
        this.#db
          .prepare(
            `INSERT INTO audit_log (seq, id, enterprise_id, at, actor, action, target, details, source, prev_hash, hash)
             VALUES (@seq, @id, @enterprise_id, @at, @actor, @action, @target, @details, @source, @prev_hash, @hash)`,
          )
          .run(full);
        return toEntry(full);
      })
      .immediate();
  }

  /** Walks the whole chain: each entry's hash, its link to the one before, and no gap in seq. */
  verify(): AuditVerification {
    let prev = GENESIS_HASH;
    let expectedSeq = 1;
    let count = 0;
    for (const row of this.#db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<Row>) {
      if (row.seq !== expectedSeq)
        return { ok: false, count, seq: expectedSeq, reason: `entry ${expectedSeq} is missing` };
      if (row.prev_hash !== prev)
        return { ok: false, count, seq: row.seq, reason: 'it does not carry the previous entry’s hash' };
      const { hash, ...rest } = row;
      if (entryHash(rest) !== hash)
        return { ok: false, count, seq: row.seq, reason: 'its content does not match its hash (edited)' };
      prev = hash;
      expectedSeq += 1;
      count += 1;
    }
    return { ok: true, count };
  }

  /** An enterprise's entries, newest first, filtered, one page; with the total. */
  list(filter: AuditFilter, page: { offset: number; limit: number }): { items: AuditEntry[]; total: number } {
    const { where, values } = this.#where(filter);
    const total = (
      this.#db.prepare(`SELECT count(*) AS n FROM audit_log WHERE ${where}`).get(...values) as { n: number }
    ).n;
    const rows = this.#db
      .prepare(`SELECT * FROM audit_log WHERE ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(...values, page.limit, page.offset) as Row[];
    return { items: rows.map(toEntry), total };
  }

  /** Every entry of the filter, newest first (exports). */
  *all(filter: AuditFilter): Generator<AuditEntry> {
    const { where, values } = this.#where(filter);
    for (const row of this.#db
      .prepare(`SELECT * FROM audit_log WHERE ${where} ORDER BY seq DESC`)
      .iterate(...values) as Iterable<Row>)
      yield toEntry(row);
  }

  #where(filter: AuditFilter): { where: string; values: unknown[] } {
    const clauses = ['enterprise_id = ?'];
    const values: unknown[] = [filter.enterpriseId];
    if (filter.action) {
      // `user.` matches every user action; `user.unlock` only that one.
      if (filter.action.endsWith('.')) {
        clauses.push('substr(action, 1, length(?)) = ?');
        values.push(filter.action, filter.action);
      } else {
        clauses.push('action = ?');
        values.push(filter.action);
      }
    }
    if (filter.actor) {
      clauses.push('actor = ?');
      values.push(filter.actor);
    }
    if (filter.from) {
      clauses.push('at >= ?');
      values.push(filter.from.toISOString());
    }
    if (filter.to) {
      clauses.push('at < ?');
      values.push(filter.to.toISOString());
    }
    return { where: clauses.join(' AND '), values };
  }
}
