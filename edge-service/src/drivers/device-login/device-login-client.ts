/**
 * HTTP client of an MFP's device API (`<base>/session`, `<base>/session/events`) with HTTP Basic
 * and the device's admin credential. Every answer is size-capped and every wait timed; failures are
 * DeviceLoginError with a stable code. The Authorization header is built per request and never
 * logged; log lines carry the URL (which never holds credentials) and the status only.
 */
import type { DevicePerson } from '../../domain/device-identity.ts';
import type { DeviceAdminCredential } from '../../domain/device.ts';
import { EdgeError } from '../../edge-error.ts';
import { describeError } from '../../describe-error.ts';
import type { ErrorCode } from '../../../../protocol/index.ts';
import { BodyTooLargeError, formatBytes, readCappedBody } from '../read-capped-body.ts';
import { parseDeviceSession } from './device-session-json.ts';
import { SseLimitError, SseParser } from './sse-parser.ts';

/** EdgeError with what the device said: its HTTP status and, on 429, how long it locks us out. */
export class DeviceLoginError extends EdgeError {
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: { httpStatus?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(code, message, details.cause === undefined ? {} : { cause: details.cause });
    this.name = 'DeviceLoginError';
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export interface DeviceLoginLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DeviceLoginClientLimits {
  /** Largest `GET /session` answer (and error bodies). */
  maxSessionBytes: number;
  /** Longest event-stream line and largest event. */
  maxEventBytes: number;
}

export interface DeviceLoginClientTimeouts {
  /** Longest silence on `GET /session`, and before the event stream's headers. */
  requestMs: number;
  /** Longest silence on an open event stream (the simulator sends a keep-alive every 25 s). */
  streamIdleMs: number;
}

export const DEFAULT_CLIENT_LIMITS: DeviceLoginClientLimits = {
  maxSessionBytes: 64 * 1024,
  maxEventBytes: 64 * 1024,
};
export const DEFAULT_CLIENT_TIMEOUTS: DeviceLoginClientTimeouts = { requestMs: 10_000, streamIdleMs: 60_000 };
/** A lockout without Retry-After is taken to last this long; a longer one is capped here. */
const DEFAULT_LOCKOUT_MS = 60_000;
const MAX_LOCKOUT_MS = 15 * 60_000;

export interface DeviceLoginClientOptions {
  /** The device API root, e.g. `http://127.0.0.1:8090/device/api/v1` (device-api-url.ts). */
  baseUrl: string;
  credential: DeviceAdminCredential;
  fetch?: typeof fetch;
  logger?: DeviceLoginLogger;
  timeouts?: Partial<DeviceLoginClientTimeouts>;
  limits?: Partial<DeviceLoginClientLimits>;
}

const SILENT: DeviceLoginLogger = { debug() {}, warn() {} };

export class DeviceLoginClient {
  readonly baseUrl: string;
  readonly #authorization: string;
  readonly #fetch: typeof fetch;
  readonly #logger: DeviceLoginLogger;
  readonly #timeouts: DeviceLoginClientTimeouts;
  readonly #limits: DeviceLoginClientLimits;

  constructor(options: DeviceLoginClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const { username, password } = options.credential;
    this.#authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#logger = options.logger ?? SILENT;
    this.#timeouts = { ...DEFAULT_CLIENT_TIMEOUTS, ...options.timeouts };
    this.#limits = { ...DEFAULT_CLIENT_LIMITS, ...options.limits };
  }

  /** Who is signed in at the device now (`GET <base>/session`). */
  async session(signal?: AbortSignal): Promise<DevicePerson | null> {
    const url = `${this.baseUrl}/session`;
    const exchange = await this.#open(url, 'application/json', signal);
    try {
      const body = await readCappedBody(exchange.response, {
        maxBytes: this.#limits.maxSessionBytes,
        onChunk: () => exchange.arm(),
        abort: exchange.controller,
      });
      this.#logger.debug({ url, status: 200, bytes: body.length }, 'device session read');
      return parseDeviceSession(body.toString('utf8'));
    } catch (error) {
      throw this.#failure(error, exchange, url);
    } finally {
      exchange.done();
    }
  }

  /**
   * The session event stream (`GET <base>/session/events`): yields the person after each `session`
   * event, the first one at once. Returns when the device ends the stream; throws DeviceLoginError
   * when it fails, goes silent for `streamIdleMs`, or sends more than the limits allow. Ending the
   * iteration (or aborting `signal`) closes the connection.
   */
  async *events(signal?: AbortSignal): AsyncGenerator<DevicePerson | null, void, undefined> {
    const url = `${this.baseUrl}/session/events`;
    const exchange = await this.#open(url, 'text/event-stream', signal);
    try {
      const type = exchange.response.headers.get('content-type') ?? '';
      if (!/^text\/event-stream\b/i.test(type))
        throw unavailable(`its sign-in event stream is not an event stream (${type || 'no content type'})`);
      exchange.arm(this.#timeouts.streamIdleMs);
      this.#logger.debug({ url, status: 200 }, 'device session stream open');
      const parser = new SseParser({
        maxLineLength: this.#limits.maxEventBytes,
        maxEventLength: this.#limits.maxEventBytes,
      });
      const decoder = new TextDecoder('utf-8');
      const body = exchange.response.body;
      if (body === null) return;
      const reader = body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          exchange.arm(this.#timeouts.streamIdleMs);
          for (const event of parser.push(decoder.decode(value, { stream: true }))) {
            if (event.type !== 'session' && event.type !== 'message') continue;
            yield parseDeviceSession(event.data);
          }
        }
        this.#logger.debug({ url }, 'device session stream ended');
      } finally {
        exchange.controller.abort();
        await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
    } catch (error) {
      throw this.#failure(error, exchange, url);
    } finally {
      exchange.done();
    }
  }

  /**
   * Sends the request and checks the status: a 2xx response with an idle timer armed, or a
   * DeviceLoginError for the rest (401, 429, others) with the error body read away (capped).
   */
  async #open(url: string, accept: string, signal: AbortSignal | undefined): Promise<OpenExchange> {
    if (signal?.aborted) throw signal.reason;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let idleMs = this.#timeouts.requestMs;
    const onAbort = () => controller.abort(signal?.reason);
    const exchange: Exchange = {
      controller,
      signal,
      response: undefined,
      timedOutAfter: undefined,
      arm: (ms?: number) => {
        if (ms !== undefined) idleMs = ms;
        clearTimeout(timer);
        timer = setTimeout(() => {
          exchange.timedOutAfter = idleMs;
          controller.abort(new Error('idle timeout'));
        }, idleMs);
      },
      done: () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      },
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      exchange.arm();
      const response = await this.#fetch(url, {
        method: 'GET',
        signal: controller.signal,
        redirect: 'manual',
        headers: { Accept: accept, Authorization: this.#authorization, 'Cache-Control': 'no-store' },
      });
      exchange.response = response;
      exchange.arm();
      if (response.status >= 200 && response.status < 300) return exchange as OpenExchange;
      // The error body is read away (capped), so the connection can be reused.
      await readCappedBody(response, {
        maxBytes: this.#limits.maxSessionBytes,
        onChunk: () => exchange.arm(),
        abort: controller,
      }).catch(() => undefined);
      this.#logger.debug({ url, status: response.status }, 'device API refused');
      throw statusError(response, url);
    } catch (error) {
      const failure = this.#failure(error, exchange, url);
      exchange.done();
      throw failure;
    }
  }

