import WebSocket from 'ws';
import type { JobView } from '../../../protocol/index.ts';
import type { Latencies } from './load-stats.ts';

interface Frame {
  type: 'reply' | 'event';
  id?: string;
  ok?: boolean;
  payload?: unknown;
  error?: { code: string; message: string };
  event?: string;
}

/** Why a request got no useful reply: the edge's error code, NO_REPLY (timed out) or CLOSED (the socket went). */
export class PanelRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One simulated panel: a real WebSocket speaking the panel protocol as device-app does (hello with
 * its device token, then requests with ids), timing each reply. Lean on purpose — hundreds run in
 * one process — and every wait bounded.
 */
export class LoadPanel {
  #socket: WebSocket | null = null;
  readonly #pending = new Map<string, { resolve: (frame: Frame) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  /** Called with every job.updated the edge pushes to this panel. */
  onJob: (job: JobView) => void = () => {};
  /** Called once when an open socket closes (the edge stopped or was killed). */
  onClose: () => void = () => {};
  /** A user-prompt panel's session, resumed by the next hello (after a restart) as device-app does. */
  sessionToken: string | undefined;

  constructor(
    readonly token: string,
    readonly latencies: Latencies,
    readonly timeoutMs: number,
    /** user-prompt devices: the person who signs in with email and password after hello. */
    readonly person?: { email: string; password: string },
  ) {}

  /** Set once hello (and a user-prompt sign-in) succeeded on the current socket. */
  #signedIn = false;

  /** Connected and signed in: what the panel's screens wait for before they send anything. */
  get open(): boolean {
    return this.#signedIn && this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket and says hello; resolves once the edge answered (the panel is then signed in). */
  async connect(wsUrl: string): Promise<void> {
    this.#signedIn = false;
    const socket = new WebSocket(wsUrl, { handshakeTimeout: this.timeoutMs });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new PanelRequestError('NO_REPLY', 'WebSocket connect timed out'));
      }, this.timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new PanelRequestError('CONNECT_FAILED', error.message));
      });
    });
    this.#socket = socket;
    socket.on('error', () => {});
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === 'reply') {
        const waiter = this.#pending.get(frame.id ?? '');
        if (waiter) waiter.resolve(frame);
      } else if (frame.event === 'job.updated') this.onJob((frame.payload as { job: JobView }).job);
    });
    socket.once('close', () => {
      // Only a signed-in panel reports its loss: a connect that failed is retried by its caller.
      const wasSignedIn = this.#socket === socket && this.#signedIn;
      if (this.#socket === socket) {
        this.#socket = null;
        this.#signedIn = false;
      }
      for (const waiter of this.#pending.values())
        waiter.reject(new PanelRequestError('CLOSED', 'the socket closed'));
      this.#pending.clear();
      if (wasSignedIn) this.onClose();
    });
    try {
      await this.#signIn();
    } catch (error) {
      socket.terminate();
      throw error;
    }
  }

  async #signIn(): Promise<void> {
    const hello = (await this.request('hello', {
      protocolVersions: [1],
      deviceToken: this.token,
      app: { name: 'mfp-edge-load', version: '1' },
      ...(this.sessionToken ? { sessionToken: this.sessionToken } : {}),
    })) as { user: { id: string } | null };
    if (hello.user) {
      this.#signedIn = true;
      return;
    }
    if (!this.person) throw new PanelRequestError('NOT_SIGNED_IN', 'hello named no user');
    // user-prompt: the person signs in at the panel (a resumed session skips this).
    const step = (await this.request('auth.password', this.person)) as {
      step: string;
      session?: { sessionToken: string };
    };
    if (step.step !== 'done' || !step.session)
      throw new PanelRequestError('NOT_SIGNED_IN', `sign-in stopped at step ${step.step}`);
    this.sessionToken = step.session.sessionToken;
    this.#signedIn = true;
  }

  /** One request; its reply time goes into the latencies under its type. */
  request(type: string, payload: unknown): Promise<unknown> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN)
      return Promise.reject(new PanelRequestError('CLOSED', 'the socket is not open'));
    const id = String(this.#nextId++);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new PanelRequestError('NO_REPLY', `no reply to ${type} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.#pending.set(id, {
        resolve: (frame) => {
          clearTimeout(timer);
          this.#pending.delete(id);
          this.latencies.add(type, performance.now() - started);
          if (frame.ok) resolve(frame.payload);
          else reject(new PanelRequestError(frame.error?.code ?? 'ERROR', frame.error?.message ?? type));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.send(JSON.stringify({ type, id, payload }));
    });
  }

  close(): void {
    this.#socket?.terminate();
    this.#socket = null;
  }
}
