import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  JobRecord,
  JobRepository,
  FaxJobOptions,
  RecipientRecord,
  RecipientState,
} from '../domain/job.ts';
import { isFinal } from '../domain/job.ts';
import type { DeviceRecord, DeviceRepository } from '../domain/device.ts';
import {
  chooseFaxFormat,
  isLaterBoot,
  type DeviceBoot,
  type FaxDocument,
  type FaxDocumentFormat,
  type FaxJobStatus,
  type FaxLine,
} from '../domain/fax-line.ts';
import {
  isRetryableFaxFailure,
  NO_RETRY_POLICY,
  type FaxPolicy,
  type FaxPolicyRepository,
} from '../domain/fax-retry-policy.ts';
import type { ScannedPage, ScanRequest } from '../domain/scanner.ts';
import { telUri } from '../domain/fax-number.ts';
import type { DeviceDrivers } from './device-drivers.ts';
import type { Spool } from './spool.ts';
import { SpoolHousekeeper } from './spool-housekeeper.ts';
import { Limiter, KeyedMutex } from './concurrency.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { ErrorBody } from '../../../protocol/index.ts';
import { renderFaxPage, type FaxPage } from '../pipeline/fax-page.ts';
import { buildFaxTiff, readFaxTiffPages } from '../pipeline/fax-tiff.ts';
import { buildFaxPdf } from '../pipeline/fax-pdf.ts';
import { buildPwgRaster } from '../pipeline/pwg-raster.ts';

export interface FaxJobEngineOptions {
  jobs: JobRepository;
  devices: DeviceRepository;
  drivers: DeviceDrivers;
  spool: Spool;
  logger: Logger;
  pollMs: number;
  /**
   * How long a modem that stopped answering is waited for before the fax it holds counts as lost
   * (default 60 s): then it is sent again under the retry policy, unless its log proves delivery.
   */
  pollTimeoutMs?: number;
  pagesInFlight: number;
  /**
   * Per-enterprise fax policy: redials of busy / no-answer recipients and the pre-dial string.
   * Without it a job dials once, each number as it is.
   */
  policies?: FaxPolicyRepository;
  /** How long the pages of a finished job stay in the spool (default 24 h). */
  spoolRetentionMs?: number;
  /** How often the spool is swept (default 10 min). */
  spoolSweepMs?: number;
}

/** A4 at 300 dpi in 1/300 inch; the scanner clips to what the original really is. */
const A4_AREA = { width: 2480, height: 3508 };
const DEFAULT_POLL_TIMEOUT_MS = 60_000;
/** Longest pause between status polls of a modem that does not answer. */
const MAX_POLL_BACKOFF_MS = 5_000;
const DEFAULT_RETENTION_MS = 24 * 3_600_000;
const DEFAULT_SWEEP_MS = 10 * 60_000;
/** What a job does when no policy can be read: dial once, each number as it is. */
const NO_POLICY: FaxPolicy = { ...NO_RETRY_POLICY, preDialString: '' };

/** How the spooled G4 pages become a document in each format a modem may take. */
const FAX_DOCUMENT_WRITERS: Record<FaxDocumentFormat, (pages: FaxPage[]) => Buffer | Promise<Buffer>> = {
  'application/pdf': buildFaxPdf,
  'image/pwg-raster': buildPwgRaster,
  'image/tiff': buildFaxTiff,
};

interface Running {
  abort: AbortController;
  done: Promise<void>;
}

/** The job name a device job of this attempt carries: what the modem's job list is searched for. */
export function submitTag(jobId: string, attempt: number): string {
  return `mfp-edge:${jobId}:${attempt}`;
}

