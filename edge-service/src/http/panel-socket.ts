import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import {
  CLOSE_CODES,
  HELLO_TIMEOUT_MS,
  MAX_MESSAGE_BYTES,
  decodeRequest,
  encodeError,
  encodeReply,
  encodeEvent,
  type ErrorCode,
  type EventPayload,
  type EventType,
} from '../../../protocol/index.ts';
import type { JobRecord } from '../domain/job.ts';
import { toJobView } from '../domain/job.ts';
import { pngDataUrl } from '../panel/panel-views.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { PanelHandlers } from '../panel/panel-handlers.ts';
import { newPanelSession, ownerOf, type PanelPeer, type PanelSession } from '../panel/panel-session.ts';

/** Bad frames a connection may send before the edge gives up on it. */
const MAX_BAD_FRAMES = 20;

/** Errors after which the connection cannot be useful, and the close code that says so. */
const FATAL: Partial<Record<ErrorCode, number>> = {
  UNSUPPORTED_VERSION: CLOSE_CODES.UNSUPPORTED_VERSION,
  DEVICE_UNAUTHORIZED: CLOSE_CODES.DEVICE_UNAUTHORIZED,
};

interface Connection {
  id: string;
  socket: WebSocket;
  session: PanelSession;
  /** The connection as the panel code sees it. */
  peer: PanelPeer;
  /** Cleared on every ping; a connection that has not answered the last ping is dead. */
  alive: boolean;
  inFlight: number;
}

/** Requests one panel may have unanswered at once; a panel needs one or two. */
const MAX_IN_FLIGHT = 8;
/** Bytes queued to a panel that has stopped reading before the edge drops the connection. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface PanelSocketTiming {
  helloTimeoutMs: number;
  /** How often each panel is pinged; half-open connections are dropped after one missed pong. */
  heartbeatMs: number;
  /** Browser origins besides the edge's own that may open the socket (the simulator console). */
  extraOrigins: readonly string[];
}

/**
 * A browser always says which page opens a WebSocket (Origin), and no CORS rule protects one: a page
 * of another site must not talk to the edge with the panel's credentials (cross-site WebSocket
 * hijacking). Clients that are not browsers send no Origin and prove themselves with hello.
 */
export function originAllowed(request: IncomingMessage, extraOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const scheme = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return origin === `${scheme}://${request.headers.host ?? ''}` || extraOrigins.includes(origin);
}

/**
 * The panel WebSocket at /ws: the one place where frames become handler calls and results or
 * errors become replies and close codes.
 */
export class PanelSocket {
  readonly #handlers: PanelHandlers;
  readonly #log: Logger;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  readonly #connections = new Set<Connection>();
  readonly #timing: PanelSocketTiming;
  #heartbeat: NodeJS.Timeout | null = null;

