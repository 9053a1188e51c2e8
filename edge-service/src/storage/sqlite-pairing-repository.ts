import type { Db } from '../db/database.ts';
import type { PairingRecord, PairingRepository, PanelDescription } from '../pairing/pairing-records.ts';

interface PairingRow {
  id: string;
  user_code_hash: string | null;
  device_code_hash: string;
  created_at: string;
  expires_at: string;
  source: string;
  panel: string | null;
  approved_at: string | null;
  approved_by: string | null;
  enterprise_id: string | null;
  device_id: string | null;
  claimed_at: string | null;
}

function toRecord(row: PairingRow): PairingRecord {
  let panel: PanelDescription | null = null;
  try {
    panel = row.panel ? (JSON.parse(row.panel) as PanelDescription) : null;
  } catch {
    panel = null;
  }
  return {
    id: row.id,
    userCodeHash: row.user_code_hash,
    deviceCodeHash: row.device_code_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    source: row.source,
    panel,
    approvedAt: row.approved_at,
    approvedBy: row.approved_by,
    enterpriseId: row.enterprise_id,
    deviceId: row.device_id,
    claimedAt: row.claimed_at,
  };
}

export class SqlitePairingRepository implements PairingRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  insert(
    r: Omit<PairingRecord, 'approvedAt' | 'approvedBy' | 'enterpriseId' | 'deviceId' | 'claimedAt'>,
  ): void {
    this.#db
      .prepare(
        `INSERT INTO pairings (id, user_code_hash, device_code_hash, created_at, expires_at, source, panel)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.id,
        r.userCodeHash,
        r.deviceCodeHash,
        r.createdAt,
        r.expiresAt,
        r.source,
        r.panel ? JSON.stringify(r.panel) : null,
      );
  }

  get(id: string): PairingRecord | null {
    const row = this.#db.prepare('SELECT * FROM pairings WHERE id = ?').get(id) as PairingRow | undefined;
    return row ? toRecord(row) : null;
  }

  findByUserCodeHash(hash: string): PairingRecord[] {
    return (
      this.#db
        .prepare(
          'SELECT * FROM pairings WHERE user_code_hash = ? AND claimed_at IS NULL ORDER BY created_at DESC',
        )
        .all(hash) as PairingRow[]
    ).map(toRecord);
  }

  findByDeviceCodeHash(hash: string): PairingRecord | null {
    const row = this.#db.prepare('SELECT * FROM pairings WHERE device_code_hash = ?').get(hash) as
      PairingRow | undefined;
    return row ? toRecord(row) : null;
  }

  approve(id: string, a: { at: string; by: string; enterpriseId: string; deviceId: string }): boolean {
    return (
      this.#db
        .prepare(
          `UPDATE pairings SET approved_at = ?, approved_by = ?, enterprise_id = ?, device_id = ?
           WHERE id = ? AND approved_at IS NULL AND claimed_at IS NULL`,
        )
        .run(a.at, a.by, a.enterpriseId, a.deviceId, id).changes === 1
    );
  }

  claim(id: string, at: string): boolean {
    return (
      this.#db
        .prepare(
          'UPDATE pairings SET claimed_at = ? WHERE id = ? AND claimed_at IS NULL AND approved_at IS NOT NULL',
        )
        .run(at, id).changes === 1
    );
  }

  listPending(now: string): PairingRecord[] {
    return (
      this.#db
        .prepare(
          `SELECT * FROM pairings WHERE approved_at IS NULL AND claimed_at IS NULL AND expires_at > ?
           AND user_code_hash IS NOT NULL ORDER BY created_at`,
        )
        .all(now) as PairingRow[]
    ).map(toRecord);
  }

  purgeExpired(before: string): number {
    return this.#db
      .prepare(
        `DELETE FROM pairings WHERE expires_at < ? AND claimed_at IS NULL
         AND id NOT IN (SELECT pairing_id FROM device_credentials WHERE pairing_id IS NOT NULL)`,
      )
      .run(before).changes;
  }
}
