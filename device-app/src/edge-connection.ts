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

type Pending = { resolve: (payload: unknown) => void; reject: (error: Error) => void; timer: number };
type Listener<E extends EventType> = (payload: EventPayload<E>) => void;

const REQUEST_TIMEOUT_MS = 20000;

/**
 * The panel's one WebSocket to the edge: request/reply by id, pushed events, and reconnection with
 * back-off. `onOpen` runs after each (re)connect so the app can say hello again.
 */
export class EdgeConnection {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private pending: { [id: string]: Pending } = {};
  private listeners: { [E in EventType]?: Listener<E>[] } = {};
  private retryMs = 500;
  private closedByApp = false;

  constructor(
    private readonly url: string,
    private readonly hooks: { onOpen: () => void; onDown: (reason: string, code: number) => void },
  ) {}

  connect(): void {
    this.closedByApp = false;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 500;
      this.hooks.onOpen();
    };
    socket.onmessage = (event) => this.receive(String(event.data));
    socket.onclose = (event) => {
      this.socket = null;
      for (const id of Object.keys(this.pending)) this.settle(id, new Error('connection lost'));
      this.hooks.onDown(event.reason || 'connection lost', event.code);
      // Retrying cannot help an unknown credential or a version mismatch.
      if (
        this.closedByApp ||
        event.code === CLOSE_CODES.DEVICE_UNAUTHORIZED ||
        event.code === CLOSE_CODES.DEVICE_REVOKED ||
        event.code === CLOSE_CODES.UNSUPPORTED_VERSION
      )
        return;
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10000);
    };
  }

  close(): void {
    this.closedByApp = true;
    this.socket?.close();
  }

  request<T extends RequestType>(type: T, payload: RequestPayload<T>): Promise<ReplyPayload<T>> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
    const id = String(this.nextId++);
    return new Promise<ReplyPayload<T>>((resolve, reject) => {
      const timer = window.setTimeout(
        () => this.settle(id, new Error('the edge did not answer')),
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
    window.clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(payload);
  }
}

export const PANEL_PROTOCOL_VERSIONS = [PROTOCOL_VERSION];
