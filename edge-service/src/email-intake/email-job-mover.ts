import type { DeviceRepository } from '../domain/device.ts';
import type { JobRecord, JobRepository } from '../domain/job.ts';
import type { Logger } from '../logger.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { EmailJobIntake } from './email-job-intake.ts';

/**
 * Keeps waiting email faxes moving: every `intervalMs`, an email job that nothing was handed over
 * for yet (no hand-over intent) and whose printer does not answer is given to another of the
 * enterprise's email-fax devices that does (idle first). Panel jobs stay where they were scanned.
 */
export class EmailJobMover {
  readonly #o: {
    jobs: Pick<JobRepository, 'listUnfinished'>;
    devices: Pick<DeviceRepository, 'get'>;
    policies: Pick<PolicyService, 'get'>;
    intake: EmailJobIntake;
    engine: { reassign(jobId: string, deviceId: string): Promise<JobRecord | null> };
    intervalMs: number;
    logger: Logger;
  };
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<void> | null = null;

  constructor(options: {
    jobs: Pick<JobRepository, 'listUnfinished'>;
    devices: Pick<DeviceRepository, 'get'>;
    policies: Pick<PolicyService, 'get'>;
    intake: EmailJobIntake;
    engine: { reassign(jobId: string, deviceId: string): Promise<JobRecord | null> };
    intervalMs: number;
    logger: Logger;
  }) {
    this.#o = options;
  }

  start(): void {
    this.#timer = setInterval(() => void this.sweep(), this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#pass;
  }

  /** One pass now (one at a time). */
  sweep(): Promise<void> {
    this.#pass ??= this.#sweep()
      .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'email job move pass failed'))
      .finally(() => (this.#pass = null));
    return this.#pass;
  }

  async #sweep(): Promise<void> {
    const waiting = this.#o.jobs
      .listUnfinished()
      .filter((job) => job.source === 'email' && job.submitTag === null && job.deviceJobId === null);
    for (const job of waiting) {
      const device = this.#o.devices.get(job.deviceId);
      if (!device) continue;
      if ((await this.#o.intake.online([device])).length > 0) continue;
      const settings = this.#o.policies.get(job.enterpriseId).document.emailToFax;
      const others = this.#o.intake.candidates(job.enterpriseId, settings).filter((d) => d.id !== device.id);
      const online = await this.#o.intake.online(others);
      const target = online.find((d) => this.#o.intake.idle(d)) ?? online[0];
      if (!target) continue;
      const moved = await this.#o.engine.reassign(job.id, target.id);
      if (moved)
        this.#o.logger.info(
          { jobId: job.id, from: device.id, to: target.id },
          'email fax moved to an online printer',
        );
    }
  }
}
