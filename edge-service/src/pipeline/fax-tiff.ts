import { EdgeError } from '../edge-error.ts';
import { FAX_WIDTH, FAX_X_DPI, resolutionFromYDpi, type FaxPage } from './fax-types.ts';
import {
  readStrips,
  readTiffDirectories,
  tagValue,
  TIFF_TAGS,
  TIFF_TYPES,
  type TiffDirectory,
} from './tiff-reader.ts';

/**
 * TIFF-F (RFC 2306) writer and reader for fax pages. Pure: no I/O. Each page is one IFD with its G4
 * data as a single strip, written as-is (no re-encoding), so the bytes a fax modem or PDF gets are
 * the bytes the pipeline produced.
 */

const HEADER_SIZE = 8;
const ENTRY_SIZE = 12;
const COMPRESSION_T6 = 4;
const PHOTOMETRIC_MIN_IS_WHITE = 0;
const FILL_ORDER_MSB_FIRST = 1;
const RESOLUTION_UNIT_INCH = 2;
const SUBFILE_PAGE = 2;

interface Entry {
  tag: number;
  type: number;
  values: number[];
}

export function buildFaxTiff(pages: FaxPage[]): Buffer {
  if (pages.length === 0) throw new RangeError('A fax TIFF needs at least one page');
  if (pages.length > 0xffff) throw new RangeError('Too many pages for a TIFF PageNumber field');

  const layouts = pages.map((page, index) => {
    checkPage(page, index);
    return pageEntries(page, index, pages.length);
  });

  // Layout per page: IFD, its two RATIONALs, then the strip (padded to a word boundary).
  let size = HEADER_SIZE;
  const placed = layouts.map((entries, index) => {
    const ifdAt = size;
    const ifdSize = 2 + entries.length * ENTRY_SIZE + 4;
    const rationalsAt = ifdAt + ifdSize;
    const stripAt = rationalsAt + 16;
    const g4 = (pages[index] as FaxPage).g4;
    size = stripAt + g4.length + (g4.length % 2);
    return { ifdAt, rationalsAt, stripAt, entries, g4 };
  });
  if (size > 0xffffffff) throw new RangeError('Fax TIFF would exceed 4 GiB');

  const out = Buffer.alloc(size);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(HEADER_SIZE, 4);

  placed.forEach(({ ifdAt, rationalsAt, stripAt, entries, g4 }, index) => {
    out.writeUInt16LE(entries.length, ifdAt);
    let rationalAt = rationalsAt;
    entries.forEach((entry, i) => {
      const at = ifdAt + 2 + i * ENTRY_SIZE;
      out.writeUInt16LE(entry.tag, at);
      out.writeUInt16LE(entry.type, at + 2);
      out.writeUInt32LE(entry.values.length, at + 4);
      if (entry.tag === TIFF_TAGS.StripOffsets) {
        out.writeUInt32LE(stripAt, at + 8);
      } else if (entry.type === TIFF_TYPES.RATIONAL) {
        out.writeUInt32LE(rationalAt, at + 8);
        out.writeUInt32LE(entry.values[0] ?? 0, rationalAt);
        out.writeUInt32LE(1, rationalAt + 4);
        rationalAt += 8;
      } else if (entry.type === TIFF_TYPES.SHORT) {
        entry.values.forEach((value, k) => out.writeUInt16LE(value, at + 8 + k * 2));
      } else {
        out.writeUInt32LE(entry.values[0] ?? 0, at + 8);
      }
    });
    const next = placed[index + 1];
    out.writeUInt32LE(next ? next.ifdAt : 0, ifdAt + 2 + entries.length * ENTRY_SIZE);
    g4.copy(out, stripAt);
  });
  return out;
}

function checkPage(page: FaxPage, index: number): void {
  if (page.width !== FAX_WIDTH) throw new RangeError(`Page ${index + 1}: fax pages are ${FAX_WIDTH} wide`);
  if (!Number.isInteger(page.height) || page.height < 1 || page.height > 0xffff) {
    throw new RangeError(`Page ${index + 1}: bad height ${page.height}`);
  }
  if (resolutionFromYDpi(page.yDpi) === undefined)
    throw new RangeError(`Page ${index + 1}: bad yDpi ${page.yDpi}`);
  if (page.g4.length === 0) throw new RangeError(`Page ${index + 1}: no G4 data`);
}

/** Tags in ascending order, as TIFF requires. PageNumber is 0-based (TIFF 6.0: "starting with 0"). */
function pageEntries(page: FaxPage, index: number, total: number): Entry[] {
  const { SHORT, LONG, RATIONAL } = TIFF_TYPES;
  return [
    { tag: TIFF_TAGS.NewSubfileType, type: LONG, values: [SUBFILE_PAGE] },
    { tag: TIFF_TAGS.ImageWidth, type: LONG, values: [page.width] },
    { tag: TIFF_TAGS.ImageLength, type: LONG, values: [page.height] },
    { tag: TIFF_TAGS.BitsPerSample, type: SHORT, values: [1] },
    { tag: TIFF_TAGS.Compression, type: SHORT, values: [COMPRESSION_T6] },
    { tag: TIFF_TAGS.PhotometricInterpretation, type: SHORT, values: [PHOTOMETRIC_MIN_IS_WHITE] },
    { tag: TIFF_TAGS.FillOrder, type: SHORT, values: [FILL_ORDER_MSB_FIRST] },
    { tag: TIFF_TAGS.StripOffsets, type: LONG, values: [0] },
    { tag: TIFF_TAGS.SamplesPerPixel, type: SHORT, values: [1] },
    { tag: TIFF_TAGS.RowsPerStrip, type: LONG, values: [page.height] },
    { tag: TIFF_TAGS.StripByteCounts, type: LONG, values: [page.g4.length] },
    { tag: TIFF_TAGS.XResolution, type: RATIONAL, values: [page.xDpi] },
    { tag: TIFF_TAGS.YResolution, type: RATIONAL, values: [page.yDpi] },
    { tag: TIFF_TAGS.T6Options, type: LONG, values: [0] },
    { tag: TIFF_TAGS.ResolutionUnit, type: SHORT, values: [RESOLUTION_UNIT_INCH] },
    { tag: TIFF_TAGS.PageNumber, type: SHORT, values: [index, total] },
  ];
}

