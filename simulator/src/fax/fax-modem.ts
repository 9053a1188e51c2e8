import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { SimClock } from '../clock.ts';
import type { Faults } from '../faults.ts';
import type { Logger } from '../logger.ts';
import { renderCoverSheet } from './cover-sheet.ts';
import { decodeFaxDocument, FaxDocumentError, type FaxPage } from './fax-document-decoder.ts';
import { DEFAULT_FAX_LIMITS, type FaxLimits } from './fax-limits.ts';
import { FaxModemError } from './fax-modem-error.ts';
import {
  selectPages,
  TERMINAL_STATES,
  type FaxDestination,
  type FaxDocument,
  type FaxFailureReason,
  type FaxJob,
  type FaxJobOptions,
} from './fax-job.ts';
import type { RemoteMachines } from './remote-machines.ts';
import { FaxLog } from './fax-log.ts';

/** printer-state-reasons keyword while the `line-down` fault is raised (no suffix = error, RFC 8011 §5.4.12). */
export const LINE_DOWN_REASON = 'fax-modem-line-down';

export { FaxModemError, type FaxModemErrorCode } from './fax-modem-error.ts';

/** Phone-line timings in simulated milliseconds (T.30 phases, roughly). */
export interface LineTimings {
  /** Time to notice there is no dial tone. */
  noDialToneMs: number;
  /** Dialling and ringing until the remote answers (or a busy tone). */
  dialMs: number;
  /** How long it rings before giving up on a machine that does not answer. */
  ringTimeoutMs: number;
  /** Phase B: capabilities exchange and training. */
  handshakeMs: number;
  /** Per-page overhead (phase D: end-of-page and confirmation). */
  pageOverheadMs: number;
}

const DEFAULT_TIMINGS: LineTimings = {
  noDialToneMs: 2_000,
  dialMs: 4_000,
  ringTimeoutMs: 30_000,
  handshakeMs: 3_000,
  pageOverheadMs: 500,
};

const MAX_FINISHED_JOBS = 100;
/** Abort reasons: a user's Cancel-Job, stop(), or powerOff(). */
const CANCELED = 'canceled';
const STOPPED = 'stopped';
const POWER_CYCLE = 'power-cycle';
type HaltReason = typeof STOPPED | typeof POWER_CYCLE;

export interface FaxModemOptions {
  clock: SimClock;
  faults: Faults;
  logger: Logger;
  remotes: RemoteMachines;
  /** The modem's line speed (V.17). */
  bitRate?: number;
  timings?: Partial<LineTimings>;
  /**
   * multiple-operation-time-out: seconds a job may wait between Create-Job/Send-Document requests
   * before it is aborted (multiple-operation-time-out-action abort-job). Real seconds.
   */
  multipleOperationTimeoutS?: number;
  /** What the modem holds and decodes at most (fax-limits.ts); the defaults suit a shared process. */
  limits?: Partial<FaxLimits>;
  /** The transmission log, started by its owner; a memory-only one if unset. */
  log?: FaxLog;
}

const NO_DATA = Buffer.alloc(0);

/** What Identify-Printer asked for; the console shows it, as a panel would flash or beep. */
export interface IdentifyRequest {
  actions: string[];
  message?: string;
  at: Date;
}

/**
 * The virtual MFP's fax modem: holds the IPP FaxOut jobs and "transmits" them over the simulated
 * line, one job at a time, destinations one after another, taking the time a real line would.
 * Emits 'job' with the job whenever a job changes.
 */
