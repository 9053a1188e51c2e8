/**
 * IPP over HTTP (RFC 8010 §4): one POST of `application/ipp` per operation, to the printer URL with
 * `ipp:` read as `http:` (`ipps:` as `https:`, port 631 when none is given). Each request, body
 * included, has a timeout: some devices accept a connection and never answer (QUIRKS.md 26).
 */
import { EdgeError } from '../../edge-error.ts';
import type { Logger } from '../../logger.ts';
import { describeError } from '../../describe-error.ts';
import { BodyTooLargeError, formatBytes, readCappedBody } from '../read-capped-body.ts';
import {
  decodeResponse,
  encodeRequest,
  type IppAttributes,
  type IppAttributeValue,
  type IppDecodedResponse,
  type IppEncodeGroups,
  type IppGroupName,
} from './node-ipp.ts';

export type IppErrorCode = 'status' | 'http' | 'timeout' | 'network' | 'malformed' | 'too-large';

/** An IPP operation that did not succeed; `status` is the IPP status keyword when there is one. */
export class IppError extends Error {
  readonly code: IppErrorCode;
  readonly operation: string;
  readonly status?: string;
  readonly httpStatus?: number;
  readonly response?: IppDecodedResponse;

  constructor(
    code: IppErrorCode,
    operation: string,
    message: string,
    details: { status?: string; httpStatus?: number; response?: IppDecodedResponse; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'IppError';
    this.code = code;
    this.operation = operation;
    if (details.status !== undefined) this.status = details.status;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.response !== undefined) this.response = details.response;
  }
}

export interface IppClientOptions {
  /** `ipp://host:port/path`, `ipps://…`, or the `http(s)://` URL it stands for. */
  url: string;
  fetch?: typeof fetch;
  /** Per request, from sending to the last byte of the answer. */
  timeoutMs?: number;
  /** The longest answer accepted (default 8 MiB); a longer one is refused as it streams in. */
  maxResponseBytes?: number;
  /** `requesting-user-name` on every request. */
  userName?: string;
  logger?: Logger;
}

export interface IppCallOptions extends IppEncodeGroups {
  data?: Buffer;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
// A Get-Printer-Attributes answer with every icon URI and media entry is well under 1 MiB.
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/**
 * `ipp://h:p/x` → `http://h:p/x` (default port 631), and the `printer-uri` to put in requests. A URL
 * that names no IPP printer is a configuration fault of the device: FAX_UNSUPPORTED, saying which URL.
 */
export function resolveIppUrl(url: string): { httpUrl: string; printerUri: string } {
  const notAPrinter = (cause?: unknown) =>
    new EdgeError(
      'FAX_UNSUPPORTED',
      `The fax modem address "${url}" is not an ipp://, ipps://, http:// or https:// printer URL.`,
      cause === undefined ? {} : { cause },
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw notAPrinter(error);
  }
  const scheme = parsed.protocol.slice(0, -1);
  const secure = scheme === 'ipps' || scheme === 'https';
  if (!['ipp', 'ipps', 'http', 'https'].includes(scheme) || parsed.hostname === '') throw notAPrinter();
  const port = parsed.port || (scheme === 'ipp' || scheme === 'ipps' ? '631' : '');
  const host =
    parsed.hostname.includes(':') && !parsed.hostname.startsWith('[')
      ? `[${parsed.hostname}]`
      : parsed.hostname;
  const authority = port ? `${host}:${port}` : host;
  const path = `${parsed.pathname}${parsed.search}`;
  return {
    httpUrl: `${secure ? 'https' : 'http'}://${authority}${path}`,
    printerUri: `${secure ? 'ipps' : 'ipp'}://${authority}${path}`,
  };
}

/** The first group of that name, or an empty one: most responses have at most one of each. */
export function groupOf(response: IppDecodedResponse, name: IppGroupName): IppAttributes {
  return response.groups.find((g) => g.name === name)?.attributes ?? {};
}

/** An attribute as an array, whatever its cardinality. */
export function valuesOf(value: IppAttributeValue | undefined): NonNullable<IppAttributeValue>[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter(
    (v) => v !== null,
  ) as NonNullable<IppAttributeValue>[];
}

export class IppClient {
  readonly httpUrl: string;
  readonly printerUri: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #userName: string;
  readonly #logger: Logger | undefined;
  #requestId = 0;

