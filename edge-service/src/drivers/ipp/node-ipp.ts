/**
 * The one place the edge touches node-ipp 2.0.1. Pure: bytes in, bytes out, no I/O.
 *
 * Encoding goes through node-ipp's serializer and attribute table, with its bugs fixed here:
 * - FaxOut attributes (`destination-uris`, `destination-statuses`, …) are missing from its table, so
 *   the serializer refuses them: they are registered below.
 * - dateTime is written with a 0-based month (one month early), milliseconds where RFC 8010 wants
 *   deci-seconds (a RangeError past 255 ms), local time, and 0x00 for the '+'/'-' direction: dates
 *   are handed to it as UTC views and the direction is set after.
 * - textWithLanguage/nameWithLanguage throw (`parts` is undefined): such values are spliced in after.
 * - errors are thrown as strings: they become Errors with the attribute name.
 *
 * Decoding does not use `ipp.parse`: its faults cannot be fixed from outside. It builds dates one
 * month late from garbage time-zone bytes, reads lengths as signed (a value over 32 KiB moves the
 * cursor backwards: a malformed response can loop forever), throws RangeError or prints to the
 * console on malformed input, turns the document into a UTF-8 string, and parses a one-value
 * 1setOf as a bare value. The decoder here reads RFC 8010 with bounds checks and node-ipp's tables
 * (enum names, status codes, which attributes are 1setOf), tolerates the real-device quirks of
 * QUIRKS.md §IPP it can, and throws IppDecodeError for the rest. Each fault is pinned in
 * test/edge-service/drivers/ipp/node-ipp.test.ts.
 */
import { createRequire } from 'node:module';

// node-ipp ships no types; a local view of what we use keeps the any-typed surface in this file.
type Syntax = {
  type: string;
  tag?: number;
  setof?: boolean;
  max?: number;
  min?: number;
  members?: Record<string, Syntax>;
};
type XrefTable = Record<string, number> & { lookup: (string | undefined)[] };
interface NodeIpp {
  serialize(message: object): Buffer;
  attributes: Record<string, Record<string, Syntax>>;
  enums: Record<string, XrefTable>;
  statusCodes: XrefTable;
  operations: XrefTable;
  tags: XrefTable;
}
const ipp = createRequire(import.meta.url)('ipp') as NodeIpp;

export interface IppRange {
  lower: number;
  upper: number;
}
export interface IppResolution {
  x: number;
  y: number;
  units: 'dpi' | 'dpcm';
}
export interface IppTextWithLanguage {
  lang: string;
  value: string;
}
export interface IppCollection {
  [member: string]: IppAttributeValue;
}
/**
 * One value. Enums decode to their keyword when node-ipp knows it, else to the number. Out-of-band
 * values (no-value, unknown, unsupported) decode to null; values of unknown syntax to a Buffer.
 */
export type IppValue =
  | string
  | number
  | boolean
  | Date
  | null
  | Buffer
  | IppRange
  | IppResolution
  | IppTextWithLanguage
  | IppCollection;
/** A 1setOf attribute is always an array, even with one value; others are a bare value. */
export type IppAttributeValue = IppValue | IppValue[];
export type IppAttributes = Record<string, IppAttributeValue>;

export type IppGroupName =
  | 'operation-attributes-tag'
  | 'job-attributes-tag'
  | 'printer-attributes-tag'
  | 'unsupported-attributes-tag'
  | 'subscription-attributes-tag'
  | 'event-notification-attributes-tag'
  | 'resource-attributes-tag'
  | 'document-attributes-tag'
  | 'system-attributes-tag';

export interface IppGroup {
  name: IppGroupName | `group-${string}`;
  attributes: IppAttributes;
}

interface DecodedMessage {
  version: string;
  requestId: number;
  /** In wire order; a Get-Jobs response has one job group per job. */
  groups: IppGroup[];
  /** The document after end-of-attributes (Send-Document/Print-Job), empty in most responses. */
  data: Buffer;
}
export interface IppDecodedResponse extends DecodedMessage {
  statusCode: number;
  /** The IPP status keyword, e.g. `client-error-not-found`, or `0x…` when unknown. */
  status: string;
}
export interface IppDecodedRequest extends DecodedMessage {
  operationId: number;
  /** e.g. `Create-Job`, or `0x…` when unknown. */
  operation: string;
}

