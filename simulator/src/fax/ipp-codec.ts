/**
 * A small, pure IPP/1.1–2.x message codec (RFC 8010 §3, RFC 8011 collections). No I/O.
 *
 * Why not node-ipp 2.0.1 on the server side: its parser turns the document that follows the
 * attributes into a UTF-8 string (a PDF does not survive), its serializer throws on every
 * attribute missing from its table (destination-uris and most FaxOut/IPP 2.0 printer attributes),
 * it cannot write out-of-band values, and it has the known date/text-with-language/collection bugs.
 * Each of those cases is pinned in test/simulator/fax/ipp-codec.test.ts, also against node-ipp.
 */
import { ValueTag } from './ipp-constants.ts';

export type StringType =
  | 'keyword'
  | 'uri'
  | 'uriScheme'
  | 'charset'
  | 'naturalLanguage'
  | 'mimeMediaType'
  | 'textWithoutLanguage'
  | 'nameWithoutLanguage';

export type IppValue =
  | { type: 'integer' | 'enum'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: StringType; value: string }
  | { type: 'textWithLanguage' | 'nameWithLanguage'; value: string; language: string }
  | { type: 'dateTime'; value: Date }
  | { type: 'resolution'; value: { x: number; y: number; units: 'dpi' | 'dpcm' } }
  | { type: 'rangeOfInteger'; value: { lower: number; upper: number } }
  | { type: 'collection'; value: IppAttribute[] }
  | { type: 'octetString'; value: Buffer }
  /** unsupported (0x10), unknown (0x12), no-value (0x13) and other out-of-band tags. */
  | { type: 'outOfBand'; tag: number; value: null }
  /** A value tag this codec does not interpret; kept as bytes so nothing is lost. */
  | { type: 'opaque'; tag: number; value: Buffer };

export interface IppAttribute {
  name: string;
  values: IppValue[];
}

export interface IppGroup {
  tag: number;
  attributes: IppAttribute[];
}

export interface IppMessage {
  version: { major: number; minor: number };
  /** operation-id in a request, status-code in a response. */
  code: number;
  requestId: number;
  groups: IppGroup[];
  /** Whatever follows end-of-attributes-tag: the document, byte for byte. */
  data: Buffer;
}

export class IppCodecError extends Error {
  readonly code: 'ipp-truncated' | 'ipp-malformed' | 'ipp-value-too-long';
  constructor(code: IppCodecError['code'], message: string) {
    super(message);
    this.name = 'IppCodecError';
    this.code = code;
  }
}

const STRING_TAGS: Record<StringType, number> = {
  keyword: ValueTag.keyword,
  uri: ValueTag.uri,
  uriScheme: ValueTag.uriScheme,
  charset: ValueTag.charset,
  naturalLanguage: ValueTag.naturalLanguage,
  mimeMediaType: ValueTag.mimeMediaType,
  textWithoutLanguage: ValueTag.textWithoutLanguage,
  nameWithoutLanguage: ValueTag.nameWithoutLanguage,
};
const STRING_TYPES = new Map<number, StringType>(
  Object.entries(STRING_TAGS).map(([type, tag]) => [tag, type as StringType]),
);

// ---------------------------------------------------------------------------------------------
// Decoding

class Reader {
  position = 0;
  constructor(readonly buf: Buffer) {}

  need(n: number): void {
    if (this.position + n > this.buf.length) {
      throw new IppCodecError('ipp-truncated', `IPP message truncated at byte ${this.position}`);
    }
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.position++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.position);
    this.position += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.position);
    this.position += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.position, this.position + n);
    this.position += n;
    return b;
  }
  peek(): number | undefined {
    return this.buf[this.position];
  }
}

