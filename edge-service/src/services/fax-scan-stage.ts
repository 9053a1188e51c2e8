import type { DeviceRecord } from '../domain/device.ts';
import type { JobRecord } from '../domain/job.ts';
import type { ScannedPage } from '../domain/scanner.ts';
import { describeStoredNumber } from '../domain/fax-number.ts';
import { scanRequestFor } from '../domain/scan-options.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import { renderCoverPage, type CoverPageContent } from '../pipeline/cover-page.ts';
import { renderFaxPage, type FaxPage } from '../pipeline/fax-page.ts';
import { renderThumbnail } from '../pipeline/thumbnail.ts';
import { buildFaxTiff, readFaxTiffPages } from '../pipeline/fax-tiff.ts';
import { KeyedMutex, Limiter } from './concurrency.ts';
import type { FaxJobContext } from './fax-job-context.ts';
import type { FaxJobEngineOptions } from './fax-job-engine.ts';

/** The spool file of a job's cover page, once rendered (it is the same page on every read). */
const COVER_FILE = 'cover.tif';

/** The panel's page strip: small enough for a slow panel, big enough to recognise a page. */
export const THUMBNAIL_WIDTH = 120;

/**
 * Feeder conditions that stop an ADF job part-way without losing what was scanned: the person
 * clears them and puts the remaining sheets back. An empty feeder counts only where the job
 * expected more (a Resume that found nothing): at the end of a stack it is the normal end, which
 * the driver reports as the end of the job, not as FEEDER_EMPTY.
 */
const RECOVERABLE = new Set(['SCANNER_JAM', 'COVER_OPEN', 'FEEDER_EMPTY']);

/**
 * Thrown by the scan stage when the feeder stopped with pages kept: the engine puts the job in
 * needs-attention instead of failing it. `error` is the scanner's own (SCANNER_JAM, …).
 */
export class AttentionNeeded extends Error {
  readonly error: EdgeError;
  constructor(error: EdgeError) {
    super(error.message, { cause: error });
    this.name = 'AttentionNeeded';
    this.error = error;
  }
}

/** A page of the job was scanned: what the engine pushes to the panel (job.page). */
export interface ScannedPageEvent {
  number: number;
  thumbnail: Buffer | null;
}

/**
 * The scan stage: pages from the scanner into the spool, each converted to G4 as it arrives (while
 * the feeder pulls the next), one scan per device at a time; and the spooled pages back for a
 * hand-over, converting any a crash left unconverted.
 */
export class FaxScanStage {
  readonly #c: FaxJobContext;
  readonly #o: FaxJobEngineOptions;
  readonly #scannerLocks = new KeyedMutex();
  readonly #converter: Limiter;

  constructor(context: FaxJobContext) {
    this.#c = context;
    this.#o = context.options;
    this.#converter = new Limiter(context.options.pagesInFlight);
  }