export interface IppEncodeGroups {
  operationAttributes?: IppAttributes;
  jobAttributes?: IppAttributes;
  printerAttributes?: IppAttributes;
  documentAttributes?: IppAttributes;
}
export interface IppRequestMessage extends IppEncodeGroups {
  operation: string;
  requestId: number;
  version?: '1.1' | '2.0' | '2.1';
  data?: Buffer;
}
export interface IppResponseMessage extends IppEncodeGroups {
  /** An IPP status keyword, e.g. `successful-ok`. */
  status: string;
  requestId: number;
  version?: '1.1' | '2.0' | '2.1';
}

export class IppDecodeError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`Malformed IPP message at byte ${offset}: ${message}`);
    this.name = 'IppDecodeError';
    this.offset = offset;
  }
}

export class IppEncodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`Cannot encode IPP message: ${message}`, options);
    this.name = 'IppEncodeError';
  }
}

// ---------------------------------------------------------------------------------------------
// Registrations missing from node-ipp's table (PWG 5100.15 FaxOut, PWG 5100.13, RFC 8011).

const TAG = {
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  textWithoutLanguage: 0x41,
  nameWithoutLanguage: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
  extension: 0x7f,
} as const;

const MAX_INT = 2147483647;
const syntax = {
  uri: (): Syntax => ({ type: 'uri', tag: TAG.uri, max: 1023 }),
  uriScheme: (): Syntax => ({ type: 'uriScheme', tag: TAG.uriScheme, max: 63 }),
  text: (max = 1023): Syntax => ({ type: 'text', max }),
  name: (max = 1023): Syntax => ({ type: 'name', max }),
  keyword: (): Syntax => ({ type: 'keyword', tag: TAG.keyword, min: 1, max: 1023 }),
  integer: (min = 0, max = MAX_INT): Syntax => ({ type: 'integer', tag: TAG.integer, min, max }),
  boolean: (): Syntax => ({ type: 'boolean', tag: TAG.boolean }),
  enumeration: (): Syntax => ({ type: 'enumeration', tag: TAG.enum }),
  mimeMediaType: (): Syntax => ({ type: 'mimeMediaType', tag: TAG.mimeMediaType, max: 255 }),
  collection: (members: Record<string, Syntax> = {}): Syntax => ({
    type: 'collection',
    tag: TAG.begCollection,
    members,
  }),
  setof: (inner: Syntax): Syntax => ({ ...inner, setof: true }),
};

const DESTINATION_URIS = syntax.setof(
  syntax.collection({
    'destination-uri': syntax.uri(),
    'pre-dial-string': syntax.text(),
    't33-subaddress': syntax.integer(1),
    'destination-attributes': syntax.setof(syntax.collection()),
  }),
);
const DESTINATION_STATUSES = syntax.setof(
  syntax.collection({
    'destination-uri': syntax.uri(),
    'images-completed': syntax.integer(0),
    'transmission-status': syntax.enumeration(),
  }),
);

const REGISTRATIONS: Record<string, Record<string, Syntax>> = {
  'Job Template': {
    'destination-uris': DESTINATION_URIS,
  },
  'Job Description': {
    'destination-statuses': DESTINATION_STATUSES,
    'job-pages-completed': syntax.integer(0),
    'job-impressions-completed': syntax.integer(0),
    'job-printer-state-reasons': syntax.setof(syntax.keyword()),
    'job-printer-state-message': syntax.text(),
  },
  'Printer Description': {
    'destination-uri-schemes-supported': syntax.setof(syntax.uriScheme()),
    'destination-uris-supported': syntax.setof(syntax.keyword()),
    'multiple-destination-uris-supported': syntax.boolean(),
    'printer-fax-modem-name': syntax.name(),
    'printer-fax-modem-number': syntax.uri(),
    'printer-fax-log-uri': syntax.uri(),
    'printer-uuid': syntax.uri(),
    'printer-more-info': syntax.uri(),
    'printer-device-id': syntax.text(),
  },
};