function decodeValue(tag: number, raw: Buffer): IppValue {
  const stringType = STRING_TYPES.get(tag);
  if (stringType) return { type: stringType, value: raw.toString('utf8') };
  switch (tag) {
    case ValueTag.integer:
    case ValueTag.enum:
      if (raw.length !== 4) throw new IppCodecError('ipp-malformed', `integer of length ${raw.length}`);
      return { type: tag === ValueTag.enum ? 'enum' : 'integer', value: raw.readInt32BE(0) };
    case ValueTag.boolean:
      if (raw.length !== 1) throw new IppCodecError('ipp-malformed', `boolean of length ${raw.length}`);
      return { type: 'boolean', value: raw[0] !== 0 };
    case ValueTag.rangeOfInteger:
      if (raw.length !== 8)
        throw new IppCodecError('ipp-malformed', `rangeOfInteger of length ${raw.length}`);
      return { type: 'rangeOfInteger', value: { lower: raw.readInt32BE(0), upper: raw.readInt32BE(4) } };
    case ValueTag.resolution:
      if (raw.length !== 9) throw new IppCodecError('ipp-malformed', `resolution of length ${raw.length}`);
      return {
        type: 'resolution',
        value: { x: raw.readInt32BE(0), y: raw.readInt32BE(4), units: raw[8] === 4 ? 'dpcm' : 'dpi' },
      };
    case ValueTag.dateTime:
      return { type: 'dateTime', value: decodeDateTime(raw) };
    case ValueTag.textWithLanguage:
    case ValueTag.nameWithLanguage: {
      const r = new Reader(raw);
      const language = r.bytes(r.u16()).toString('ascii');
      const value = r.bytes(r.u16()).toString('utf8');
      if (r.position !== raw.length)
        throw new IppCodecError('ipp-malformed', 'text-with-language length mismatch');
      return {
        type: tag === ValueTag.textWithLanguage ? 'textWithLanguage' : 'nameWithLanguage',
        value,
        language,
      };
    }
    case ValueTag.octetString:
      return { type: 'octetString', value: Buffer.from(raw) };
    default:
      if (tag >= 0x10 && tag <= 0x1f) return { type: 'outOfBand', tag, value: null };
      return { type: 'opaque', tag, value: Buffer.from(raw) };
  }
}

/** RFC 2579 DateAndTime; months are 1-based on the wire (node-ipp reads them 0-based). */
function decodeDateTime(raw: Buffer): Date {
  if (raw.length !== 11) throw new IppCodecError('ipp-malformed', `dateTime of length ${raw.length}`);
  const utc = Date.UTC(raw.readUInt16BE(0), raw[2]! - 1, raw[3], raw[4], raw[5], raw[6], raw[7]! * 100);
  const offsetMinutes = (raw[9]! * 60 + raw[10]!) * (raw[8] === 0x2d ? -1 : 1);
  return new Date(utc - offsetMinutes * 60_000);
}

interface RawValue {
  tag: number;
  name: string;
  raw: Buffer;
}

function readRawValue(r: Reader, tag: number): RawValue {
  if (tag === ValueTag.extension) {
    throw new IppCodecError('ipp-malformed', 'extension value tag (0x7f) is not supported');
  }
  const name = r.bytes(r.u16()).toString('utf8');
  const raw = r.bytes(r.u16());
  return { tag, name, raw };
}

/** Reads the members after a begCollection value, up to and including its endCollection. */
function readCollection(r: Reader, depth: number): IppAttribute[] {
  if (depth > 16) throw new IppCodecError('ipp-malformed', 'collections nested too deeply');
  const members: IppAttribute[] = [];
  let current: IppAttribute | undefined;
  for (;;) {
    const tag = r.u8();
    if (tag < 0x10) throw new IppCodecError('ipp-malformed', 'collection not terminated by endCollection');
    const { name, raw } = readRawValue(r, tag);
    if (name !== '')
      throw new IppCodecError('ipp-malformed', `named attribute "${name}" inside a collection`);
    if (tag === ValueTag.endCollection) return members;
    if (tag === ValueTag.memberAttrName) {
      if (current && current.values.length === 0) {
        throw new IppCodecError('ipp-malformed', `collection member "${current.name}" has no value`);
      }
      current = { name: raw.toString('utf8'), values: [] };
      members.push(current);
      continue;
    }
    if (!current) throw new IppCodecError('ipp-malformed', 'collection value before any memberAttrName');
    current.values.push(readValueAfterHeader(r, tag, raw, depth));
  }
}

function readValueAfterHeader(r: Reader, tag: number, raw: Buffer, depth: number): IppValue {
  // The begCollection value is reserved and normally empty; some devices (Xerox B210) fill it.
  if (tag === ValueTag.begCollection) return { type: 'collection', value: readCollection(r, depth + 1) };
  if (tag === ValueTag.endCollection || tag === ValueTag.memberAttrName) {
    throw new IppCodecError('ipp-malformed', 'collection delimiter outside a collection');
  }
  return decodeValue(tag, raw);
}

