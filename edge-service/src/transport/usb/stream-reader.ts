/**
 * Pull-style reading of a Duplex (lines, exact byte counts, whatever is there), with backpressure:
 * an HTTP response is parsed by asking for the next piece, not by reacting to 'data' events.
 */
import type { Duplex } from 'node:stream';
import { HttpStreamError } from './http-stream-error.ts';

/** Above this many buffered bytes the stream is paused until the reader catches up. */
const HIGH_WATER = 1024 * 1024;
/** A status line or header line longer than this is not HTTP. */
const MAX_LINE = 64 * 1024;

export class StreamReader {
  readonly #stream: Duplex;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false;
  #failure: Error | null = null;
  #wake: (() => void) | null = null;
  readonly #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered > HIGH_WATER) this.#stream.pause();
    this.#notify();
  };
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#notify();
  };
  readonly #onError = (error: Error): void => {
    this.#failure = error;
    this.#notify();
  };

  constructor(stream: Duplex) {
    this.#stream = stream;
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('close', this.#onEnd);
    stream.on('error', this.#onError);
  }

  /** True once the peer has closed and everything it sent has been read. */
  get exhausted(): boolean {
    return this.#ended && this.#buffered === 0;
  }

  /** Bytes the peer sent that no response has claimed (a protocol error when a request starts). */
  get pending(): number {
    return this.#buffered;
  }

  detach(): void {
    this.#stream.off('data', this.#onData);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('close', this.#onEnd);
    this.#stream.off('error', this.#onError);
    // Whoever still waits on this reader must fail, not wait for data that will never be delivered.
    this.#failure ??= new HttpStreamError('STREAM_FAILED', 'the stream was given up');
    this.#notify();
  }

  /** One CRLF- (or LF-) terminated line without its terminator; null when the stream ended first. */
  async readLine(): Promise<string | null> {
    for (;;) {
      const joined = this.#peekAll();
      const newline = joined.indexOf(0x0a);
      if (newline >= 0) {
        this.#consume(newline + 1);
        const end = newline > 0 && joined[newline - 1] === 0x0d ? newline - 1 : newline;
        return joined.subarray(0, end).toString('latin1');
      }
      if (joined.length > MAX_LINE)
        throw new HttpStreamError('MALFORMED_RESPONSE', 'a response line is too long');
      if (!(await this.#more())) return null;
    }
  }

  /** Up to `max` bytes, at least one; null when the stream ended. */
  async readSome(max: number): Promise<Buffer | null> {
    while (this.#buffered === 0) {
      if (!(await this.#more())) return null;
    }
    const joined = this.#peekAll();
    const piece = Buffer.from(joined.subarray(0, Math.min(max, joined.length)));
    this.#consume(piece.length);
    return piece;
  }

  /** Waits for bytes beyond those already buffered; false when the stream ended instead. */
  async #more(): Promise<boolean> {
    const before = this.#buffered;
    for (;;) {
      if (this.#failure) throw this.#failure;
      if (this.#buffered > before) return true;
      if (this.#ended) return false;
      this.#stream.resume();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #peekAll(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  #consume(bytes: number): void {
    const joined = this.#peekAll();
    const rest = joined.subarray(bytes);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    if (this.#buffered <= HIGH_WATER) this.#stream.resume();
  }
}
