import sharp from 'sharp';
import { buildFaxTiff } from './fax-tiff.ts';
import { FAX_WIDTH, type FaxPage } from './fax-types.ts';
import { ensureImageRuntime } from './image-runtime.ts';

/**
 * PWG Raster (PWG 5102.4) writer for fax pages: the fallback document format of a fax modem that
 * takes neither PDF nor TIFF. Each page is `black_1` (one bit per pixel, 1 = ink), which is exactly
 * what a G4 page holds, so no grey level or colour conversion happens on the way. No I/O: the G4
 * data is decoded by libvips in memory, one page at a time.
 */

/** One bilevel page as packed rows: MSB first, 1 = black, `ceil(width / 8)` bytes per row. */
export interface BilevelPage {
  width: number;
  height: number;
  xDpi: number;
  yDpi: number;
  rows: Buffer;
}

export const PWG_SYNC_WORD = 'RaS2';
export const PWG_HEADER_SIZE = 1796;
/** ColorSpaceEnum Black: device black, 1 = ink (PWG 5102.4 Table 3; `black_1` in Table 12). */
export const PWG_COLOR_SPACE_BLACK = 3;

/** Byte offsets of the header fields we set (PWG 5102.4 §4.3, big-endian unsigned integers). */
const FIELD = {
  mediaClass: 0,
  hwResolution: 276,
  pageSize: 352,
  width: 372,
  height: 376,
  bitsPerColor: 384,
  bitsPerPixel: 388,
  bytesPerLine: 392,
  colorOrder: 396,
  colorSpace: 400,
  numColors: 420,
  totalPageCount: 452,
  crossFeedTransform: 456,
  feedTransform: 460,
  imageBoxRight: 472,
  imageBoxBottom: 476,
} as const;

const COLOR_ORDER_CHUNKY = 0;
/** A line repeat count and a run length are one byte each: 1–256 lines, 1–128 bytes. */
const MAX_LINE_REPEAT = 256;
const MAX_RUN = 128;

/** The whole document: every page decoded from its G4 data, then written as PWG raster. */
export async function buildPwgRaster(pages: FaxPage[]): Promise<Buffer> {
  if (pages.length === 0) throw new RangeError('A PWG raster document needs at least one page');
  const encoded: Buffer[] = [Buffer.from(PWG_SYNC_WORD, 'latin1')];
  // One decoded page at a time: a superfine page is ~8 MB of 8-bit pixels, its packed rows 1 MB.
  for (const page of pages) encoded.push(encodePwgPage(await decodeFaxPage(page), pages.length));
  return Buffer.concat(encoded);
}

/** The same writer for pages already decoded (tests, or a caller that holds bitmaps). */
export function encodePwgRaster(pages: BilevelPage[]): Buffer {
  if (pages.length === 0) throw new RangeError('A PWG raster document needs at least one page');
  return Buffer.concat([
    Buffer.from(PWG_SYNC_WORD, 'latin1'),
    ...pages.map((page) => encodePwgPage(page, pages.length)),
  ]);
}

/** A fax page's G4 data as packed bilevel rows (through a one-page TIFF-F that libvips reads). */
export async function decodeFaxPage(page: FaxPage): Promise<BilevelPage> {
  ensureImageRuntime();
  const { data, info } = await sharp(buildFaxTiff([page]))
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== FAX_WIDTH || info.height !== page.height)
    throw new RangeError(
      `G4 page decoded to ${info.width}×${info.height}, expected ${FAX_WIDTH}×${page.height}`,
    );
  return { width: info.width, height: info.height, xDpi: page.xDpi, yDpi: page.yDpi, rows: pack(data, info) };
}

