/**
 * eSCL protocol client over an injected `fetch`: the HTTP requests of a scan job and the sequencing
 * real devices need (QUIRKS.md 1–16). It speaks in eSCL terms and throws EsclError; the driver on top
 * maps those to the edge's error codes.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { sniffFormat } from '../../pipeline/image-input.ts';
import { describeError } from '../../describe-error.ts';
import { BodyTooLargeError, formatBytes, readCappedBody } from '../read-capped-body.ts';
import {
  parseScannerCapabilities,
  parseScannerStatus,
  type EsclCapabilities,
  type EsclJobInfo,
  type EsclStatus,
} from './escl-xml.ts';

export type EsclErrorCode =
  'offline' | 'timeout' | 'busy' | 'jam' | 'feeder-empty' | 'cover-open' | 'device-error' | 'image-too-large';

export class EsclError extends Error {
  readonly code: EsclErrorCode;
  readonly httpStatus: number | undefined;

  constructor(code: EsclErrorCode, message: string, details: { httpStatus?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'EsclError';
    this.code = code;
    this.httpStatus = details.httpStatus;
  }
}

export interface EsclLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface EsclTimeouts {
  /** Longest silence on capabilities, status, ScanJobs and DELETE requests. */
  requestMs: number;
  /**
   * Longest silence while reading one NextDocument (no headers, or no new bytes). It is reset by
   * every chunk, so it never limits a whole page, let alone a whole job (QUIRKS 13).
   */
  readMs: number;
}

export interface EsclRetry {
  /** 503 on NextDocument: tries per page, and the backoff from first to longest delay (QUIRKS 8). */
  notReadyAttempts: number;
  notReadyFirstDelayMs: number;
  notReadyMaxDelayMs: number;
  /** 404/410 while the job still runs (Brother race, Xerox "retry later", QUIRKS 9/10). */
  goneAttempts: number;
  goneDelayMs: number;
  /** NextDocument reads that time out before the job is given up. */
  stallAttempts: number;
  /** 503 on POST ScanJobs: the scanner is busy or warming up. */
  busyAttempts: number;
  busyDelayMs: number;
}

/** The most a device may send back; more is refused as it streams in, never buffered. */
export interface EsclLimits {
  /** One NextDocument page (a 600 dpi colour A4 JPEG is ~10 MiB). */
  maxImageBytes: number;
  /** Every other answer: capabilities, status, and the small bodies of ScanJobs and DELETE. */
  maxXmlBytes: number;
}

export const DEFAULT_LIMITS: EsclLimits = { maxImageBytes: 64 * 1024 * 1024, maxXmlBytes: 1024 * 1024 };

export const DEFAULT_TIMEOUTS: EsclTimeouts = { requestMs: 15_000, readMs: 30_000 };

export const DEFAULT_RETRY: EsclRetry = {
  notReadyAttempts: 30,
  notReadyFirstDelayMs: 250,
  notReadyMaxDelayMs: 1_000,
  goneAttempts: 3,
  goneDelayMs: 500,
  stallAttempts: 1,
  busyAttempts: 10,
  busyDelayMs: 1_000,
};

export interface EsclClientOptions {
  /** The eSCL root, e.g. `http://127.0.0.1:8090/eSCL`. */
  baseUrl: string;
  fetch?: typeof fetch;
  logger?: EsclLogger;
  timeouts?: Partial<EsclTimeouts>;
  retry?: Partial<EsclRetry>;
  limits?: Partial<EsclLimits>;
}

export interface EsclDocument {
  contentType: string;
  data: Buffer;
}

interface EsclResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

export const SILENT_LOGGER: EsclLogger = { debug() {}, info() {}, warn() {} };

export class EsclClient {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #logger: EsclLogger;
  readonly #timeouts: EsclTimeouts;
  readonly #retry: EsclRetry;
  readonly #limits: EsclLimits;

  constructor(options: EsclClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#logger = options.logger ?? SILENT_LOGGER;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  async getCapabilities(signal?: AbortSignal): Promise<EsclCapabilities> {
    const response = await this.#request('GET', 'ScannerCapabilities', { signal });
    expectOk(response, 'ScannerCapabilities');
    return parseScannerCapabilities(response.body);
  }

  async getStatus(signal?: AbortSignal): Promise<EsclStatus> {
    const response = await this.#request('GET', 'ScannerStatus', { signal });
    expectOk(response, 'ScannerStatus');
    return parseScannerStatus(response.body);
  }

