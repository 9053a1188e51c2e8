import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type {
  JobRecord,
  JobRepository,
  JobPatch,
  RecipientPatch,
  JobPageRecord,
  NewJob,
  RecipientRecord,
} from '../domain/job.ts';
import type { ErrorBody, JobState } from '../../../protocol/index.ts';
import { FINAL_JOB_STATES, isFinalJobState } from '../../../protocol/index.ts';
import { readFaxJobOptions } from '../domain/job.ts';

interface JobRow {
  seq: number;
  id: string;
  enterprise_id: string | null;
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
  scan_base: number;
  attention_until: string | null;
  error_code: string | null;
  error_message: string | null;
  error_page: number | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  handed_over_at: string | null;
  source: string;
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
  dial_started_at: string | null;
  dial_ended_at: string | null;
  line_ms: number;
}

/** The current attempt's line time once it settled; 0 while it runs or when it never dialled. */
function settledLineMs(startedAt: string | null, endedAt: string | null): number {
  return startedAt && endedAt ? Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) : 0;
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
  handedOverAt: 'handed_over_at',
  scanBase: 'scan_base',
  attentionUntil: 'attention_until',
};

/** Recipient states during which the fax line is in use for that number. */
const ON_THE_LINE = new Set<string>(['dialing', 'sending']);
const SETTLED = new Set<string>(['delivered', 'failed']);
/** The settled attempt's line time, in SQL (ISO 8601 times; julianday keeps the milliseconds). */
const SETTLED_LINE_MS = `COALESCE(MAX(0, CAST(ROUND((julianday(dial_ended_at) - julianday(dial_started_at)) * 86400000) AS INTEGER)), 0)`;

// The partial indexes of the migrations spell the same list: keep them in step with the protocol.
const FINAL_STATES = `(${FINAL_JOB_STATES.map((state) => `'${state}'`).join(', ')})`;

export class SqliteJobRepository implements JobRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  create(input: NewJob): JobRecord {
    const id = input.prepared?.id ?? randomUUID();
    const now = new Date().toISOString();
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO jobs (id, enterprise_id, device_id, user_id, state, options, created_at, updated_at,
             source, pages_scanned, total_pages)
           VALUES (?, (SELECT enterprise_id FROM devices WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.deviceId,
          input.deviceId,
          input.userId,
          // A prepared job's pages are in the spool already: it starts where a scan ends.
          input.prepared ? 'converting' : 'accepted',
          JSON.stringify(readFaxJobOptions(input.options)),
          now,
          now,
          input.prepared?.source ?? 'panel',
          input.prepared?.pages.length ?? 0,
          input.prepared?.totalPages ?? null,
        );
      const insert = this.#db.prepare(
        `INSERT INTO job_recipients (job_id, position, number, state) VALUES (?, ?, ?, 'pending')`,
      );
      input.recipients.forEach((number, position) => insert.run(id, position, number));
      for (const page of input.prepared?.pages ?? []) this.addPage(id, page);
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

