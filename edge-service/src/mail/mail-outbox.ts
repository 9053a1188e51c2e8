import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../db/database.ts';
import { contentOf, type MailRow, type MailState } from './mail-queue.ts';
import { findPart, parseMime } from './mime-reader.ts';
import { outboxStamp } from './outbox-transport.ts';

/**
 * The notification mail of one enterprise as its admins see it in the console (issue 10, "Outbox"):
 * the queue's records (migration 6; kept 30 days after delivery), and for a message already
 * delivered to the outbox folder (no MFP_EDGE_SMTP_URL) its .eml file, since the queue clears the
 * content on delivery.
 *
 * Whose mail: messages addressed to a user of the enterprise (the queue stores no enterprise; an
 * address that is a user in two enterprises shows in both).
 *
 * What is shown: headers and the text part. The HTML part is not given out: the text part says
 * the same, and nothing in it can run in the console. Invitation and password-reset messages
 * have every link replaced: such a link signs whoever holds it in as that user, and an admin (or a
 * vendor's support agent) reading it could take the account over. The .eml file in the data
 * folder keeps them, for whoever can read the server's disk.
 */

/** Kinds whose links are account credentials (mail-templates.ts). */
export const LINK_REDACTED_KINDS: ReadonlySet<string> = new Set(['invitation', 'password-reset']);
export const REDACTED_LINK = '[link removed: only the recipient may use it]';
/** The most of an .eml file read (our notifications are a few KiB). */
const MAX_EML_BYTES = 1024 * 1024;

export interface OutboxEntry {
  id: string;
  kind: string;
  to: string;
  /** Null when neither the queue (cleared on delivery) nor an outbox file still holds it. */
  subject: string | null;
  state: MailState;
  queuedAt: string;
  /** When it was delivered (to the SMTP server or the outbox folder); null unless sent. */
  sentAt: string | null;
  attempts: number;
  /** The last delivery failure, as the mail server or the transport put it. */
  lastError: string | null;
}

export interface OutboxMessage extends OutboxEntry {
  messageId: string;
  /** From the .eml file when there is one; else the few the queue knows. */
  headers: { name: string; value: string }[];
  /** The text part, links removed for invitation and reset kinds; null when no longer kept. */
  text: string | null;
  /** True when links were removed from `text`. */
  linksRemoved: boolean;
  /** Where the content came from: the queue (not delivered yet), the outbox file, or nowhere. */
  source: 'queue' | 'outbox-file' | 'none';
}

type Row = Omit<MailRow, 'next_attempt_at'>;
const COLUMNS =
  'm.id, m.kind, m.message_id, m.recipient, m.content, m.state, m.attempts, m.last_error, m.created_at, m.updated_at';

const MINE = `EXISTS (SELECT 1 FROM users u WHERE u.enterprise_id = ? AND u.email = m.recipient)`;

export class MailOutbox {
  readonly #db: Db;
  readonly #dir: string | null;
  readonly #fs: typeof nodeFs;

  /** outboxDir: where the OutboxTransport writes; null when mail goes to an SMTP server. */
  constructor(options: { db: Db; outboxDir: string | null; fs?: typeof nodeFs }) {
    this.#db = options.db;
    this.#dir = options.outboxDir;
    this.#fs = options.fs ?? nodeFs;
  }

  count(enterpriseId: string): number {
    return (
      this.#db.prepare(`SELECT count(*) AS n FROM mail_queue m WHERE ${MINE}`).get(enterpriseId) as {
        n: number;
      }
    ).n;
  }

  /** Newest first. */
  async list(enterpriseId: string, page: { offset: number; limit: number }): Promise<OutboxEntry[]> {
    const rows = this.#db
      .prepare(`SELECT ${COLUMNS} FROM mail_queue m WHERE ${MINE} ORDER BY m.seq DESC LIMIT ? OFFSET ?`)
      .all(enterpriseId, page.limit, page.offset) as Row[];
    return Promise.all(
      rows.map(async (row) => {
        const content = contentOf(row);
        const subject = content ? content.subject : ((await this.#file(row))?.headers.get('subject') ?? null);
        return entryOf(row, subject);
      }),
    );
  }

  async get(enterpriseId: string, id: string): Promise<OutboxMessage | null> {
    const row = this.#db
      .prepare(`SELECT ${COLUMNS} FROM mail_queue m WHERE m.id = ? AND ${MINE}`)
      .get(id, enterpriseId) as Row | undefined;
    if (!row) return null;
    const content = contentOf(row);
    if (content) {
      return this.#message(row, content.subject, 'queue', content.text, [
        { name: 'To', value: content.toName ? `${content.toName} <${content.to}>` : content.to },
        { name: 'Subject', value: content.subject },
        { name: 'Message-ID', value: row.message_id },
      ]);
    }
    const file = await this.#file(row);
    if (!file) return this.#message(row, null, 'none', null, [{ name: 'Message-ID', value: row.message_id }]);
    return this.#message(
      row,
      file.headers.get('subject') ?? null,
      'outbox-file',
      findPart(file, 'text/plain')?.body ?? null,
      file.headerList,
    );
  }

  #message(
    row: Row,
    subject: string | null,
    source: OutboxMessage['source'],
    text: string | null,
    headers: OutboxMessage['headers'],
  ): OutboxMessage {
    const redact = LINK_REDACTED_KINDS.has(row.kind) && text !== null;
    return {
      ...entryOf(row, subject),
      messageId: row.message_id,
      headers,
      text: redact ? removeLinks(text) : text,
      linksRemoved: redact,
      source,
    };
  }

  /** The message's .eml as the outbox transport named it; null when absent, too big or unreadable. */
  async #file(row: Row): Promise<ReturnType<typeof parseMime> | null> {
    if (this.#dir === null) return null;
    const path = join(this.#dir, `${outboxStamp(new Date(row.created_at))}-${row.id}.eml`);
    try {
      const handle = await this.#fs.open(path, 'r');
      try {
        const { size } = await handle.stat();
        if (size > MAX_EML_BYTES) return null;
        return parseMime((await handle.readFile()).toString('utf8'));
      } finally {
        await handle.close();
      }
    } catch {
      // Not delivered to this folder (SMTP then, or removed by the operator), or not MIME we can read.
      return null;
    }
  }
}

/** Every http(s) URL replaced (links in the text part stand alone or in angle brackets). */
export function removeLinks(text: string): string {
  return text.replace(/https?:\/\/[^\s<>"']+/gi, REDACTED_LINK);
}

function entryOf(row: Row, subject: string | null): OutboxEntry {
  return {
    id: row.id,
    kind: row.kind,
    to: row.recipient,
    subject,
    state: row.state,
    queuedAt: row.created_at,
    sentAt: row.state === 'sent' ? row.updated_at : null,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}