  /** POST ScanJobs; returns the job's path (e.g. `/eSCL/ScanJobs/42`). */
  async createJob(settingsXml: string, options: { feeder: boolean; signal?: AbortSignal }): Promise<string> {
    const { signal } = options;
    for (let attempt = 1; ; attempt++) {
      const requestUrl = this.#url('ScanJobs');
      const response = await this.#request('POST', 'ScanJobs', { body: settingsXml, signal });
      if (response.status === 201 || response.status === 200 || response.status === 202) {
        const location = response.headers.get('location');
        if (location === null || location.trim() === '') {
          throw new EsclError('device-error', `ScanJobs answered ${response.status} without a job Location`, {
            httpStatus: response.status,
          });
        }
        const jobPath = resolveJobPath(location, requestUrl);
        this.#logger.debug({ location, jobPath }, 'scan job created');
        return jobPath;
      }
      if (response.status === 503 && attempt < this.#retry.busyAttempts) {
        this.#logger.debug({ attempt }, 'ScanJobs answered 503, retrying');
        await sleep(this.#retry.busyDelayMs, signal);
        continue;
      }
      const status = await this.tryStatus(signal);
      const problem = statusProblem(status, { feeder: options.feeder, includeEmpty: options.feeder });
      if (problem !== null) throw problem;
      if (response.status === 409 || response.status === 503) {
        throw new EsclError('busy', `the scanner refused the job (HTTP ${response.status})`, {
          httpStatus: response.status,
        });
      }
      throw new EsclError('device-error', `ScanJobs answered HTTP ${response.status}`, {
        httpStatus: response.status,
      });
    }
  }

  /** DELETE the job; best effort (the device may have dropped it already), never throws. */
  async deleteJob(jobPath: string): Promise<boolean> {
    try {
      const response = await this.#request('DELETE', jobPath, {});
      this.#logger.debug({ jobPath, status: response.status }, 'scan job deleted');
      return response.status >= 200 && response.status < 300;
    } catch (error) {
      this.#logger.warn({ jobPath, err: error }, 'could not delete the scan job');
      return false;
    }
  }

  /**
   * The NextDocument loop: yields each page as it arrives, ends at the end of the feeder (or after
   * the platen page). Throws EsclError with what ScannerStatus says went wrong when it can tell.
   */
  async *documents(
    jobPath: string,
    options: { feeder: boolean; signal?: AbortSignal },
  ): AsyncGenerator<EsclDocument> {
    const { feeder, signal } = options;
    const path = `${jobPath}/NextDocument`;
    let pages = 0;
    let notReady = 0;
    let gone = 0;
    let stalls = 0;
    for (;;) {
      let response: EsclResponse;
      try {
        response = await this.#request('GET', path, {
          signal,
          idleMs: this.#timeouts.readMs,
          maxBytes: this.#limits.maxImageBytes,
          page: pages + 1,
        });
      } catch (error) {
        if (!(error instanceof EsclError) || error.code !== 'timeout') throw error;
        stalls++;
        this.#logger.warn({ jobPath, page: pages + 1, stalls }, 'NextDocument stalled');
        const problem = statusProblem(await this.tryStatus(signal), { feeder, includeEmpty: false });
        if (problem !== null) throw problem;
        if (stalls > this.#retry.stallAttempts) throw error;
        continue;
      }

      if (response.status === 200) {
        const document = readDocument(response);
        if (document === null) {
          const problem = statusProblem(await this.tryStatus(signal), { feeder, includeEmpty: false });
          if (problem !== null) throw problem;
          throw new EsclError(
            'device-error',
            'the scanner answered NextDocument with a page that is not an image',
            {
              httpStatus: 200,
            },
          );
        }
        pages++;
        notReady = 0;
        gone = 0;
        stalls = 0;
        yield document;
        // A platen job has one page; asking again only makes some devices scan the glass twice.
        if (!feeder) return;
        continue;
      }

      if (response.status === 503) {
        notReady++;
        const problem = statusProblem(await this.tryStatus(signal), { feeder, includeEmpty: false });
        if (problem !== null) throw problem;
        if (notReady >= this.#retry.notReadyAttempts) {
          throw new EsclError('timeout', `page ${pages + 1} was not ready after ${notReady} tries`, {
            httpStatus: 503,
          });
        }
        await sleep(this.#backoff(notReady), signal);
        continue;
      }

      if (response.status === 404 || response.status === 410) {
        const status = await this.tryStatus(signal);
        const problem = statusProblem(status, { feeder, includeEmpty: false });
        if (problem !== null) throw problem;
        const job = status === null ? undefined : findJob(status.jobs, jobPath);
        const stillRunning = job !== undefined && isActive(job);
        if ((stillRunning || (pages === 0 && job === undefined)) && gone < this.#retry.goneAttempts) {
          gone++;
          this.#logger.debug(
            { jobPath, httpStatus: response.status, gone },
            'NextDocument gone while the job runs, retrying',
          );
          await sleep(this.#retry.goneDelayMs, signal);
          continue;
        }
        if (pages > 0) return;
        if (feeder)
          throw new EsclError('feeder-empty', 'the feeder gave no page', { httpStatus: response.status });
        throw new EsclError('device-error', 'the scanner ended the job without a page', {
          httpStatus: response.status,
        });
      }

      const problem = statusProblem(await this.tryStatus(signal), {
        feeder,
        includeEmpty: pages === 0 && feeder,
      });
      if (problem !== null) throw problem;
      throw new EsclError('device-error', `NextDocument answered HTTP ${response.status}`, {
        httpStatus: response.status,
      });
    }
  }

  /** A whole job: create, read every page, and DELETE it if it ends early (error, abort, or the consumer stops). */
  async *scanJob(
    settingsXml: string,
    options: { feeder: boolean; signal?: AbortSignal; onJob?: (jobPath: string) => void },
  ): AsyncGenerator<EsclDocument> {
    const jobPath = await this.createJob(settingsXml, options);
    options.onJob?.(jobPath);
    yield* this.readJob(jobPath, options);
  }

  /** The pages of an existing job; DELETEs it if it ends early (error, abort, or the consumer stops). */
  async *readJob(
    jobPath: string,
    options: { feeder: boolean; signal?: AbortSignal },
  ): AsyncGenerator<EsclDocument> {
    let finished = false;
    try {
      yield* this.documents(jobPath, options);
      finished = true;
    } finally {
      if (!finished) await this.deleteJob(jobPath);
    }
  }

  /** Status, or null when it can't be had: used only to explain another failure. */
  async tryStatus(signal?: AbortSignal): Promise<EsclStatus | null> {
    try {
      return await this.getStatus(signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      this.#logger.debug({ err: error }, 'ScannerStatus unavailable');
      return null;
    }
  }

  #backoff(attempt: number): number {
    const { notReadyFirstDelayMs: first, notReadyMaxDelayMs: max } = this.#retry;
    return Math.min(max, Math.round(first * 1.5 ** (attempt - 1)));
  }

  #url(path: string): string {
    if (path.startsWith('/')) return new URL(this.baseUrl).origin + path;
    return `${this.baseUrl}/${path}`;
  }

