import sharp, { type Metadata } from 'sharp';
import type { SimClock } from '../clock.ts';
import type { Faults, FaultName } from '../faults.ts';
import type { Logger } from '../logger.ts';
import { DEFAULT_IDENTITY, type ScannerIdentity } from './escl-capabilities.ts';
import type { EsclAdfState, EsclStatus } from './escl-xml.ts';
import { Feeder, type FeederContents } from './feeder.ts';
import { A4, LEGAL, type Original, type OriginalPage } from './original.ts';
import { PageRenderer } from './page-renderer.ts';
import { pdfOriginal } from './pdf-original.ts';
import { PdfRasterizer } from './pdf-rasterizer.ts';
import { isSampleName, sampleOriginal, SAMPLE_NAMES } from './sample-originals.ts';
import { ScanJob } from './scan-job.ts';
import type { ScanSettings } from './scan-settings.ts';
import { ScannerError } from './scanner-error.ts';
import { quirksOf, type EsclQuirks, type ScannerProfile } from './escl-quirks.ts';

export interface VirtualScannerOptions {
  clock: SimClock;
  faults: Faults;
  logger: Logger;
  /** Sheets per minute the feeder reads (default 30). */
  pagesPerMinute?: number;
  identity?: Partial<ScannerIdentity>;
  /**
   * Real milliseconds without a NextDocument after which a job is given up and the scanner freed
   * (default ABANDON_AFTER_MS).
   */
  abandonAfterMs?: number;
  /**
   * Real milliseconds NextDocument holds the request while its page is being scanned before it
   * answers 503. Default: NEXT_DOCUMENT_HOLD_MS in the standard profile, 0 (503 at once) in 'quirks'.
   */
  nextDocumentHoldMs?: number;
  /** 'quirks' plays back real devices' eSCL behaviour (escl-quirks.ts); default 'standard'. */
  profile?: ScannerProfile;
  /** Single quirks on top of the profile. */
  quirks?: Partial<EsclQuirks>;
}

const KEPT_JOBS = 10;

/**
 * How long a NextDocument waits for its page by default. HP and Canon devices hold the request until
 * the page is scanned, and libsane's escl backend depends on it: it takes a 503's body for the image
 * ("sane_start: Invalid argument"). 20 s is ten sheets at 30 pages a minute, and stays below the
 * read timeouts clients use (the edge's 30 s), so a client never gives up on a held request.
 */
export const NEXT_DOCUMENT_HOLD_MS = 20_000;

/**
 * How long a job waits for its client before the device cancels it and the scanner is free again.
 * Devices drop a job nobody reads within a minute or so (HP and Canon are reported at 30–60 s); 30 s is
 * the short end, so a client that died (a killed scanimage, a crashed edge) blocks the next user for
 * at most that long. A live client asks every few seconds at worst (a held request is at most
 * NEXT_DOCUMENT_HOLD_MS), so it is never taken for dead.
 */
export const ABANDON_AFTER_MS = 30_000;
const MAX_UPLOAD_PAGES = 100;

/**
 * The virtual MFP's scanner: a platen, a duplex ADF with a loadable feeder, jobs that take simulated
 * time per sheet, and the faults a tester raises. The eSCL router is a thin HTTP face over this.
 */
/** What GET /sim/api/scanner/last-settings answers. */
export interface LastScanSettings {
  receivedAt: string;
  /** The job it created; null when the scanner refused it (busy, jam, empty feeder…). */
  jobUuid: string | null;
  settings: ScanSettings;
}

export class VirtualScanner {
  readonly identity: ScannerIdentity;
  readonly quirks: EsclQuirks;
  readonly #options: VirtualScannerOptions;
  readonly #feeder = new Feeder();
  readonly #pdf = new PdfRasterizer();
  readonly #renderer = new PageRenderer({ pdf: this.#pdf });
  #jobs: ScanJob[] = [];
  #lastSettings: LastScanSettings | null = null;
  #started = false;
  #uploads = 0;
  readonly #onFaults = (): void => this.#applyFaults();