  constructor(handlers: PanelHandlers, logger: Logger, timing: Partial<PanelSocketTiming> = {}) {
    this.#handlers = handlers;
    this.#log = logger;
    this.#timing = { helloTimeoutMs: HELLO_TIMEOUT_MS, heartbeatMs: 30_000, extraOrigins: [], ...timing };
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(request.url ?? '/', 'http://edge').pathname;
      if (path !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      if (!originAllowed(request, this.#timing.extraOrigins)) {
        this.#log.warn({ origin: request.headers.origin }, 'panel socket refused: foreign origin');
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request));
    });
    this.#heartbeat = setInterval(() => this.#pingAll(), this.#timing.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Panels connected now. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Devices with at least one panel connected. */
  connectedDevices(): Set<string> {
    return new Set([...this.#connections].flatMap((c) => (c.session.device ? [c.session.device.id] : [])));
  }

  publishJob(job: JobRecord): void {
    this.#publish(job, encodeEvent('job.updated', { job: toJobView(job) }));
  }

  /** A page just scanned, with its thumbnail, to the panels that hear the job. */
  publishPage(job: JobRecord, page: { number: number; thumbnail: Buffer | null }): void {
    const thumbnail = page.thumbnail ? pngDataUrl(page.thumbnail) : undefined;
    const frame = encodeEvent('job.page', {
      jobId: job.id,
      page: { number: page.number, state: 'scanned', ...(thumbnail ? { thumbnail } : {}) },
    });
    this.#publish(job, frame);
  }

  #publish(job: JobRecord, frame: string): void {
    // An emailed fax is not shown at the printer that sends it (its sender gets the receipt).
    if (job.source === 'email') return;
    for (const connection of this.#connections) {
      if (connection.session.device?.id !== job.deviceId) continue;
      const owner = ownerOf(connection.session);
      if (owner === undefined || owner === job.userId) this.#send(connection, frame);
    }
  }

  async stop(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    for (const { socket, peer } of this.#connections) {
      socket.terminate();
      this.#handlers.disconnected(peer);
    }
    this.#connections.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket, request: IncomingMessage): void {
    // The address the panel's connection comes from (sign-in rate limits). No proxy is trusted:
    // X-Forwarded-For would let a guesser pick its own address.
    const session = newPanelSession(request.socket.remoteAddress ?? 'unknown', originOf(request));
    // Named on every log line about it, with the device and the request id of the panel's frame.
    const connection = { id: randomUUID(), socket, session, alive: true, inFlight: 0 } as Connection;
    connection.peer = {
      session,
      push: <E extends EventType>(event: E, payload: EventPayload<E>) =>
        this.#send(connection, encodeEvent(event, payload)),
      close: (code: number, reason: string) => socket.close(code, reason),
    };
    this.#connections.add(connection);
    this.#handlers.connected(connection.peer);
    let badFrames = 0;
    // A connection must say hello in time, or be in a pairing (then it waits for the admin, up to
    // the pairing's expiry, and has the hello timeout again after it to begin anew).
    let helloTimer: NodeJS.Timeout;
    const armHelloTimer = (ms: number) => {
      helloTimer = setTimeout(() => {
        const { device, pairing } = connection.session;
        if (device) return;
        if (pairing && pairing.expiresAt > Date.now())
          return armHelloTimer(pairing.expiresAt - Date.now() + this.#timing.helloTimeoutMs);
        socket.close(CLOSE_CODES.HELLO_TIMEOUT, 'hello expected');
      }, ms);
      helloTimer.unref();
    };
    armHelloTimer(this.#timing.helloTimeoutMs);
    socket.on('pong', () => (connection.alive = true));

    socket.on('message', (data: RawData, isBinary: boolean) => {
      void this.#onFrame(connection, data, isBinary).then((ok) => {
        if (ok) return;
        if (++badFrames >= MAX_BAD_FRAMES) socket.close(CLOSE_CODES.BAD_MESSAGE, 'too many bad messages');
      });
    });
    socket.on('error', (error) => {
      // ws closes with 1009 itself when a frame exceeds maxPayload; anything else is logged.
      this.#log.debug({ err: error, conn: connection.id }, 'panel socket error');
    });
    socket.on('close', () => {
      clearTimeout(helloTimer);
      this.#connections.delete(connection);
      this.#handlers.disconnected(connection.peer);
    });
  }

  /** Returns false when the frame was bad. */
  async #onFrame(connection: Connection, data: RawData, isBinary: boolean): Promise<boolean> {
    if (isBinary) {
      this.#send(
        connection,
        encodeError(null, { code: 'BAD_MESSAGE', message: 'Binary frames are not part of the protocol.' }),
      );
      return false;
    }
    const decoded = decodeRequest(rawToString(data));
    if (!decoded.ok) {
      this.#send(connection, encodeError(decoded.id, { code: decoded.code, message: decoded.message }));
      return false;
    }
    const { request } = decoded;
    if (connection.inFlight >= MAX_IN_FLIGHT) {
      this.#send(
        connection,
        encodeError(request.id, {
          code: 'RATE_LIMITED',
          message: 'Too many requests at once; wait for the answers.',
        }),
      );
      return true;
    }
    connection.inFlight++;
    try {
      const payload = await this.#handlers.handle(connection.peer, request);
      this.#send(connection, encodeReply(request.id, payload));
      return true;
    } catch (error) {
      const edgeError = EdgeError.from(error);
      if (edgeError.code === 'INTERNAL')
        this.#log.error(
          {
            err: error,
            type: request.type,
            req: request.id,
            conn: connection.id,
            device: connection.session.device?.id,
          },
          'panel request failed',
        );
      this.#send(connection, encodeError(request.id, edgeError.toBody()));
      const closeCode = FATAL[edgeError.code];
      if (closeCode) connection.socket.close(closeCode, edgeError.code);
      return edgeError.code !== 'BAD_MESSAGE';
    } finally {
      connection.inFlight--;
    }
  }

  /** Sends unless the panel has stopped reading: a stuck panel must not grow the edge's memory. */
  #send(connection: Connection, frame: string): void {
    const { socket } = connection;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#log.warn(
        { device: connection.session.device?.id, conn: connection.id },
        'panel is not reading; dropping the connection',
      );
      socket.terminate();
      return;
    }
    socket.send(frame);
  }

  #pingAll(): void {
    for (const connection of this.#connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }
}

/**
 * The origin the panel reached the edge at, from the upgrade's Host header, for the approve URL it
 * shows: the admin's phone likely reaches the edge where the panel did. It only shapes what this
 * same connection is told, so a forged Host misleads nobody else. Null when it is not a plain host.
 */
function originOf(request: IncomingMessage): string | null {
  const host = request.headers.host;
  if (!host || !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return null;
  const secure = (request.socket as { encrypted?: boolean }).encrypted === true;
  return `${secure ? 'https' : 'http'}://${host}`;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
