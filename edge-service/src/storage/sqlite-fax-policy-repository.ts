import type { Db } from '../db/database.ts';
import {
  checkFaxRetryPolicy,
  type FaxPolicyRepository,
  type FaxRetryPolicy,
} from '../domain/fax-retry-policy.ts';

interface PolicyRow {
  version: number;
  retry_attempts: number;
  retry_interval_ms: number;
}

/** Enterprise fax policies in SQLite; an enterprise without a row gets the defaults (version 0). */
export class SqliteFaxPolicyRepository implements FaxPolicyRepository {
  readonly #db: Db;
  readonly #defaults: FaxRetryPolicy;

  constructor(db: Db, defaults: FaxRetryPolicy) {
    this.#db = db;
    this.#defaults = checkFaxRetryPolicy(defaults);
  }

  faxRetryPolicy(enterpriseId: string): FaxRetryPolicy & { version: number } {
    const row = this.#db
      .prepare(
        'SELECT version, retry_attempts, retry_interval_ms FROM enterprise_fax_policies WHERE enterprise_id = ?',
      )
      .get(enterpriseId) as PolicyRow | undefined;
    if (!row) return { ...this.#defaults, version: 0 };
    return { attempts: row.retry_attempts, intervalMs: row.retry_interval_ms, version: row.version };
  }

  setFaxRetryPolicy(enterpriseId: string, policy: FaxRetryPolicy): FaxRetryPolicy & { version: number } {
    const { attempts, intervalMs } = checkFaxRetryPolicy(policy);
    this.#db
      .prepare(
        `INSERT INTO enterprise_fax_policies (enterprise_id, version, retry_attempts, retry_interval_ms, updated_at)
         VALUES (?, 1, ?, ?, ?)
         ON CONFLICT (enterprise_id) DO UPDATE SET version = version + 1,
           retry_attempts = excluded.retry_attempts, retry_interval_ms = excluded.retry_interval_ms,
           updated_at = excluded.updated_at`,
      )
      .run(enterpriseId, attempts, intervalMs, new Date().toISOString());
    return this.faxRetryPolicy(enterpriseId);
  }
}