export class FaxModem extends EventEmitter {
  readonly #clock: SimClock;
  readonly #faults: Faults;
  readonly #log: Logger;
  readonly #remotes: RemoteMachines;
  readonly #bitRate: number;
  readonly #timings: LineTimings;
  readonly #jobs = new Map<number, FaxJob>();
  readonly #queue: FaxJob[] = [];
  readonly #aborts = new Map<number, AbortController>();
  #nextJobId = 1;
  #current: FaxJob | undefined;
  /** The loop sending #current; powerOff() waits for it to give up the line. */
  #currentRun: Promise<void> = Promise.resolve();
  #running = false;
  #startedAt = Date.now();
  readonly #multipleOperationTimeoutMs: number;
  readonly #operationTimers = new Map<number, NodeJS.Timeout>();
  #statusKey = '';
  #statusChangedAt = new Date();
  lastIdentify: IdentifyRequest | undefined;
  readonly limits: Readonly<FaxLimits>;
  /** What was sent where, across power cycles (GET /sim/api/fax-log). */
  readonly log: FaxLog;

  constructor(options: FaxModemOptions) {
    super();
    this.#clock = options.clock;
    this.#faults = options.faults;
    this.#log = options.logger.child({ module: 'fax-modem' });
    this.#remotes = options.remotes;
    this.#bitRate = options.bitRate ?? 14_400;
    this.#timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.#multipleOperationTimeoutMs = (options.multipleOperationTimeoutS ?? 300) * 1000;
    this.limits = Object.freeze({ ...DEFAULT_FAX_LIMITS, ...options.limits });
    this.log = options.log ?? new FaxLog({ logger: this.#log });
  }

  get multipleOperationTimeoutS(): number {
    return this.#multipleOperationTimeoutMs / 1000;
  }

  start(): void {
    this.#running = true;
    this.#startedAt = Date.now();
    this.#noteStatus();
  }

  stop(): void {
    this.#halt(STOPPED);
  }

  /**
   * The device loses power: every unfinished job ends (the one on the line is cut off where it is;
   * the remote machine keeps the pages it confirmed, as a partial fax). Resolves once the line is
   * free and the log has the outcome.
   */
  async powerOff(): Promise<void> {
    this.#halt(POWER_CYCLE);
    await this.#currentRun;
  }

  /**
   * Power back on: a fresh boot, as a real modem has — no jobs, ids from 1, printer-up-time from
   * now. The log stays, and so does printer-uuid.
   */
  powerOn(): void {
    this.#jobs.clear();
    this.#nextJobId = 1;
    this.lastIdentify = undefined;
    this.start();
  }

  #halt(reason: HaltReason): void {
    this.#running = false;
    for (const timer of this.#operationTimers.values()) clearTimeout(timer);
    this.#operationTimers.clear();
    for (const controller of this.#aborts.values()) controller.abort(reason);
    this.#aborts.clear();
    this.#queue.length = 0;
    for (const job of this.#jobs.values()) {
      if (TERMINAL_STATES.has(job.state) || job.state === 'processing') continue;
      this.#interrupt(job, reason);
    }
  }

  /** Ends a job the device going off interrupted (not a user's cancel). */
  #interrupt(job: FaxJob, reason: HaltReason): void {
    job.interruptedBy = reason === POWER_CYCLE ? 'power-cycle' : 'power-off';
    this.#finishDestinations(job, 'aborted');
    const message = reason === POWER_CYCLE ? 'The device was switched off' : 'The fax modem stopped';
    this.#finish(job, 'aborted', ['aborted-by-system'], message);
  }

  get running(): boolean {
    return this.#running;
  }

  /** Seconds since start(), at least 1 (printer-up-time must be positive). */
  upTime(): number {
    return Math.max(1, Math.floor((Date.now() - this.#startedAt) / 1000));
  }

  upTimeAt(date: Date): number {
    return Math.max(1, Math.floor((date.getTime() - this.#startedAt) / 1000));
  }

  printerStatus(): { state: 'idle' | 'processing' | 'stopped'; reasons: string[] } {
    const reasons = this.#faults.has('line-down') ? [LINE_DOWN_REASON] : [];
    if (!this.#running) return { state: 'stopped', reasons: [...reasons, 'paused'] };
    return { state: this.#current ? 'processing' : 'idle', reasons };
  }

  /** When printer-state or printer-state-reasons last changed (as far as anyone looked). */
  stateChangedAt(): Date {
    this.#noteStatus();
    return this.#statusChangedAt;
  }

  /** When the configuration last changed: this device is configured once, at start. */
  configChangedAt(): Date {
    return new Date(this.#startedAt);
  }

  #noteStatus(): void {
    const { state, reasons } = this.printerStatus();
    const key = `${state} ${reasons.join(',')}`;
    if (key === this.#statusKey) return;
    this.#statusKey = key;
    this.#statusChangedAt = new Date();
  }

  /** Identify-Printer: nothing to flash on a virtual device, so it is logged and remembered. */
  identify(actions: string[], message?: string): IdentifyRequest {
    this.lastIdentify = { actions, ...(message ? { message } : {}), at: new Date() };
    this.#log.info({ actions, message }, 'identify printer');
    this.emit('identify', this.lastIdentify);
    return this.lastIdentify;
  }

  /** Jobs not yet finished. */
  queuedJobCount(): number {
    return [...this.#jobs.values()].filter((j) => !TERMINAL_STATES.has(j.state)).length;
  }

  job(id: number): FaxJob | undefined {
    return this.#jobs.get(id);
  }

  /** Newest first. */
  jobs(): FaxJob[] {
    return [...this.#jobs.values()].reverse();
  }

  createJob(request: {
    name: string;
    userName: string;
    destinations: { uri: string; number: string }[];
    options?: FaxJobOptions;
  }): FaxJob {
    if (!this.#running) throw new FaxModemError('MODEM_STOPPED', 'the fax modem is not running');
    const job: FaxJob = {
      id: this.#nextJobId++,
      uuid: `urn:uuid:${randomUUID()}`,
      options: request.options ?? {},
      name: request.name,
      userName: request.userName,
      state: 'pending',
      reasons: ['job-incoming'],
      stateMessage: 'Waiting for the document',
      destinations: request.destinations.map((d) => ({
        uri: d.uri,
        number: d.number,
        imagesCompleted: 0,
        transmissionStatus: 'pending',
      })),
      documents: [],
      incoming: true,
      createdAt: new Date(),
    };
    this.#jobs.set(job.id, job);
    this.#forgetOldJobs();
    this.#log.info({ jobId: job.id, destinations: job.destinations.map((d) => d.number) }, 'fax job created');
    this.#armOperationTimer(job);
    this.#changed(job);
    return job;
  }

  /** Print-Job: a job and its one document, refused whole when the document does not fit. */
  printJob(request: Parameters<FaxModem['createJob']>[0], document: FaxDocument): FaxJob {
    this.#assertRoomFor(undefined, document);
    const job = this.createJob(request);
    return this.addDocument(job.id, document, true);
  }

  addDocument(jobId: number, document: FaxDocument, lastDocument: boolean): FaxJob {
    const job = this.#incomingJob(jobId);
    this.#assertRoomFor(job, document);
    job.documents.push(document);
    if (lastDocument) this.#close(job);
    else {
      this.#armOperationTimer(job);
      this.#changed(job);
    }
    return job;
  }

  /**
   * Cancel-My-Jobs (PWG 5100.11): the user's unfinished jobs, or those of `ids`, which must all be
   * the user's and cancelable. Returns the jobs canceled.
   */
  cancelMyJobs(userName: string, ids?: number[]): FaxJob[] {
    const mine = (job: FaxJob): boolean => job.userName === userName;
    let targets: FaxJob[];
    if (ids) {
      targets = ids.map((id) => {
        const job = this.#jobs.get(id);
        if (!job) throw new FaxModemError('JOB_NOT_FOUND', `job ${id} does not exist`);
        if (!mine(job)) throw new FaxModemError('JOB_NOT_OWNED', `job ${id} is not ${userName}'s`);
        if (TERMINAL_STATES.has(job.state))
          throw new FaxModemError('JOB_NOT_CANCELABLE', `job ${id} is ${job.state}`);
        return job;
      });
    } else targets = [...this.#jobs.values()].filter((j) => mine(j) && !TERMINAL_STATES.has(j.state));
    for (const job of targets) this.cancelJob(job.id);
    return targets;
  }

  /** Aborts a job whose client went quiet between its operations (abort-job). */
  #armOperationTimer(job: FaxJob): void {
    clearTimeout(this.#operationTimers.get(job.id));
    const timer = setTimeout(
      () => {
        this.#operationTimers.delete(job.id);
        if (!job.incoming || TERMINAL_STATES.has(job.state)) return;
        this.#log.info({ jobId: job.id }, 'fax job timed out waiting for its document');
        this.#finishDestinations(job, 'aborted');
        this.#finish(job, 'aborted', ['aborted-by-system'], 'No document arrived in time');
      },
      // Real time, not simulated: the client (an edge scanning its pages) works in real time.
      this.#multipleOperationTimeoutMs,
    );
    timer.unref();
    this.#operationTimers.set(job.id, timer);
  }

  closeJob(jobId: number): FaxJob {
    const job = this.#jobs.get(jobId);
    if (!job) throw new FaxModemError('JOB_NOT_FOUND', `job ${jobId} does not exist`);
    if (job.incoming && !TERMINAL_STATES.has(job.state)) this.#close(job);
    return job;
  }

  cancelJob(jobId: number): FaxJob {
    const job = this.#jobs.get(jobId);
    if (!job) throw new FaxModemError('JOB_NOT_FOUND', `job ${jobId} does not exist`);
    if (TERMINAL_STATES.has(job.state))
      throw new FaxModemError('JOB_NOT_CANCELABLE', `job ${jobId} is ${job.state}`);
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    const controller = this.#aborts.get(jobId);
    if (controller) {
      // The transmission loop sees the abort and finishes the job as canceled.
      controller.abort(CANCELED);
      job.reasons = [...new Set([...job.reasons, 'processing-to-stop-point'])];
      this.#changed(job);
    } else {
      this.#finishDestinations(job, 'canceled');
      this.#finish(job, 'canceled', ['job-canceled-by-user'], 'Canceled');
    }
    return job;
  }

  #incomingJob(jobId: number): FaxJob {
    const job = this.#jobs.get(jobId);
    if (!job) throw new FaxModemError('JOB_NOT_FOUND', `job ${jobId} does not exist`);
    if (!job.incoming || TERMINAL_STATES.has(job.state)) {
      throw new FaxModemError('JOB_NOT_INCOMING', `job ${jobId} is not waiting for documents`);
    }
    return job;
  }

  /** Bytes of documents held for jobs not decoded yet (the others' buffers are released). */
  heldBytes(): number {
    let bytes = 0;
    for (const job of this.#jobs.values()) for (const d of job.documents) bytes += d.data.length;
    return bytes;
  }

  #assertRoomFor(job: FaxJob | undefined, document: FaxDocument): void {
    const limits = this.limits;
    const bytes = document.data.length;
    if (bytes > limits.maxDocumentBytes) {
      throw new FaxModemError('DOCUMENT_TOO_LARGE', `a document may have ${limits.maxDocumentBytes} bytes`);
    }
    const documents = job?.documents ?? [];
    if (documents.length >= limits.maxDocumentsPerJob) {
      throw new FaxModemError('TOO_MANY_DOCUMENTS', `a job may have ${limits.maxDocumentsPerJob} documents`);
    }
    if (documents.reduce((sum, d) => sum + d.data.length, bytes) > limits.maxJobBytes) {
      throw new FaxModemError('JOB_TOO_LARGE', `a job's documents may have ${limits.maxJobBytes} bytes`);
    }
    if (this.heldBytes() + bytes > limits.maxHeldBytes) {
      throw new FaxModemError('MODEM_FULL', 'the fax modem holds too many documents; try again later');
    }
  }

  /** The remote machines keep what they received; the documents are not needed once decoded. */
  #releaseDocuments(job: FaxJob): void {
    for (const document of job.documents) document.data = NO_DATA;
  }

  #close(job: FaxJob): void {
    job.incoming = false;
    clearTimeout(this.#operationTimers.get(job.id));
    this.#operationTimers.delete(job.id);
    if (job.documents.length === 0) {
      this.#finishDestinations(job, 'aborted');
      this.#finish(job, 'aborted', ['aborted-by-system', 'job-data-insufficient'], 'The job has no document');
      return;
    }
    job.reasons = ['job-queued'];
    job.stateMessage = 'Queued';
    this.#queue.push(job);
    this.#changed(job);
    this.#pump();
  }

  #pump(): void {
    if (this.#current || !this.#running) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#current = job;
    const controller = new AbortController();
    this.#aborts.set(job.id, controller);
    this.#currentRun = this.#process(job, controller.signal)
      .catch((error: unknown) => {
        this.#log.error({ err: error, jobId: job.id }, 'fax job failed unexpectedly');
        this.#finish(job, 'aborted', ['aborted-by-system'], 'Internal error');
      })
      .finally(() => {
        this.#aborts.delete(job.id);
        this.#current = undefined;
        this.#noteStatus();
        this.#pump();
      });
  }

  async #process(job: FaxJob, signal: AbortSignal): Promise<void> {
    job.state = 'processing';
    job.processingAt = new Date();
    job.reasons = ['job-transforming'];
    job.stateMessage = 'Preparing pages';
    this.#changed(job);
    let pages: FaxPage[] = [];
    try {
      // One document after the other, against one page budget: memory holds one page's pixels.
      const { maxPagesPerJob, maxPagePixels } = this.limits;
      for (const document of job.documents) {
        const limits = { maxPages: maxPagesPerJob - pages.length, maxPagePixels };
        pages.push(...(await decodeFaxDocument(document.format, document.data, limits)));
      }
      this.#releaseDocuments(job);
      pages = selectPages(pages, job.options.pageRanges);
      if (job.options.coverSheet) pages.unshift(await renderCoverSheet(job.options.coverSheet));
    } catch (error) {
      const tooLarge = error instanceof FaxDocumentError && error.code === 'DOCUMENT_TOO_LARGE';
      this.#log.warn(
        { err: error, jobId: job.id },
        tooLarge ? 'fax document too large' : 'fax document unreadable',
      );
      this.#finishDestinations(job, 'aborted');
      const reason = tooLarge ? 'document-unprintable-error' : 'document-format-error';
      this.#finish(job, 'aborted', ['aborted-by-system', reason], (error as Error).message);
      return;
    }
    job.pageCount = pages.length;
    if (pages.length === 0) {
      this.#finishDestinations(job, 'aborted');
      this.#finish(job, 'aborted', ['aborted-by-system', 'job-data-insufficient'], 'No page to send');
      return;
    }
    for (const destination of job.destinations) {
      if (signal.aborted) break;
      await this.#transmit(job, destination, pages, signal);
    }
    this.#conclude(job, signal);
  }

  async #transmit(
    job: FaxJob,
    destination: FaxDestination,
    pages: FaxPage[],
    signal: AbortSignal,
  ): Promise<void> {
    const t = this.#timings;
    const received: Buffer[] = [];
    const setProgress = (reasons: string[], message: string): void => {
      job.reasons = reasons;
      job.stateMessage = message;
      this.#changed(job);
    };
    const fail = (failure: FaxFailureReason, message: string): void => {
      destination.transmissionStatus = 'aborted';
      destination.failure = failure;
      this.#log.info({ jobId: job.id, number: destination.number, failure }, 'fax transmission failed');
      setProgress(['job-printing', failure], message);
    };
    destination.transmissionStatus = 'processing';
    setProgress(['job-printing', 'fax-dialing'], `Dialling ${destination.number}`);
    try {
      if (this.#faults.has('line-down')) {
        await this.#clock.wait(t.noDialToneMs, signal);
        return fail('fax-line-down', 'No dial tone');
      }
      await this.#clock.wait(t.dialMs, signal);
      const line = this.#remotes.behaviorFor(destination.number);
      if (line.behavior === 'busy') return fail('fax-busy', `${destination.number} is busy`);
      if (line.behavior === 'no-answer') {
        await this.#clock.wait(t.ringTimeoutMs, signal);
        return fail('fax-no-answer', `${destination.number} does not answer`);
      }
      await this.#clock.wait(t.handshakeMs, signal);
      const bitRate = line.behavior === 'slow' ? line.bitRate : this.#bitRate;
      for (const [index, page] of pages.entries()) {
        const pageNumber = index + 1;
        setProgress(['job-printing', 'fax-transmitting'], `Sending page ${pageNumber} of ${pages.length}`);
        const pageMs = (page.encodedBytes * 8 * 1000) / bitRate + t.pageOverheadMs;
        if (line.behavior === 'drop-at-page' && line.page === pageNumber) {
          await this.#clock.wait(pageMs / 2, signal);
          this.#store(destination, received, 'partial');
          return fail('fax-connection-lost', `The line dropped during page ${pageNumber}`);
        }
        await this.#clock.wait(pageMs, signal);
        if (this.#faults.has('line-down')) {
          this.#store(destination, received, 'partial');
          return fail('fax-line-down', `The line went down during page ${pageNumber}`);
        }
        received.push(page.png);
        if (pageNumber === pages.length) {
          // The far end has the whole fax before the modem counts its last page: a device killed now
          // must not leave in its log a delivery the remote machine does not have.
          this.#store(destination, received, 'received');
          await this.#remotes.flush();
        }
        destination.imagesCompleted = pageNumber;
        this.#changed(job);
      }
      destination.transmissionStatus = 'completed';
      this.#log.info({ jobId: job.id, number: destination.number, pages: pages.length }, 'fax delivered');
    } catch (error) {
      if (!signal.aborted) throw error;
      // Cut off mid-call: the remote machine keeps what it confirmed, never as a complete fax.
      if (received.length > 0) this.#store(destination, received, 'partial');
      destination.transmissionStatus = signal.reason === CANCELED ? 'canceled' : 'aborted';
    }
  }

  #store(destination: FaxDestination, pages: Buffer[], status: 'received' | 'partial'): void {
    this.#remotes.receive({ to: destination.number, pageImages: [...pages], status });
  }

  #conclude(job: FaxJob, signal: AbortSignal): void {
    if (signal.aborted) {
      if (signal.reason === CANCELED) {
        this.#finishDestinations(job, 'canceled');
        this.#finish(job, 'canceled', ['job-canceled-by-user'], 'Canceled');
      } else this.#interrupt(job, signal.reason as HaltReason);
      return;
    }
    const failures = [...new Set(job.destinations.flatMap((d) => (d.failure ? [d.failure] : [])))];
    const delivered = job.destinations.filter((d) => d.transmissionStatus === 'completed').length;
    if (failures.length === 0) this.#finish(job, 'completed', ['job-completed-successfully'], 'Delivered');
    else if (delivered > 0) {
      this.#finish(
        job,
        'completed',
        ['job-completed-with-errors', ...failures],
        'Delivered to some destinations',
      );
    } else this.#finish(job, 'aborted', ['aborted-by-system', ...failures], job.stateMessage);
  }

  #finishDestinations(job: FaxJob, state: 'canceled' | 'aborted'): void {
    for (const d of job.destinations)
      if (!TERMINAL_STATES.has(d.transmissionStatus)) d.transmissionStatus = state;
  }

  #finish(
    job: FaxJob,
    state: 'completed' | 'canceled' | 'aborted',
    reasons: string[],
    message: string,
  ): void {
    job.state = state;
    job.reasons = reasons;
    job.stateMessage = message;
    job.incoming = false;
    job.completedAt = new Date();
    this.#releaseDocuments(job);
    this.#changed(job);
  }

  #forgetOldJobs(): void {
    const finished = [...this.#jobs.values()].filter((j) => TERMINAL_STATES.has(j.state));
    for (const job of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_JOBS)))
      this.#jobs.delete(job.id);
  }

  #changed(job: FaxJob): void {
    this.#noteStatus();
    this.log.record(job);
    this.emit('job', job);
  }
}
