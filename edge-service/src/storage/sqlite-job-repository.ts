import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type {
  JobRecord,
  JobRepository,
  JobPatch,
  RecipientPatch,
  JobPageRecord,
  FaxJobOptions,
  RecipientRecord,
} from '../domain/job.ts';
import type { ErrorBody, JobState } from '../../../protocol/index.ts';
import { FINAL_JOB_STATES } from '../../../protocol/index.ts';

interface JobRow {
  seq: number;
  id: string;
  device_id: string;
  user_id: string | null;
  state: string;
  options: string;
  pages_scanned: number;
  pages_sent: number;
  total_pages: number | null;
  device_job_id: number | null;
  attempt: number;
  submit_tag: string | null;
  retry_at: string | null;
  device_job_uuid: string | null;
  device_boot: string | null;
  resent_after_restart: number;
  scan_job_url: string | null;
  error_code: string | null;
  error_message: string | null;
  error_page: number | null;
  created_at: string;
  updated_at: string;
}

interface RecipientRow {
  position: number;
  number: string;
  state: string;
  pages_sent: number;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  last_attempt: number;
}

function errorFrom(code: string | null, message: string | null, page?: number | null): ErrorBody | undefined {
  if (!code) return undefined;
  const body = { code, message: message ?? '' } as ErrorBody;
  if (page) body.page = page;
  return body;
}

const JOB_COLUMNS: Record<string, string> = {
  state: 'state',
  pagesScanned: 'pages_scanned',
  pagesSent: 'pages_sent',
  totalPages: 'total_pages',
  deviceJobId: 'device_job_id',
  submitTag: 'submit_tag',
  retryAt: 'retry_at',
  deviceJobUuid: 'device_job_uuid',
  deviceBoot: 'device_boot',
  resentAfterRestart: 'resent_after_restart',
  scanJobUrl: 'scan_job_url',
};

// The partial indexes of the migrations spell the same list: keep them in step with the protocol.
const FINAL_STATES = `(${FINAL_JOB_STATES.map((state) => `'${state}'`).join(', ')})`;