  moveToDevice(id: string, deviceId: string): JobRecord | null {
    const moved = this.#db
      .prepare(
        `UPDATE jobs SET device_id = ?, updated_at = ?
         WHERE id = ? AND device_job_id IS NULL AND submit_tag IS NULL AND state NOT IN ${FINAL_STATES}`,
      )
      .run(deviceId, new Date().toISOString(), id);
    return moved.changes === 1 ? this.get(id) : null;
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
    const now = new Date().toISOString();
    if (patch.state !== undefined && isFinalJobState(patch.state)) {
      sets.push('finished_at = COALESCE(finished_at, ?)');
      values.push(now);
    }
    sets.push('updated_at = ?');
    values.push(now);
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
    this.#db.transaction(() => {
      const line = patch.state === undefined ? null : this.#lineTime(id, position, patch.state);
      if (line) {
        sets.push('dial_started_at = ?', 'dial_ended_at = ?');
        values.push(line.startedAt, line.endedAt);
      }
      this.#db
        .prepare(`UPDATE job_recipients SET ${sets.join(', ')} WHERE job_id = ? AND position = ?`)
        .run(...values, id, position);
    })();
  }

  /**
   * The current attempt's dial start and end that a change to `state` writes, or null when they
   * stay. Earlier attempts are in line_ms already (beginAttempt), so settling again after the
   * attempt was taken up again (a modem thought lost) moves the end instead of counting twice.
   */
  #lineTime(
    id: string,
    position: number,
    state: string,
  ): { startedAt: string | null; endedAt: string | null } | null {
    const row = this.#db
      .prepare(
        `SELECT r.dial_started_at, r.dial_ended_at, r.last_attempt, j.attempt, j.handed_over_at
         FROM job_recipients r JOIN jobs j ON j.id = r.job_id WHERE r.job_id = ? AND r.position = ?`,
      )
      .get(id, position) as
      | {
          dial_started_at: string | null;
          dial_ended_at: string | null;
          last_attempt: number;
          attempt: number;
          handed_over_at: string | null;
        }
      | undefined;
    if (!row) return null;
    const now = new Date().toISOString();
    const current = row.last_attempt === row.attempt && row.attempt > 0;
    if (ON_THE_LINE.has(state) || (state === 'pending' && row.dial_ended_at !== null && current)) {
      // Live again (or for the first time): the start stays the first one seen, the end is open.
      if (!ON_THE_LINE.has(state) && row.dial_started_at === null) return null;
      return { startedAt: row.dial_started_at ?? now, endedAt: null };
    }
    if (!SETTLED.has(state) || row.dial_ended_at !== null) return null;
    // Settled without being seen dialling: the line was in use since the modem took the document,
    // at most, if this attempt dialled the number at all.
    const startedAt = row.dial_started_at ?? (current ? row.handed_over_at : null);
    return startedAt === null ? null : { startedAt, endedAt: now };
  }

  addPage(id: string, page: JobPageRecord): void {
    this.#db
      .prepare(
        `INSERT INTO job_pages (job_id, number, scan_file, fax_file, thumb_file) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (job_id, number) DO UPDATE SET scan_file = excluded.scan_file,
           fax_file = excluded.fax_file, thumb_file = excluded.thumb_file`,
      )
      .run(id, page.number, page.scanFile, page.faxFile, page.thumbFile ?? null);
  }

  removePagesAfter(id: string, keep: number): void {
    this.#db.prepare('DELETE FROM job_pages WHERE job_id = ? AND number > ?').run(id, keep);
  }

  setPageFaxFile(id: string, number: number, faxFile: string, blank = false): void {
    this.#db
      .prepare('UPDATE job_pages SET fax_file = ?, blank = ? WHERE job_id = ? AND number = ?')
      .run(faxFile, blank ? 1 : 0, id, number);
  }

  beginAttempt(id: string, attempt: { number: number; tag: string; positions: number[] }): JobRecord {
    const now = new Date().toISOString();
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `UPDATE jobs SET attempt = ?, submit_tag = ?, device_job_id = NULL, device_job_uuid = NULL,
             device_boot = NULL, retry_at = NULL, handed_over_at = NULL,
             state = 'dialing', error_code = NULL, error_message = NULL, error_page = NULL, updated_at = ?
           WHERE id = ?`,
        )
        .run(attempt.number, attempt.tag, now, id);
      const recipient = this.#db.prepare(
        `UPDATE job_recipients SET attempts = attempts + 1, last_attempt = ?, state = 'pending',
           pages_sent = 0, error_code = NULL, error_message = NULL,
           line_ms = line_ms + ${SETTLED_LINE_MS}, dial_started_at = NULL, dial_ended_at = NULL
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
      .prepare(
        'SELECT number, scan_file, fax_file, blank, thumb_file FROM job_pages WHERE job_id = ? ORDER BY number',
      )
      .all(id) as {
      number: number;
      scan_file: string;
      fax_file: string | null;
      blank: number;
      thumb_file: string | null;
    }[];
    return rows.map((r) => ({
      number: r.number,
      scanFile: r.scan_file,
      faxFile: r.fax_file,
      ...(r.blank ? { blank: true } : {}),
      thumbFile: r.thumb_file,
    }));
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
        dialStartedAt: r.dial_started_at,
        dialEndedAt: r.dial_ended_at,
        lineMs: r.line_ms + settledLineMs(r.dial_started_at, r.dial_ended_at),
      };
      const error = errorFrom(r.error_code, r.error_message);
      if (error) record.error = error;
      return record;
    });
    const record: JobRecord = {
      id: row.id,
      seq: row.seq,
      // Null only for a job whose device had vanished before migration 10: it belongs to no one.
      enterpriseId: row.enterprise_id ?? '',
      deviceId: row.device_id,
      userId: row.user_id,
      state: row.state as JobState,
      options: readFaxJobOptions(JSON.parse(row.options)),
      pagesScanned: row.pages_scanned,
      pagesSent: row.pages_sent,
      totalPages: row.total_pages,
      pagesSkipped: (
        this.#db
          .prepare('SELECT COUNT(*) AS n FROM job_pages WHERE job_id = ? AND blank = 1')
          .get(row.id) as { n: number }
      ).n,
      deviceJobId: row.device_job_id,
      attempt: row.attempt,
      submitTag: row.submit_tag,
      retryAt: row.retry_at,
      deviceJobUuid: row.device_job_uuid,
      deviceBoot: row.device_boot,
      resentAfterRestart: row.resent_after_restart,
      scanJobUrl: row.scan_job_url,
      scanBase: row.scan_base,
      attentionUntil: row.attention_until,
      pages: this.pages(row.id),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      finishedAt: row.finished_at,
      handedOverAt: row.handed_over_at,
      source: row.source === 'email' ? 'email' : 'panel',
      recipients,
    };
    const error = errorFrom(row.error_code, row.error_message, row.error_page);
    if (error) record.error = error;
    return record;
  }
}
