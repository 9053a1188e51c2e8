import { FINAL_JOB_STATES } from '../../../protocol/index.ts';
import { isFinal, type JobRecord, type JobRepository } from '../domain/job.ts';
import type { Logger } from '../logger.ts';
import type { FaxReceiptRecipient } from '../mail/mail-templates.ts';
import type { Notifier } from '../mail/notifier.ts';
import type { SqliteEmailJobs } from '../storage/sqlite-email-jobs.ts';

/**
 * One receipt per emailed fax, to the address that sent it, in the sender's language (a registered
 * person's own; the enterprise default for trusted-domain senders): each number's result, with the
 * reason and the attempts made for a failure. When nothing was delivered it is the failure notice.
 * It is sent whatever `faxReceipts` says: an email sender has no panel that showed the result.
 *
 * The claim (email_jobs.receipt_queued_at) and the queued mail are one SQLite transaction, so a
 * crash either queued both or neither; start() queues those a crash left due.
 */
export class EmailReceipts {
  readonly #o: {
    emailJobs: SqliteEmailJobs;
    jobs: Pick<JobRepository, 'get'>;
    notifier: Notifier;
    logger: Logger;
  };

  constructor(options: {
    emailJobs: SqliteEmailJobs;
    jobs: Pick<JobRepository, 'get'>;
    notifier: Notifier;
    logger: Logger;
  }) {
    this.#o = options;
  }

  start(): void {
    for (const jobId of this.#o.emailJobs.dueReceipts(FINAL_JOB_STATES)) {
      const job = this.#o.jobs.get(jobId);
      if (job) this.onJob(job);
    }
  }

  /** For the fax engine's 'job' event. */
  readonly onJob = (job: JobRecord): void => {
    if (job.source !== 'email' || !isFinal(job.state)) return;
    try {
      const email = this.#o.emailJobs.get(job.id);
      if (!email || email.receiptQueuedAt !== null) return;
      const recipients: FaxReceiptRecipient[] = job.recipients.map((r) => ({
        number: r.number,
        result: r.state === 'delivered' ? 'delivered' : job.state === 'cancelled' ? 'cancelled' : 'failed',
        pagesSent: r.pagesSent,
        attempts: r.attempts,
        ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
      }));
      const queued = this.#o.emailJobs.atomically(() => {
        if (!this.#o.emailJobs.claimReceipt(job.id, new Date().toISOString())) return null;
        return this.#o.notifier.faxReceipt({
          to: email.sender,
          name: email.senderName,
          language: email.language,
          timeZone: email.timeZone,
          job: {
            id: job.id,
            pages: job.totalPages ?? job.pages.length,
            submittedAt: new Date(job.createdAt),
            finishedAt: new Date(job.finishedAt ?? job.updatedAt),
            recipients,
          },
        });
      });
      if (queued) this.#o.logger.info({ jobId: job.id, mailId: queued.id }, 'email fax receipt queued');
    } catch (error) {
      this.#o.logger.warn({ err: error, jobId: job.id }, 'email fax receipt not queued');
    }
  };
}