  /**
   * After a restart mid-scan: the device's job is read on if the device still has it with no page
   * lost in between. Otherwise a platen original is scanned again, and a feeder job fails, because
   * its fed sheets are out of the tray.
   */
  async carryOn(job: JobRecord, device: DeviceRecord, signal: AbortSignal, log: Logger): Promise<void> {
    const scanner = this.#o.drivers.scanner(device);
    if (job.scanJobUrl && scanner.resume) {
      const jobUrl = job.scanJobUrl;
      const kept = this.#o.jobs.pages(job.id).length;
      // The device counts the pages of its own job: those before it (kept before a Resume) are ours.
      const pagesRead = kept - job.scanBase;
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
          await this.#scanInto(job, pages, job.scanBase);
          return true;
        },
        signal,
      );
      if (resumed) return;
    }
    if (job.options.source === 'adf') throw scanInterrupted(job);
    await this.scan(job, device, signal);
  }

  /** Scans into the spool, converting pages while the scanner feeds the next ones. */
  async scan(job: JobRecord, device: DeviceRecord, signal: AbortSignal): Promise<void> {
    const scanner = this.#o.drivers.scanner(device);
    // Resolution, original size and text/photo as the panel chose them (domain/scan-options.ts).
    const request = scanRequestFor(job.options);
    // A Resume scans on after the pages kept: the device numbers its pages from 1, the job after them.
    const base = job.scanBase;
    await this.#scannerLocks.lock(
      device.id,
      async () => {
        const started = this.#c.update(job, { state: 'scanning', pagesScanned: base, scanJobUrl: null });
        const pages = scanner.scan(request, signal, (scanJobUrl) => {
          this.#o.jobs.update(job.id, { scanJobUrl });
        });
        await this.#scanInto(started, pages, base);
      },
      signal,
    );
  }

  /**
   * Reads `pages` into the spool, then converts. The device numbers its pages from 1 (on from those
   * already read, for a scan carried on after a restart); they are stored after `base`, the pages
   * kept before this device job.
   */
  async #scanInto(job: JobRecord, pages: AsyncIterable<ScannedPage>, base: number): Promise<void> {
    let current = job;
    const conversions: Promise<FaxPage>[] = [];
    try {
      await this.#scanPages(job, pages, base, conversions, (n) => {
        current = this.#c.update(current, { pagesScanned: n });
      });
    } catch (error) {
      // Pages already converting would write into the spool after the job ended.
      await Promise.allSettled(conversions);
      // A jam or an open cover part-way through a feeder job: the pages scanned are kept, the
      // person puts the rest back and presses Resume (the engine's needs-attention).
      if (
        error instanceof EdgeError &&
        RECOVERABLE.has(error.code) &&
        job.options.source === 'adf' &&
        this.#o.jobs.pages(job.id).length > 0
      )
        throw new AttentionNeeded(error);
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
    const total = this.#o.jobs.pages(job.id).length;
    if (total === 0)
      throw new EdgeError('FEEDER_EMPTY', 'No page was scanned: load the originals and try again.');
    current = this.#c.update(current, { state: 'converting', scanJobUrl: null });
    await Promise.all(conversions);
    const faxed = this.#o.jobs.pages(job.id).filter((p) => !p.blank).length;
    if (faxed === 0) throw allPagesBlank(total);
    this.#c.update(current, { totalPages: faxed + (job.options.cover ? 1 : 0) });
  }

  /** Spools each page as it arrives and queues its conversion; stops at the first failure. */
  async #scanPages(
    job: JobRecord,
    pages: AsyncIterable<ScannedPage>,
    base: number,
    conversions: Promise<FaxPage>[],
    scanned: (pages: number) => void,
  ): Promise<void> {
    let conversionFailure: { error: unknown } | null = null;
    for await (const page of pages) {
      const number = base + page.number;
      const extension = page.contentType === 'image/png' ? 'png' : 'jpg';
      const scanFile = await this.#o.spool.write(job.id, `scan-${pad(number)}.${extension}`, page.data);
      const thumbnail = await this.#thumbnail(job, number, page.data);
      const thumbFile =
        thumbnail && (await this.#o.spool.write(job.id, `thumb-${pad(number)}.png`, thumbnail));
      this.#o.jobs.addPage(job.id, { number, scanFile, faxFile: null, thumbFile: thumbFile || null });
      scanned(number);
      this.#c.page(job, { number, thumbnail });
      // The image is read back from the spool when its turn comes, so pages waiting for the
      // converter cost disk, not memory, however long the feeder.
      const conversion = this.#converter.run(async () =>
        this.#convert(job, number, await this.#o.spool.read(job.id, scanFile)),
      );
      conversion.catch((error: unknown) => (conversionFailure ??= { error }));
      conversions.push(conversion);
      if (conversionFailure) throw (conversionFailure as { error: unknown }).error;
    }
  }

  /**
   * The page's preview for the panel: gray PNG, THUMBNAIL_WIDTH wide, a few KB (JPEG scans decode
   * at 1/8 scale, so it costs milliseconds). A page that cannot be previewed still gets faxed; its
   * conversion reports what is wrong with it.
   */
  async #thumbnail(job: JobRecord, number: number, data: Buffer): Promise<Buffer | null> {
    try {
      return (
        await renderThumbnail(data, {
          width: THUMBNAIL_WIDTH,
          format: 'png',
          grayscale: true,
          pageNumber: number,
        })
      ).data;
    } catch (error) {
      this.#o.logger.warn({ job: job.id, page: number, err: error }, 'no thumbnail for a scanned page');
      return null;
    }
  }

  async #convert(job: JobRecord, number: number, data: Buffer): Promise<FaxPage> {
    const started = performance.now();
    const page = await renderFaxPage(data, {
      resolution: job.options.resolution,
      mode: job.options.contentType,
      pageNumber: number,
    });
    this.#o.onPageConverted?.((performance.now() - started) / 1000, job.options.resolution);
    const faxFile = await this.#o.spool.write(job.id, `fax-${pad(number)}.tif`, buildFaxTiff([page]));
    // The blank mark is written with the fax file: a restart leaves out the very same pages.
    this.#o.jobs.setPageFaxFile(job.id, number, faxFile, job.options.skipBlankPages && page.blank === true);
    return page;
  }

  /**
   * The job's fax pages from the spool, converting any a crash left unconverted: the cover page
   * first (when the job has one), then the scanned pages, less those skipBlankPages left out.
   */
  async spooledPages(job: JobRecord): Promise<FaxPage[]> {
    const pages = this.#o.jobs.pages(job.id);
    if (pages.length === 0)
      throw new EdgeError('SCANNER_ERROR', 'No scanned page was kept for this job; send it again.');
    const converted = await Promise.all(
      pages.map(async (page): Promise<FaxPage | null> => {
        if (page.faxFile) {
          if (page.blank) return null;
          const [faxPage] = readFaxTiffPages(await this.#o.spool.read(job.id, page.faxFile));
          if (faxPage) return faxPage;
        }
        const faxPage = await this.#converter.run(async () =>
          this.#convert(job, page.number, await this.#o.spool.read(job.id, page.scanFile)),
        );
        return job.options.skipBlankPages && faxPage.blank ? null : faxPage;
      }),
    );
    const scanned = converted.filter((p): p is FaxPage => p !== null);
    if (scanned.length === 0) throw allPagesBlank(pages.length);
    if (!job.options.cover) return scanned;
    return [await this.#coverPage(job, scanned.length + 1), ...scanned];
  }

  /**
   * The cover page: drawn from what the job row holds (its options, recipients, creation time), so
   * a restart draws the same page and it can be neither lost nor doubled; kept in the spool once
   * drawn, so every later attempt sends the very same bytes.
   */
  async #coverPage(job: JobRecord, pageCount: number): Promise<FaxPage> {
    const cover = job.options.cover!;
    const stored = await this.#o.spool.read(job.id, COVER_FILE).catch(() => null);
    const [page] = stored ? readFaxTiffPages(stored) : [];
    if (page && page.resolution === job.options.resolution) return page;
    const drawn = await renderCoverPage(coverContentOf(job, cover, pageCount), job.options.resolution);
    await this.#o.spool.write(job.id, COVER_FILE, buildFaxTiff([drawn]));
    return drawn;
  }
}

function allPagesBlank(scanned: number): EdgeError {
  return new EdgeError(
    'ALL_PAGES_BLANK',
    `All ${scanned} scanned page${scanned === 1 ? ' was' : 's were'} blank, so nothing was sent: check that the originals face the right way in the feeder, or turn off "Skip blank pages", and send again.`,
  );
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

/**
 * What a job's cover page says: from its row alone (cover options, recipients, creation time), so a
 * restart draws the same page, and a test can draw the page the remote machine should have received.
 */
export function coverContentOf(
  job: JobRecord,
  cover: NonNullable<JobRecord['options']['cover']>,
  pageCount: number,
): CoverPageContent {
  return {
    senderName: cover.senderName,
    recipientName: cover.recipientName,
    recipients: job.recipients.map((r) => describeStoredNumber(r.number).display),
    date: new Date(job.createdAt),
    subject: cover.subject,
    note: cover.note,
    pageCount,
  };
}
