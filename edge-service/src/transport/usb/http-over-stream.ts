/**
 * An HTTP/1.1 client over any Duplex byte stream, exposed as a `fetch`. IPP-over-USB carries plain
 * HTTP/1.1 over each interface's bulk endpoints (one exchange at a time per interface, several
 * interfaces in parallel), so with this `fetch` the eSCL and IPP clients run over USB unchanged.
 *
 * Each channel is one stream opened on demand by its opener, kept open between requests
 * (keep-alive), and reopened after the peer closes it or an exchange leaves it in an unknown state.
 * A request holds its channel until its response body has been read to the end (or cancelled and
 * drained), so callers must consume or cancel every body.
 */
import type { Duplex } from 'node:stream';
import { describeError } from '../../describe-error.ts';
import { HttpStreamError } from './http-stream-error.ts';
import { StreamReader } from './stream-reader.ts';

export type StreamOpener = () => Promise<Duplex> | Duplex;

export interface StreamFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Closes every open stream; requests made after this reject with TRANSPORT_CLOSED. */
  close(): Promise<void>;
}

const NO_BODY_STATUSES = new Set([204, 205, 304]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PUT']);
const HOP_BY_HOP = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);
const MAX_PIECE = 64 * 1024;
const MAX_HEADERS = 200;

/** A `fetch` over one or several stream channels (one per IPP-USB interface). */
export function createStreamFetch(openers: StreamOpener | StreamOpener[]): StreamFetch {
  const pool = new ChannelPool((Array.isArray(openers) ? openers : [openers]).map((o) => new Channel(o)));
  const streamFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = request.body === null ? null : Buffer.from(await request.arrayBuffer());
    const channel = await pool.acquire(request.signal);
    try {
      return await channel.exchange(request, body, () => pool.release(channel));
    } catch (error) {
      pool.release(channel);
      throw error;
    }
  };
  return Object.assign(streamFetch, { close: () => pool.close() });
}

class ChannelPool {
  readonly #idle: Channel[];
  readonly #all: Channel[];
  readonly #waiters: { resolve: (channel: Channel) => void; reject: (error: unknown) => void }[] = [];
  #closed = false;

  constructor(channels: Channel[]) {
    if (channels.length === 0) throw new TypeError('createStreamFetch needs at least one stream opener');
    this.#all = channels;
    this.#idle = [...channels];
  }