/** What a G4 TIFF directory says about its image, before checking it is a fax page. */
export interface G4Directory {
  width: number;
  height: number;
  photometric: number;
  fillOrder: number;
  xResolution: number | undefined;
  yResolution: number | undefined;
  /** XResolution/YResolution per inch (converted from centimetres when ResolutionUnit is 3). */
  xDpi: number | undefined;
  yDpi: number | undefined;
  /** The G4 data; only defined when the image is one strip (several strips are separate G4 streams). */
  g4: Buffer | undefined;
  stripCount: number;
}

/** Reads the G4 directories of any TIFF (ours or libvips's); throws IMAGE_INVALID for other compressions. */
export function readG4Directories(buf: Buffer): G4Directory[] {
  return readTiffDirectories(buf).map((dir, index) => describeG4(buf, dir, index));
}

function describeG4(buf: Buffer, dir: TiffDirectory, index: number): G4Directory {
  const compression = tagValue(dir, TIFF_TAGS.Compression, 1);
  if (compression !== COMPRESSION_T6) {
    throw new EdgeError(
      'IMAGE_INVALID',
      `TIFF page ${index + 1} is not CCITT G4 (compression ${compression})`,
      {
        page: index + 1,
      },
    );
  }
  const bits = tagValue(dir, TIFF_TAGS.BitsPerSample, 1);
  const samples = tagValue(dir, TIFF_TAGS.SamplesPerPixel, 1);
  if (bits !== 1 || samples !== 1) {
    throw new EdgeError('IMAGE_INVALID', `TIFF page ${index + 1} is not bilevel`, { page: index + 1 });
  }
  const strips = readStrips(buf, dir);
  const unit = tagValue(dir, TIFF_TAGS.ResolutionUnit, 2);
  const perInch = (value: number | undefined): number | undefined =>
    value === undefined || unit === 1 ? undefined : unit === 3 ? value * 2.54 : value;
  const xResolution = tagValue(dir, TIFF_TAGS.XResolution);
  const yResolution = tagValue(dir, TIFF_TAGS.YResolution);
  return {
    width: tagValue(dir, TIFF_TAGS.ImageWidth, 0) ?? 0,
    height: tagValue(dir, TIFF_TAGS.ImageLength, 0) ?? 0,
    photometric: tagValue(dir, TIFF_TAGS.PhotometricInterpretation, PHOTOMETRIC_MIN_IS_WHITE) ?? 0,
    fillOrder: tagValue(dir, TIFF_TAGS.FillOrder, FILL_ORDER_MSB_FIRST) ?? FILL_ORDER_MSB_FIRST,
    xResolution,
    yResolution,
    xDpi: perInch(xResolution),
    yDpi: perInch(yResolution),
    g4: strips.length === 1 ? strips[0] : undefined,
    stripCount: strips.length,
  };
}

/**
 * Reads a fax TIFF back into pages (the inverse of buildFaxTiff). Strict: every page must be a
 * 1728-wide, one-strip, min-is-white, MSB-first G4 image at 204 dpi and a fax line resolution.
 */
export function readFaxTiffPages(buf: Buffer): FaxPage[] {
  return readG4Directories(buf).map((dir, index) => {
    const page = index + 1;
    const fail = (why: string): EdgeError =>
      new EdgeError('IMAGE_INVALID', `TIFF page ${page} is not a fax page: ${why}`, { page });
    if (dir.width !== FAX_WIDTH) throw fail(`width ${dir.width}`);
    if (dir.height < 1) throw fail('no rows');
    if (dir.photometric !== PHOTOMETRIC_MIN_IS_WHITE) throw fail('not min-is-white');
    if (dir.fillOrder !== FILL_ORDER_MSB_FIRST) throw fail('fill order is not MSB first');
    if (dir.g4 === undefined) throw fail(`${dir.stripCount} strips instead of one`);
    if (dir.xDpi === undefined || Math.round(dir.xDpi) !== FAX_X_DPI) throw fail(`x resolution ${dir.xDpi}`);
    const yDpi = Math.round(dir.yDpi ?? 0);
    const resolution = resolutionFromYDpi(yDpi);
    if (resolution === undefined) throw fail(`y resolution ${dir.yDpi}`);
    return {
      width: FAX_WIDTH,
      height: dir.height,
      resolution,
      xDpi: FAX_X_DPI,
      yDpi: yDpi as FaxPage['yDpi'],
      g4: Buffer.from(dir.g4),
    };
  });
}
