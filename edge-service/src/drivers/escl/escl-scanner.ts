/**
 * The edge's Scanner over eSCL: fits a ScanRequest to what the device offers, runs the job with the
 * protocol client, and turns eSCL failures into EdgeError codes.
 */
import { EdgeError } from '../../edge-error.ts';
import type { ErrorCode } from '../../../../protocol/index.ts';
import type {
  ColorMode,
  ScanRequest,
  ScannedPage,
  Scanner,
  ScannerCapabilities,
  ScannerStatus,
  ScanSourceKind,
} from '../../domain/scanner.ts';
import {
  EsclClient,
  EsclError,
  findJob,
  isActive,
  SILENT_LOGGER,
  statusProblem,
  type EsclClientOptions,
  type EsclErrorCode,
  type EsclLogger,
} from './escl-client.ts';
import { buildScanSettings, EsclXmlError, type EsclCapabilities, type EsclJobInfo } from './escl-xml.ts';

/** The scanner is configured exactly like its protocol client. */
export type EsclScannerOptions = EsclClientOptions;

const CODES: Record<EsclErrorCode, ErrorCode> = {
  offline: 'SCANNER_OFFLINE',
  timeout: 'SCANNER_OFFLINE',
  busy: 'SCANNER_BUSY',
  jam: 'SCANNER_JAM',
  'feeder-empty': 'FEEDER_EMPTY',
  'cover-open': 'COVER_OPEN',
  'device-error': 'SCANNER_ERROR',
  'image-too-large': 'IMAGE_TOO_LARGE',
};

export class EsclScanner implements Scanner {
  readonly #client: EsclClient;
  readonly #logger: EsclLogger;
  #capabilities: EsclCapabilities | undefined;

  constructor(options: EsclScannerOptions) {
    this.#client = new EsclClient(options);
    this.#logger = options.logger ?? SILENT_LOGGER;
  }

  async capabilities(signal?: AbortSignal): Promise<ScannerCapabilities> {
    try {
      this.#capabilities = await this.#client.getCapabilities(signal);
      return this.#capabilities;
    } catch (error) {
      throw toEdgeError(error, signal);
    }
  }

  async status(signal?: AbortSignal): Promise<ScannerStatus> {
    try {
      const status = await this.#client.getStatus(signal);
      return { state: status.state, adfState: status.adfState };
    } catch (error) {
      throw toEdgeError(error, signal);
    }
  }

  async *scan(
    request: ScanRequest,
    signal?: AbortSignal,
    onJob?: (jobUrl: string) => void,
  ): AsyncGenerator<ScannedPage> {
    const feeder = request.source === 'adf';
    let delivered = 0;
    try {
      const capabilities = this.#capabilities ?? (await this.#loadCapabilities(signal));
      const fitted = fitRequest(request, capabilities, this.#logger);

      // Starting a feeder job on an empty or jammed ADF puts some devices into a real jam (QUIRKS 11).
      const status = await this.#client.tryStatus(signal);
      const problem = statusProblem(status, {
        feeder,
        includeEmpty: feeder && capabilities.adfDetectsPaper,
      });
      if (problem !== null) throw problem;

      const settings = buildScanSettings(fitted, {
        version: settingsVersion(capabilities.version),
        ...(fitted.intent ? { intent: fitted.intent } : {}),
      });
      this.#logger.info({ request: fitted }, 'starting eSCL scan job');
      for await (const document of this.#client.scanJob(settings, {
        feeder,
        signal,
        ...(onJob ? { onJob } : {}),
      })) {
        delivered++;
        yield { number: delivered, contentType: document.contentType, data: document.data };
      }
      this.#logger.info({ pages: delivered }, 'eSCL scan job done');
    } catch (error) {
      // A failure before the first page belongs to the job, unless that page itself was the problem.
      const onPage = delivered > 0 || (error instanceof EsclError && error.code === 'image-too-large');
      throw toEdgeError(error, signal, onPage ? delivered + 1 : undefined);
    }
  }

  /**
   * The job is carried on only when ScannerStatus still lists it and its counters show that the
   * pages handed out are exactly the ones the edge kept: a page read just before the crash and lost
   * with it would otherwise vanish from the fax without a trace.
   */
  async resume(
    jobUrl: string,
    options: { source: ScanSourceKind; pagesRead: number },
    signal?: AbortSignal,
  ): Promise<AsyncIterable<ScannedPage> | null> {
    let job: EsclJobInfo | undefined;
    try {
      job = findJob((await this.#client.getStatus(signal)).jobs, jobUrl);
    } catch (error) {
      throw toEdgeError(error, signal);
    }
    if (!job || job.imagesCompleted === null || job.imagesToTransfer === null) return null;
    const handedOut = job.imagesCompleted - job.imagesToTransfer;
    const more = isActive(job) || job.imagesToTransfer > 0;
    if (handedOut !== options.pagesRead) {
      this.#logger.warn({ jobUrl, handedOut, kept: options.pagesRead }, 'scan job cannot be carried on');
      if (isActive(job)) await this.#client.deleteJob(jobUrl);
      return null;
    }
    this.#logger.info({ jobUrl, pagesRead: options.pagesRead, more }, 'carrying on an eSCL scan job');
    return more ? this.#carryOn(jobUrl, options, signal) : (async function* () {})();
  }

  async *#carryOn(
    jobUrl: string,
    options: { source: ScanSourceKind; pagesRead: number },
    signal?: AbortSignal,
  ): AsyncGenerator<ScannedPage> {
    let delivered = options.pagesRead;
    try {
      for await (const document of this.#client.readJob(jobUrl, {
        feeder: options.source === 'adf',
        signal,
      })) {
        delivered++;
        yield { number: delivered, contentType: document.contentType, data: document.data };
      }
    } catch (error) {
      throw toEdgeError(error, signal, delivered + 1);
    }
  }

  async #loadCapabilities(signal?: AbortSignal): Promise<EsclCapabilities> {
    this.#capabilities = await this.#client.getCapabilities(signal);
    return this.#capabilities;
  }
}

