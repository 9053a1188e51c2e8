/**
 * Just enough PDF syntax (ISO 32000-1 §7.2–7.5) to find image XObjects: objects, streams with a
 * direct or indirect /Length, object streams. No I/O. It reads the file front to back instead of
 * trusting the xref table, so files with a broken or missing xref still open.
 */
import { inflateSync } from 'node:zlib';

export interface PdfName {
  kind: 'name';
  name: string;
}
export interface PdfRef {
  kind: 'ref';
  num: number;
  gen: number;
}
export interface PdfString {
  kind: 'string';
  bytes: Buffer;
}
export interface PdfDict {
  kind: 'dict';
  entries: Map<string, PdfValue>;
}
export type PdfValue = number | boolean | null | PdfName | PdfRef | PdfString | PdfDict | PdfValue[];

export interface PdfObject {
  value: PdfValue;
  /** Raw (still filtered) stream bytes when the object is a stream. */
  stream?: Buffer;
}

export class PdfSyntaxError extends Error {
  readonly code = 'PDF_MALFORMED';
  constructor(message: string) {
    super(message);
    this.name = 'PdfSyntaxError';
  }
}

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([...'()<>[]{}/%'].map((c) => c.charCodeAt(0)));

class Parser {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
  ) {
    this.pos = start;
  }

  skipSpace(): void {
    for (;;) {
      const c = this.buf[this.pos];
      if (c === undefined) return;
      if (WHITESPACE.has(c)) this.pos++;
      else if (c === 0x25 /* % */) {
        while (this.pos < this.buf.length && this.buf[this.pos] !== 0x0a && this.buf[this.pos] !== 0x0d)
          this.pos++;
      } else return;
    }
  }

  token(): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.buf.length) {
      const c = this.buf[this.pos]!;
      if (WHITESPACE.has(c) || DELIMITERS.has(c)) break;
      this.pos++;
    }
    return this.buf.toString('latin1', start, this.pos);
  }

  startsWith(s: string): boolean {
    return this.buf.toString('latin1', this.pos, this.pos + s.length) === s;
  }

  value(depth = 0): PdfValue {
    if (depth > 64) throw new PdfSyntaxError('objects nested too deeply');
    this.skipSpace();
    const c = this.buf[this.pos];
    if (c === undefined) throw new PdfSyntaxError('unexpected end of file');
    if (this.startsWith('<<')) return this.dict(depth);
    if (c === 0x3c /* < */) return this.hexString();
    if (c === 0x28 /* ( */) return this.literalString();
    if (c === 0x2f /* / */) return this.name();
    if (c === 0x5b /* [ */) {
      this.pos++;
      const items: PdfValue[] = [];
      for (;;) {
        this.skipSpace();
        if (this.buf[this.pos] === 0x5d /* ] */) {
          this.pos++;
          return items;
        }
        items.push(this.value(depth + 1));
      }
    }
    const word = this.token();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word))
      throw new PdfSyntaxError(`unexpected token "${word.slice(0, 20)}"`);
    const num = Number(word);
    if (/^\d+$/.test(word)) {
      // "num gen R" is a reference; look ahead without consuming unless it matches.
      const save = this.pos;
      const gen = this.token();
      if (/^\d+$/.test(gen) && this.token() === 'R') return { kind: 'ref', num, gen: Number(gen) };
      this.pos = save;
    }
    return num;
  }

  dict(depth: number): PdfDict {
    this.pos += 2;
    const entries = new Map<string, PdfValue>();
    for (;;) {
      this.skipSpace();
      if (this.startsWith('>>')) {
        this.pos += 2;
        return { kind: 'dict', entries };
      }
      const key = this.value(depth + 1);
      if (!isName(key)) throw new PdfSyntaxError('dictionary key is not a name');
      entries.set(key.name, this.value(depth + 1));
    }
  }

  name(): PdfName {
    this.pos++;
    const raw = this.token();
    return {
      kind: 'name',
      name: raw.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    };
  }

  hexString(): PdfString {
    const end = this.buf.indexOf(0x3e /* > */, this.pos);
    if (end < 0) throw new PdfSyntaxError('unterminated hex string');
    const hex = this.buf.toString('latin1', this.pos + 1, end).replace(/[^0-9a-fA-F]/g, '');
    this.pos = end + 1;
    return { kind: 'string', bytes: Buffer.from(hex.length % 2 ? hex + '0' : hex, 'hex') };
  }

  literalString(): PdfString {
    // Only the extent matters here; escapes are kept as written.
    const start = ++this.pos;
    let nesting = 1;
    while (this.pos < this.buf.length) {
      const c = this.buf[this.pos++];
      if (c === 0x5c /* \ */) this.pos++;
      else if (c === 0x28) nesting++;
      else if (c === 0x29 && --nesting === 0)
        return { kind: 'string', bytes: this.buf.subarray(start, this.pos - 1) };
    }
    throw new PdfSyntaxError('unterminated string');
  }
}

export function isName(value: PdfValue | undefined, name?: string): value is PdfName {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.kind === 'name'
    ? name === undefined || value.name === name
    : false;
}

export function isDict(value: PdfValue | undefined): value is PdfDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.kind === 'dict';
}

export function isRef(value: PdfValue | undefined): value is PdfRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.kind === 'ref';
}

const OBJ_HEADER = /(\d+)\s+(\d+)\s+obj\b/g;

