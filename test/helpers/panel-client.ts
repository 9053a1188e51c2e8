import WebSocket from 'ws';
import type {
  ReplyFrame,
  EventFrame,
  EventPayload,
  ReplyPayload,
  RequestPayload,
  RequestType,
  EventType,
  JobView,
} from '../../protocol/index.ts';

/** The error code of a reply, or undefined when it succeeded. */
export function errorCode(frame: ReplyFrame): string | undefined {
  return frame.ok ? undefined : frame.error.code;
}

/**
 * A panel speaking the real protocol over a real WebSocket, for service and end-to-end tests.
 * Every wait has a timeout.
 */
export class PanelClient {
  readonly socket: WebSocket;
  readonly events: EventFrame[] = [];
  readonly #replies = new Map<string, (frame: ReplyFrame) => void>();
  readonly #eventWaiters = new Set<() => void>();
  #nextId = 1;
  closed: { code: number; reason: string } | null = null;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ReplyFrame | EventFrame;
      if (frame.type === 'reply') this.#replies.get(frame.id)?.(frame);
      else {
        this.events.push(frame);
        for (const wake of this.#eventWaiters) wake();
      }
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const wake of this.#eventWaiters) wake();
    });
  }

  static connect(url: string, timeoutMs = 5000): Promise<PanelClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const timer = setTimeout(() => reject(new Error('WebSocket connect timeout')), timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new PanelClient(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Sends any text (valid or not) and waits for the reply with the given id, or for any reply when id is null. */
  sendRaw(text: string | Buffer, id: string | null, timeoutMs = 5000): Promise<ReplyFrame> {
    return new Promise((resolve, reject) => {
      const key = id ?? '';
      const timer = setTimeout(() => {
        this.#replies.delete(key);
        reject(new Error(`no reply to ${key || 'raw frame'} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#replies.set(key, (frame) => {
        clearTimeout(timer);
        this.#replies.delete(key);
        resolve(frame);
      });
      this.socket.send(text);
    });
  }

  async request<T extends RequestType>(
    type: T,
    payload: RequestPayload<T>,
    timeoutMs = 10000,
  ): Promise<ReplyPayload<T>> {
    const id = String(this.#nextId++);
    const frame = await this.sendRaw(JSON.stringify({ type, id, payload }), id, timeoutMs);
    if (!frame.ok)
      throw Object.assign(new Error(frame.error?.message ?? 'error'), {
        code: frame.error?.code,
        body: frame.error,
      });
    return frame.payload as ReplyPayload<T>;
  }

  /** Waits until a job.updated event satisfies `predicate`. */
  waitForJob(predicate: (job: JobView) => boolean, timeoutMs = 30000): Promise<JobView> {
    return this.waitForEvent('job.updated', (p) => predicate(p.job), timeoutMs).then((p) => p.job);
  }

  waitForEvent<E extends EventType>(
    event: E,
    predicate: (payload: EventPayload<E>) => boolean,
    timeoutMs = 30000,
  ): Promise<EventPayload<E>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find((f) => f.event === event && predicate(f.payload as EventPayload<E>));
        if (found) {
          done();
          resolve(found.payload as EventPayload<E>);
        } else if (this.closed) {
          done();
          reject(new Error(`socket closed (${this.closed.code}) while waiting for ${event}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        const last = this.events.at(-1);
        reject(
          new Error(
            `no matching ${event} within ${timeoutMs} ms; last event: ${JSON.stringify(last?.payload)}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#eventWaiters.delete(check);
      };
      this.#eventWaiters.add(check);
      check();
    });
  }

  waitForClose(timeoutMs = 15000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close in time')), timeoutMs);
      this.socket.once('close', (code, reason) => {
        clearTimeout(timer);
        resolve({ code, reason: String(reason) });
      });
    });
  }

  /** The events of one type received so far. */
  eventsOf<E extends EventType>(event: E): EventPayload<E>[] {
    return this.events.filter((f) => f.event === event).map((f) => f.payload as EventPayload<E>);
  }

  close(): void {
    this.socket.terminate();
  }
}
