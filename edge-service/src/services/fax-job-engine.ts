import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRecord, JobRepository, FaxJobOptions, RecipientState } from '../domain/job.ts';
import { isFinal } from '../domain/job.ts';
import type { DeviceRecord, DeviceRepository } from '../domain/device.ts';
import type { FaxJobStatus, FaxLine } from '../domain/fax-line.ts';
import type { ScanRequest } from '../domain/scanner.ts';
import { telUri } from '../domain/fax-number.ts';
import type { DeviceDrivers } from './device-drivers.ts';
import type { Spool } from './spool.ts';
import { Limiter, KeyedMutex } from './concurrency.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import { renderFaxPage, type FaxPage } from '../pipeline/fax-page.ts';
import { buildFaxTiff, readFaxTiffPages } from '../pipeline/fax-tiff.ts';
import { buildFaxPdf } from '../pipeline/fax-pdf.ts';

export interface FaxJobEngineOptions {
  jobs: JobRepository;
  devices: DeviceRepository;
  drivers: DeviceDrivers;
  spool: Spool;
  logger: Logger;
  pollMs: number;
  pagesInFlight: number;
}

/** A4 at 300 dpi in 1/300 inch; the scanner clips to what the original really is. */
const A4_AREA = { width: 2480, height: 3508 };
/** Consecutive failed status polls before the edge gives up on a modem that stopped answering. */
const MAX_POLL_FAILURES = 40;

interface Running {
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs fax jobs: scan page by page into the spool, convert each page to G4 as it arrives, hand the
 * document to the fax modem once, then follow it to a result. Every step is written to the job
 * repository before it is announced ('job' events), so what a panel sees is what survives a crash.
 */
export class FaxJobEngine extends EventEmitter<{ job: [JobRecord] }> {
  readonly #o: FaxJobEngineOptions;
  readonly #log: Logger;
  readonly #running = new Map<string, Running>();
  readonly #scannerLocks = new KeyedMutex();
  readonly #converter: Limiter;
  #stopping = false;

  constructor(options: FaxJobEngineOptions) {
    super();
    this.#o = options;
    this.#log = options.logger;
    this.#converter = new Limiter(options.pagesInFlight);
  }

  /** Picks up the jobs a previous run left unfinished. */
  start(): void {
    this.#stopping = false;
    for (const job of this.#o.jobs.listUnfinished()) this.#launch(job);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const running = [...this.#running.values()];
    for (const run of running) run.abort.abort(new Error('edge stopping'));
    await Promise.allSettled(running.map((run) => run.done));
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
      this.#finishRecipients(job, 'failed', { code: 'JOB_FINISHED', message: 'Cancelled.' });
      return this.#update(job, { state: 'cancelled' });
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
      const faxLine = this.#o.drivers.faxLine(device);
      if (job.deviceJobId === null) {
        if (job.state !== 'accepted' && job.pagesScanned > 0 && job.state === 'scanning') {
          // A scan cut short cannot be continued: the device has already fed those sheets.
          throw new EdgeError(
            'SCANNER_ERROR',
            'The edge restarted while scanning; put the originals back and send again.',
          );
        }
        const pages =
          job.state === 'accepted' || job.state === 'scanning'
            ? await this.#scan(job, device, signal)
            : await this.#spooledPages(job);
        job = this.#o.jobs.get(job.id)!;
        job = this.#update(job, { state: 'dialing', totalPages: pages.length });
        job = await this.#handOver(job, faxLine, pages, signal);
      }
      await this.#follow(job, faxLine, signal, log);
    } catch (error) {
      job = this.#o.jobs.get(job.id)!;
      if (signal.aborted && this.#stopping) {
        log.info('job paused by shutdown; it resumes at the next start');
        return;
      }
      if (signal.aborted) {
        if (job.deviceJobId !== null) {
          await this.#o.drivers
            .faxLine(this.#o.devices.get(job.deviceId)!)
            .cancel(job.deviceJobId)
            .catch((e: unknown) => log.warn({ err: e }, 'could not cancel the job at the fax modem'));
        }
        this.#finishRecipients(job, 'failed', { code: 'JOB_FINISHED', message: 'Cancelled.' });
        this.#update(job, { state: 'cancelled' });
        return;
      }
      const edgeError = EdgeError.from(error);
      if (edgeError.code === 'INTERNAL') log.error({ err: error }, 'fax job failed unexpectedly');
      else log.warn({ code: edgeError.code, msg: edgeError.message }, 'fax job failed');
      this.#finishRecipients(job, 'failed', edgeError.toBody(), true);
      this.#update(job, { state: 'failed', error: edgeError.toBody() });
    }
  }

  /** Scans into the spool, converting pages while the scanner feeds the next ones. */
  async #scan(job: JobRecord, device: DeviceRecord, signal: AbortSignal): Promise<FaxPage[]> {
    const scanner = this.#o.drivers.scanner(device);
    const request: ScanRequest = {
      source: job.options.source,
      duplex: job.options.duplex,
      colorMode: 'gray',
      resolution: 300,
      ...A4_AREA,
      documentFormat: 'image/jpeg',
    };
    return this.#scannerLocks.lock(device.id, async () => {
      let current = this.#update(job, { state: 'scanning' });
      const conversions: Promise<FaxPage>[] = [];
      for await (const page of scanner.scan(request, signal)) {
        const extension = page.contentType === 'image/png' ? 'png' : 'jpg';
        const scanFile = await this.#o.spool.write(
          job.id,
          `scan-${pad(page.number)}.${extension}`,
          page.data,
        );
        this.#o.jobs.addPage(job.id, { number: page.number, scanFile, faxFile: null });
        current = this.#update(current, { pagesScanned: page.number });
        conversions.push(this.#converter.run(() => this.#convert(job, page.number, page.data)));
        // Surface a conversion failure at once instead of after the whole feeder.
        conversions.at(-1)!.catch(() => undefined);
      }
      if (conversions.length === 0)
        throw new EdgeError('FEEDER_EMPTY', 'No page was scanned: load the originals and try again.');
      this.#update(current, { state: 'converting' });
      return Promise.all(conversions);
    });
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

