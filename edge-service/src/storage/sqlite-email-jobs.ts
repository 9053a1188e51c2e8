import type { Db } from '../db/database.ts';

/** Who emailed a job (email-to-fax), for its one receipt. */
export interface EmailJobRecord {
  jobId: string;
  messageId: string | null;
  sender: string;
  senderName: string;
  language: string;
  timeZone: string;
  /** Parts of the message not faxed on purpose (images inside the HTML body), by name. */
  skipped: string[];
  receiptQueuedAt: string | null;
}

interface Row {
  job_id: string;
  message_id: string | null;
  sender: string;
  sender_name: string;
  language: string;
  time_zone: string;
  skipped: string;
  receipt_queued_at: string | null;
}

/** The email_jobs table (migration 17): written in the job's own transaction, read for receipts. */
export class SqliteEmailJobs {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  insert(record: Omit<EmailJobRecord, 'receiptQueuedAt'>): void {
    this.#db
      .prepare(
        `INSERT INTO email_jobs (job_id, message_id, sender, sender_name, language, time_zone, skipped)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.jobId,
        record.messageId,
        record.sender,
        record.senderName,
        record.language,
        record.timeZone,
        JSON.stringify(record.skipped),
      );
  }

  get(jobId: string): EmailJobRecord | null {
    const row = this.#db.prepare('SELECT * FROM email_jobs WHERE job_id = ?').get(jobId) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** Finished email jobs whose receipt is not queued yet (a crash between the end and the mail). */
  dueReceipts(finalStates: readonly string[]): string[] {
    const states = finalStates.map(() => '?').join(', ');
    return (
      this.#db
        .prepare(
          `SELECT e.job_id FROM email_jobs e JOIN jobs j ON j.id = e.job_id
           WHERE e.receipt_queued_at IS NULL AND j.state IN (${states}) ORDER BY j.seq`,
        )
        .all(...finalStates) as { job_id: string }[]
    ).map((r) => r.job_id);
  }

  /** True for the one caller that marks it: the receipt is queued in the same transaction. */
  claimReceipt(jobId: string, at: string): boolean {
    return (
      this.#db
        .prepare('UPDATE email_jobs SET receipt_queued_at = ? WHERE job_id = ? AND receipt_queued_at IS NULL')
        .run(at, jobId).changes === 1
    );
  }

  atomically<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }
}

function toRecord(row: Row): EmailJobRecord {
  return {
    jobId: row.job_id,
    messageId: row.message_id,
    sender: row.sender,
    senderName: row.sender_name,
    language: row.language,
    timeZone: row.time_zone,
    skipped: JSON.parse(row.skipped) as string[],
    receiptQueuedAt: row.receipt_queued_at,
  };
}
