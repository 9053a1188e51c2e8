/**
 * IPP decoding (RFC 8010) without `ipp.parse`, whose faults cannot be fixed from outside: it builds
 * dates one month late from garbage time-zone bytes, reads lengths as signed (a value over 32 KiB
 * moves the cursor backwards: a malformed response can loop forever), throws RangeError or prints to
 * the console on malformed input, turns the document into a UTF-8 string, and parses a one-value
 * 1setOf as a bare value. This reads RFC 8010 with bounds checks and node-ipp's tables (enum names,
 * status codes, which attributes are 1setOf), tolerates the real-device quirks of QUIRKS.md §IPP it
 * can, and throws IppDecodeError for the rest. Pure: no I/O.
 */
import { IppDecodeError } from './node-ipp-errors.ts';
import { END_OF_ATTRIBUTES, ipp, SYNTAX_BY_NAME, TAG, type Syntax } from './node-ipp-table.ts';
import type {
  DecodedMessage,
  IppAttributes,
  IppAttributeValue,
  IppCollection,
  IppDecodedRequest,
  IppDecodedResponse,
  IppGroup,
  IppGroupName,
  IppTextWithLanguage,
  IppValue,
} from './node-ipp-types.ts';

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