// PWG 5100.15 §7.3 transmission-status; the rest of the enum registry is node-ipp's.
const TRANSMISSION_STATUS: (string | undefined)[] = [];
TRANSMISSION_STATUS[3] = 'pending';
TRANSMISSION_STATUS[4] = 'pending-retry';
TRANSMISSION_STATUS[5] = 'processing';
TRANSMISSION_STATUS[7] = 'canceled';
TRANSMISSION_STATUS[8] = 'aborted';
TRANSMISSION_STATUS[9] = 'completed';

function register(): void {
  for (const [group, entries] of Object.entries(REGISTRATIONS)) {
    const table = (ipp.attributes[group] ??= {});
    for (const [name, entry] of Object.entries(entries)) table[name] ??= entry;
  }
  if (!ipp.enums['transmission-status']) {
    const table = { lookup: TRANSMISSION_STATUS } as XrefTable;
    TRANSMISSION_STATUS.forEach((name, value) => {
      if (name !== undefined) table[name] = value;
    });
    ipp.enums['transmission-status'] = table;
  }
}
register();

/** Every attribute name node-ipp knows (plus ours), with its syntax; the first table wins. */
const SYNTAX_BY_NAME: Map<string, Syntax> = (() => {
  const map = new Map<string, Syntax>();
  for (const table of Object.values(ipp.attributes)) {
    for (const [name, entry] of Object.entries(table)) if (!map.has(name)) map.set(name, entry);
  }
  // Registered 1setOf wins over node-ipp's single-valued Operation-group duplicates.
  for (const entries of Object.values(REGISTRATIONS))
    for (const [name, s] of Object.entries(entries)) map.set(name, s);
  return map;
})();

// ---------------------------------------------------------------------------------------------
// Decoding

const GROUP_NAMES: Record<number, IppGroupName> = {
  0x01: 'operation-attributes-tag',
  0x02: 'job-attributes-tag',
  0x04: 'printer-attributes-tag',
  0x05: 'unsupported-attributes-tag',
  0x06: 'subscription-attributes-tag',
  0x07: 'event-notification-attributes-tag',
  0x08: 'resource-attributes-tag',
  0x09: 'document-attributes-tag',
  0x0a: 'system-attributes-tag',
};
const END_OF_ATTRIBUTES = 0x03;
const MAX_COLLECTION_DEPTH = 16;

