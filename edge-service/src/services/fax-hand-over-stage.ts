import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceRecord } from '../domain/device.ts';
import {
  chooseFaxFormat,
  type DeviceBoot,
  type FaxDocument,
  type FaxDocumentFormat,
  type FaxLine,
} from '../domain/fax-line.ts';
import { telUri } from '../domain/fax-number.ts';
import type { JobRecord } from '../domain/job.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { FaxPage } from '../pipeline/fax-page.ts';
import { buildFaxPdf } from '../pipeline/fax-pdf.ts';
import { buildFaxTiff } from '../pipeline/fax-tiff.ts';
import { buildPwgRaster } from '../pipeline/pwg-raster.ts';
import type { FaxFollowStage } from './fax-follow-stage.ts';
import {
  attemptRecipients,
  DEFAULT_POLL_TIMEOUT_MS,
  MAX_POLL_BACKOFF_MS,
  submitTag,
  type FaxJobContext,
} from './fax-job-context.ts';
import type { FaxJobEngineOptions } from './fax-job-engine.ts';
import type { FaxScanStage } from './fax-scan-stage.ts';

/** How the spooled G4 pages become a document in each format a modem may take. */
const FAX_DOCUMENT_WRITERS: Record<FaxDocumentFormat, (pages: FaxPage[]) => Buffer | Promise<Buffer>> = {
  'application/pdf': buildFaxPdf,
  'image/pwg-raster': buildPwgRaster,
  'image/tiff': buildFaxTiff,
};

/**
 * The hand-over stage: the intent (tag) recorded before Create-Job, the document built in the best
 * format the modem takes and submitted; after a crash or a lost attempt, the modem's job list and
 * log looked at first, so a fax it already holds or delivered is never sent twice.
 */
export class FaxHandOverStage {
  readonly #c: FaxJobContext;
  readonly #o: FaxJobEngineOptions;
  readonly #scanning: FaxScanStage;
  readonly #following: FaxFollowStage;

  constructor(context: FaxJobContext, stages: { scanning: FaxScanStage; following: FaxFollowStage }) {
    this.#c = context;
    this.#o = context.options;
    this.#scanning = stages.scanning;
    this.#following = stages.following;
  }

