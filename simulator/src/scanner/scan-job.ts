import { randomUUID } from 'node:crypto';
import type { SimClock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { EsclJobInfo, EsclJobState } from './escl-xml.ts';
import { blankPage, type OriginalPage } from './original.ts';
import type { PageRenderer, ScannedImage } from './page-renderer.ts';
import type { ScanSettings } from './scan-settings.ts';
import { ScannerError, type ScannerErrorCode } from './scanner-error.ts';

export interface ScanJobOptions {
  settings: ScanSettings;
  clock: SimClock;
  renderer: PageRenderer;
  logger: Logger;
  /** Simulated time the scanner needs per sheet (both sides of a duplex sheet are read in one pass). */
  msPerSheet: number;
  /** The next sheet to read, or null at the end of the feeder. */
  nextSheet: () => OriginalPage | null;
  /** Real milliseconds without a NextDocument after which an abandoned job is cancelled. */
  abandonAfterMs: number;
}

/**
 * One eSCL scan job. Timing starts at creation: sheet n is ready n × msPerSheet after the POST, as on a
 * real device that starts feeding as soon as the job is accepted.
 */
export class ScanJob {
  readonly uuid = randomUUID();
  readonly settings: ScanSettings;
  readonly createdAt = Date.now();
  readonly #options: ScanJobOptions;
  readonly #abort = new AbortController();
  readonly #ready: ScannedImage[] = [];
  #state: EsclJobState = 'Processing';
  #reasons = ['JobScanning'];
  #failure: ScannerError | null = null;
  #feeding = true;
  #scanned = 0;
  #transferred = 0;
  #lastImage: ScannedImage | null = null;
  #idleTimer: NodeJS.Timeout | undefined;
  #loop: Promise<void> = Promise.resolve();
  #waiters: (() => void)[] = [];

  constructor(options: ScanJobOptions) {
    this.#options = options;
    this.settings = options.settings;
  }

  start(): void {
    this.#touch();
    this.#loop = this.#run();
  }

  get state(): EsclJobState {
    return this.#state;
  }

  get active(): boolean {
    return this.#state === 'Pending' || this.#state === 'Processing';
  }

  /** True while sheets are still moving through the feeder (a jam can still hit this job). */
  get feeding(): boolean {
    return this.active && this.#feeding;
  }

  get lastImage(): ScannedImage | null {
    return this.#lastImage;
  }

  /** How many images the client has fetched so far. */
  get transferred(): number {
    return this.#transferred;
  }

  info(): EsclJobInfo {
    return {
      uuid: this.uuid,
      ageSeconds: Math.floor((Date.now() - this.createdAt) / 1000),
      imagesCompleted: this.#scanned,
      imagesToTransfer: this.#ready.length,
      state: this.#state,
      reasons: [...this.#reasons],
    };
  }

  /** The next scanned image; NOT_READY (503) while it is being scanned, NO_MORE_DOCUMENTS (404) at the end. */
  nextDocument(): ScannedImage {
    this.#touch();
    // Images scanned before a jam stay in the device's memory and are handed out first, as devices
    // that buffer pages do; then NextDocument answers with the jam.
    if (this.#failure && this.#ready.length === 0) throw this.#failure;
    if (this.#state === 'Canceled') throw new ScannerError('JOB_NOT_FOUND', 'the job was cancelled');
    if (this.#state === 'Completed') throw new ScannerError('NO_MORE_DOCUMENTS', 'no more documents');
    const image = this.#ready.shift();
    if (image && this.#failure) {
      this.#lastImage = image;
      this.#transferred++;
      return image;
    }
    if (image) {
      this.#lastImage = image;
      this.#transferred++;
      if (!this.#feeding && this.#ready.length === 0) this.#finish('Completed', 'JobCompletedSuccessfully');
      return image;
    }
    if (!this.#feeding) {
      this.#finish('Completed', 'JobCompletedSuccessfully');
      throw new ScannerError('NO_MORE_DOCUMENTS', 'no more documents');
    }
    throw new ScannerError('NOT_READY', 'the page is still being scanned');
  }

  cancel(reason = 'JobCanceledByUser'): void {
    if (!this.active) return;
    this.#finish('Canceled', reason);
  }

  /** Aborts the job for a device condition (jam, open cover); NextDocument then answers with it. */
  fail(code: ScannerErrorCode, message: string): void {
    if (!this.active) return;
    this.#failure = new ScannerError(code, message);
    this.#finish('Aborted', 'JobCanceledBySystem');
  }

  /** Resolves at the next change: an image scanned, or the job ending. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #notify(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** Resolves when the scanning loop has ended (after cancel/fail too). */
  settled(): Promise<void> {
    return this.#loop;
  }

  #finish(state: EsclJobState, reason: string): void {
    this.#state = state;
    this.#reasons = [reason];
    this.#feeding = false;
    clearTimeout(this.#idleTimer);
    if (state === 'Canceled') this.#ready.length = 0;
    this.#abort.abort(new Error(`job ${state.toLowerCase()}`));
    this.#notify();
  }

  #touch(): void {
    if (!this.active) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#options.logger.warn({ job: this.uuid }, 'scan job abandoned by its client, cancelling');
      this.cancel('JobCanceledBySystem');
    }, this.#options.abandonAfterMs);
    this.#idleTimer.unref();
  }

  async #run(): Promise<void> {
    const { settings, clock, renderer, msPerSheet, nextSheet } = this.#options;
    try {
      while (this.active) {
        const page = nextSheet();
        if (!page) break;
        const sides = settings.duplex ? [page, blankPage(page.width, page.height)] : [page];
        const rendering = Promise.all(sides.map((side) => renderer.render({ ...settings, page: side })));
        rendering.catch(() => undefined); // awaited below unless the wait is aborted first
        await clock.wait(msPerSheet, this.#abort.signal);
        const images = await rendering;
        if (!this.active) return;
        this.#ready.push(...images);
        this.#scanned += images.length;
        this.#notify();
        if (settings.source === 'Platen') break;
      }
      if (!this.active) return;
      this.#feeding = false;
      this.#reasons = ['JobTransferring'];
      if (this.#ready.length === 0) this.#finish('Completed', 'JobCompletedSuccessfully');
      this.#notify();
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      this.#options.logger.error({ err: error, job: this.uuid }, 'scan job failed');
      this.fail('JOB_ABORTED', 'the scanner failed to read the page');
    }
  }
}
