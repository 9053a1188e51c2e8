/**
 * DeviceIdentity over an MFP's device API: `current()` is one `GET /session`; `watch()` follows the
 * session event stream, reconnecting with exponential backoff (and jitter) when it drops, and
 * re-checks `current()` periodically while the stream is down, so a device whose event stream is
 * broken or blocked still reports sign-ins within `pollIntervalMs`.
 *
 * The device locks a client out after a few failed sign-ins (the simulator: 5 in a minute), so a
 * rejected credential is never retried at speed: after a 401/403 every call fails at once with the
 * same DEVICE_CREDENTIAL_REJECTED error for `rejectedRetryMs`, and after a 429 until the device's
 * Retry-After — current() and watch() alike, so any number of panels and watchers make one attempt.
 *
 * All watchers share one connection; each hears the last known state when it starts (if known) and
 * then every change. Errors go to every watcher's onError; the last known person is kept while the
 * device is unreachable (deciding whether to sign out then is the caller's business).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceIdentity, DevicePerson } from '../../domain/device-identity.ts';
import { DeviceLoginError, type DeviceLoginClient, type DeviceLoginLogger } from './device-login-client.ts';
import { samePerson } from './device-session-json.ts';

/**
 * The watch ended for good: the device's device-login settings (address, admin credential) changed
 * or were removed. Ask DeviceDrivers.identity(device) again and watch again.
 */
export class DeviceIdentityClosedError extends DeviceLoginError {
  readonly closed = true;
  constructor(why: string) {
    super('DEVICE_LOGIN_UNAVAILABLE', `The printer's sign-in is no longer followed here: ${why}.`);
    this.name = 'DeviceIdentityClosedError';
  }
}

export interface DeviceLoginTimings {
  /** First reconnect delay after the event stream drops; doubled per failure up to reconnectMaxMs. */
  reconnectFirstMs: number;
  reconnectMaxMs: number;
  /** A stream that stayed up this long counts as healthy: the next drop starts the backoff afresh. */
  stableStreamMs: number;
  /** current() re-check while the event stream is down. */
  pollIntervalMs: number;
  /** After the device rejected the credential: no new attempt before this. */
  rejectedRetryMs: number;
}

export const DEFAULT_TIMINGS: DeviceLoginTimings = {
  reconnectFirstMs: 500,
  reconnectMaxMs: 30_000,
  stableStreamMs: 10_000,
  pollIntervalMs: 5_000,
  rejectedRetryMs: 5 * 60_000,
};

export interface DeviceLoginIdentityOptions {
  client: DeviceLoginClient;
  logger?: DeviceLoginLogger;
  timings?: Partial<DeviceLoginTimings>;
  /** For tests: jitter source (0..1) and clock. */
  random?: () => number;
  now?: () => number;
}

interface Watcher {
  onChange: (person: DevicePerson | null) => void;
  onError: ((error: unknown) => void) | undefined;
}

const SILENT: DeviceLoginLogger = { debug() {}, warn() {} };

export class DeviceLoginIdentity implements DeviceIdentity {
  readonly #client: DeviceLoginClient;
  readonly #logger: DeviceLoginLogger;
  readonly #timings: DeviceLoginTimings;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #watchers = new Set<Watcher>();
  /** A refusal that holds every attempt back until `until`. */
  #latch: { error: DeviceLoginError; until: number } | null = null;
  #known = false;
  #last: DevicePerson | null = null;
  #loop: AbortController | null = null;
  #streaming = false;