  /** Records the intent, then submits; or, when an intent survived a crash, reconciles first. */
  async handOver(
    job: JobRecord,
    device: DeviceRecord,
    faxLine: FaxLine,
    signal: AbortSignal,
    log: Logger,
  ): Promise<JobRecord> {
    signal.throwIfAborted();
    if (job.submitTag !== null) {
      const adopted = await this.#reconcile(job, faxLine, signal, log);
      if (adopted) return adopted;
    } else {
      const lost = attemptRecipients(job).some((r) => r.error?.code === 'FAX_JOB_LOST');
      if (lost) {
        // A modem that was only out of reach may still hold the lost attempt: follow it, never twice.
        const held = await this.#stillHeld(job, faxLine, signal, log);
        if (held) return held;
      }
      const open = job.recipients.filter((r) => r.state !== 'delivered' && r.state !== 'failed');
      // A modem that takes one destination per job gets one device job per number, untried first;
      // #conclude starts the next one.
      const { multipleDestinations } = await this.#untilReachable(() => faxLine.capabilities(), signal);
      const chosen = multipleDestinations ? open : [open.find((r) => r.attempts === 0) ?? open[0]!];
      const positions = chosen.map((r) => r.position);
      const number = job.attempt + 1;
      job = this.#o.jobs.beginAttempt(job.id, { number, tag: submitTag(job.id, number), positions });
      if (lost) {
        job = this.#o.jobs.update(job.id, { resentAfterRestart: job.resentAfterRestart + 1 });
        log.warn({ attempt: number }, 'sending again the fax the printer lost');
      }
      this.#c.emit(job);
    }
    const pages = await this.#scanning.spooledPages(job);
    if (job.totalPages !== pages.length) job = this.#c.update(job, { totalPages: pages.length });
    const document = await this.#document(faxLine, pages, signal);
    signal.throwIfAborted();
    const destinations = attemptRecipients(job).map((r) => telUri(r.number));
    const { preDialString } = this.#c.policy(device);
    const boot = await this.#boot(faxLine, log);
    let deviceJobId: number;
    try {
      deviceJobId = await faxLine.submit(
        { ...document, pages: pages.length, name: `fax-${job.seq}` },
        destinations,
        { jobName: job.submitTag!, ...(preDialString ? { preDialString } : {}) },
      );
    } catch (error) {
      // No answer mid-hand-over: the modem may or may not hold the fax. The next attempt looks for it
      // under this attempt's tag before it sends anything.
      if (error instanceof EdgeError && error.code === 'FAX_UNREACHABLE')
        return this.#following.lost(job, faxLine, 'silent', log);
      throw error;
    }
    log.info(
      { deviceJobId, attempt: job.attempt, destinations: destinations.length, format: document.contentType },
      'fax handed over',
    );
    // Line time starts here at the latest: the modem holds the document and dials when its line is free.
    return this.#c.update(job, {
      deviceJobId,
      deviceBoot: boot ? JSON.stringify(boot) : null,
      handedOverAt: new Date().toISOString(),
    });
  }

  /**
   * `call`, again while the modem does not answer (a printer booting, a network blip), for up to the
   * poll timeout: then FAX_UNREACHABLE ends the job.
   */
  async #untilReachable<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const deadline = Date.now() + (this.#o.pollTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS);
    for (let failures = 1; ; failures++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof EdgeError) || error.code !== 'FAX_UNREACHABLE' || Date.now() >= deadline)
          throw error;
        await sleep(Math.min(this.#o.pollMs * failures, MAX_POLL_BACKOFF_MS), undefined, { signal });
      }
    }
  }

  async #boot(faxLine: FaxLine, log: Logger): Promise<DeviceBoot | null> {
    if (!faxLine.boot) return null;
    try {
      return await faxLine.boot();
    } catch (error) {
      log.debug({ err: error }, 'cannot read the modem boot');
      return null;
    }
  }

  /**
   * After a crash between the intent and the device job id: a device job named with our tag that
   * holds a document is ours and is followed. Jobs created but left without their document are
   * cancelled, and the caller sends again.
   */
  async #reconcile(
    job: JobRecord,
    faxLine: FaxLine,
    signal: AbortSignal,
    log: Logger,
  ): Promise<JobRecord | null> {
    const tag = job.submitTag!;
    if (!faxLine.findJobs)
      throw new EdgeError(
        'FAX_ERROR',
        'The edge restarted while handing this fax to the modem, and the modem cannot list its jobs: check its fax log before sending again.',
      );
    const found = await this.#untilReachable(() => faxLine.findJobs!(tag), signal);
    // A device that does not report number-of-documents may hold it: never risk a second send.
    const holding = found.find((j) => j.documents !== 0);
    if (holding) {
      log.info({ deviceJobId: holding.jobId, tag }, 'the modem already has this fax; following it');
      return this.#c.update(job, {
        deviceJobId: holding.jobId,
        handedOverAt: job.handedOverAt ?? new Date().toISOString(),
      });
    }
    for (const empty of found) {
      if (empty.state === 'pending' || empty.state === 'processing')
        await faxLine
          .cancel(empty.jobId)
          .catch((e: unknown) => log.warn({ err: e }, 'could not cancel an empty device job'));
    }
    // A modem that restarted forgot its jobs, but its log may show this one went out in full.
    if (found.length === 0 && (await this.#following.settleFromLog(job, faxLine, log, { all: true })) > 0)
      return this.#o.jobs.get(job.id)!;
    log.info({ tag, empty: found.length }, 'the modem does not hold this fax; sending it');
    return null;
  }

  /**
   * The lost attempt's device job, if the modem still holds it under its tag on the same boot (it
   * was out of reach, not restarted): the attempt is taken up again instead of sending a second fax.
   */
  async #stillHeld(
    job: JobRecord,
    faxLine: FaxLine,
    signal: AbortSignal,
    log: Logger,
  ): Promise<JobRecord | null> {
    if (!faxLine.findJobs) return null;
    const tag = submitTag(job.id, job.attempt);
    const found = await this.#untilReachable(() => faxLine.findJobs!(tag), signal);
    const held = found.find((j) => j.state !== 'aborted' && j.state !== 'cancelled' && j.documents !== 0);
    if (!held) return null;
    log.info({ deviceJobId: held.jobId, tag }, 'the modem still holds the fax it was thought to have lost');
    return this.#o.jobs.atomically(() => {
      for (const r of attemptRecipients(job))
        if (r.error?.code === 'FAX_JOB_LOST')
          this.#o.jobs.updateRecipient(job.id, r.position, { state: 'pending', error: null });
      return this.#c.update(job, {
        state: 'dialing',
        submitTag: tag,
        deviceJobId: held.jobId,
        deviceJobUuid: held.uuid ?? null,
        handedOverAt: job.handedOverAt ?? new Date().toISOString(),
        retryAt: null,
        error: null,
      });
    });
  }

  async #document(
    faxLine: FaxLine,
    pages: FaxPage[],
    signal: AbortSignal,
  ): Promise<Pick<FaxDocument, 'contentType' | 'data'>> {
    const formats = (await this.#untilReachable(() => faxLine.capabilities(), signal)).documentFormats;
    const format = chooseFaxFormat(formats);
    if (!format)
      throw new EdgeError(
        'FAX_UNSUPPORTED',
        `The fax modem accepts none of our formats (it offers ${formats.join(', ') || 'nothing'}).`,
      );
    return { contentType: format, data: await FAX_DOCUMENT_WRITERS[format](pages) };
  }
}