/**
 * Bytes all of a document's object streams may inflate to together. They hold objects as text,
 * far smaller than images; a "stream" that inflates beyond this is a bomb, not a PDF.
 */
export const MAX_OBJECT_STREAM_BYTES = 32 * 1024 * 1024;

/** Every object of a PDF, by object number; later definitions (incremental updates) win. */
export class PdfDocument {
  readonly objects = new Map<number, PdfObject>();
  #inflateBudget: number;

  constructor(
    readonly buf: Buffer,
    options: { maxObjectStreamBytes?: number } = {},
  ) {
    this.#inflateBudget = options.maxObjectStreamBytes ?? MAX_OBJECT_STREAM_BYTES;
    if (buf.toString('latin1', 0, 1024).indexOf('%PDF-') < 0)
      throw new PdfSyntaxError('not a PDF (no %PDF- header)');
    const text = buf.toString('latin1');
    const pendingLengths: { obj: PdfObject; dict: PdfDict; start: number; fallbackEnd: number }[] = [];
    OBJ_HEADER.lastIndex = 0;
    for (let m = OBJ_HEADER.exec(text); m; m = OBJ_HEADER.exec(text)) {
      const parser = new Parser(buf, m.index + m[0].length);
      let value: PdfValue;
      try {
        value = parser.value();
      } catch {
        continue; // a false match (e.g. inside a content stream) or damage: skip it
      }
      const obj: PdfObject = { value };
      parser.skipSpace();
      if (isDict(value) && parser.startsWith('stream')) {
        let start = parser.pos + 'stream'.length;
        if (buf[start] === 0x0d) start++;
        if (buf[start] === 0x0a) start++;
        const endstream = text.indexOf('endstream', start);
        const fallbackEnd = endstream < 0 ? buf.length : trimEol(buf, start, endstream);
        const length = value.entries.get('Length');
        // A negative /Length would move the scan backwards, onto this same object, for ever.
        if (isLength(length) && start + length <= buf.length) {
          obj.stream = buf.subarray(start, start + length);
          OBJ_HEADER.lastIndex = start + length;
        } else {
          obj.stream = buf.subarray(start, fallbackEnd);
          pendingLengths.push({ obj, dict: value, start, fallbackEnd });
          OBJ_HEADER.lastIndex = fallbackEnd;
        }
      } else {
        OBJ_HEADER.lastIndex = parser.pos;
      }
      this.objects.set(Number(m[1]), obj);
    }
    // An indirect /Length may point at an object defined after the stream.
    for (const pending of pendingLengths) {
      const length = this.resolve(pending.dict.entries.get('Length'));
      if (isLength(length) && pending.start + length <= buf.length) {
        pending.obj.stream = buf.subarray(pending.start, pending.start + length);
      }
    }
    this.#expandObjectStreams();
  }

  resolve(value: PdfValue | undefined, depth = 0): PdfValue | undefined {
    if (isRef(value) && depth < 32) return this.resolve(this.objects.get(value.num)?.value, depth + 1);
    return value;
  }

  /** The object a value refers to (stream included), or the direct value itself. */
  object(value: PdfValue | undefined): PdfObject | undefined {
    if (isRef(value)) return this.objects.get(value.num);
    return value === undefined ? undefined : { value };
  }

  get(dict: PdfDict, key: string): PdfValue | undefined {
    return this.resolve(dict.entries.get(key));
  }

  #expandObjectStreams(): void {
    for (const obj of [...this.objects.values()]) {
      if (!isDict(obj.value) || !isName(obj.value.entries.get('Type'), 'ObjStm') || !obj.stream) continue;
      let data: Buffer;
      try {
        data = decodeFlateIfNeeded(this, obj.value, obj.stream, this.#inflateBudget);
      } catch {
        continue; // damaged, or over the budget: its objects stay missing
      }
      if (data !== obj.stream) this.#inflateBudget -= data.length;
      const n = this.get(obj.value, 'N');
      const first = this.get(obj.value, 'First');
      if (typeof n !== 'number' || typeof first !== 'number') continue;
      const header = new Parser(data, 0);
      // /N is only a claim: the header's own pairs end the loop.
      for (let i = 0; i < n; i++) {
        const numToken = header.token();
        const offsetToken = header.token();
        if (!numToken || !offsetToken) break;
        const num = Number(numToken);
        const offset = Number(offsetToken);
        if (!Number.isInteger(num) || !Number.isInteger(offset) || this.objects.has(num)) continue;
        try {
          this.objects.set(num, { value: new Parser(data, first + offset).value() });
        } catch {
          // one damaged member does not spoil the others
        }
      }
    }
  }
}

function trimEol(buf: Buffer, start: number, end: number): number {
  let e = end;
  if (e > start && buf[e - 1] === 0x0a) e--;
  if (e > start && buf[e - 1] === 0x0d) e--;
  return e;
}

function isLength(value: PdfValue | undefined): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function decodeFlateIfNeeded(doc: PdfDocument, dict: PdfDict, stream: Buffer, maxBytes: number): Buffer {
  const filter = doc.get(dict, 'Filter');
  if (filter === undefined) return stream;
  // zlib stops and throws as soon as the output would pass maxOutputLength.
  if (isName(filter, 'FlateDecode')) return inflateSync(stream, { maxOutputLength: Math.max(1, maxBytes) });
  throw new PdfSyntaxError('unsupported object stream filter');
}