/**
 * Runs fax jobs: scan page by page into the spool, convert each page to G4 as it arrives, hand the
 * document to the fax modem once per attempt, follow it to a result, and redial busy or unanswered
 * recipients as the enterprise's policy says. Every step is written to the job repository before it
 * is announced ('job' events), so what a panel sees is what survives a crash.
 *
 * Crash safety, step by step (a job resumes from what the repository says):
 * - accepted: nothing touched the scanner yet; scan.
 * - scanning: from the ADF, the sheets already fed sit in the output tray and cannot be read again,
 *   so the job fails with SCAN_INTERRUPTED (the panel asks to put the originals back and send
 *   again) rather than faxing a stack with pages missing. From the platen it scans again.
 * - converting / dialing without a hand-over intent: pages come back from the spool, missing
 *   conversions are redone.
 * - dialing with an intent (submitTag) but no device job id: the modem's job list is searched for
 *   the tag. A job holding our document is followed; otherwise the document is sent (again).
 * - dialing / sending with a device job id: followed.
 * - retry-wait: waits until retryAt, then a new device job for the recipients still to reach.
 */
export class FaxJobEngine extends EventEmitter<{ job: [JobRecord] }> {
  readonly #o: FaxJobEngineOptions;
  readonly #log: Logger;
  readonly #running = new Map<string, Running>();
  readonly #scannerLocks = new KeyedMutex();
  readonly #converter: Limiter;
  readonly #housekeeper: SpoolHousekeeper;
  #stopping = false;