export function decodeIppMessage(buf: Buffer): IppMessage {
  const r = new Reader(buf);
  const major = r.u8();
  const minor = r.u8();
  const code = r.u16();
  const requestId = r.i32();
  const groups: IppGroup[] = [];
  let group: IppGroup | undefined;
  let attribute: IppAttribute | undefined;
  for (;;) {
    const tag = r.u8();
    if (tag === 0x03) break;
    if (tag < 0x10) {
      if (tag === 0x00) throw new IppCodecError('ipp-malformed', 'reserved delimiter tag 0x00');
      group = { tag, attributes: [] };
      groups.push(group);
      attribute = undefined;
      continue;
    }
    if (!group) throw new IppCodecError('ipp-malformed', 'attribute before any group tag');
    const { name, raw } = readRawValue(r, tag);
    const value = readValueAfterHeader(r, tag, raw, 0);
    if (name !== '') {
      attribute = { name, values: [value] };
      group.attributes.push(attribute);
    } else if (attribute) {
      attribute.values.push(value);
    } else {
      throw new IppCodecError('ipp-malformed', 'additional value without an attribute');
    }
  }
  return { version: { major, minor }, code, requestId, groups, data: buf.subarray(r.position) };
}

// ---------------------------------------------------------------------------------------------
// Encoding

class Writer {
  readonly chunks: Buffer[] = [];
  u8(v: number): void {
    this.chunks.push(Buffer.from([v & 0xff]));
  }
  u16(v: number): void {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.chunks.push(b);
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.chunks.push(b);
  }
  sized(b: Buffer): void {
    if (b.length > 0xffff) throw new IppCodecError('ipp-value-too-long', `value of ${b.length} bytes`);
    this.u16(b.length);
    this.chunks.push(b);
  }
}

function valueTag(value: IppValue): number {
  switch (value.type) {
    case 'integer':
      return ValueTag.integer;
    case 'enum':
      return ValueTag.enum;
    case 'boolean':
      return ValueTag.boolean;
    case 'textWithLanguage':
      return ValueTag.textWithLanguage;
    case 'nameWithLanguage':
      return ValueTag.nameWithLanguage;
    case 'dateTime':
      return ValueTag.dateTime;
    case 'resolution':
      return ValueTag.resolution;
    case 'rangeOfInteger':
      return ValueTag.rangeOfInteger;
    case 'collection':
      return ValueTag.begCollection;
    case 'octetString':
      return ValueTag.octetString;
    case 'outOfBand':
    case 'opaque':
      return value.tag;
    default:
      return STRING_TAGS[value.type];
  }
}

function encodeDateTime(date: Date): Buffer {
  const b = Buffer.alloc(11);
  b.writeUInt16BE(date.getUTCFullYear(), 0);
  b[2] = date.getUTCMonth() + 1;
  b[3] = date.getUTCDate();
  b[4] = date.getUTCHours();
  b[5] = date.getUTCMinutes();
  b[6] = date.getUTCSeconds();
  b[7] = Math.floor(date.getUTCMilliseconds() / 100);
  b[8] = 0x2b; // '+': always written in UTC
  return b;
}

function valueBytes(value: IppValue): Buffer {
  switch (value.type) {
    case 'integer':
    case 'enum': {
      const b = Buffer.alloc(4);
      b.writeInt32BE(value.value);
      return b;
    }
    case 'boolean':
      return Buffer.from([value.value ? 1 : 0]);
    case 'rangeOfInteger': {
      const b = Buffer.alloc(8);
      b.writeInt32BE(value.value.lower, 0);
      b.writeInt32BE(value.value.upper, 4);
      return b;
    }
    case 'resolution': {
      const b = Buffer.alloc(9);
      b.writeInt32BE(value.value.x, 0);
      b.writeInt32BE(value.value.y, 4);
      b[8] = value.value.units === 'dpcm' ? 4 : 3;
      return b;
    }
    case 'dateTime':
      return encodeDateTime(value.value);
    case 'textWithLanguage':
    case 'nameWithLanguage': {
      const w = new Writer();
      w.sized(Buffer.from(value.language, 'ascii'));
      w.sized(Buffer.from(value.value, 'utf8'));
      return Buffer.concat(w.chunks);
    }
    case 'collection':
    case 'outOfBand':
      return Buffer.alloc(0);
    case 'octetString':
    case 'opaque':
      return value.value;
    default:
      return Buffer.from(value.value, 'utf8');
  }
}