/** An eSCL failure as the edge reports it; an abort stays the caller's own abort reason. */
export function toEdgeError(error: unknown, signal?: AbortSignal, page?: number): unknown {
  if (signal?.aborted && error === signal.reason) return error;
  if (error instanceof EdgeError) return error;
  const details = page === undefined ? { cause: error } : { cause: error, page };
  if (error instanceof EsclError) {
    // The device's size is worth telling; other eSCL messages are for the log, the code says enough.
    const message = error.code === 'image-too-large' ? `The scanned ${error.message}.` : undefined;
    return new EdgeError(CODES[error.code], message, details);
  }
  if (error instanceof EsclXmlError) return new EdgeError('SCANNER_ERROR', undefined, details);
  return EdgeError.from(error);
}

/** We claim the device's own eSCL version when it is older than ours. */
function settingsVersion(deviceVersion: string | null): string {
  const version = Number.parseFloat(deviceVersion ?? '');
  return Number.isFinite(version) && version > 0 && version < 2.63 ? (deviceVersion as string) : '2.63';
}

const COLOR_FALLBACKS: Record<ColorMode, ColorMode[]> = {
  color: ['color', 'gray', 'bw'],
  gray: ['gray', 'color', 'bw'],
  bw: ['bw', 'gray', 'color'],
};

/**
 * The request adjusted to the source's capabilities: nearest resolution at or above the one asked,
 * an offered colour mode and format, the area clipped to the glass or feeder. A missing source is an
 * error, not a silent switch.
 */
export function fitRequest(
  request: ScanRequest,
  capabilities: ScannerCapabilities,
  logger: EsclLogger = SILENT_LOGGER,
): ScanRequest {
  const source = request.source === 'adf' ? capabilities.sources.adf : capabilities.sources.platen;
  if (source === undefined) {
    throw new EdgeError(
      'SCANNER_ERROR',
      request.source === 'adf' ? 'The scanner has no document feeder.' : 'The scanner has no flatbed glass.',
    );
  }
  const fitted: ScanRequest = { ...request };

  if (request.duplex && !(capabilities.sources.adf?.duplex ?? false)) fitted.duplex = false;
  if (request.source !== 'adf') fitted.duplex = false;

  if (source.colorModes.length > 0 && !source.colorModes.includes(request.colorMode)) {
    fitted.colorMode = COLOR_FALLBACKS[request.colorMode].find((mode) => source.colorModes.includes(mode))!;
  }

  if (source.resolutions.length > 0 && !source.resolutions.includes(request.resolution)) {
    fitted.resolution =
      source.resolutions.find((dpi) => dpi >= request.resolution) ??
      source.resolutions[source.resolutions.length - 1]!;
  }

  const formats = source.documentFormats;
  if (formats.length > 0 && !formats.includes(request.documentFormat)) {
    const other = request.documentFormat === 'image/jpeg' ? 'image/png' : 'image/jpeg';
    if (formats.includes(other)) fitted.documentFormat = other;
  }
  // One bit per pixel does not fit in a JPEG; devices then send gray anyway, or refuse.
  if (fitted.colorMode === 'bw' && fitted.documentFormat === 'image/jpeg') {
    if (formats.includes('image/png')) fitted.documentFormat = 'image/png';
    else if (source.colorModes.includes('gray') || source.colorModes.length === 0) fitted.colorMode = 'gray';
  }

  if (source.maxWidth > 0) fitted.width = Math.min(request.width, source.maxWidth);
  if (source.maxHeight > 0) fitted.height = Math.min(request.height, source.maxHeight);

  const changed = (Object.keys(fitted) as (keyof ScanRequest)[]).filter(
    (key) => fitted[key] !== request[key],
  );
  if (changed.length > 0)
    logger.info({ asked: request, fitted }, `scan request fitted to the device: ${changed.join(', ')}`);
  return fitted;
}