  constructor(options: VirtualScannerOptions) {
    this.#options = options;
    this.identity = { ...DEFAULT_IDENTITY, ...options.identity };
    this.quirks = quirksOf(options.profile ?? 'standard', options.quirks);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#feeder.load([sampleOriginal('letter')], true);
    this.#options.faults.on('change', this.#onFaults);
    this.#started = true;
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#options.faults.off('change', this.#onFaults);
    for (const job of this.#jobs) job.cancel('JobCanceledBySystem');
    await Promise.all(this.#jobs.map((job) => job.settled()));
    await this.#renderer.clear();
  }

  /**
   * The device loses power: every job ends (JobCanceledBySystem; a held NextDocument is released) and
   * the job list is gone, as a real scanner forgets it. The originals stay in the tray.
   */
  async powerOff(): Promise<void> {
    this.#started = false;
    for (const job of this.#jobs) job.cancel('JobCanceledBySystem');
    await Promise.all(this.#jobs.map((job) => job.settled()));
    this.#jobs = [];
  }

  powerOn(): void {
    this.#started = true;
  }

  get nextDocumentHoldMs(): number {
    // The quirks profile keeps the 503s real devices send while scanning (QUIRKS.md).
    return (
      this.#options.nextDocumentHoldMs ?? (this.#options.profile === 'quirks' ? 0 : NEXT_DOCUMENT_HOLD_MS)
    );
  }

  /** Real milliseconds per simulated millisecond. */
  get timeFactor(): number {
    return this.#options.clock.factor;
  }

  get #msPerSheet(): number {
    return 60_000 / (this.#options.pagesPerMinute ?? 30);
  }

  #has(fault: FaultName): boolean {
    return this.#options.faults.has(fault);
  }

  /** scanner-offline: the eSCL service answers nothing useful (the router answers 503 to everything). */
  get offline(): boolean {
    return !this.#started || this.#has('scanner-offline');
  }

  activeJob(): ScanJob | undefined {
    return this.#jobs.find((job) => job.active);
  }

  job(uuid: string): ScanJob | undefined {
    return this.#jobs.find((job) => job.uuid === uuid);
  }

  adfState(): EsclAdfState {
    if (this.#has('jam')) return 'ScannerAdfJam';
    if (this.#has('cover-open')) return 'ScannerAdfHatchOpen';
    if (this.#has('feeder-empty') || this.#feeder.isEmpty()) return 'ScannerAdfEmpty';
    return 'ScannerAdfLoaded';
  }

  status(): EsclStatus {
    const busy = this.activeJob() !== undefined || this.#has('scanner-busy');
    const stopped = this.#has('jam') || this.#has('cover-open');
    return {
      state: busy ? 'Processing' : stopped ? 'Stopped' : 'Idle',
      adfState: this.adfState(),
      // Newest first, as devices list them.
      jobs: [...this.#jobs].reverse().map((job) => job.info()),
    };
  }

  /** The ScanSettings of the newest ScanJobs request that parsed (accepted or refused), for tests. */
  lastSettings(): LastScanSettings | null {
    return this.#lastSettings;
  }

  /** Accepts a job or throws the refusal a real device gives (503 busy, 409 for paper conditions). */
  createJob(settings: ScanSettings): ScanJob {
    this.#lastSettings = { receivedAt: new Date().toISOString(), jobUuid: null, settings };
    if (this.offline) throw new ScannerError('SCANNER_OFFLINE', 'the scanner is offline');
    if (this.#has('scanner-busy') || this.activeJob()) {
      throw new ScannerError('SCANNER_BUSY', 'the scanner is busy with another job');
    }
    if (this.#has('cover-open')) throw new ScannerError('COVER_OPEN', 'a scanner cover is open');
    let nextSheet: () => OriginalPage | null;
    if (settings.source === 'Feeder') {
      if (this.#has('jam')) throw new ScannerError('SCANNER_JAM', 'paper is jammed in the feeder');
      if (this.#has('feeder-empty') || this.#feeder.isEmpty()) {
        throw new ScannerError('FEEDER_EMPTY', 'the document feeder is empty');
      }
      const feed = this.#feeder.feed();
      let sheet = 0;
      // Emptying the tray mid-job ends the job at the next sheet, like pulling out the stack. An
      // armed jam stops it on its sheet, which stays in the tray (it never went through).
      nextSheet = () => {
        if (this.#has('feeder-empty')) return null;
        if (this.#options.faults.jamsOn(++sheet)) return null;
        return feed();
      };
    } else {
      const page = this.#feeder.platenPage() ?? sampleOriginal('blank').pages[0] ?? null;
      nextSheet = () => page;
    }
    const job = new ScanJob({
      settings,
      clock: this.#options.clock,
      renderer: this.#renderer,
      logger: this.#options.logger,
      msPerSheet: this.#msPerSheet,
      nextSheet,
      abandonAfterMs: this.#options.abandonAfterMs ?? ABANDON_AFTER_MS,
    });
    this.#jobs.push(job);
    this.#lastSettings.jobUuid = job.uuid;
    if (this.#jobs.length > KEPT_JOBS)
      this.#jobs = this.#jobs.filter((j, i) => j.active || i >= this.#jobs.length - KEPT_JOBS);
    job.start();
    this.#options.logger.info({ job: job.uuid, settings }, 'scan job created');
    return job;
  }

  cancelJob(uuid: string): void {
    const job = this.job(uuid);
    if (!job) throw new ScannerError('JOB_NOT_FOUND', `no scan job ${uuid}`);
    job.cancel();
  }

  feederContents(): FeederContents {
    return this.#feeder.contents();
  }

  /** Loads built-in originals (see SAMPLE_NAMES) into the feeder, replacing what was there. */
  loadSamples(names: string[], reload?: boolean): FeederContents {
    const unknown = names.filter((name) => !isSampleName(name));
    if (unknown.length > 0) {
      throw new ScannerError(
        'UNKNOWN_SAMPLE',
        `unknown sample original ${unknown.join(', ')}; known: ${SAMPLE_NAMES.join(', ')}`,
      );
    }
    this.#feeder.load(names.filter(isSampleName).map(sampleOriginal), reload);
    return this.#feeder.contents();
  }

  /**
   * Loads an uploaded image (every page of a multi-page TIFF/GIF) or PDF (every page, sized as the
   * page) as one original.
   */
  async loadUpload(data: Buffer, contentType: string, options: { name?: string; reload?: boolean } = {}) {
    const name = options.name ?? `upload-${++this.#uploads}`;
    // Browsers and curl sometimes label a PDF by its extension's guess; the file says what it is.
    const isPdf = contentType === 'application/pdf' || data.subarray(0, 5).toString('latin1') === '%PDF-';
    const original = isPdf ? await pdfOriginal(data, name, this.#pdf) : await imageOriginal(data, name);
    this.#options.logger.info(
      { original: name, pages: original.pages.length, first: original.pages[0] && sizeOf(original.pages[0]) },
      'original uploaded to the feeder',
    );
    this.#feeder.load([original], options.reload);
    return this.#feeder.contents();
  }

  #applyFaults(): void {
    const job = this.activeJob();
    if (!job || job.settings.source !== 'Feeder' || !job.feeding) return;
    if (this.#has('jam')) job.fail('SCANNER_JAM', 'paper jammed in the feeder during the job');
    else if (this.#has('cover-open')) job.fail('COVER_OPEN', 'the feeder cover was opened during the job');
  }
}

async function imageOriginal(data: Buffer, name: string): Promise<Original> {
  let metadata: Metadata;
  try {
    metadata = await sharp(data).metadata();
  } catch {
    throw new ScannerError('INVALID_ORIGINAL', 'the upload is not an image the scanner can read');
  }
  const { width, height } = metadata;
  if (!width || !height) throw new ScannerError('INVALID_ORIGINAL', 'the image has no size');
  const pageCount = Math.min(metadata.pages ?? 1, MAX_UPLOAD_PAGES);
  const pageHeight = metadata.pageHeight ?? height;
  const size = paperSize(width, pageHeight, metadata.density);
  const id = `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const pages = Array.from({ length: pageCount }, (_, page) => ({
    id: `${id}-${page + 1}`,
    ...size,
    content: { kind: 'image' as const, data, page },
  }));
  return { name, pages };
}

function sizeOf(page: OriginalPage): string {
  return `${page.width}x${page.height}/300in`;
}

/**
 * The paper an uploaded image stands for, in 1/300 inch. Images without a believable density are
 * taken to be as wide as A4, the most common original.
 */
function paperSize(
  width: number,
  height: number,
  density: number | undefined,
): { width: number; height: number } {
  if (density && density >= 50) {
    const size = { width: Math.round((width / density) * 300), height: Math.round((height / density) * 300) };
    if (size.width >= 300 && size.width <= LEGAL.width && size.height <= LEGAL.height) return size;
  }
  const scale = A4.width / width;
  return { width: A4.width, height: Math.min(LEGAL.height, Math.max(16, Math.round(height * scale))) };
}
