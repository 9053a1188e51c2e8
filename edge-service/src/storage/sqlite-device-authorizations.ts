import type { Db } from '../db/database.ts';

export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied' | 'consumed';

/** One "sign in with your phone" (migration 17); codes only as hashes. */
export interface DeviceAuthorizationRecord {
  id: string;
  enterpriseId: string;
  deviceId: string;
  userCodeHash: string;
  deviceCodeHash: string;
  createdAt: string;
  expiresAt: string;
  intervalSeconds: number;
  lastPolledAt: string | null;
  /** The address the panel (or device-flow client) asked from. */
  source: string;
  status: DeviceAuthorizationStatus;
  /** Who confirmed or denied on the phone. */
  userId: string | null;
  decidedAt: string | null;
  decidedFrom: string | null;
  consumedAt: string | null;
}

interface Row {
  id: string;
  enterprise_id: string;
  device_id: string;
  user_code_hash: string;
  device_code_hash: string;
  created_at: string;
  expires_at: string;
  interval_seconds: number;
  last_polled_at: string | null;
  source: string;
  status: DeviceAuthorizationStatus;
  user_id: string | null;
  decided_at: string | null;
  decided_from: string | null;
  consumed_at: string | null;
}

const toRecord = (r: Row): DeviceAuthorizationRecord => ({
  id: r.id,
  enterpriseId: r.enterprise_id,
  deviceId: r.device_id,
  userCodeHash: r.user_code_hash,
  deviceCodeHash: r.device_code_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  intervalSeconds: r.interval_seconds,
  lastPolledAt: r.last_polled_at,
  source: r.source,
  status: r.status,
  userId: r.user_id,
  decidedAt: r.decided_at,
  decidedFrom: r.decided_from,
  consumedAt: r.consumed_at,
});

/** The device authorizations table. Every change of state is one guarded UPDATE: of two racers, one wins. */
export class SqliteDeviceAuthorizations {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  insert(
    r: Pick<
      DeviceAuthorizationRecord,
      | 'id'
      | 'enterpriseId'
      | 'deviceId'
      | 'userCodeHash'
      | 'deviceCodeHash'
      | 'createdAt'
      | 'expiresAt'
      | 'intervalSeconds'
      | 'source'
    >,
  ): void {
    this.#db
      .prepare(
        `INSERT INTO device_authorizations (id, enterprise_id, device_id, user_code_hash, device_code_hash,
           created_at, expires_at, interval_seconds, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.id,
        r.enterpriseId,
        r.deviceId,
        r.userCodeHash,
        r.deviceCodeHash,
        r.createdAt,
        r.expiresAt,
        r.intervalSeconds,
        r.source,
      );
  }

  get(id: string): DeviceAuthorizationRecord | null {
    const row = this.#db.prepare('SELECT * FROM device_authorizations WHERE id = ?').get(id) as
      Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** Every row with that user code hash, newest first (expired and used ones too: the caller tells why). */
  findByUserCodeHash(hash: string): DeviceAuthorizationRecord[] {
    return (
      this.#db
        .prepare('SELECT * FROM device_authorizations WHERE user_code_hash = ? ORDER BY created_at DESC')
        .all(hash) as Row[]
    ).map(toRecord);
  }

  findByDeviceCodeHash(hash: string): DeviceAuthorizationRecord | null {
    const row = this.#db
      .prepare('SELECT * FROM device_authorizations WHERE device_code_hash = ?')
      .get(hash) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** pending → approved / denied, once. */
  decide(id: string, status: 'approved' | 'denied', userId: string, at: string, from: string): boolean {
    return (
      this.#db
        .prepare(
          `UPDATE device_authorizations SET status = ?, user_id = ?, decided_at = ?, decided_from = ?
           WHERE id = ? AND status = 'pending'`,
        )
        .run(status, userId, at, from, id).changes === 1
    );
  }

  /** approved → consumed, once (single use). */
  consume(id: string, at: string): boolean {
    return (
      this.#db
        .prepare(
          `UPDATE device_authorizations SET status = 'consumed', consumed_at = ?
           WHERE id = ? AND status = 'approved'`,
        )
        .run(at, id).changes === 1
    );
  }

  /** A poll of the token endpoint: when, and the interval from now on. */
  polled(id: string, at: string, intervalSeconds: number): void {
    this.#db
      .prepare('UPDATE device_authorizations SET last_polled_at = ?, interval_seconds = ? WHERE id = ?')
      .run(at, intervalSeconds, id);
  }

  /** A pending one no longer wanted (the panel cancelled, or began again): it can never be confirmed. */
  cancel(id: string, at: string): boolean {
    return (
      this.#db
        .prepare(
          `UPDATE device_authorizations SET status = 'denied', decided_at = ?, decided_from = 'panel'
           WHERE id = ? AND status = 'pending'`,
        )
        .run(at, id).changes === 1
    );
  }

  /** Rows that expired before `before` (the audit log keeps the story). */
  purgeExpired(before: string): number {
    return this.#db.prepare('DELETE FROM device_authorizations WHERE expires_at < ?').run(before).changes;
  }
}
