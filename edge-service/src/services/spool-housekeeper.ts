import type { JobRepository } from '../domain/job.ts';
import type { Logger } from '../logger.ts';
import type { Spool } from './spool.ts';
import { SinglePass } from './single-pass.ts';

export interface SpoolHousekeeperOptions {
  jobs: JobRepository;
  spool: Spool;
  logger: Logger;
  /** How long the pages of a finished job stay on disk (for a resend or support). */
  retentionMs: number;
  /** How often the spool is swept. */
  intervalMs: number;
  now?: () => number;
}

/** Jobs purged per query, so one sweep never holds the database for long. */
const BATCH = 100;

/**
 * Removes the spooled pages of finished jobs after the retention period, and folders no job names
 * (left by a job row that was never committed). The job records themselves are kept.
 */
export class SpoolHousekeeper {
  readonly #o: SpoolHousekeeperOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  readonly #sweeping = new SinglePass<number>(
    () => this.#sweep(),
    (error) => {
      this.#o.logger.warn({ err: error }, 'spool sweep failed; retrying at the next one');
      return 0;
    },
  );

  constructor(options: SpoolHousekeeperOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sweep(), this.#o.intervalMs);
    this.#timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sweeping.settled();
  }

  /** One pass; resolves with the number of job folders removed. Never rejects. */
  sweep(): Promise<number> {
    return this.#sweeping.run();
  }

  async #sweep(): Promise<number> {
    const { jobs, spool, logger } = this.#o;
    const before = new Date(this.#now() - this.#o.retentionMs).toISOString();
    let removed = 0;
    for (;;) {
      const expired = jobs.listSpoolExpired(before, BATCH);
      for (const job of expired) {
        await spool.removeJob(job.id);
        jobs.markSpoolPurged(job.id);
        removed++;
      }
      if (expired.length < BATCH) break;
    }
    for (const folder of await spool.listJobs()) {
      if (folder.modifiedAt.toISOString() >= before || jobs.get(folder.jobId)) continue;
      await spool.removeJob(folder.jobId);
      removed++;
    }
    if (removed > 0) logger.info({ removed }, 'spool: pages of finished jobs removed');
    return removed;
  }
}
