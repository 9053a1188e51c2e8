import type { ErrorBody, JobState } from '../../../protocol/index.ts';
import { FINAL_JOB_STATES } from '../../../protocol/index.ts';
import type { Db } from '../db/database.ts';
import type {
  FinishedJobResult,
  JobHistory,
  JobHistoryEntry,
  JobHistoryFilter,
  JobHistoryRecipient,
  JobResult,
  JobUsageEntry,
} from '../domain/job-history.ts';
import type { FaxJobOptions, RecipientState } from '../domain/job.ts';

const FINAL_STATES = `(${FINAL_JOB_STATES.map((state) => `'${state}'`).join(', ')})`;

/** The result of a job row `j` (domain/job-history.ts), in SQL so it can be filtered on and counted. */
const RESULT_SQL = `CASE
    WHEN j.state NOT IN ${FINAL_STATES} THEN 'active'
    WHEN j.state = 'failed' AND EXISTS (
      SELECT 1 FROM job_recipients pr WHERE pr.job_id = j.id AND pr.state = 'delivered') THEN 'partial'
    ELSE j.state END`;

/** Recipients are read for this many jobs per query (an export reads the page's jobs in batches). */
const RECIPIENT_BATCH = 400;

interface EntryRow {
  seq: number;
  id: string;
  state: string;
  result: string;
  created_at: string;
  finished_at: string | null;
  user_id: string | null;
  user_name: string | null;
  user_email: string | null;
  device_id: string;
  device_name: string;
  options: string;
  pages: number;
  pages_sent: number;
  attempt: number;
  resent_after_restart: number;
  error_code: string | null;
  error_message: string | null;
  error_page: number | null;
  source: string;
  email_sender: string | null;
}

interface RecipientRow {
  job_id: string;
  position: number;
  number: string;
  state: string;
  pages_sent: number;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  dial_started_at: string | null;
  dial_ended_at: string | null;
  line_ms: number;
}

/** An EntryRow per job, with its user's and device's names; a WHERE clause follows. */
const SELECT_ENTRIES = `SELECT j.seq, j.id, j.state, ${RESULT_SQL} AS result, j.created_at, j.finished_at,
    j.user_id, u.display_name AS user_name, u.email AS user_email, j.device_id, d.name AS device_name,
    j.options, COALESCE(j.total_pages, j.pages_scanned) AS pages, j.pages_sent, j.attempt,
    j.resent_after_restart, j.error_code, j.error_message, j.error_page, j.source, e.sender AS email_sender
  FROM jobs j JOIN devices d ON d.id = j.device_id LEFT JOIN users u ON u.id = j.user_id
    LEFT JOIN email_jobs e ON e.job_id = j.id`;

/**
 * The job history of an enterprise, read from the engine's tables (migration 10 adds the
 * enterprise, finish time and line time they need, and the index on enterprise and creation time).
 */
export class SqliteJobHistory implements JobHistory {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  list(filter: JobHistoryFilter, page: { offset: number; limit: number }): JobHistoryEntry[] {
    const { where, values } = whereOf(filter);
    const rows = this.#db
      .prepare(
        `${SELECT_ENTRIES} WHERE ${where}
         ORDER BY j.created_at DESC, j.seq DESC LIMIT ? OFFSET ?`,
      )
      .all(...values, page.limit, page.offset) as EntryRow[];
    return this.#withRecipients(rows);
  }

  count(filter: JobHistoryFilter): number {
    const { where, values } = whereOf(filter);
    return (
      this.#db.prepare(`SELECT count(*) AS n FROM jobs j WHERE ${where}`).get(...values) as { n: number }
    ).n;
  }

  get(enterpriseId: string, id: string): JobHistoryEntry | null {
    const rows = this.#db
      .prepare(`${SELECT_ENTRIES} WHERE j.enterprise_id = ? AND j.id = ?`)
      .all(enterpriseId, id) as EntryRow[];
    return this.#withRecipients(rows)[0] ?? null;
  }