class Reader {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  need(length: number, what: string): void {
    if (this.offset + length > this.buf.length)
      throw new IppDecodeError(`truncated while reading ${what} (${length} bytes wanted)`, this.offset);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf.readUInt8(this.offset++);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  i32(what: string): number {
    this.need(4, what);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  bytes(length: number, what: string): Buffer {
    this.need(length, what);
    const v = this.buf.subarray(this.offset, this.offset + length);
    this.offset += length;
    return v;
  }
  peek(): number | undefined {
    return this.buf[this.offset];
  }
}

interface RawAttribute {
  name: string;
  values: IppValue[];
}

function hex(n: number, width = 4): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

function decodeDate(b: Buffer): Date {
  // RFC 2579 DateAndTime: month is 1-based, byte 7 is deci-seconds, then direction and offset.
  const year = b.readUInt16BE(0);
  const utcAsIfLocal = Date.UTC(year, b[2]! - 1, b[3], b[4], b[5], b[6], b[7]! * 100);
  const sign = b[8] === 0x2d /* '-' */ ? -1 : 1;
  const offsetMinutes = sign * (b[9]! * 60 + b[10]!);
  return new Date(utcAsIfLocal - offsetMinutes * 60_000);
}

function decodeSimple(tag: number, name: string, b: Buffer, r: Reader): IppValue {
  const at = r.offset - b.length;
  const fixed = (length: number, kind: string): void => {
    if (b.length !== length)
      throw new IppDecodeError(`${kind} value of "${name}" has length ${b.length}, not ${length}`, at);
  };
  switch (tag) {
    case TAG.integer:
      fixed(4, 'integer');
      return b.readInt32BE(0);
    case TAG.enum: {
      fixed(4, 'enum');
      const v = b.readInt32BE(0);
      return ipp.enums[name]?.lookup[v] ?? v;
    }
    case TAG.boolean:
      fixed(1, 'boolean');
      return b[0] !== 0;
    case TAG.rangeOfInteger:
      fixed(8, 'rangeOfInteger');
      return { lower: b.readInt32BE(0), upper: b.readInt32BE(4) };
    case TAG.resolution:
      fixed(9, 'resolution');
      return { x: b.readInt32BE(0), y: b.readInt32BE(4), units: b[8] === 4 ? 'dpcm' : 'dpi' };
    case TAG.dateTime:
      fixed(11, 'dateTime');
      return decodeDate(b);
    case TAG.textWithoutLanguage:
    case TAG.nameWithoutLanguage:
    case TAG.keyword:
    case TAG.uri:
    case TAG.uriScheme:
    case TAG.charset:
    case TAG.naturalLanguage:
    case TAG.mimeMediaType:
    case TAG.memberAttrName:
    case TAG.octetString:
      return b.toString('utf8');
    default:
      if (tag >= 0x10 && tag <= 0x1f) return null; // out-of-band: no-value, unknown, unsupported…
      return Buffer.from(b);
  }
}

function decodeWithLanguage(name: string, r: Reader): IppTextWithLanguage {
  const lengthAt = r.offset;
  const length = r.u16('value length');
  const valueAt = r.offset;
  if (length >= 4 && valueAt + length <= r.buf.length) {
    const langLength = r.buf.readUInt16BE(valueAt);
    const textLengthAt = valueAt + 2 + langLength;
    if (
      textLengthAt + 2 <= valueAt + length &&
      r.buf.readUInt16BE(textLengthAt) + 4 + langLength === length
    ) {
      const lang = r
        .bytes(2 + langLength, 'language')
        .subarray(2)
        .toString('utf8');
      const value = r
        .bytes(length - 4 - langLength + 2, 'text')
        .subarray(2)
        .toString('utf8');
      return { lang, value };
    }
  }
  // HP LaserJet 100 colorMFP M175nw omits the outer value-length (QUIRKS.md 27): read the inner
  // language and text lengths from where the outer one should have been.
  r.offset = lengthAt;
  const lang = r.bytes(r.u16('language length'), `language of "${name}"`).toString('utf8');
  const value = r.bytes(r.u16('text length'), `text of "${name}"`).toString('utf8');
  return { lang, value };
}

/** Reads one value whose tag (and name) have been read; collections recurse. */
function readValue(tag: number, name: string, r: Reader, depth: number): IppValue {
  if (tag === TAG.textWithLanguage || tag === TAG.nameWithLanguage) return decodeWithLanguage(name, r);
  const lengthAt = r.offset;
  const length = r.u16(`value length of "${name}"`);
  if (tag === TAG.begCollection && length > 0) {
    // RFC 8010 says to ignore a begCollection value. Xerox B210 (QUIRKS.md 27) writes no value
    // length and no members at all: what reads as a length is the next tag. When skipping the
    // "value" does not land on a member or the end of the collection, take it as an empty value.
    const next = r.buf[lengthAt + 2 + length];
    if (next !== TAG.memberAttrName && next !== TAG.endCollection) {
      r.offset = lengthAt;
      return null;
    }
  }
  const bytes = r.bytes(length, `value of "${name}"`);
  if (tag === TAG.begCollection) return readCollection(name, r, depth + 1);
  return decodeSimple(tag, name, bytes, r);
}

function readTag(r: Reader): number {
  const tag = r.u8('value tag');
  return tag === TAG.extension ? r.i32('extension tag') : tag;
}

function readCollection(name: string, r: Reader, depth: number): IppCollection {
  if (depth > MAX_COLLECTION_DEPTH)
    throw new IppDecodeError(`collections nested too deep in "${name}"`, r.offset);
  const members: RawAttribute[] = [];
  let current: RawAttribute | undefined;
  for (;;) {
    const at = r.offset;
    const tag = readTag(r);
    if (tag < 0x10) throw new IppDecodeError(`collection "${name}" is not terminated`, at);
    const nameLength = r.u16('name length');
    const memberName = r.bytes(nameLength, 'name').toString('utf8');
    if (tag === TAG.endCollection) {
      r.bytes(r.u16('end value length'), 'end value');
      return normaliseCollection(members, SYNTAX_BY_NAME.get(name)?.members);
    }
    if (tag === TAG.memberAttrName) {
      const member = r.bytes(r.u16('member name length'), 'member name').toString('utf8');
      const valueTag = readTag(r);
      r.bytes(r.u16('name length'), 'name');
      current = { name: member, values: [readValue(valueTag, member, r, depth)] };
      members.push(current);
    } else if (nameLength > 0) {
      // Pantum M7300FDW writes members as named attributes (QUIRKS.md 27): take the name as member.
      current = { name: memberName, values: [readValue(tag, memberName, r, depth)] };
      members.push(current);
    } else {
      if (!current) throw new IppDecodeError(`value without a member name in "${name}"`, at);
      current.values.push(readValue(tag, current.name, r, depth));
    }
  }
}

function isSetOf(name: string, known?: Record<string, Syntax>): boolean {
  return (known?.[name] ?? SYNTAX_BY_NAME.get(name))?.setof === true;
}

function normalise(raw: RawAttribute[], known?: Record<string, Syntax>): IppAttributes {
  const out: IppAttributes = {};
  for (const { name, values } of raw) {
    const value: IppAttributeValue =
      values.length === 1 && !isSetOf(name, known) ? (values[0] as IppValue) : values;
    out[name] = value;
  }
  return out;
}

function normaliseCollection(raw: RawAttribute[], members?: Record<string, Syntax>): IppCollection {
  return normalise(raw, members) as IppCollection;
}

function decodeMessage(buf: Buffer): DecodedMessage & { code: number } {
  if (!Buffer.isBuffer(buf)) throw new IppDecodeError('not a Buffer', 0);
  const r = new Reader(buf);
  const major = r.u8('version');
  const minor = r.u8('version');
  const code = r.u16('operation or status code');
  const requestId = r.i32('request id');
  const groups: IppGroup[] = [];
  let group: { name: IppGroup['name']; raw: RawAttribute[] } | undefined;
  const finishGroup = (): void => {
    if (group) groups.push({ name: group.name, attributes: normalise(group.raw) });
  };
  let current: RawAttribute | undefined;
  for (;;) {
    const at = r.offset;
    if (at >= buf.length) throw new IppDecodeError('missing end-of-attributes-tag', at);
    const tag = readTag(r);
    if (tag === END_OF_ATTRIBUTES) break;
    if (tag < 0x10) {
      finishGroup();
      group = { name: GROUP_NAMES[tag] ?? `group-${hex(tag, 2)}`, raw: [] };
      current = undefined;
      continue;
    }
    if (!group) throw new IppDecodeError(`attribute before any group (tag ${hex(tag, 2)})`, at);
    const name = r.bytes(r.u16('name length'), 'attribute name').toString('utf8');
    if (name === '') {
      if (!current) throw new IppDecodeError('additional value without an attribute', at);
      current.values.push(readValue(tag, current.name, r, 0));
    } else {
      current = { name, values: [readValue(tag, name, r, 0)] };
      group.raw.push(current);
    }
  }
  finishGroup();
  return { version: `${major}.${minor}`, code, requestId, groups, data: buf.subarray(r.offset) };
}

/** Decodes an IPP response. Throws IppDecodeError (never anything else) on malformed bytes. */
export function decodeResponse(buf: Buffer): IppDecodedResponse {
  const { code, ...message } = guarded(() => decodeMessage(buf));
  return { ...message, statusCode: code, status: ipp.statusCodes.lookup[code] ?? hex(code) };
}

/** Decodes an IPP request (for test servers and the simulator side of tests). */
export function decodeRequest(buf: Buffer): IppDecodedRequest {
  const { code, ...message } = guarded(() => decodeMessage(buf));
  return { ...message, operationId: code, operation: ipp.operations.lookup[code] ?? hex(code) };
}

function guarded<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof IppDecodeError) throw error;
    // Deep recursion or a bug here must still surface as a decode failure, not crash the caller.
    throw new IppDecodeError(error instanceof Error ? error.message : String(error), -1);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

const RS = '\u001e';

/** What node-ipp's serializer calls on a date, giving RFC 2579 fields in UTC. */
function dateForSerializer(date: Date): object {
  return {
    getFullYear: () => date.getUTCFullYear(),
    getMonth: () => date.getUTCMonth() + 1,
    getDate: () => date.getUTCDate(),
    getHours: () => date.getUTCHours(),
    getMinutes: () => date.getUTCMinutes(),
    getSeconds: () => date.getUTCSeconds(),
    getMilliseconds: () => Math.floor(date.getUTCMilliseconds() / 100),
    getTimezoneOffset: () => 0,
  };
}

interface Splice {
  marker: string;
  lang: string;
  value: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !(value instanceof Date);
}

function isTextWithLanguage(value: unknown): value is IppTextWithLanguage {
  return isPlainObject(value) && Object.keys(value).length === 2 && 'lang' in value && 'value' in value;
}

/** node-ipp models alternative syntaxes (keyword | name, …) as an array of syntaxes. */
function firstSyntax(spec: Syntax | Syntax[] | undefined): Syntax | undefined {
  return Array.isArray(spec) ? spec[0] : spec;
}

/** Turns our values into the shapes node-ipp's serializer expects. */
function toNodeIpp(name: string, value: IppValue, spec: Syntax, splices: Splice[]): unknown {
  if (value === null || value === undefined) throw new IppEncodeError(`"${name}" has no value`);
  if (value instanceof Date) return dateForSerializer(value);
  if (Buffer.isBuffer(value)) throw new IppEncodeError(`"${name}": raw Buffer values cannot be encoded`);
  if (typeof value === 'string' && value.includes(RS))
    throw new IppEncodeError(`"${name}": text contains the record separator U+001E`);
  if (spec.type === 'enumeration' && typeof value === 'number') {
    const keyword = ipp.enums[name]?.lookup[value];
    if (keyword === undefined) throw new IppEncodeError(`"${name}": no keyword for enum value ${value}`);
    return keyword;
  }
  if (isTextWithLanguage(value)) {
    if (spec.type !== 'text' && spec.type !== 'name')
      throw new IppEncodeError(`"${name}" is ${spec.type}, not text or name`);
    const marker = `\u0000ipp-splice-${splices.length}\u0000`;
    splices.push({ marker, lang: value.lang, value: value.value });
    return marker;
  }
  if (isPlainObject(value) && 'lower' in value && 'upper' in value) return [value.lower, value.upper];
  if (isPlainObject(value) && 'units' in value) return [value.x, value.y, value.units];
  if (isPlainObject(value)) {
    if (spec.type !== 'collection') throw new IppEncodeError(`"${name}" is ${spec.type}, not a collection`);
    const out: Record<string, unknown> = {};
    for (const [member, memberValue] of Object.entries(value as IppCollection)) {
      const memberSpec = firstSyntax(spec.members?.[member]);
      if (!memberSpec) throw new IppEncodeError(`unknown member "${member}" of "${name}"`);
      // node-ipp writes exactly one value per member.
      const single = Array.isArray(memberValue)
        ? memberValue.length === 1
          ? memberValue[0]
          : undefined
        : memberValue;
      if (single === undefined)
        throw new IppEncodeError(`member "${member}" of "${name}" must have one value`);
      out[member] = toNodeIpp(member, single, memberSpec, splices);
    }
    return out;
  }
  return value;
}

const GROUP_TABLES: Record<keyof IppEncodeGroups, { tag: IppGroupName; tables: string[] }> = {
  operationAttributes: { tag: 'operation-attributes-tag', tables: ['Operation'] },
  jobAttributes: { tag: 'job-attributes-tag', tables: ['Job Template', 'Job Description'] },
  printerAttributes: { tag: 'printer-attributes-tag', tables: ['Printer Description'] },
  documentAttributes: { tag: 'document-attributes-tag', tables: ['Document Description'] },
};

function toNodeIppGroups(message: IppEncodeGroups, splices: Splice[]): Record<string, object> {
  const operationAttributes: IppAttributes = {
    'attributes-charset': 'utf-8',
    'attributes-natural-language': 'en',
    ...message.operationAttributes,
  };
  const groups: Record<string, object> = {};
  for (const [key, { tag, tables }] of Object.entries(GROUP_TABLES)) {
    const attributes =
      key === 'operationAttributes' ? operationAttributes : message[key as keyof IppEncodeGroups];
    if (!attributes) continue;
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(attributes)) {
      const spec = tables.map((t) => ipp.attributes[t]?.[name]).find((s) => s !== undefined);
      if (!spec)
        throw new IppEncodeError(`attribute "${name}" is not known in ${tag} (register it in node-ipp.ts)`);
      const values = Array.isArray(value) ? value : [value];
      if (values.length === 0) throw new IppEncodeError(`"${name}" has no value`);
      const converted = values.map((v) => toNodeIpp(name, v, firstSyntax(spec)!, splices));
      out[name] = Array.isArray(value) ? converted : converted[0];
    }
    groups[tag] = out;
  }
  return groups;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/**
 * Replaces each marker node-ipp wrote as text/nameWithoutLanguage (tag, …, length, marker) by the
 * with-language form RFC 8010 §3.9 describes: tag 0x35/0x36, outer length, language, text.
 */
function applySplices(buf: Buffer, splices: Splice[]): Buffer {
  let out = buf;
  for (const { marker, lang, value } of splices) {
    const markerBytes = Buffer.from(marker, 'utf8');
    const at = out.indexOf(markerBytes);
    if (at < 2) throw new IppEncodeError('text-with-language marker lost');
    // Walk back over the name to the value tag: tag(1) nameLength(2) name valueLength(2) marker.
    let tagAt = -1;
    for (let nameLength = 0; nameLength <= at - 5; nameLength++) {
      const candidate = at - 2 - nameLength - 2 - 1;
      if (out.readUInt16BE(candidate + 1) === nameLength && [0x41, 0x42].includes(out[candidate]!)) {
        tagAt = candidate;
        break;
      }
    }
    if (tagAt < 0) throw new IppEncodeError('text-with-language tag not found');
    const langBytes = Buffer.from(lang, 'utf8');
    const textBytes = Buffer.from(value, 'utf8');
    const inner = Buffer.concat([u16(langBytes.length), langBytes, u16(textBytes.length), textBytes]);
    const head = Buffer.from(out.subarray(0, at - 2));
    head[tagAt] = out[tagAt] === 0x41 ? TAG.textWithLanguage : TAG.nameWithLanguage;
    out = Buffer.concat([head, u16(inner.length), inner, out.subarray(at + markerBytes.length)]);
  }
  return out;
}

/**
 * node-ipp writes the dateTime direction character with writeUInt8('+'), i.e. as 0x00. Our dates
 * are all UTC, so every dateTime value gets '+' (0x2B). A flat walk finds them: collection members
 * are tag-length-value items in the same stream.
 */
function fixDateDirections(buf: Buffer): Buffer {
  let at = 8;
  while (at < buf.length) {
    const tag = buf[at++]!;
    if (tag === END_OF_ATTRIBUTES) break;
    if (tag < 0x10) continue;
    at += 2 + buf.readUInt16BE(at);
    const length = buf.readUInt16BE(at);
    at += 2;
    if (tag === TAG.dateTime && length === 11) buf[at + 8] = 0x2b;
    at += length;
  }
  return buf;
}

function serialize(message: object, splices: Splice[]): Buffer {
  try {
    return fixDateDirections(applySplices(ipp.serialize(message), splices));
  } catch (error) {
    if (error instanceof IppEncodeError) throw error;
    throw new IppEncodeError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Encodes a request; `attributes-charset` and `attributes-natural-language` are added first. */
export function encodeRequest(request: IppRequestMessage): Buffer {
  if (ipp.operations[request.operation] === undefined)
    throw new IppEncodeError(`unknown operation "${request.operation}"`);
  const splices: Splice[] = [];
  return serialize(
    {
      version: request.version ?? '2.0',
      operation: request.operation,
      id: request.requestId,
      ...toNodeIppGroups(request, splices),
      ...(request.data ? { data: request.data } : {}),
    },
    splices,
  );
}

/** Encodes a response: what test servers answer with. */
export function encodeResponse(response: IppResponseMessage): Buffer {
  if (ipp.statusCodes[response.status] === undefined)
    throw new IppEncodeError(`unknown status "${response.status}"`);
  const splices: Splice[] = [];
  return serialize(
    {
      version: response.version ?? '2.0',
      statusCode: response.status,
      id: response.requestId,
      ...toNodeIppGroups(response, splices),
    },
    splices,
  );
}