function pack(grey: Buffer, size: { width: number; height: number }): Buffer {
  const bytesPerLine = Math.ceil(size.width / 8);
  const rows = Buffer.alloc(bytesPerLine * size.height);
  for (let y = 0; y < size.height; y++) {
    const from = y * size.width;
    const to = y * bytesPerLine;
    for (let x = 0; x < size.width; x++) {
      if ((grey[from + x] as number) < 128) rows[to + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return rows;
}

function encodePwgPage(page: BilevelPage, totalPages: number): Buffer {
  const bytesPerLine = Math.ceil(page.width / 8);
  if (page.width <= 0 || page.height <= 0) throw new RangeError(`bad page size ${page.width}×${page.height}`);
  if (page.rows.length !== bytesPerLine * page.height)
    throw new RangeError(`${page.rows.length} bytes of rows for a ${page.width}×${page.height} page`);
  return Buffer.concat([pageHeader(page, bytesPerLine, totalPages), compressRows(page.rows, bytesPerLine)]);
}

function pageHeader(page: BilevelPage, bytesPerLine: number, totalPages: number): Buffer {
  const header = Buffer.alloc(PWG_HEADER_SIZE);
  const set = (offset: number, value: number) => header.writeUInt32BE(value, offset);
  header.write('PwgRaster', FIELD.mediaClass, 'latin1');
  set(FIELD.hwResolution, page.xDpi);
  set(FIELD.hwResolution + 4, page.yDpi);
  // In points; a fax page is 215 mm wide and as long as the original.
  set(FIELD.pageSize, Math.round((page.width * 72) / page.xDpi));
  set(FIELD.pageSize + 4, Math.round((page.height * 72) / page.yDpi));
  set(FIELD.width, page.width);
  set(FIELD.height, page.height);
  set(FIELD.bitsPerColor, 1);
  set(FIELD.bitsPerPixel, 1);
  set(FIELD.bytesPerLine, bytesPerLine);
  set(FIELD.colorOrder, COLOR_ORDER_CHUNKY);
  set(FIELD.colorSpace, PWG_COLOR_SPACE_BLACK);
  set(FIELD.numColors, 1);
  set(FIELD.totalPageCount, totalPages);
  set(FIELD.crossFeedTransform, 1);
  set(FIELD.feedTransform, 1);
  set(FIELD.imageBoxRight, page.width);
  set(FIELD.imageBoxBottom, page.height);
  return header;
}

/**
 * PWG raster compression: each line group starts with its repeat count - 1 (identical lines are
 * common on a fax page: white space), then runs of bytes (1 bit per pixel packs 8 pixels a byte):
 * 0–127 = the next byte n + 1 times, 129–255 = the next 257 - n bytes as they are.
 */
function compressRows(rows: Buffer, bytesPerLine: number): Buffer {
  const height = rows.length / bytesPerLine;
  const chunks: Buffer[] = [];
  for (let y = 0; y < height;) {
    const line = rows.subarray(y * bytesPerLine, (y + 1) * bytesPerLine);
    let repeat = 1;
    while (
      y + repeat < height &&
      repeat < MAX_LINE_REPEAT &&
      line.equals(rows.subarray((y + repeat) * bytesPerLine, (y + repeat + 1) * bytesPerLine))
    )
      repeat++;
    chunks.push(Buffer.of(repeat - 1), compressLine(line));
    y += repeat;
  }
  return Buffer.concat(chunks);
}

function compressLine(line: Buffer): Buffer {
  // Worst case: every byte a run of one (a control byte each).
  const out = Buffer.alloc(line.length * 2);
  let o = 0;
  let i = 0;
  while (i < line.length) {
    const value = line[i]!;
    let run = 1;
    while (i + run < line.length && run < MAX_RUN && line[i + run] === value) run++;
    if (run > 1 || i + 1 === line.length) {
      out[o++] = run - 1;
      out[o++] = value;
      i += run;
      continue;
    }
    // Literal bytes up to the next three equal bytes: a run codes those better, while a pair
    // inside a literal costs nothing more than a run of two and a new literal after it.
    let count = 1;
    while (i + count < line.length && count < MAX_RUN) {
      const next = i + count;
      if (next + 2 < line.length && line[next] === line[next + 1] && line[next] === line[next + 2]) break;
      count++;
    }
    if (count === 1) {
      out[o++] = 0;
      out[o++] = value;
    } else {
      out[o++] = 257 - count;
      line.copy(out, o, i, i + count);
      o += count;
    }
    i += count;
  }
  return out.subarray(0, o);
}
