/**
 * Server-sent events (WHATWG HTML, "event stream interpretation"), incrementally and with limits:
 * text goes in as it arrives, complete events come out. A device that never ends a line, or sends an
 * endless event, fails with SseLimitError once the limit is reached instead of growing the buffer.
 * Pure: no I/O; the caller decodes bytes (UTF-8, streaming) and owns the connection.
 */

export interface SseEvent {
  /** The `event:` field; `message` when none was given. */
  type: string;
  data: string;
  /** The last `id:` seen on the stream so far, if any. */
  lastEventId: string | undefined;
}

export interface SseLimits {
  /** Longest line, in UTF-16 code units (the unfinished line is all the parser buffers). */
  maxLineLength: number;
  /** Largest `data` of one event, in UTF-16 code units. */
  maxEventLength: number;
}

export const DEFAULT_SSE_LIMITS: SseLimits = { maxLineLength: 64 * 1024, maxEventLength: 64 * 1024 };

export class SseLimitError extends Error {
  readonly code = 'SSE_TOO_LARGE';
  constructor(message: string) {
    super(message);
    this.name = 'SseLimitError';
  }
}

export class SseParser {
  readonly #limits: SseLimits;
  /** The unfinished line (never holds a line terminator). */
  #pending = '';
  /** The previous chunk ended in CR: an LF starting the next one belongs to it. */
  #skipLf = false;
  #started = false;
  #type = '';
  #data = '';
  #hasData = false;
  #lastEventId: string | undefined;
  /** The stream's `retry:` advice in ms, if it gave one. */
  retryMs: number | undefined;

  constructor(limits: Partial<SseLimits> = {}) {
    this.#limits = { ...DEFAULT_SSE_LIMITS, ...limits };
  }

  /** Feeds decoded text; returns the events it completed. Throws SseLimitError past a limit. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#skipLf && text.length > 0) {
      this.#skipLf = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    const events: SseEvent[] = [];
    let lineStart = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code !== 10 && code !== 13) continue;
      const line = lineStart === 0 ? this.#pending + text.slice(0, i) : text.slice(lineStart, i);
      this.#pending = '';
      this.#checkLine(line.length);
      this.#line(line, events);
      if (code === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.#skipLf = true;
        }
      }
      lineStart = i + 1;
    }
    const rest = text.slice(lineStart);
    this.#pending = lineStart === 0 ? this.#pending + rest : rest;
    this.#checkLine(this.#pending.length);
    return events;
  }

  #checkLine(length: number): void {
    if (length > this.#limits.maxLineLength)
      throw new SseLimitError(`a line longer than ${this.#limits.maxLineLength} characters`);
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      this.#dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#type = value;
        break;
      case 'data':
        if (this.#data.length + value.length + 1 > this.#limits.maxEventLength)
          throw new SseLimitError(`an event larger than ${this.#limits.maxEventLength} characters`);
        this.#data += this.#hasData ? `\n${value}` : value;
        this.#hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  #dispatch(events: SseEvent[]): void {
    if (this.#hasData)
      events.push({ type: this.#type || 'message', data: this.#data, lastEventId: this.#lastEventId });
    this.#type = '';
    this.#data = '';
    this.#hasData = false;
  }
}