export class SqliteJobRepository implements JobRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  create(input: {
    deviceId: string;
    userId: string | null;
    options: FaxJobOptions;
    recipients: string[];
  }): JobRecord {
    const id = randomUUID();
    const now = new Date().toISOString();
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO jobs (id, device_id, user_id, state, options, created_at, updated_at)
           VALUES (?, ?, ?, 'accepted', ?, ?, ?)`,
        )
        .run(id, input.deviceId, input.userId, JSON.stringify(input.options), now, now);
      const insert = this.#db.prepare(
        `INSERT INTO job_recipients (job_id, position, number, state) VALUES (?, ?, ?, 'pending')`,
      );
      input.recipients.forEach((number, position) => insert.run(id, position, number));
    })();
    return this.get(id)!;
  }

  get(id: string): JobRecord | null {
    const row = this.#db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? this.#toRecord(row) : null;
  }

  listByDevice(deviceId: string, limit: number, userId?: string): JobRecord[] {
    const rows = (
      userId === undefined
        ? this.#db
            .prepare('SELECT * FROM jobs WHERE device_id = ? ORDER BY seq DESC LIMIT ?')
            .all(deviceId, limit)
        : this.#db
            .prepare('SELECT * FROM jobs WHERE device_id = ? AND user_id = ? ORDER BY seq DESC LIMIT ?')
            .all(deviceId, userId, limit)
    ) as JobRow[];
    return rows.map((row) => this.#toRecord(row));
  }

  listUnfinished(): JobRecord[] {
    const rows = this.#db
      .prepare(`SELECT * FROM jobs WHERE state NOT IN ${FINAL_STATES} ORDER BY seq`)
      .all() as JobRow[];
    return rows.map((row) => this.#toRecord(row));
  }

  update(id: string, patch: JobPatch): JobRecord {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, column] of Object.entries(JOB_COLUMNS)) {
      const value = patch[key as keyof JobPatch];
      if (value !== undefined) {
        sets.push(`${column} = ?`);
        values.push(value);
      }
    }
    if (patch.error !== undefined) {
      sets.push('error_code = ?', 'error_message = ?', 'error_page = ?');
      values.push(patch.error?.code ?? null, patch.error?.message ?? null, patch.error?.page ?? null);
    }
    sets.push('updated_at = ?');
    values.push(new Date().toISOString());
    this.#db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    return this.get(id)!;
  }

  updateRecipient(id: string, position: number, patch: RecipientPatch): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    if (patch.state !== undefined) {
      sets.push('state = ?');
      values.push(patch.state);
    }
    if (patch.pagesSent !== undefined) {
      sets.push('pages_sent = ?');
      values.push(patch.pagesSent);
    }
    if (patch.error !== undefined) {
      sets.push('error_code = ?', 'error_message = ?');
      values.push(patch.error?.code ?? null, patch.error?.message ?? null);
    }
    if (!sets.length) return;
    this.#db
      .prepare(`UPDATE job_recipients SET ${sets.join(', ')} WHERE job_id = ? AND position = ?`)
      .run(...values, id, position);
  }

  addPage(id: string, page: JobPageRecord): void {
    this.#db
      .prepare(
        `INSERT INTO job_pages (job_id, number, scan_file, fax_file) VALUES (?, ?, ?, ?)
         ON CONFLICT (job_id, number) DO UPDATE SET scan_file = excluded.scan_file, fax_file = excluded.fax_file`,
      )
      .run(id, page.number, page.scanFile, page.faxFile);
  }

  setPageFaxFile(id: string, number: number, faxFile: string): void {
    this.#db
      .prepare('UPDATE job_pages SET fax_file = ? WHERE job_id = ? AND number = ?')
      .run(faxFile, id, number);
  }

  beginAttempt(id: string, attempt: { number: number; tag: string; positions: number[] }): JobRecord {
    const now = new Date().toISOString();
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `UPDATE jobs SET attempt = ?, submit_tag = ?, device_job_id = NULL, device_job_uuid = NULL,
             device_boot = NULL, retry_at = NULL,
             state = 'dialing', error_code = NULL, error_message = NULL, error_page = NULL, updated_at = ?
           WHERE id = ?`,
        )
        .run(attempt.number, attempt.tag, now, id);
      const recipient = this.#db.prepare(
        `UPDATE job_recipients SET attempts = attempts + 1, last_attempt = ?, state = 'pending',
           pages_sent = 0, error_code = NULL, error_message = NULL
         WHERE job_id = ? AND position = ?`,
      );
      for (const position of attempt.positions) recipient.run(attempt.number, id, position);
    })();
    return this.get(id)!;
  }

  atomically<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }

  listSpoolExpired(before: string, limit: number): JobRecord[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM jobs WHERE spool_purged_at IS NULL AND state IN ${FINAL_STATES} AND updated_at < ?
         ORDER BY updated_at LIMIT ?`,
      )
      .all(before, limit) as JobRow[];
    return rows.map((row) => this.#toRecord(row));
  }

  markSpoolPurged(id: string): void {
    this.#db.prepare('UPDATE jobs SET spool_purged_at = ? WHERE id = ?').run(new Date().toISOString(), id);
  }

  pages(id: string): JobPageRecord[] {
    const rows = this.#db
      .prepare('SELECT number, scan_file, fax_file FROM job_pages WHERE job_id = ? ORDER BY number')
      .all(id) as { number: number; scan_file: string; fax_file: string | null }[];
    return rows.map((r) => ({ number: r.number, scanFile: r.scan_file, faxFile: r.fax_file }));
  }

  #toRecord(row: JobRow): JobRecord {
    const recipients = (
      this.#db
        .prepare('SELECT * FROM job_recipients WHERE job_id = ? ORDER BY position')
        .all(row.id) as RecipientRow[]
    ).map((r): RecipientRecord => {
      const record: RecipientRecord = {
        position: r.position,
        number: r.number,
        state: r.state as RecipientRecord['state'],
        pagesSent: r.pages_sent,
        attempts: r.attempts,
        lastAttempt: r.last_attempt,
      };
      const error = errorFrom(r.error_code, r.error_message);
      if (error) record.error = error;
      return record;
    });
    const record: JobRecord = {
      id: row.id,
      seq: row.seq,
      deviceId: row.device_id,
      userId: row.user_id,
      state: row.state as JobState,
      options: JSON.parse(row.options) as FaxJobOptions,
      pagesScanned: row.pages_scanned,
      pagesSent: row.pages_sent,
      totalPages: row.total_pages,
      deviceJobId: row.device_job_id,
      attempt: row.attempt,
      submitTag: row.submit_tag,
      retryAt: row.retry_at,
      deviceJobUuid: row.device_job_uuid,
      deviceBoot: row.device_boot,
      resentAfterRestart: row.resent_after_restart,
      scanJobUrl: row.scan_job_url,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      recipients,
    };
    const error = errorFrom(row.error_code, row.error_message, row.error_page);
    if (error) record.error = error;
    return record;
  }
}
