import { PROTOCOL_VERSION } from '../../protocol/version.ts';
import { CLOSE_CODES } from '../../protocol/error-codes.ts';
import type { ReplyFrame, EventFrame } from '../../protocol/envelope.ts';
import type {
  RequestType,
  RequestPayload,
  ReplyPayload,
  EventType,
  EventPayload,
  ErrorBody,
} from '../../protocol/messages.ts';

import { Backoff } from './backoff.ts';

/** A request the edge refused: carries the stable error code. */
export class RequestError extends Error {
  readonly code: ErrorBody['code'];
  /** The whole error: `until` (ACCOUNT_LOCKED, RATE_LIMITED), `rules` (PASSWORD_POLICY), … */
  readonly body: ErrorBody;
  constructor(body: ErrorBody) {
    super(body.message);
    this.code = body.code;
    this.body = body;
  }
}

/**
 * A request that never reached the edge or got no answer: `offline` (sent while disconnected: it
 * fails at once rather than hang), `lost` (the connection dropped before the reply), `timeout`.
 */
export class ConnectionError extends Error {
  constructor(readonly kind: 'offline' | 'lost' | 'timeout') {
    super(
      kind === 'offline' ? 'not connected' : kind === 'lost' ? 'connection lost' : 'the edge did not answer',
    );
  }
}

/** What EdgeConnection needs of the browser: replaced in unit tests (a fake socket, fake timers). */
export interface ConnectionEnvironment {
  createSocket: (url: string) => WebSocket;
  setTimeout: (run: () => void, ms: number) => number;
  clearTimeout: (timer: number) => void;
  random: () => number;
}

const browserEnvironment = (): ConnectionEnvironment => ({
  createSocket: (url) => new WebSocket(url),
  setTimeout: (run, ms) => window.setTimeout(run, ms),
  clearTimeout: (timer) => window.clearTimeout(timer),
  random: Math.random,
});

/** Reconnect delays: 0.5 s doubling up to 30 s, each drawn uniformly below its ceiling. */
export const RECONNECT_BASE_MS = 500;
export const RECONNECT_CAP_MS = 30000;
/** WebSocket.OPEN, without needing the global (absent in node). */
const OPEN = 1;

type Pending = { resolve: (payload: unknown) => void; reject: (error: Error) => void; timer: number };
type Listener<E extends EventType> = (payload: EventPayload<E>) => void;

const REQUEST_TIMEOUT_MS = 20000;

/**
 * The panel's one WebSocket to the edge: request/reply by id, pushed events, and reconnection with
 * exponential back-off and full jitter. `onOpen` runs after each (re)connect so the app can say
 * hello again; `onDown` after each loss (and each failed attempt), with the close code.
 */
export class EdgeConnection {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private pending: { [id: string]: Pending } = {};
  private listeners: { [E in EventType]?: Listener<E>[] } = {};
  private closedByApp = false;
  private retryTimer: number | null = null;
  private readonly env: ConnectionEnvironment;
  private readonly backoff: Backoff;

  constructor(
    private readonly url: string,
    private readonly hooks: { onOpen: () => void; onDown: (reason: string, code: number) => void },
    env: Partial<ConnectionEnvironment> = {},
  ) {
    this.env = { ...browserEnvironment(), ...env };
    this.backoff = new Backoff(RECONNECT_BASE_MS, RECONNECT_CAP_MS, this.env.random);
  }

  /** Whether requests can go out now. */
  get online(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  connect(): void {
    this.closedByApp = false;
    if (this.retryTimer !== null) this.env.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // One socket at a time: a connect() over a live one (the app asks again) is a no-op.
    if (this.socket) return;
    const socket = this.env.createSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.backoff.reset();
      this.hooks.onOpen();
    };
    socket.onmessage = (event) => this.receive(String(event.data));
    socket.onclose = (event) => {
      if (this.socket === socket) this.socket = null;
      for (const id of Object.keys(this.pending)) this.settle(id, new ConnectionError('lost'));
      this.hooks.onDown(event.reason || 'connection lost', event.code);
      // Retrying cannot help an unknown credential or a version mismatch.
      if (
        this.closedByApp ||
        event.code === CLOSE_CODES.DEVICE_UNAUTHORIZED ||
        event.code === CLOSE_CODES.DEVICE_REVOKED ||
        event.code === CLOSE_CODES.UNSUPPORTED_VERSION
      )
        return;
      this.retryTimer = this.env.setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, this.backoff.next());
    };
  }

  close(): void {
    this.closedByApp = true;
    this.socket?.close();
  }

  request<T extends RequestType>(type: T, payload: RequestPayload<T>): Promise<ReplyPayload<T>> {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return Promise.reject(new ConnectionError('offline'));
    const id = String(this.nextId++);
    return new Promise<ReplyPayload<T>>((resolve, reject) => {
      const timer = this.env.setTimeout(
        () => this.settle(id, new ConnectionError('timeout')),
        REQUEST_TIMEOUT_MS,
      );
      this.pending[id] = { resolve: resolve as (payload: unknown) => void, reject, timer };
      socket.send(JSON.stringify({ type, id, payload }));
    });
  }

  on<E extends EventType>(event: E, listener: Listener<E>): void {
    const list = (this.listeners[event] ?? []) as Listener<E>[];
    list.push(listener);
    (this.listeners as Record<string, unknown>)[event] = list;
  }

  private receive(text: string): void {
    // The edge is trusted to send valid frames (it validates with the protocol's schemas); the panel
    // checks only the discriminants, so its bundle needs no schema library.
    let frame: ReplyFrame | EventFrame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.type === 'reply') {
      if (frame.ok) this.settle(frame.id, null, frame.payload);
      else this.settle(frame.id, new RequestError(frame.error));
    } else if (frame.type === 'event') {
      for (const listener of (this.listeners[frame.event] ?? []) as Listener<EventType>[]) {
        listener(frame.payload as EventPayload<EventType>);
      }
    }
  }

  private settle(id: string, error: Error | null, payload?: unknown): void {
    const pending = this.pending[id];
    if (!pending) return;
    delete this.pending[id];
    this.env.clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(payload);
  }
}

export const PANEL_PROTOCOL_VERSIONS = [PROTOCOL_VERSION];