  constructor(options: FaxJobEngineOptions) {
    super();
    this.#o = options;
    this.#log = options.logger;
    this.#converter = new Limiter(options.pagesInFlight);
    this.#housekeeper = new SpoolHousekeeper({
      jobs: options.jobs,
      spool: options.spool,
      logger: options.logger.child({ module: 'spool' }),
      retentionMs: options.spoolRetentionMs ?? DEFAULT_RETENTION_MS,
      intervalMs: options.spoolSweepMs ?? DEFAULT_SWEEP_MS,
    });
  }

  /** Picks up the jobs a previous run left unfinished, and starts the spool sweep. */
  start(): void {
    this.#stopping = false;
    for (const job of this.#o.jobs.listUnfinished()) this.#launch(job);
    this.#housekeeper.start();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const running = [...this.#running.values()];
    for (const run of running) run.abort.abort(new Error('edge stopping'));
    await Promise.allSettled(running.map((run) => run.done));
    await this.#housekeeper.stop();
  }

  /** One spool sweep now (the periodic one runs between start() and stop()). */
  sweepSpool(): Promise<number> {
    return this.#housekeeper.sweep();
  }

  /** Records a new job (it is durable once this returns) and starts it. */
  submit(
    device: DeviceRecord,
    userId: string | null,
    options: FaxJobOptions,
    recipients: string[],
  ): JobRecord {
    const job = this.#o.jobs.create({ deviceId: device.id, userId, options, recipients });
    this.#launch(job);
    return job;
  }

  async cancel(jobId: string): Promise<JobRecord> {
    const job = this.#o.jobs.get(jobId);
    if (!job) throw new EdgeError('JOB_NOT_FOUND');
    if (isFinal(job.state))
      throw new EdgeError('JOB_FINISHED', 'The job has already finished and cannot be cancelled.');
    const run = this.#running.get(jobId);
    if (!run) {
      return this.#finish(job, 'cancelled', { code: 'JOB_FINISHED', message: 'Cancelled.' });
    }
    run.abort.abort(new EdgeError('JOB_FINISHED', 'Cancelled at the panel.'));
    await run.done;
    return this.#o.jobs.get(jobId)!;
  }

  #launch(job: JobRecord): void {
    if (this.#running.has(job.id) || this.#stopping) return;
    const abort = new AbortController();
    const done = this.#run(job, abort.signal).finally(() => this.#running.delete(job.id));
    this.#running.set(job.id, { abort, done });
  }

  #update(job: JobRecord, patch: Parameters<JobRepository['update']>[1]): JobRecord {
    const updated = this.#o.jobs.update(job.id, patch);
    this.emit('job', updated);
    return updated;
  }

  async #run(initial: JobRecord, signal: AbortSignal): Promise<void> {
    let job = initial;
    const log = this.#log.child({ job: job.id });
    try {
      const device = this.#o.devices.get(job.deviceId);
      if (!device) throw new EdgeError('DEVICE_UNAUTHORIZED', 'The device of this job no longer exists.');
      // A device without a fax modem fails here, before anything is scanned.
      this.#o.drivers.faxLine(device);
      if (job.state === 'scanning') await this.#carryOnScan(job, device, signal, log);
      else if (job.state === 'accepted') await this.#scan(job, device, signal);
      await this.#deliver(job.id, signal, log);
    } catch (error) {
      job = this.#o.jobs.get(job.id)!;
      if (signal.aborted && this.#stopping) {
        log.info('job paused by shutdown; it resumes at the next start');
        return;
      }
      if (signal.aborted) {
        if (job.deviceJobId !== null) {
          await this.#cancelAtModem(job).catch((e: unknown) =>
            log.warn({ err: e }, 'could not cancel the job at the fax modem'),
          );
        }
        this.#finish(job, 'cancelled', { code: 'JOB_FINISHED', message: 'Cancelled.' });
        return;
      }
      const edgeError = EdgeError.from(error);
      if (edgeError.code === 'INTERNAL') log.error({ err: error }, 'fax job failed unexpectedly');
      else log.warn({ code: edgeError.code, msg: edgeError.message }, 'fax job failed');
      if (edgeError.code === 'SPOOL_FULL') await this.#freeSpool(job, log);
      this.#finish(job, 'failed', edgeError.toBody());
    }
  }

  /** Cancels the device job, unless the id now names another job (a restarted modem reuses ids). */
  async #cancelAtModem(job: JobRecord): Promise<void> {
    const faxLine = this.#o.drivers.faxLine(this.#o.devices.get(job.deviceId)!);
    const status = await faxLine.status(job.deviceJobId!);
    if (status.name !== undefined && status.name !== job.submitTag) return;
    if (status.uuid && job.deviceJobUuid && status.uuid !== job.deviceJobUuid) return;
    await faxLine.cancel(job.deviceJobId!);
  }

  /** A job that filled the disk gives its pages back at once: the next job needs the room. */
  async #freeSpool(job: JobRecord, log: Logger): Promise<void> {
    try {
      await this.#o.spool.removeJob(job.id);
      this.#o.jobs.markSpoolPurged(job.id);
    } catch (error) {
      log.warn({ err: error }, 'could not free the spool of a job that filled the disk');
    }
  }

  /**
   * After a restart mid-scan: the device's job is read on if the device still has it with no page
   * lost in between. Otherwise a platen original is scanned again, and a feeder job fails, because
   * its fed sheets are out of the tray.
   */
  async #carryOnScan(job: JobRecord, device: DeviceRecord, signal: AbortSignal, log: Logger): Promise<void> {
    const scanner = this.#o.drivers.scanner(device);
    if (job.scanJobUrl && scanner.resume) {
      const jobUrl = job.scanJobUrl;
      const pagesRead = this.#o.jobs.pages(job.id).length;
      const resumed = await this.#scannerLocks.lock(
        device.id,
        async () => {
          const pages = await scanner.resume!(
            jobUrl,
            { source: job.options.source, pagesRead },
            signal,
          ).catch((error: unknown) => {
            log.warn({ err: error }, 'cannot ask the scanner about the interrupted job');
            return null;
          });
          if (!pages) return false;
          log.info({ jobUrl, pagesRead }, 'carrying on the scan the restart interrupted');
          await this.#scanInto(job, pages, pagesRead);
          return true;
        },
        signal,
      );
      if (resumed) return;
    }
    if (job.options.source === 'adf') throw scanInterrupted(job);
    await this.#scan(job, device, signal);
  }

  /** Scans into the spool, converting pages while the scanner feeds the next ones. */
  async #scan(job: JobRecord, device: DeviceRecord, signal: AbortSignal): Promise<void> {
    const scanner = this.#o.drivers.scanner(device);
    const request: ScanRequest = {
      source: job.options.source,
      duplex: job.options.duplex,
      colorMode: 'gray',
      resolution: 300,
      ...A4_AREA,
      documentFormat: 'image/jpeg',
    };
    await this.#scannerLocks.lock(
      device.id,
      async () => {
        const started = this.#update(job, { state: 'scanning', pagesScanned: 0, scanJobUrl: null });
        const pages = scanner.scan(request, signal, (scanJobUrl) => {
          this.#o.jobs.update(job.id, { scanJobUrl });
        });
        await this.#scanInto(started, pages, 0);
      },
      signal,
    );
  }

  /** Reads `pages` (numbered after the `kept` already spooled) into the spool, then converts. */
  async #scanInto(job: JobRecord, pages: AsyncIterable<ScannedPage>, kept: number): Promise<void> {
    let current = job;
    const conversions: Promise<FaxPage>[] = [];
    try {
      await this.#scanPages(job, pages, conversions, (n) => {
        current = this.#update(current, { pagesScanned: n });
      });
    } catch (error) {
      // Pages already converting would write into the spool after the job ended.
      await Promise.allSettled(conversions);
      // A printer that went away mid-feed (a reboot, a power cut) took the fed sheets' scans with it.
      const scanned = current.pagesScanned;
      if (
        error instanceof EdgeError &&
        error.code === 'SCANNER_OFFLINE' &&
        scanned > 0 &&
        job.options.source === 'adf'
      )
        throw new EdgeError(
          'SCAN_INTERRUPTED',
          `The printer stopped answering while scanning (after page ${scanned}); put all the originals back in the feeder and send again.`,
          { cause: error },
        );
      throw error;
    }
    const total = kept + conversions.length;
    if (total === 0)
      throw new EdgeError('FEEDER_EMPTY', 'No page was scanned: load the originals and try again.');
    current = this.#update(current, { state: 'converting', scanJobUrl: null });
    await Promise.all(conversions);
    this.#update(current, { totalPages: total });
  }

  /** Spools each page as it arrives and queues its conversion; stops at the first failure. */
  async #scanPages(
    job: JobRecord,
    pages: AsyncIterable<ScannedPage>,
    conversions: Promise<FaxPage>[],
    scanned: (pages: number) => void,
  ): Promise<void> {
    let conversionFailure: { error: unknown } | null = null;
    for await (const page of pages) {
      const extension = page.contentType === 'image/png' ? 'png' : 'jpg';
      const scanFile = await this.#o.spool.write(job.id, `scan-${pad(page.number)}.${extension}`, page.data);
      this.#o.jobs.addPage(job.id, { number: page.number, scanFile, faxFile: null });
      scanned(page.number);
      // The image is read back from the spool when its turn comes, so pages waiting for the
      // converter cost disk, not memory, however long the feeder.
      const conversion = this.#converter.run(async () =>
        this.#convert(job, page.number, await this.#o.spool.read(job.id, scanFile)),
      );
      conversion.catch((error: unknown) => (conversionFailure ??= { error }));
      conversions.push(conversion);
      if (conversionFailure) throw (conversionFailure as { error: unknown }).error;
    }
  }

  async #convert(job: JobRecord, number: number, data: Buffer): Promise<FaxPage> {
    const page = await renderFaxPage(data, {
      resolution: job.options.resolution,
      mode: 'text',
      pageNumber: number,
    });
    const faxFile = await this.#o.spool.write(job.id, `fax-${pad(number)}.tif`, buildFaxTiff([page]));
    this.#o.jobs.setPageFaxFile(job.id, number, faxFile);
    return page;
  }

  /** The job's fax pages from the spool, converting any a crash left unconverted. */
  async #spooledPages(job: JobRecord): Promise<FaxPage[]> {
    const pages = this.#o.jobs.pages(job.id);
    if (pages.length === 0)
      throw new EdgeError('SCANNER_ERROR', 'No scanned page was kept for this job; send it again.');
    return Promise.all(
      pages.map(async (page) => {
        if (page.faxFile) {
          const [faxPage] = readFaxTiffPages(await this.#o.spool.read(job.id, page.faxFile));
          if (faxPage) return faxPage;
        }
        return this.#converter.run(async () =>
          this.#convert(job, page.number, await this.#o.spool.read(job.id, page.scanFile)),
        );
      }),
    );
  }

  /** Attempts until every recipient is delivered or out of attempts. */
  async #deliver(jobId: string, signal: AbortSignal, log: Logger): Promise<void> {
    for (;;) {
      let job = this.#o.jobs.get(jobId)!;
      if (job.state === 'retry-wait') {
        const wait = job.retryAt ? Date.parse(job.retryAt) - Date.now() : 0;
        if (wait > 0) await sleep(wait, undefined, { signal });
      }
      // Read again for every attempt: the device's address may have changed since the job began.
      const device = this.#o.devices.get(job.deviceId);
      if (!device) throw new EdgeError('DEVICE_UNAUTHORIZED', 'The device of this job no longer exists.');
      const faxLine = this.#o.drivers.faxLine(device);
      if (job.deviceJobId === null) job = await this.#handOver(job, device, faxLine, signal, log);
      // Null when the modem's log proved the attempt delivered: nothing left to follow.
      if (job.deviceJobId !== null) job = await this.#follow(job, faxLine, signal, log);
      if (job.state === 'cancelled' || this.#conclude(job, device, log)) return;
    }
  }

  /** Records the intent, then submits; or, when an intent survived a crash, reconciles first. */
  async #handOver(
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
      this.emit('job', job);
    }
    const pages = await this.#spooledPages(job);
    if (job.totalPages !== pages.length) job = this.#update(job, { totalPages: pages.length });
    const document = await this.#document(faxLine, pages, signal);
    signal.throwIfAborted();
    const destinations = attemptRecipients(job).map((r) => telUri(r.number));
    const { preDialString } = this.#policy(device);
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
        return this.#lost(job, faxLine, 'silent', log);
      throw error;
    }
    log.info(
      { deviceJobId, attempt: job.attempt, destinations: destinations.length, format: document.contentType },
      'fax handed over',
    );
    return this.#update(job, { deviceJobId, deviceBoot: boot ? JSON.stringify(boot) : null });
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
      return this.#update(job, { deviceJobId: holding.jobId });
    }
    for (const empty of found) {
      if (empty.state === 'pending' || empty.state === 'processing')
        await faxLine
          .cancel(empty.jobId)
          .catch((e: unknown) => log.warn({ err: e }, 'could not cancel an empty device job'));
    }
    // A modem that restarted forgot its jobs, but its log may show this one went out in full.
    if (found.length === 0 && (await this.#settleFromLog(job, faxLine, log, { all: true })) > 0)
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
      return this.#update(job, {
        state: 'dialing',
        submitTag: tag,
        deviceJobId: held.jobId,
        deviceJobUuid: held.uuid ?? null,
        retryAt: null,
        error: null,
      });
    });
  }

  /**
   * Marks delivered the recipients of the current attempt that the modem's transmission log shows
   * received every page under this attempt's tag (pages the far end confirmed); returns how many.
   */
  async #settleFromLog(
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
      this.emit('job', this.#o.jobs.update(job.id, { pagesSent: pages }));
    }
    return settled;
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

  /**
   * Polls the device job until it ends; returns the job with this attempt's recipients settled. A
   * status is applied only while the job at that id is provably ours (our tag, our job-uuid, the same
   * boot of the modem): a restarted modem reuses ids, and another job's result must never become ours.
   */
  async #follow(job: JobRecord, faxLine: FaxLine, signal: AbortSignal, log: Logger): Promise<JobRecord> {
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
          return this.#lost(job, faxLine, 'gone', log);
        silentSince ??= Date.now();
        if (Date.now() - silentSince >= pollTimeoutMs) return this.#lost(job, faxLine, 'silent', log);
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
      if (ownership !== 'ours') return this.#lost(job, faxLine, ownership, log);
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
  async #lost(
    job: JobRecord,
    faxLine: FaxLine,
    how: 'gone' | 'replaced' | 'restarted' | 'silent',
    log: Logger,
  ): Promise<JobRecord> {
    log.warn({ how, deviceJobId: job.deviceJobId, tag: job.submitTag }, 'the fax modem lost the job');
    await this.#settleFromLog(job, faxLine, log);
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
      return this.#finish(
        fresh,
        'cancelled',
        { code: 'JOB_FINISHED', message: 'Cancelled at the device.' },
        { pagesSent },
      );
    }
    if (finished) return this.#update(fresh, { pagesSent });
    const state = fresh.recipients.some((r) => r.state === 'sending') ? 'sending' : 'dialing';
    return this.#update(fresh, { state, pagesSent });
  }

  /**
   * After an attempt: schedules the next one for the recipients that were busy or did not answer
   * and have attempts left (returns false), or records the job's result (returns true).
   */
  #conclude(job: JobRecord, device: DeviceRecord, log: Logger): boolean {
    const policy = this.#policy(device);
    const dialled = attemptRecipients(job);
    const retry = dialled.filter(
      (r) => r.state === 'failed' && isRetryableFaxFailure(r.error?.code) && r.attempts < policy.attempts,
    );
    // Numbers this attempt did not dial (a modem that takes one destination per job).
    const waiting = job.recipients.filter(
      (r) => !dialled.includes(r) && (r.state === 'pending' || r.state === 'retry-wait'),
    );
    if (retry.length > 0 || waiting.length > 0) {
      const untried = waiting.some((r) => r.attempts === 0);
      const retryAt = untried ? null : new Date(Date.now() + policy.intervalMs).toISOString();
      const updated = this.#o.jobs.atomically(() => {
        for (const r of retry) this.#o.jobs.updateRecipient(job.id, r.position, { state: 'retry-wait' });
        return this.#o.jobs.update(job.id, {
          state: untried ? 'dialing' : 'retry-wait',
          retryAt,
          deviceJobId: null,
          submitTag: null,
          error: retry[0]?.error ?? null,
        });
      });
      this.emit('job', updated);
      if (retryAt)
        log.info(
          { retryAt, recipients: retry.length, attempt: job.attempt, of: policy.attempts },
          'fax recipients busy or not answering; retry scheduled',
        );
      return false;
    }
    const failed = job.recipients.filter((r) => r.state !== 'delivered');
    if (failed.length === 0) {
      this.#update(job, { state: 'delivered', error: null, retryAt: null });
      return true;
    }
    const firstError = failed.find((r) => r.error)?.error ?? {
      code: 'FAX_ERROR' as const,
      message: 'The fax could not be delivered.',
    };
    this.#finish(job, 'failed', firstError);
    return true;
  }

  #policy(device: DeviceRecord): FaxPolicy {
    try {
      return this.#o.policies?.faxPolicy(device.enterpriseId) ?? NO_POLICY;
    } catch (error) {
      this.#log.warn({ err: error }, 'cannot read the fax policy; dialling once, without a pre-dial string');
      return NO_POLICY;
    }
  }

  /**
   * Ends a job: recipients still open fail with `error` (those that failed on their own keep their
   * reason; a failed job also records it), and the job takes its final state, in one transaction so a
   * crash never leaves failed recipients on an unfinished job.
   */
  #finish(
    job: JobRecord,
    state: 'failed' | 'cancelled',
    error: NonNullable<JobRecord['error']>,
    patch: Parameters<JobRepository['update']>[1] = {},
  ): JobRecord {
    const updated = this.#o.jobs.atomically(() => {
      job.recipients.forEach((recipient, position) => {
        if (recipient.state === 'delivered' || recipient.state === 'failed') return;
        const own = state === 'failed' && recipient.error ? recipient.error : error;
        this.#o.jobs.updateRecipient(job.id, position, { state: 'failed', error: own });
      });
      return this.#o.jobs.update(job.id, {
        ...patch,
        state,
        retryAt: null,
        ...(state === 'failed' ? { error } : {}),
      });
    });
    this.emit('job', updated);
    return updated;
  }
}

/** The recipients the current attempt dials (or dialled), in submission order. */
function attemptRecipients(job: JobRecord): RecipientRecord[] {
  return job.recipients.filter((r) => r.lastAttempt === job.attempt);
}

function scanInterrupted(job: JobRecord): EdgeError {
  const scanned = job.pagesScanned;
  return new EdgeError(
    'SCAN_INTERRUPTED',
    scanned > 0
      ? `The edge restarted while scanning (after page ${scanned}); put all the originals back in the feeder and send again.`
      : 'The edge restarted while scanning; put all the originals back in the feeder and send again.',
  );
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}
