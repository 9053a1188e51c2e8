import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { SqliteMailQueue, type MailContent, type MailRecord } from './mail-queue.ts';
import { classifySendError, type MailTransport } from './mail-transport.ts';
import { SinglePass } from '../services/single-pass.ts';

export interface MailRetryPolicy {
  /** Wait after the first failed attempt… */
  firstDelayMs: number;
  /** …multiplied by this after each further one… */
  factor: number;
  /** …up to this… */
  maxDelayMs: number;
  /** …until the message is this old: then it is given up (and logged). */
  giveUpAfterMs: number;
}

export const DEFAULT_MAIL_RETRY: MailRetryPolicy = {
  firstDelayMs: 60_000,
  factor: 2,
  maxDelayMs: 3_600_000,
  giveUpAfterMs: 24 * 3_600_000,
};

/** A message to queue: the rendered mail and its kind (logged instead of anything in it). */
export interface MailToSend extends MailContent {
  kind: string;
}

export interface QueuedMail {
  id: string;
  messageId: string;
}

export interface MailerOptions {
  db: Db;
  transport: MailTransport;
  /** The From header, e.g. `mfp-edge <no-reply@example.com>`. */
  from: string;
  logger: Logger;
  retry?: Partial<MailRetryPolicy>;
  now?: () => number;
}

/**
 * How long the loop sleeps with nothing due. It also re-reads the queue then, so a message that
 * another process queued (the admin CLI writes to the same database) leaves within this time.
 */
const IDLE_MS = 60_000;
/** Delivered and given-up records are kept this long, then dropped. */
const KEEP_FINISHED_MS = 30 * 24 * 3_600_000;
const PURGE_EVERY_MS = 3_600_000;

// A plain address: a display name travels separately, so nothing in it can add a recipient.
const ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

/**
 * The durable notification queue. enqueue() returns as soon as the message is in SQLite; one sender
 * loop (start/stop) delivers in order, retrying with exponential back-off when the server is down
 * or answers 4xx, and gives a message up on a permanent 5xx or after the bound. After a crash the
 * queue resumes where it stopped; a message whose send was under way is sent again (at least once,
 * with the same Message-ID, so mail clients can tell). Logs name message ids and kinds only: no
 * addresses, no content (reset and invitation links are in it), no credentials.
 */
export class Mailer {
  readonly #o: MailerOptions;
  readonly #queue: SqliteMailQueue;
  readonly #retry: MailRetryPolicy;
  readonly #now: () => number;
  readonly #domain: string;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  readonly #pass = new SinglePass<number>(
    () => this.#deliverDue(),
    (error) => {
      this.#o.logger.error({ err: error }, 'mail queue pass failed; retrying later');
      return 0;
    },
  );
  #purgedAt = 0;

  constructor(options: MailerOptions) {
    this.#o = options;
    this.#queue = new SqliteMailQueue(options.db);
    this.#retry = { ...DEFAULT_MAIL_RETRY, ...options.retry };
    this.#now = options.now ?? Date.now;
    this.#domain = /@([^\s@<>]+)>?\s*$/.exec(options.from)?.[1] ?? 'mfp-edge.invalid';
  }

  /** Stores the message and wakes the sender; never waits for the mail server. */
  enqueue(mail: MailToSend): QueuedMail {
    if (!ADDRESS.test(mail.to)) throw new Error('mail recipient is not a plain e-mail address');
    const id = randomUUID();
    const messageId = `<${id}@${this.#domain}>`;
    const { kind, ...content } = mail;
    this.#queue.insert({ id, kind, messageId, content, at: this.#iso() });
    this.#o.logger.debug({ mailId: id, kind }, 'mail queued');
    this.#wake?.();
    return { id, messageId };
  }

  /** A message's record, for tests and the console. */
  get(id: string): MailRecord | null {
    return this.#queue.get(id);
  }

  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    this.#o.logger.info({ transport: this.#o.transport.description }, 'mail sender started');
    this.#loop = this.#run();
  }

  /** Stops the loop after the send under way (bounded by the transport's timeouts). */
  async stop(): Promise<void> {
    if (!this.#loop) return;
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
    this.#o.transport.close();
  }

  /** One pass over the due messages; resolves with how many were attempted. Never rejects. */
  deliverDue(): Promise<number> {
    return this.#pass.run();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      await this.deliverDue();
      if (this.#stopping) break;
      const next = this.#queue.nextAttemptAt();
      const wait = next === null ? IDLE_MS : Math.min(IDLE_MS, Math.max(0, Date.parse(next) - this.#now()));
      await this.#sleep(wait);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#wake?.(), ms);
      timer.unref();
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  async #deliverDue(): Promise<number> {
    let attempted = 0;
    for (;;) {
      if (this.#stopping && this.#loop) break;
      const mail = this.#queue.nextDue(this.#iso());
      if (!mail) break;
      await this.#deliver(mail);
      attempted++;
    }
    this.#purge();
    return attempted;
  }

  async #deliver(mail: MailRecord): Promise<void> {
    const { logger, transport, from } = this.#o;
    const attempts = mail.attempts + 1;
    const log = { mailId: mail.id, messageId: mail.messageId, kind: mail.kind, attempts };
    const content = mail.content;
    if (!content) {
      this.#queue.markFailed(mail.id, attempts, 'no content', this.#iso());
      return;
    }
    try {
      await transport.send({
        id: mail.id,
        options: {
          from,
          to: content.toName ? { name: content.toName, address: content.to } : content.to,
          subject: content.subject,
          text: content.text,
          html: content.html,
          messageId: mail.messageId,
          date: new Date(mail.createdAt),
          // RFC 3834: out-of-office robots must not answer a notification.
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        },
      });
    } catch (error) {
      const failure = classifySendError(error);
      const reason = `${failure.code}${failure.responseCode ? ` ${failure.responseCode}` : ''}: ${failure.detail}`;
      const why = { ...log, code: failure.code, responseCode: failure.responseCode };
      const now = this.#now();
      const age = now - Date.parse(mail.createdAt);
      if (failure.permanent) {
        this.#queue.markFailed(mail.id, attempts, reason, this.#iso());
        logger.error(why, 'mail refused by the server; not retried');
      } else if (age >= this.#retry.giveUpAfterMs) {
        this.#queue.markFailed(mail.id, attempts, reason, this.#iso());
        logger.error(why, 'mail could not be delivered in time; given up');
      } else {
        const { firstDelayMs, factor, maxDelayMs, giveUpAfterMs } = this.#retry;
        const delay = Math.min(maxDelayMs, firstDelayMs * factor ** (attempts - 1));
        // The last try lands on the bound rather than a back-off step beyond it.
        const retryAt = new Date(Math.min(now + delay, Date.parse(mail.createdAt) + giveUpAfterMs));
        this.#queue.markRetry(mail.id, attempts, retryAt.toISOString(), reason, this.#iso());
        logger.warn({ ...why, retryAt: retryAt.toISOString() }, 'mail not delivered; will retry');
      }
      return;
    }
    this.#queue.markSent(mail.id, attempts, this.#iso());
    logger.info(log, 'mail delivered');
  }

  #purge(): void {
    const now = this.#now();
    if (now - this.#purgedAt < PURGE_EVERY_MS) return;
    this.#purgedAt = now;
    const removed = this.#queue.purgeFinished(new Date(now - KEEP_FINISHED_MS).toISOString());
    if (removed > 0) this.#o.logger.info({ removed }, 'mail: old delivery records removed');
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }
}