  constructor(options: IppClientOptions) {
    const { httpUrl, printerUri } = resolveIppUrl(options.url);
    this.httpUrl = httpUrl;
    this.printerUri = printerUri;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#userName = options.userName ?? 'mfp-edge';
    this.#logger = options.logger;
  }

  /**
   * Runs one operation. Resolves with the decoded response when its status is successful-*;
   * otherwise rejects with IppError (code `status` carries the IPP status keyword).
   */
  async call(operation: string, options: IppCallOptions = {}): Promise<IppDecodedResponse> {
    const response = await this.#exchange(operation, options, '2.0');
    // Devices stuck at IPP/1.1 answer server-error-version-not-supported (0x0503) to a 2.0 request.
    if (response.statusCode === 0x0503)
      return this.#checked(operation, await this.#exchange(operation, options, '1.1'));
    return this.#checked(operation, response);
  }

  #checked(operation: string, response: IppDecodedResponse): IppDecodedResponse {
    if (response.statusCode < 0x0100) return response;
    const message = groupOf(response, 'operation-attributes-tag')['status-message'];
    const detail = typeof message === 'string' && message.trim() ? `: ${message.trim()}` : '';
    throw new IppError('status', operation, `${operation} failed with ${response.status}${detail}`, {
      status: response.status,
      response,
    });
  }

  async #exchange(
    operation: string,
    options: IppCallOptions,
    version: '1.1' | '2.0',
  ): Promise<IppDecodedResponse> {
    const requestId = (this.#requestId = (this.#requestId % 0x7fffffff) + 1);
    const body = encodeRequest({
      operation,
      requestId,
      version,
      operationAttributes: {
        'printer-uri': this.printerUri,
        'requesting-user-name': this.#userName,
        ...options.operationAttributes,
      },
      ...(options.jobAttributes ? { jobAttributes: options.jobAttributes } : {}),
      ...(options.data ? { data: options.data } : {}),
    });
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    let bytes: Buffer;
    let httpStatus: number;
    try {
      const res = await this.#fetch(this.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/ipp', accept: 'application/ipp' },
        body: new Uint8Array(body),
        signal: abort.signal,
      });
      httpStatus = res.status;
      bytes = await readCappedBody(res, { maxBytes: this.#maxResponseBytes, abort });
    } catch (error) {
      if (timedOut)
        throw new IppError(
          'timeout',
          operation,
          `${operation}: no answer from ${this.httpUrl} within ${timeoutMs} ms`,
          {
            cause: error,
          },
        );
      if (error instanceof BodyTooLargeError) {
        const size = error.declared === undefined ? 'more than' : `${formatBytes(error.declared)}, more than`;
        throw new IppError(
          'too-large',
          operation,
          `${operation}: ${this.httpUrl} answered ${size} the ${formatBytes(error.maxBytes)} accepted`,
          { cause: error },
        );
      }
      throw new IppError(
        'network',
        operation,
        `${operation}: cannot reach ${this.httpUrl} (${describeError(error)})`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    if (httpStatus < 200 || httpStatus >= 300)
      throw new IppError('http', operation, `${operation}: ${this.httpUrl} answered HTTP ${httpStatus}`, {
        httpStatus,
      });
    let response: IppDecodedResponse;
    try {
      response = decodeResponse(bytes);
    } catch (error) {
      // Some devices answer 200 with an HTML page (QUIRKS.md 4).
      const looksLikeHtml = bytes.subarray(0, 64).toString('latin1').trimStart().startsWith('<');
      const what = looksLikeHtml ? 'an HTML page instead of IPP' : describeError(error);
      throw new IppError('malformed', operation, `${operation}: ${this.httpUrl} answered ${what}`, {
        httpStatus,
        cause: error,
      });
    }
    if (response.requestId !== requestId)
      this.#logger?.warn(
        { operation, requestId, answered: response.requestId },
        'IPP response has another request-id',
      );
    this.#logger?.debug({ operation, status: response.status }, 'IPP response');
    return response;
  }
}
