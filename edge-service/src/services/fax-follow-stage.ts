import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorBody } from '../../../protocol/index.ts';
import { isLaterBoot, type DeviceBoot, type FaxJobStatus, type FaxLine } from '../domain/fax-line.ts';
import { telUri } from '../domain/fax-number.ts';
import type { JobRecord, RecipientState } from '../domain/job.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import {
  attemptRecipients,
  DEFAULT_POLL_TIMEOUT_MS,
  MAX_POLL_BACKOFF_MS,
  type FaxJobContext,
} from './fax-job-context.ts';
import type { FaxJobEngineOptions } from './fax-job-engine.ts';

/**
 * The follow stage: a handed-over fax polled at the modem until it ends, each status applied to the
 * attempt's recipients only while the job at that id is provably ours; a fax the modem lost
 * settled from its transmission log, or marked for sending again (FAX_JOB_LOST).
 */
export class FaxFollowStage {
  readonly #c: FaxJobContext;
  readonly #o: FaxJobEngineOptions;

  constructor(context: FaxJobContext) {
    this.#c = context;
    this.#o = context.options;
  }

  /**
   * Polls the device job until it ends; returns the job with this attempt's recipients settled. A
   * status is applied only while the job at that id is provably ours (our tag, our job-uuid, the same
   * boot of the modem): a restarted modem reuses ids, and another job's result must never become ours.
   */
  async follow(job: JobRecord, faxLine: FaxLine, signal: AbortSignal, log: Logger): Promise<JobRecord> {
    const pollTimeoutMs = this.#o.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
    let failures = 0;
    let silentSince: number | null = null;
    // The first poll of a follow (perhaps after an edge restart) and the first after silence check the boot.
    let checkBoot = true;
    let last = '';
    for (;;) {
      signal.throwIfAborted();
      let status: FaxJobStatus;
      try {
        status = await faxLine.status(job.deviceJobId!);
      } catch (error) {
        if (error instanceof EdgeError && error.code === 'JOB_NOT_FOUND')
          return this.lost(job, faxLine, 'gone', log);
        silentSince ??= Date.now();
        if (Date.now() - silentSince >= pollTimeoutMs) return this.lost(job, faxLine, 'silent', log);
        failures++;
        checkBoot = true;
        // The device may have been given a new address meanwhile (re-paired, or the demo's simulator).
        const device = this.#o.devices.get(job.deviceId);
        if (device) faxLine = this.#o.drivers.faxLine(device);
        log.debug({ err: error }, 'fax status poll failed; retrying');
        await sleep(Math.min(this.#o.pollMs * failures, MAX_POLL_BACKOFF_MS), undefined, { signal });
        continue;
      }
      const ownership = await this.#ownership(job, status, faxLine, checkBoot);
      if (ownership !== 'ours') return this.lost(job, faxLine, ownership, log);
      failures = 0;
      silentSince = null;
      checkBoot = false;
      if (status.uuid && job.deviceJobUuid === null)
        job = this.#o.jobs.update(job.id, { deviceJobUuid: status.uuid });
      const fingerprint = JSON.stringify(status);
      if (fingerprint !== last) {
        last = fingerprint;
        const finished =
          status.state === 'completed' || status.state === 'aborted' || status.state === 'cancelled';
        job = this.#apply(job, status, finished);
        if (finished) return job;
      }
      await sleep(this.#o.pollMs, undefined, { signal });
    }
  }

  /** Whether the job the modem reports at our id is ours, or why not. */
  async #ownership(
    job: JobRecord,
    status: FaxJobStatus,
    faxLine: FaxLine,
    checkBoot: boolean,
  ): Promise<'ours' | 'replaced' | 'restarted'> {
    if (status.name !== undefined && job.submitTag !== null && status.name !== job.submitTag)
      return 'replaced';
    if (status.uuid && job.deviceJobUuid && status.uuid !== job.deviceJobUuid) return 'replaced';
    // Without a name or uuid to go by, only the boot tells a reused id from ours.
    const unverifiable = status.name === undefined && !(status.uuid && job.deviceJobUuid);
    if ((checkBoot || unverifiable) && job.deviceBoot && faxLine.boot) {
      const now = await faxLine.boot().catch(() => null);
      if (now && isLaterBoot(JSON.parse(job.deviceBoot) as DeviceBoot, now)) return 'restarted';
    }
    return 'ours';
  }

  /**
   * The modem lost the current attempt (restarted, or silent past the poll timeout). Recipients its
   * log proves delivered are delivered; the others fail with FAX_JOB_LOST, which the retry policy
   * sends again: a fax cut off mid-transmission reached the far end as a partial fax at best.
   */
  async lost(
    job: JobRecord,
    faxLine: FaxLine,
    how: 'gone' | 'replaced' | 'restarted' | 'silent',
    log: Logger,
  ): Promise<JobRecord> {
    log.warn({ how, deviceJobId: job.deviceJobId, tag: job.submitTag }, 'the fax modem lost the job');
    await this.settleFromLog(job, faxLine, log);
    const message =
      how === 'silent'
        ? 'The printer stopped answering while it had this fax; it is sent again if the retry policy allows.'
        : 'The printer restarted and lost this fax part-way; it is sent again if the retry policy allows.';
    const fresh = this.#o.jobs.get(job.id)!;
    this.#o.jobs.atomically(() => {
      for (const r of attemptRecipients(fresh)) {
        if (r.state === 'delivered' || r.state === 'failed') continue;
        this.#o.jobs.updateRecipient(job.id, r.position, {
          state: 'failed',
          error: { code: 'FAX_JOB_LOST', message, recipient: r.number },
        });
      }
    });
    return this.#o.jobs.get(job.id)!;
  }

  /**
   * Marks delivered the recipients of the current attempt that the modem's transmission log shows
   * received every page under this attempt's tag (pages the far end confirmed); returns how many.
   */
  async settleFromLog(
    job: JobRecord,
    faxLine: FaxLine,
    log: Logger,
    { all = false }: { all?: boolean } = {},
  ): Promise<number> {
    if (!faxLine.faxLog || !job.submitTag) return 0;
    const entries = await faxLine.faxLog().catch((error: unknown) => {
      log.warn({ err: error }, 'cannot read the fax log');
      return null;
    });
    const ours = (entries ?? []).filter(
      (e) => e.name === job.submitTag && (!job.deviceJobUuid || !e.uuid || e.uuid === job.deviceJobUuid),
    );
    const pages = job.totalPages ?? this.#o.jobs.pages(job.id).length;
    const proven = attemptRecipients(job).filter((recipient) => {
      if (recipient.state === 'delivered') return false;
      const uri = telUri(recipient.number);
      return ours.some((e) =>
        e.destinations.some(
          // Every page confirmed by the far end is a delivery, even when the modem lost power before it
          // could call the job completed.
          (d) => d.uri === uri && pages > 0 && d.pagesSent >= Math.max(pages, e.pages ?? 0),
        ),
      );
    });
    // Before a resend that dials the whole attempt again, a partial proof would only mislead.
    if (all && proven.length < attemptRecipients(job).filter((r) => r.state !== 'delivered').length) return 0;
    let settled = 0;
    for (const recipient of proven) {
      this.#o.jobs.updateRecipient(job.id, recipient.position, {
        state: 'delivered',
        pagesSent: pages,
        error: null,
      });
      settled++;
    }
    if (settled > 0) {
      log.info({ recipients: settled }, 'the modem log shows the fax delivered');
      this.#c.emit(this.#o.jobs.update(job.id, { pagesSent: pages }));
    }
    return settled;
  }

  /** Maps the modem's view of the current attempt onto its recipients. */
  #apply(job: JobRecord, status: FaxJobStatus, finished: boolean): JobRecord {
    const fallback: ErrorBody = {
      code: 'FAX_ERROR',
      message: status.state === 'cancelled' ? 'Cancelled at the device.' : 'The fax modem aborted the job.',
    };
    attemptRecipients(job).forEach((recipient, index) => {
      const uri = telUri(recipient.number);
      const atIndex = status.destinations[index];
      const destination =
        atIndex?.uri === uri ? atIndex : (status.destinations.find((d) => d.uri === uri) ?? atIndex);
      let state: RecipientState = destination?.state ?? 'pending';
      let error: ErrorBody | null =
        destination?.state === 'failed'
          ? {
              code: destination.errorCode ?? 'FAX_ERROR',
              message: destination.errorMessage ?? 'The fax could not be delivered.',
              recipient: recipient.number,
            }
          : null;
      if (finished && state !== 'delivered' && state !== 'failed') {
        // Settled by the job's end: a device that reports no per-destination result.
        state = status.state === 'completed' ? 'delivered' : 'failed';
        error = state === 'failed' ? { ...fallback, recipient: recipient.number } : null;
      }
      if (status.state === 'cancelled' && state === 'failed' && !error)
        error = { ...fallback, recipient: recipient.number };
      this.#o.jobs.updateRecipient(job.id, recipient.position, {
        state,
        pagesSent: destination?.pagesSent ?? 0,
        error,
      });
    });
    const fresh = this.#o.jobs.get(job.id)!;
    const pagesSent = Math.max(
      fresh.pagesSent,
      status.pagesCompleted,
      ...fresh.recipients.map((r) => r.pagesSent),
    );
    if (status.state === 'cancelled') {
      return this.#c.finish(
        fresh,
        'cancelled',
        { code: 'JOB_FINISHED', message: 'Cancelled at the device.' },
        { pagesSent },
      );
    }
    if (finished) return this.#c.update(fresh, { pagesSent });
    const state = fresh.recipients.some((r) => r.state === 'sending') ? 'sending' : 'dialing';
    return this.#c.update(fresh, { state, pagesSent });
  }
}