  /**
   * One HTTP exchange with an idle timer: it fires when neither headers nor body bytes arrive for
   * `idleMs`, so a slow but moving transfer never times out.
   */
  async #request(
    method: string,
    path: string,
    options: {
      body?: string;
      signal?: AbortSignal;
      idleMs?: number;
      maxBytes?: number;
      /** Set on NextDocument: an oversized answer is then a page too large, not a device error. */
      page?: number;
    },
  ): Promise<EsclResponse> {
    const { signal } = options;
    if (signal?.aborted) throw signal.reason;
    const url = this.#url(path);
    const idleMs = options.idleMs ?? this.#timeouts.requestMs;
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error('idle timeout'));
      }, idleMs);
    };
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      arm();
      const init: RequestInit = { method, signal: controller.signal, headers: { Accept: '*/*' } };
      if (options.body !== undefined) {
        init.body = options.body;
        init.headers = { Accept: '*/*', 'Content-Type': 'text/xml; charset=utf-8' };
      }
      const response = await this.#fetch(url, init);
      arm();
      const body = await readCappedBody(response, {
        maxBytes: options.maxBytes ?? this.#limits.maxXmlBytes,
        onChunk: arm,
        abort: controller,
      });
      this.#logger.debug({ method, url, status: response.status, bytes: body.length }, 'eSCL exchange');
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timedOut) {
        throw new EsclError('timeout', `no answer to ${method} ${path} within ${idleMs} ms`, {
          cause: error,
        });
      }
      if (error instanceof EsclError) throw error;
      if (error instanceof BodyTooLargeError) throw tooLarge(error, method, path, options.page);
      throw new EsclError(
        'offline',
        `cannot reach the scanner (${method} ${path}): ${describeError(error)}`,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

function tooLarge(error: BodyTooLargeError, method: string, path: string, page?: number): EsclError {
  const size = error.declared === undefined ? 'more than' : `${formatBytes(error.declared)}, more than`;
  const limit = formatBytes(error.maxBytes);
  if (page !== undefined)
    return new EsclError('image-too-large', `page ${page} is ${size} the ${limit} a page may have`, {
      httpStatus: 200,
      cause: error,
    });
  return new EsclError('device-error', `the answer to ${method} ${path} is ${size} ${limit}`, {
    cause: error,
  });
}

function expectOk(response: EsclResponse, what: string): void {
  if (response.status !== 200) {
    throw new EsclError('device-error', `${what} answered HTTP ${response.status}`, {
      httpStatus: response.status,
    });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal === undefined ? undefined : { signal }).catch((error: unknown) => {
    throw signal?.aborted ? signal.reason : error;
  });
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for tests)

/**
 * The job's path from a ScanJobs Location header, whatever its shape (QUIRKS 1): absolute, relative,
 * with a trailing slash, or with a host that does not parse (`http://[fe80/eSCL/ScanJobs/4060`) or
 * does not resolve. Only the path is kept; requests go to the host we already talk to.
 */
export function resolveJobPath(location: string, requestUrl: string): string {
  const value = location.trim();
  let path: string;
  try {
    path = new URL(value, requestUrl).pathname;
  } catch {
    const withoutOrigin = value.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
    path = withoutOrigin.startsWith('/') ? withoutOrigin : new URL(withoutOrigin, requestUrl).pathname;
  }
  path = path.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return path === '' ? '/' : path;
}

/** Same job whether the device writes its URI with a trailing slash, a host, or only its id. */
export function findJob(jobs: EsclJobInfo[], jobPath: string): EsclJobInfo | undefined {
  const normalise = (uri: string) => {
    try {
      return resolveJobPath(uri, 'http://device/');
    } catch {
      return uri;
    }
  };
  const wanted = normalise(jobPath);
  const wantedId = wanted.split('/').pop();
  return (
    jobs.find((job) => normalise(job.jobUri) === wanted) ??
    jobs.find((job) => normalise(job.jobUri).split('/').pop() === wantedId || job.jobUuid === wantedId)
  );
}

export function isActive(job: EsclJobInfo): boolean {
  return job.jobState === 'Processing' || job.jobState === 'Pending' || job.jobState === 'Held';
}

const JAM_STATES = new Set([
  'ScannerAdfJam',
  'ScannerAdfMispick',
  'ScannerAdfMultipickDetected',
  'ScannerAdfDuplexPageTooShort',
  'ScannerAdfDuplexPageTooLong',
]);
const OPEN_STATES = new Set([
  'ScannerAdfHatchOpen',
  'ScannerAdfDoorOpen',
  'ScannerAdfCoverOpen',
  'CoverOpen',
]);

/**
 * What a ScannerStatus says is wrong, as an EsclError, or null. "Feeder empty" counts only when asked
 * for: an idle feeder reads empty at the normal end of every ADF job.
 */
export function statusProblem(
  status: EsclStatus | null,
  options: { feeder: boolean; includeEmpty: boolean },
): EsclError | null {
  if (status === null) return null;
  const adf = status.adfState;
  if (options.feeder && adf !== null) {
    if (JAM_STATES.has(adf) || /jam/i.test(adf)) return new EsclError('jam', `the feeder reports ${adf}`);
    if (OPEN_STATES.has(adf) || /open/i.test(adf))
      return new EsclError('cover-open', `the feeder reports ${adf}`);
    if (options.includeEmpty && adf === 'ScannerAdfEmpty') {
      return new EsclError('feeder-empty', 'the feeder reports ScannerAdfEmpty');
    }
  }
  if (status.state === 'down') return new EsclError('offline', 'the scanner reports it is down');
  return null;
}

/** The page in a 200 NextDocument, or null when the body is an error page instead (QUIRKS 4/6). */
function readDocument(response: EsclResponse): EsclDocument | null {
  const { body } = response;
  if (body.length === 0) return null;
  const sniffed = sniffFormat(body);
  if (sniffed !== undefined) return { contentType: `image/${sniffed}`, data: body };
  const declared = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (declared.startsWith('text/') || declared.includes('xml') || declared.includes('html')) return null;
  if (/^\s*</.test(body.subarray(0, 64).toString('latin1'))) return null;
  return { contentType: declared === '' ? 'application/octet-stream' : declared, data: body };
}