  usage(filter: Omit<JobHistoryFilter, 'result'>): JobUsageEntry[] {
    const { where, values } = whereOf(filter);
    const rows = this.#db
      .prepare(
        `SELECT j.created_at, ${RESULT_SQL} AS result, COALESCE(j.total_pages, j.pages_scanned) AS pages
         FROM jobs j WHERE ${where} AND j.state IN ${FINAL_STATES} ORDER BY j.created_at`,
      )
      .all(...values) as { created_at: string; result: FinishedJobResult; pages: number }[];
    return rows.map((r) => ({ createdAt: r.created_at, result: r.result, pages: r.pages }));
  }

  #withRecipients(rows: EntryRow[]): JobHistoryEntry[] {
    const byJob = new Map<string, JobHistoryRecipient[]>();
    for (let i = 0; i < rows.length; i += RECIPIENT_BATCH) {
      const ids = rows.slice(i, i + RECIPIENT_BATCH).map((r) => r.id);
      const recipients = this.#db
        .prepare(
          `SELECT job_id, position, number, state, pages_sent, attempts, error_code, error_message,
             dial_started_at, dial_ended_at, line_ms
           FROM job_recipients WHERE job_id IN (${ids.map(() => '?').join(', ')}) ORDER BY job_id, position`,
        )
        .all(...ids) as RecipientRow[];
      for (const r of recipients) {
        const list = byJob.get(r.job_id) ?? [];
        list.push(toRecipient(r));
        byJob.set(r.job_id, list);
      }
    }
    return rows.map((row) => toEntry(row, byJob.get(row.id) ?? []));
  }
}

function whereOf(filter: JobHistoryFilter): { where: string; values: unknown[] } {
  // Each filter given adds its condition; the enterprise is always one.
  const given = (
    [
      ['j.enterprise_id = ?', filter.enterpriseId],
      ['j.created_at >= ?', filter.from],
      ['j.created_at < ?', filter.to],
      ['j.user_id = ?', filter.userId],
      ['j.device_id = ?', filter.deviceId],
      [`${RESULT_SQL} = ?`, filter.result],
      ['j.source = ?', filter.source],
    ] as const
  ).filter(([, value]) => value !== undefined);
  return { where: given.map(([sql]) => sql).join(' AND '), values: given.map(([, value]) => value) };
}

function errorOf(code: string | null, message: string | null, page?: number | null): ErrorBody | null {
  if (!code) return null;
  const body = { code, message: message ?? '' } as ErrorBody;
  if (page) body.page = page;
  return body;
}

function toRecipient(r: RecipientRow): JobHistoryRecipient {
  const settled =
    r.dial_started_at && r.dial_ended_at
      ? Math.max(0, Date.parse(r.dial_ended_at) - Date.parse(r.dial_started_at))
      : 0;
  return {
    position: r.position,
    number: r.number,
    state: r.state as RecipientState,
    pagesSent: r.pages_sent,
    attempts: r.attempts,
    error: errorOf(r.error_code, r.error_message),
    dialStartedAt: r.dial_started_at,
    dialEndedAt: r.dial_ended_at,
    lineMs: r.line_ms + settled,
  };
}

function toEntry(row: EntryRow, recipients: JobHistoryRecipient[]): JobHistoryEntry {
  return {
    id: row.id,
    seq: row.seq,
    state: row.state as JobState,
    result: row.result as JobResult,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    user:
      row.user_id !== null && row.user_name !== null
        ? { id: row.user_id, displayName: row.user_name, email: row.user_email ?? '' }
        : null,
    device: { id: row.device_id, name: row.device_name },
    options: JSON.parse(row.options) as FaxJobOptions,
    pages: row.pages,
    pagesSent: row.pages_sent,
    attempts: row.attempt,
    resentAfterRestart: row.resent_after_restart,
    error: errorOf(row.error_code, row.error_message, row.error_page),
    lineMs: recipients.reduce((sum, r) => sum + r.lineMs, 0),
    source: row.source === 'email' ? 'email' : 'panel',
    emailSender: row.email_sender,
    recipients,
  };
}