  /** After a restart: pages already scanned come back from the spool, converting what is missing. */
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

  async #handOver(
    job: JobRecord,
    faxLine: FaxLine,
    pages: FaxPage[],
    signal: AbortSignal,
  ): Promise<JobRecord> {
    signal.throwIfAborted();
    const capabilities = await faxLine.capabilities();
    const formats = capabilities.documentFormats;
    const document = formats.includes('application/pdf')
      ? { contentType: 'application/pdf' as const, data: await buildFaxPdf(pages) }
      : formats.includes('image/tiff')
        ? { contentType: 'image/tiff' as const, data: buildFaxTiff(pages) }
        : null;
    if (!document) {
      throw new EdgeError(
        'FAX_UNSUPPORTED',
        `The fax modem accepts none of our formats (it offers ${formats.join(', ') || 'nothing'}).`,
      );
    }
    signal.throwIfAborted();
    const destinations = job.recipients.map((r) => telUri(r.number));
    const deviceJobId = await faxLine.submit(
      { ...document, pages: pages.length, name: `fax-${job.seq}` },
      destinations,
      {
        jobName: `mfp-edge fax ${job.seq}`,
      },
    );
    return this.#update(job, { deviceJobId });
  }

  async #follow(job: JobRecord, faxLine: FaxLine, signal: AbortSignal, log: Logger): Promise<void> {
    let failures = 0;
    let last = '';
    for (;;) {
      signal.throwIfAborted();
      let status: FaxJobStatus;
      try {
        status = await faxLine.status(job.deviceJobId!);
        failures = 0;
      } catch (error) {
        if (++failures >= MAX_POLL_FAILURES) throw error;
        log.debug({ err: error }, 'fax status poll failed; retrying');
        await sleep(this.#o.pollMs * Math.min(failures, 10), undefined, { signal });
        continue;
      }
      const fingerprint = JSON.stringify(status);
      if (fingerprint !== last) {
        last = fingerprint;
        job = this.#apply(job, status);
        if (isFinal(job.state)) return;
      }
      await sleep(this.#o.pollMs, undefined, { signal });
    }
  }

  /** Maps the modem's view of the job onto ours. */
  #apply(job: JobRecord, status: FaxJobStatus): JobRecord {
    job.recipients.forEach((recipient, position) => {
      const destination =
        status.destinations[position] ?? status.destinations.find((d) => d.uri === telUri(recipient.number));
      if (!destination) return;
      const state: RecipientState = destination.state === 'pending' ? 'pending' : destination.state;
      const error =
        destination.state === 'failed'
          ? {
              code: destination.errorCode ?? 'FAX_ERROR',
              message: destination.errorMessage ?? 'The fax could not be delivered.',
              recipient: recipient.number,
            }
          : null;
      this.#o.jobs.updateRecipient(job.id, position, { state, pagesSent: destination.pagesSent, error });
    });
    const fresh = this.#o.jobs.get(job.id)!;
    const pagesSent = Math.max(status.pagesCompleted, ...fresh.recipients.map((r) => r.pagesSent));
    const finished =
      status.state === 'completed' || status.state === 'aborted' || status.state === 'cancelled';
    if (!finished) {
      const state = fresh.recipients.some((r) => r.state === 'sending') ? 'sending' : 'dialing';
      return this.#update(fresh, { state, pagesSent });
    }
    if (status.state === 'cancelled') {
      this.#finishRecipients(fresh, 'failed', { code: 'JOB_FINISHED', message: 'Cancelled at the device.' });
      return this.#update(fresh, { state: 'cancelled', pagesSent });
    }
    const failed = fresh.recipients.filter((r) => r.state !== 'delivered');
    if (status.state === 'completed' && failed.length === 0)
      return this.#update(fresh, { state: 'delivered', pagesSent });
    const firstError = failed.find((r) => r.error)?.error ?? {
      code: 'FAX_ERROR' as const,
      message: 'The fax modem aborted the job.',
    };
    this.#finishRecipients(fresh, 'failed', firstError, true);
    return this.#update(fresh, { state: 'failed', pagesSent, error: firstError });
  }

  #finishRecipients(
    job: JobRecord,
    state: RecipientState,
    error: JobRecord['error'],
    keepOwnError = false,
  ): void {
    job.recipients.forEach((recipient, position) => {
      if (recipient.state === 'delivered' || recipient.state === 'failed') return;
      this.#o.jobs.updateRecipient(job.id, position, {
        state,
        error: keepOwnError && recipient.error ? recipient.error : (error ?? null),
      });
    });
  }
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}