  /** Any failure as a DeviceLoginError (the caller's own abort passes through untouched). */
  #failure(error: unknown, exchange: Exchange, url: string): unknown {
    if (exchange.signal?.aborted) return exchange.signal.reason;
    if (error instanceof DeviceLoginError) return error;
    if (exchange.timedOutAfter !== undefined)
      return unavailable(`it did not answer for ${formatDuration(exchange.timedOutAfter)}`, error);
    if (error instanceof EdgeError) return new DeviceLoginError(error.code, error.message, { cause: error });
    if (error instanceof BodyTooLargeError)
      return unavailable(
        `it sent more than the ${formatBytes(error.maxBytes)} a sign-in state may have`,
        error,
      );
    if (error instanceof SseLimitError) return unavailable(`its event stream sent ${error.message}`, error);
    this.#logger.debug({ url, err: describeError(error) }, 'device API unreachable');
    return unavailable(`cannot reach ${new URL(url).host}: ${describeError(error)}`, error);
  }
}

interface Exchange {
  controller: AbortController;
  signal: AbortSignal | undefined;
  response: Response | undefined;
  /** Set when the idle timer fired: how long it waited. */
  timedOutAfter: number | undefined;
  /** Re-arms the idle timer (with a new length when given, kept for later calls). */
  arm: (ms?: number) => void;
  /** Stops the timer and forgets the caller's signal. */
  done: () => void;
}

type OpenExchange = Exchange & { response: Response };

function unavailable(why: string, cause?: unknown): DeviceLoginError {
  return new DeviceLoginError(
    'DEVICE_LOGIN_UNAVAILABLE',
    `The printer's sign-in cannot be read: ${why}. The edge keeps trying.`,
    cause === undefined ? {} : { cause },
  );
}

function statusError(response: Response, url: string): DeviceLoginError {
  const status = response.status;
  if (status === 401 || status === 403)
    return new DeviceLoginError(
      'DEVICE_CREDENTIAL_REJECTED',
      `The printer refused the edge's admin credential (HTTP ${status}): enter the printer's current admin password for this device in the admin console.`,
      { httpStatus: status },
    );
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return new DeviceLoginError(
      'DEVICE_LOGIN_LOCKED_OUT',
      `The printer locked the edge out after too many failed sign-ins; the edge tries again in ${Math.ceil(retryAfterMs / 1000)} s. If it persists, check the admin password stored for this device.`,
      { httpStatus: status, retryAfterMs },
    );
  }
  if (status === 404)
    return new DeviceLoginError(
      'DEVICE_LOGIN_UNAVAILABLE',
      `The printer offers no device-login API at ${url} (HTTP 404): check the device API address, or use another sign-in mode for this printer.`,
      { httpStatus: status },
    );
  return new DeviceLoginError(
    'DEVICE_LOGIN_UNAVAILABLE',
    `The printer's sign-in cannot be read: it answered HTTP ${status}. The edge keeps trying.`,
    { httpStatus: status },
  );
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), bounded; a minute when absent. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number {
  if (value === null || value.trim() === '') return DEFAULT_LOCKOUT_MS;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    ms = Number.isNaN(at) ? DEFAULT_LOCKOUT_MS : at - now;
  }
  return Math.min(MAX_LOCKOUT_MS, Math.max(1000, ms));
}

/** 250 ms, 10 s: waits read as people write them. */
function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
