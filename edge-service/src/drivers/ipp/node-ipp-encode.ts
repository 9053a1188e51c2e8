/**
 * IPP encoding through node-ipp's serializer, with its bugs fixed around it:
 * - dateTime is written with a 0-based month (one month early), milliseconds where RFC 8010 wants
 *   deci-seconds (a RangeError past 255 ms), local time, and 0x00 for the '+'/'-' direction: dates
 *   are handed to it as UTC views and the direction is set after.
 * - textWithLanguage/nameWithLanguage throw (`parts` is undefined): such values are spliced in after.
 * - errors are thrown as strings: they become IppEncodeError with the attribute name.
 * Pure: no I/O.
 */
import { IppEncodeError } from './node-ipp-errors.ts';
import { END_OF_ATTRIBUTES, ipp, TAG, type Syntax } from './node-ipp-table.ts';
import type {
  IppAttributes,
  IppCollection,
  IppEncodeGroups,
  IppGroupName,
  IppRequestMessage,
  IppResponseMessage,
  IppTextWithLanguage,
  IppValue,
} from './node-ipp-types.ts';

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