  constructor(options: DeviceLoginIdentityOptions) {
    this.#client = options.client;
    this.#logger = options.logger ?? SILENT;
    this.#timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** The device API root this identity reads. */
  get baseUrl(): string {
    return this.#client.baseUrl;
  }

  async current(signal?: AbortSignal): Promise<DevicePerson | null> {
    const held = this.#held();
    if (held) throw held;
    try {
      const person = await this.#client.session(signal);
      this.#latch = null;
      return person;
    } catch (error) {
      this.#noteRefusal(error);
      throw error;
    }
  }

  watch(onChange: (person: DevicePerson | null) => void, onError?: (error: unknown) => void): () => void {
    const watcher: Watcher = { onChange, onError };
    this.#watchers.add(watcher);
    if (this.#known) {
      const person = this.#last;
      queueMicrotask(() => {
        if (this.#watchers.has(watcher)) this.#call(watcher, person);
      });
    }
    if (this.#loop === null) this.#start();
    return () => {
      if (!this.#watchers.delete(watcher)) return;
      if (this.#watchers.size === 0) this.#stop();
    };
  }

  /**
   * Ends every watch. With a reason, each watcher's onError hears it once first (e.g.
   * DeviceIdentityClosedError when the device's settings changed); then nothing more.
   */
  close(reason?: unknown): void {
    const watchers = [...this.#watchers];
    this.#watchers.clear();
    this.#stop();
    if (reason === undefined) return;
    for (const watcher of watchers) {
      try {
        watcher.onError?.(reason);
      } catch (failure) {
        this.#logger.warn({ err: failure }, 'a device login error handler failed');
      }
    }
  }

  #start(): void {
    const loop = new AbortController();
    this.#loop = loop;
    void this.#streamLoop(loop.signal);
    void this.#pollLoop(loop.signal);
  }

  #stop(): void {
    this.#loop?.abort();
    this.#loop = null;
    this.#streaming = false;
    // Nobody listens: the next watcher must not be handed a state that may be stale by then.
    this.#known = false;
  }

  async #streamLoop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const wait = this.#heldFor();
      if (wait > 0) {
        if (!(await pause(wait, signal))) return;
        continue;
      }
      let openedAt: number | undefined;
      try {
        for await (const person of this.#client.events(signal)) {
          if (openedAt === undefined) {
            openedAt = this.#now();
            this.#streaming = true;
            this.#latch = null;
            this.#logger.debug({ url: this.#client.baseUrl }, 'device login stream connected');
          }
          this.#publish(person);
        }
        throw new DeviceLoginError(
          'DEVICE_LOGIN_UNAVAILABLE',
          "The printer's sign-in cannot be read: it closed its event stream. The edge keeps trying.",
        );
      } catch (error) {
        if (signal.aborted) return;
        this.#streaming = false;
        if (openedAt !== undefined && this.#now() - openedAt >= this.#timings.stableStreamMs) failures = 0;
        failures++;
        this.#noteRefusal(error);
        this.#logger.warn(
          { url: this.#client.baseUrl, code: (error as { code?: unknown }).code, failures },
          'device login stream lost',
        );
        this.#report(error);
        if (!(await pause(this.#backoff(failures), signal))) return;
      }
    }
  }

  /** While the stream is down: current() every pollIntervalMs (never while a refusal holds). */
  async #pollLoop(signal: AbortSignal): Promise<void> {
    while (await pause(this.#timings.pollIntervalMs, signal)) {
      if (this.#streaming || this.#held()) continue;
      try {
        this.#publish(await this.current(signal));
      } catch (error) {
        if (signal.aborted) return;
        // A lost connection is the stream loop's to report; a refusal is news.
        if (this.#held()) this.#report(error);
      }
    }
  }

  #publish(person: DevicePerson | null): void {
    if (this.#known && samePerson(this.#last, person)) return;
    this.#known = true;
    this.#last = person;
    for (const watcher of [...this.#watchers]) this.#call(watcher, person);
  }

  #call(watcher: Watcher, person: DevicePerson | null): void {
    try {
      watcher.onChange(person);
    } catch (error) {
      this.#logger.warn({ err: error }, 'a device login watcher failed');
    }
  }

  #report(error: unknown): void {
    for (const watcher of [...this.#watchers]) {
      try {
        watcher.onError?.(error);
      } catch (failure) {
        this.#logger.warn({ err: failure }, 'a device login error handler failed');
      }
    }
  }

  /** 401/403 and 429 hold every further attempt back for a while. */
  #noteRefusal(error: unknown): void {
    if (!(error instanceof DeviceLoginError)) return;
    if (error.code === 'DEVICE_CREDENTIAL_REJECTED')
      this.#latch = { error, until: this.#now() + this.#timings.rejectedRetryMs };
    else if (error.code === 'DEVICE_LOGIN_LOCKED_OUT')
      this.#latch = { error, until: this.#now() + (error.retryAfterMs ?? this.#timings.rejectedRetryMs) };
  }

  #held(): DeviceLoginError | null {
    return this.#heldFor() > 0 ? this.#latch!.error : null;
  }

  #heldFor(): number {
    if (this.#latch === null) return 0;
    const left = this.#latch.until - this.#now();
    return left > 0 ? left : 0;
  }

  #backoff(failures: number): number {
    const { reconnectFirstMs: first, reconnectMaxMs: max } = this.#timings;
    const base = Math.min(max, first * 2 ** Math.min(failures - 1, 30));
    return Math.round(base * (0.8 + 0.4 * this.#random()));
  }
}

/** Waits; false when the signal aborted first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