  acquire(signal: AbortSignal): Promise<Channel> {
    if (this.#closed) return Promise.reject(closedError());
    if (signal.aborted) return Promise.reject(signal.reason);
    // Prefer a channel whose stream is already open: opening a USB interface costs more than waiting.
    const index = Math.max(
      0,
      this.#idle.findIndex((c) => c.open),
    );
    const ready = this.#idle.splice(index, 1)[0];
    if (ready) return Promise.resolve(ready);
    return new Promise<Channel>((resolve, reject) => {
      const waiter = {
        resolve: (channel: Channel) => {
          signal.removeEventListener('abort', onAbort);
          resolve(channel);
        },
        reject,
      };
      const onAbort = () => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  release(channel: Channel): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(channel);
    else this.#idle.push(channel);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(closedError());
    await Promise.all(this.#all.map((channel) => channel.close()));
  }
}

function closedError(): HttpStreamError {
  return new HttpStreamError('TRANSPORT_CLOSED', 'the HTTP-over-stream transport is closed');
}

interface ResponseHead {
  version: '1.0' | '1.1';
  status: number;
  statusText: string;
  headers: Headers;
}

class Channel {
  readonly #opener: StreamOpener;
  #stream: Duplex | null = null;
  #reader: StreamReader | null = null;
  #exchanges = 0;

  constructor(opener: StreamOpener) {
    this.#opener = opener;
  }

  get open(): boolean {
    return this.#stream !== null;
  }

  async close(): Promise<void> {
    const stream = this.#stream;
    this.#discard();
    if (stream && !stream.destroyed) {
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
      });
    }
  }

  /**
   * One request and its response head; `release` runs once the body has been read (or drained),
   * which is when the next request may use this stream.
   */
  async exchange(request: Request, body: Buffer | null, release: () => void): Promise<Response> {
    const { signal } = request;
    const method = request.method.toUpperCase();
    for (let attempt = 1; ; attempt++) {
      const reused = await this.#ensureOpen();
      const stream = this.#stream!;
      const reader = this.#reader!;
      const onAbort = () => this.#discard(true);
      signal.addEventListener('abort', onAbort, { once: true });
      let head: ResponseHead;
      try {
        stream.write(serialiseRequest(request, method, body));
        head = await readResponseHead(reader);
      } catch (error) {
        signal.removeEventListener('abort', onAbort);
        this.#discard(true);
        if (signal.aborted) throw signal.reason;
        // A kept-alive stream the peer closed while idle: safe to resend only what cannot act twice.
        const closedBeforeAnswer = error instanceof HttpStreamError && error.code === 'CONNECTION_CLOSED';
        if (closedBeforeAnswer && reused && attempt === 1 && IDEMPOTENT.has(method)) continue;
        throw error;
      }
      this.#exchanges++;
      const keepAlive = wantsKeepAlive(head);
      let framing: BodyFraming;
      try {
        framing = bodyFraming(method, head);
      } catch (error) {
        // The body's end is unknown: its bytes, arriving late, would be read as the next response.
        signal.removeEventListener('abort', onAbort);
        this.#discard(true);
        throw error;
      }
      let finished = false;
      const finish = (reusable: boolean) => {
        if (finished) return;
        finished = true;
        signal.removeEventListener('abort', onAbort);
        if (!reusable || !keepAlive || framing.kind === 'until-close') this.#discard(true);
        release();
      };
      if (framing.kind === 'none') {
        finish(true);
        return new Response(null, responseInit(head));
      }
      const pieces = bodyPieces(reader, framing);
      const responseBody = new ReadableStream<Uint8Array>(
        {
          pull: async (controller) => {
            try {
              const next = await pieces.next();
              if (next.done) {
                controller.close();
                finish(true);
              } else {
                controller.enqueue(new Uint8Array(next.value));
              }
            } catch (error) {
              finish(false);
              controller.error(signal.aborted ? signal.reason : error);
            }
          },
          cancel: async () => {
            // The rest of the body is still on the wire: read it away so the stream can carry the
            // next exchange (a USB interface cannot be "reconnected" past unread bytes).
            try {
              for (;;) if ((await pieces.next()).done) break;
              finish(true);
            } catch {
              finish(false);
            }
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(responseBody, responseInit(head));
    }
  }

  /** Opens the stream if needed; true when an already used stream is reused. */
  async #ensureOpen(): Promise<boolean> {
    const reader = this.#reader;
    if (this.#stream && reader && !this.#stream.destroyed && !reader.exhausted && reader.pending === 0) {
      return this.#exchanges > 0;
    }
    this.#discard(true);
    let stream: Duplex;
    try {
      stream = await this.#opener();
    } catch (error) {
      throw new HttpStreamError('STREAM_FAILED', `cannot open the stream: ${describeError(error)}`, {
        cause: error,
      });
    }
    this.#stream = stream;
    this.#reader = new StreamReader(stream);
    this.#exchanges = 0;
    return false;
  }

  #discard(destroy = false): void {
    this.#reader?.detach();
    // A stream error after we gave up on it must not crash the process.
    this.#stream?.on('error', () => {});
    if (destroy) this.#stream?.destroy();
    this.#stream = null;
    this.#reader = null;
  }
}

function serialiseRequest(request: Request, method: string, body: Buffer | null): Buffer {
  const url = new URL(request.url);
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  request.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) lines.push(`${name}: ${value}`);
  });
  if (body !== null || method === 'POST' || method === 'PUT')
    lines.push(`Content-Length: ${body?.length ?? 0}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === null ? head : Buffer.concat([head, body]);
}

async function readResponseHead(reader: StreamReader): Promise<ResponseHead> {
  for (;;) {
    const statusLine = await reader.readLine();
    if (statusLine === null) {
      throw new HttpStreamError('CONNECTION_CLOSED', 'the connection closed before the response arrived');
    }
    const match = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!match) {
      throw new HttpStreamError(
        'MALFORMED_RESPONSE',
        `not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`,
      );
    }
    const headers = new Headers();
    for (let count = 0; ; count++) {
      const line = await reader.readLine();
      if (line === null) {
        throw new HttpStreamError(
          'CONNECTION_CLOSED',
          'the connection closed in the middle of the response headers',
        );
      }
      if (line === '') break;
      if (count >= MAX_HEADERS) throw new HttpStreamError('MALFORMED_RESPONSE', 'too many response headers');
      const colon = line.indexOf(':');
      if (colon <= 0) continue; // obsolete line folding or junk: skipped as browsers do
      try {
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      } catch {
        // A header value a Headers object refuses (control characters) is dropped, not fatal.
      }
    }
    const status = Number(match[2]);
    // Interim answers (100 Continue, 102, 103) precede the real one.
    if (status >= 100 && status < 200 && status !== 101) continue;
    if (status < 200 || status > 599) {
      throw new HttpStreamError('MALFORMED_RESPONSE', `unsupported HTTP status ${status}`);
    }
    // The reason phrase means nothing to the edge; characters Response refuses (controls, beyond
    // Latin-1) made it throw a TypeError instead of an HttpStreamError (found by test/fuzz).
    const statusText = (match[3] ?? '').replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
    return { version: match[1] === '0' ? '1.0' : '1.1', status, statusText, headers };
  }
}

function responseInit(head: ResponseHead): ResponseInit {
  return { status: head.status, statusText: head.statusText, headers: head.headers };
}

function wantsKeepAlive(head: ResponseHead): boolean {
  const tokens = (head.headers.get('connection') ?? '')
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
  if (tokens.includes('close')) return false;
  return head.version === '1.1' || tokens.includes('keep-alive');
}

type BodyFraming =
  { kind: 'none' } | { kind: 'chunked' } | { kind: 'length'; length: number } | { kind: 'until-close' };

function bodyFraming(method: string, head: ResponseHead): BodyFraming {
  if (method === 'HEAD' || NO_BODY_STATUSES.has(head.status)) return { kind: 'none' };
  const encoding = (head.headers.get('transfer-encoding') ?? '').toLowerCase();
  if (encoding.split(',').some((t) => t.trim() === 'chunked')) return { kind: 'chunked' };
  const lengthHeader = head.headers.get('content-length');
  if (lengthHeader !== null) {
    // Duplicated identical values arrive joined by ", " (RFC 9110 §8.6 allows them).
    const values = new Set(lengthHeader.split(',').map((v) => v.trim()));
    const [value] = values;
    if (values.size !== 1 || value === undefined || !/^\d+$/.test(value)) {
      throw new HttpStreamError('MALFORMED_RESPONSE', `bad Content-Length ${JSON.stringify(lengthHeader)}`);
    }
    const length = Number(value);
    return length === 0 ? { kind: 'none' } : { kind: 'length', length };
  }
  return { kind: 'until-close' };
}

async function* bodyPieces(reader: StreamReader, framing: BodyFraming): AsyncGenerator<Buffer> {
  if (framing.kind === 'length') {
    let received = 0;
    while (received < framing.length) {
      const piece = await reader.readSome(Math.min(MAX_PIECE, framing.length - received));
      if (piece === null) {
        throw new HttpStreamError(
          'CONNECTION_CLOSED',
          `the connection closed after ${received} of ${framing.length} body bytes`,
        );
      }
      received += piece.length;
      yield piece;
    }
  } else if (framing.kind === 'chunked') {
    let received = 0;
    for (;;) {
      const sizeLine = await reader.readLine();
      if (sizeLine === null) throw closedInChunked(received);
      const sizeText = sizeLine.split(';')[0]!.trim();
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) {
        throw new HttpStreamError(
          'MALFORMED_RESPONSE',
          `bad chunk size ${JSON.stringify(sizeLine.slice(0, 40))}`,
        );
      }
      let left = parseInt(sizeText, 16);
      if (left === 0) {
        // Trailer fields, if any, up to the empty line; their values are not used.
        for (;;) {
          const trailer = await reader.readLine();
          if (trailer === null) throw closedInChunked(received);
          if (trailer === '') return;
        }
      }
      while (left > 0) {
        const piece = await reader.readSome(Math.min(MAX_PIECE, left));
        if (piece === null) throw closedInChunked(received);
        left -= piece.length;
        received += piece.length;
        yield piece;
      }
      const end = await reader.readLine();
      if (end === null) throw closedInChunked(received);
      if (end !== '')
        throw new HttpStreamError('MALFORMED_RESPONSE', 'a chunk is longer than its size line says');
    }
  } else if (framing.kind === 'until-close') {
    for (;;) {
      const piece = await reader.readSome(MAX_PIECE);
      if (piece === null) return;
      yield piece;
    }
  }
}

function closedInChunked(received: number): HttpStreamError {
  return new HttpStreamError(
    'CONNECTION_CLOSED',
    `the connection closed in the middle of a chunked body (after ${received} bytes)`,
  );
}