function writeValue(w: Writer, name: string, value: IppValue): void {
  const tag = valueTag(value);
  w.u8(tag);
  w.sized(Buffer.from(name, 'utf8'));
  w.sized(valueBytes(value));
  if (value.type !== 'collection') return;
  for (const member of value.value) {
    w.u8(ValueTag.memberAttrName);
    w.sized(Buffer.alloc(0));
    w.sized(Buffer.from(member.name, 'utf8'));
    for (const memberValue of member.values) writeValue(w, '', memberValue);
  }
  w.u8(ValueTag.endCollection);
  w.u16(0);
  w.u16(0);
}

export function encodeIppMessage(message: IppMessage): Buffer {
  const w = new Writer();
  w.u8(message.version.major);
  w.u8(message.version.minor);
  w.u16(message.code);
  w.i32(message.requestId);
  for (const group of message.groups) {
    w.u8(group.tag);
    for (const attribute of group.attributes) {
      if (attribute.values.length === 0)
        throw new IppCodecError('ipp-malformed', `${attribute.name} has no value`);
      attribute.values.forEach((value, i) => writeValue(w, i === 0 ? attribute.name : '', value));
    }
  }
  w.u8(0x03);
  return Buffer.concat([...w.chunks, message.data]);
}

// ---------------------------------------------------------------------------------------------
// Builders and look-ups, so operation code reads like the spec.

export const v = {
  integer: (value: number): IppValue => ({ type: 'integer', value }),
  enum: (value: number): IppValue => ({ type: 'enum', value }),
  boolean: (value: boolean): IppValue => ({ type: 'boolean', value }),
  keyword: (value: string): IppValue => ({ type: 'keyword', value }),
  uri: (value: string): IppValue => ({ type: 'uri', value }),
  uriScheme: (value: string): IppValue => ({ type: 'uriScheme', value }),
  charset: (value: string): IppValue => ({ type: 'charset', value }),
  naturalLanguage: (value: string): IppValue => ({ type: 'naturalLanguage', value }),
  mimeMediaType: (value: string): IppValue => ({ type: 'mimeMediaType', value }),
  text: (value: string): IppValue => ({ type: 'textWithoutLanguage', value }),
  name: (value: string): IppValue => ({ type: 'nameWithoutLanguage', value }),
  dateTime: (value: Date): IppValue => ({ type: 'dateTime', value }),
  range: (lower: number, upper: number): IppValue => ({ type: 'rangeOfInteger', value: { lower, upper } }),
  resolution: (x: number, y: number, units: 'dpi' | 'dpcm' = 'dpi'): IppValue => ({
    type: 'resolution',
    value: { x, y, units },
  }),
  collection: (members: IppAttribute[]): IppValue => ({ type: 'collection', value: members }),
  octetString: (value: Buffer): IppValue => ({ type: 'octetString', value }),
  noValue: (): IppValue => ({ type: 'outOfBand', tag: ValueTag.noValue, value: null }),
  unknown: (): IppValue => ({ type: 'outOfBand', tag: ValueTag.unknown, value: null }),
  unsupported: (): IppValue => ({ type: 'outOfBand', tag: ValueTag.unsupported, value: null }),
};

export function attr(name: string, ...values: IppValue[]): IppAttribute {
  return { name, values };
}

export function findAttribute(attributes: readonly IppAttribute[], name: string): IppAttribute | undefined {
  return attributes.find((a) => a.name === name);
}

/** The string of a single-valued string-like attribute (any string syntax, with or without language). */
export function stringValue(attribute: IppAttribute | undefined): string | undefined {
  const first = attribute?.values[0];
  return first && typeof first.value === 'string' ? first.value : undefined;
}

export function integerValue(attribute: IppAttribute | undefined): number | undefined {
  const first = attribute?.values[0];
  return first && (first.type === 'integer' || first.type === 'enum') ? first.value : undefined;
}

export function booleanValue(attribute: IppAttribute | undefined): boolean | undefined {
  const first = attribute?.values[0];
  return first?.type === 'boolean' ? first.value : undefined;
}
