import type { Db } from '../db/database.ts';

export type MailState = 'queued' | 'sent' | 'failed';

/** What the queue keeps of a message until it is delivered: the rendered mail. */
export interface MailContent {
  to: string;
  toName?: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailRecord {
  id: string;
  kind: string;
  messageId: string;
  recipient: string;
  /** null once the message was delivered or given up (links in it must not outlive it). */
  content: MailContent | null;
  state: MailState;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A row of mail_queue (the outbox reads it too). */
export interface MailRow {
  id: string;
  kind: string;
  message_id: string;
  recipient: string;
  content: string | null;
  state: MailState;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS =
  'id, kind, message_id, recipient, content, state, attempts, next_attempt_at, last_error, created_at, updated_at';

/**
 * The outgoing mail queue in the edge's SQLite database (migration 6). Every method is one
 * statement, so the writes are as durable as a fax job (WAL, synchronous=FULL) and a caller may
 * wrap an insert in its own transaction with other writes (see password-expiry-reminders.ts).
 */
export class SqliteMailQueue {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  insert(mail: { id: string; kind: string; messageId: string; content: MailContent; at: string }): void {
    this.#db
      .prepare(
        `INSERT INTO mail_queue (id, kind, message_id, recipient, content, state, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      )
      .run(
        mail.id,
        mail.kind,
        mail.messageId,
        mail.content.to,
        JSON.stringify(mail.content),
        mail.at,
        mail.at,
        mail.at,
      );
  }

  get(id: string): MailRecord | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM mail_queue WHERE id = ?`).get(id) as
      MailRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** The oldest queued message whose time has come. */
  nextDue(now: string): MailRecord | null {
    const row = this.#db
      .prepare(
        `SELECT ${COLUMNS} FROM mail_queue WHERE state = 'queued' AND next_attempt_at <= ?
         ORDER BY next_attempt_at, seq LIMIT 1`,
      )
      .get(now) as MailRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** When the next queued message is due, if any. */
  nextAttemptAt(): string | null {
    const row = this.#db
      .prepare(`SELECT min(next_attempt_at) AS at FROM mail_queue WHERE state = 'queued'`)
      .get() as { at: string | null };
    return row.at;
  }

  countQueued(): number {
    return (
      this.#db.prepare(`SELECT count(*) AS n FROM mail_queue WHERE state = 'queued'`).get() as { n: number }
    ).n;
  }

  markSent(id: string, attempts: number, at: string): void {
    this.#db
      .prepare(
        `UPDATE mail_queue SET state = 'sent', content = NULL, attempts = ?, last_error = NULL, updated_at = ? WHERE id = ?`,
      )
      .run(attempts, at, id);
  }

  markRetry(id: string, attempts: number, nextAttemptAt: string, error: string, at: string): void {
    this.#db
      .prepare(
        `UPDATE mail_queue SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?`,
      )
      .run(attempts, nextAttemptAt, error, at, id);
  }

  markFailed(id: string, attempts: number, error: string, at: string): void {
    this.#db
      .prepare(
        `UPDATE mail_queue SET state = 'failed', content = NULL, attempts = ?, last_error = ?, updated_at = ? WHERE id = ?`,
      )
      .run(attempts, error, at, id);
  }

  /** Drops the records of messages delivered or given up before `before`; returns how many. */
  purgeFinished(before: string): number {
    return this.#db.prepare(`DELETE FROM mail_queue WHERE state <> 'queued' AND updated_at < ?`).run(before)
      .changes;
  }
}

function toRecord(row: MailRow): MailRecord {
  return {
    id: row.id,
    kind: row.kind,
    messageId: row.message_id,
    recipient: row.recipient,
    content: contentOf(row),
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The rendered mail a row still holds; null once delivered or given up. */
export function contentOf(row: Pick<MailRow, 'content'>): MailContent | null {
  return row.content === null ? null : (JSON.parse(row.content) as MailContent);
}
