import { EdgeError } from '../edge-error.ts';

/**
 * A minimal reader for classic (32-bit offset) TIFF files: enough to walk the IFD chain and pull strip
 * bytes out, e.g. the single G4 strip libvips writes. Pure: no I/O. Not a general image decoder.
 */

export const TIFF_TAGS = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  FillOrder: 266,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  T6Options: 293,
  ResolutionUnit: 296,
  PageNumber: 297,
} as const;

export const TIFF_TYPES = { SHORT: 3, LONG: 4, RATIONAL: 5 } as const;

/** Byte size of one value of each field type (TIFF 6.0 §2); unknown types are skipped. */
const TYPE_SIZES: Readonly<Record<number, number>> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
};

/** Guards against malicious chains (loops, millions of pages). */
const MAX_DIRECTORIES = 10_000;

export interface TiffDirectory {
  offset: number;
  /** Numeric values of each tag; a RATIONAL counts as one value (numerator / denominator). */
  entries: Map<number, number[]>;
}

function invalid(message: string): EdgeError {
  return new EdgeError('IMAGE_INVALID', `Not a readable TIFF file: ${message}`);
}

export function readTiffDirectories(buf: Buffer): TiffDirectory[] {
  if (buf.length < 8) throw invalid('too short');
  const order = buf.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') throw invalid('no byte-order mark');
  const le = order === 'II';
  const u16 = (at: number): number => (le ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const u32 = (at: number): number => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const magic = u16(2);
  if (magic === 43) throw invalid('BigTIFF is not supported');
  if (magic !== 42) throw invalid('bad magic number');

  const directories: TiffDirectory[] = [];
  const seen = new Set<number>();
  let offset = u32(4);
  while (offset !== 0) {
    if (seen.has(offset) || directories.length >= MAX_DIRECTORIES) throw invalid('looping directory chain');
    seen.add(offset);
    if (offset + 2 > buf.length) throw invalid(`directory offset ${offset} beyond end of file`);
    const count = u16(offset);
    const end = offset + 2 + count * 12;
    if (end + 4 > buf.length) throw invalid(`directory at ${offset} is truncated`);
    const entries = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + i * 12;
      const tag = u16(at);
      const type = u16(at + 2);
      const n = u32(at + 4);
      const size = TYPE_SIZES[type];
      if (size === undefined) continue;
      const bytes = size * n;
      const valueAt = bytes <= 4 ? at + 8 : u32(at + 8);
      if (valueAt + bytes > buf.length) throw invalid(`tag ${tag} points beyond end of file`);
      entries.set(tag, readValues(type, n, valueAt, u16, u32, buf));
    }
    directories.push({ offset, entries });
    offset = u32(end);
  }
  if (directories.length === 0) throw invalid('no image directory');
  return directories;
}

function readValues(
  type: number,
  n: number,
  at: number,
  u16: (at: number) => number,
  u32: (at: number) => number,
  buf: Buffer,
): number[] {
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (type) {
      case 3:
        values.push(u16(at + i * 2));
        break;
      case 4:
        values.push(u32(at + i * 4));
        break;
      case 5: {
        const denominator = u32(at + i * 8 + 4);
        values.push(denominator === 0 ? 0 : u32(at + i * 8) / denominator);
        break;
      }
      case 1:
      case 7:
        values.push(buf[at + i] ?? 0);
        break;
      default:
        // Signed, float and ASCII values are never needed here.
        return values;
    }
  }
  return values;
}

/** The first value of a tag, or the fallback when the tag is absent (TIFF defaults). */
export function tagValue(dir: TiffDirectory, tag: number, fallback?: number): number | undefined {
  return dir.entries.get(tag)?.[0] ?? fallback;
}

/** Each strip's bytes (views into buf, not copies). */
export function readStrips(buf: Buffer, dir: TiffDirectory): Buffer[] {
  const offsets = dir.entries.get(TIFF_TAGS.StripOffsets) ?? [];
  const counts = dir.entries.get(TIFF_TAGS.StripByteCounts) ?? [];
  if (offsets.length === 0 || offsets.length !== counts.length)
    throw invalid('strip offsets and counts disagree');
  return offsets.map((start, i) => {
    const length = counts[i] ?? 0;
    if (start + length > buf.length) throw invalid(`strip ${i} extends beyond end of file`);
    return buf.subarray(start, start + length);
  });
}
