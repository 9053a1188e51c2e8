import type { Db } from '../db/database.ts';
import {
  checkFaxRetryPolicy,
  checkPreDialString,
  type FaxPolicy,
  type FaxPolicyRepository,
  type FaxRetryPolicy,
} from '../domain/fax-retry-policy.ts';

interface PolicyRow {
  version: number;
  retry_attempts: number;
  retry_interval_ms: number;
  pre_dial_string: string | null;
}

/** The edge's defaults: a retry policy, and a pre-dial string (none when absent). */
export type FaxPolicyDefaults = FaxRetryPolicy & { preDialString?: string };

/**
 * Enterprise fax policies in SQLite; an enterprise without a row gets the defaults (version 0). The
 * pre-dial string is stored only once an enterprise sets it: until then the edge's default applies,
 * so changing the configuration reaches every enterprise that did not choose its own.
 */
export class SqliteFaxPolicyRepository implements FaxPolicyRepository {
  readonly #db: Db;
  readonly #defaults: FaxPolicy;

  constructor(db: Db, defaults: FaxPolicyDefaults) {
    this.#db = db;
    const { attempts, intervalMs } = checkFaxRetryPolicy(defaults);
    this.#defaults = {
      attempts,
      intervalMs,
      preDialString: checkPreDialString(defaults.preDialString ?? ''),
    };
  }

  faxRetryPolicy(enterpriseId: string): FaxRetryPolicy & { version: number } {
    const { attempts, intervalMs, version } = this.faxPolicy(enterpriseId);
    return { attempts, intervalMs, version };
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

  faxPolicy(enterpriseId: string): FaxPolicy & { version: number } {
    const row = this.#row(enterpriseId);
    if (!row) return { ...this.#defaults, version: 0 };
    return {
      attempts: row.retry_attempts,
      intervalMs: row.retry_interval_ms,
      preDialString: row.pre_dial_string ?? this.#defaults.preDialString,
      version: row.version,
    };
  }

  setFaxPolicy(enterpriseId: string, changes: Partial<FaxPolicy>): FaxPolicy & { version: number } {
    return this.#db.transaction(() => {
      const current = this.faxPolicy(enterpriseId);
      const { attempts, intervalMs } = checkFaxRetryPolicy({
        attempts: changes.attempts ?? current.attempts,
        intervalMs: changes.intervalMs ?? current.intervalMs,
      });
      const preDialString =
        changes.preDialString !== undefined
          ? checkPreDialString(changes.preDialString)
          : (this.#row(enterpriseId)?.pre_dial_string ?? null);
      this.#db
        .prepare(
          `INSERT INTO enterprise_fax_policies
             (enterprise_id, version, retry_attempts, retry_interval_ms, pre_dial_string, updated_at)
           VALUES (?, 1, ?, ?, ?, ?)
           ON CONFLICT (enterprise_id) DO UPDATE SET version = version + 1,
             retry_attempts = excluded.retry_attempts, retry_interval_ms = excluded.retry_interval_ms,
             pre_dial_string = excluded.pre_dial_string, updated_at = excluded.updated_at`,
        )
        .run(enterpriseId, attempts, intervalMs, preDialString, new Date().toISOString());
      return this.faxPolicy(enterpriseId);
    })();
  }

  #row(enterpriseId: string): PolicyRow | undefined {
    return this.#db
      .prepare(
        `SELECT version, retry_attempts, retry_interval_ms, pre_dial_string
         FROM enterprise_fax_policies WHERE enterprise_id = ?`,
      )
      .get(enterpriseId) as PolicyRow | undefined;
  }
}
