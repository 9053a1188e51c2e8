/** PWG Raster (PWG 5102.4) decoder to 8-bit pixels. No I/O. */

export interface PwgRasterPage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** 8 bits per sample, white = 255. */
  pixels: Buffer;
  /** Compressed bytes of this page in the stream. */
  encodedBytes: number;
}

export type PwgRasterErrorCode = 'PWG_RASTER_MALFORMED' | 'PWG_RASTER_TOO_LARGE';

export class PwgRasterError extends Error {
  readonly code: PwgRasterErrorCode;
  constructor(message: string, code: PwgRasterErrorCode = 'PWG_RASTER_MALFORMED') {
    super(message);
    this.name = 'PwgRasterError';
    this.code = code;
  }
}

const HEADER_SIZE = 1796;
const CSPACE_BLACK = 3; // 1 = ink: inverted against sGray
const CSPACE_SGRAY = 18;
const CSPACE_SRGB = 19;
/** The default page size limit; callers that share a process pass a smaller one. */
export const MAX_PIXELS = 20_000 * 20_000;

export function decodePwgRaster(data: Buffer, maxPixels = MAX_PIXELS): PwgRasterPage[] {
  return [...pwgRasterPages(data, maxPixels)];
}

/**
 * The pages one at a time: a page header can ask for far more memory than the bytes that follow
 * (a blank page is a few bytes per 256 lines), so a caller that is done with each page before the
 * next one holds one page's pixels at a time, and can stop early.
 */
export function* pwgRasterPages(data: Buffer, maxPixels = MAX_PIXELS): Generator<PwgRasterPage> {
  if (data.toString('latin1', 0, 4) !== 'RaS2') throw new PwgRasterError('missing RaS2 sync word');
  let pos = 4;
  while (pos < data.length) {
    if (pos + HEADER_SIZE > data.length) throw new PwgRasterError('truncated page header');
    const header = data.subarray(pos, pos + HEADER_SIZE);
    const width = header.readUInt32BE(372);
    const height = header.readUInt32BE(376);
    const bitsPerPixel = header.readUInt32BE(388);
    const bytesPerLine = header.readUInt32BE(392);
    const colorSpace = header.readUInt32BE(400);
    if (width === 0 || height === 0) throw new PwgRasterError(`bad page size ${width}×${height}`);
    if (width * height > maxPixels) {
      throw new PwgRasterError(
        `a ${width}×${height} page is over ${maxPixels} pixels`,
        'PWG_RASTER_TOO_LARGE',
      );
    }
    if (![1, 8, 24].includes(bitsPerPixel))
      throw new PwgRasterError(`unsupported ${bitsPerPixel} bits per pixel`);
    if (bytesPerLine !== Math.ceil((width * bitsPerPixel) / 8))
      throw new PwgRasterError('bytes per line mismatch');
    const start = pos + HEADER_SIZE;
    const unit = Math.max(1, bitsPerPixel / 8);
    const inkIsOne = colorSpace === CSPACE_BLACK;
    const fill = inkIsOne ? 0x00 : 0xff;
    const lines = Buffer.alloc(bytesPerLine * height, fill);
    pos = start;
    let y = 0;
    const byte = (): number => {
      const b = data[pos++];
      if (b === undefined) throw new PwgRasterError('truncated page data');
      return b;
    };
    while (y < height) {
      const repeat = byte() + 1;
      const line = Buffer.alloc(bytesPerLine, fill);
      let x = 0;
      while (x < bytesPerLine) {
        const control = byte();
        if (control === 128) break; // rest of the line is blank
        if (control < 128) {
          const value = data.subarray(pos, pos + unit);
          pos += unit;
          for (let i = 0; i <= control && x < bytesPerLine; i++, x += unit) value.copy(line, x);
        } else {
          const count = (257 - control) * unit;
          data.copy(line, x, pos, pos + Math.min(count, bytesPerLine - x));
          pos += count;
          x += count;
        }
      }
      for (let r = 0; r < repeat && y < height; r++, y++) line.copy(lines, y * bytesPerLine);
    }
    yield {
      ...toPixels(lines, width, height, bitsPerPixel, colorSpace, inkIsOne),
      encodedBytes: pos - start,
    };
  }
}

function toPixels(
  lines: Buffer,
  width: number,
  height: number,
  bitsPerPixel: number,
  colorSpace: number,
  inkIsOne: boolean,
): { width: number; height: number; channels: 1 | 3; pixels: Buffer } {
  if (bitsPerPixel === 24) {
    if (colorSpace !== CSPACE_SRGB && colorSpace !== 1)
      throw new PwgRasterError(`24-bit colour space ${colorSpace}`);
    return { width, height, channels: 3, pixels: lines };
  }
  if (bitsPerPixel === 8) {
    if (colorSpace !== CSPACE_SGRAY && colorSpace !== CSPACE_BLACK && colorSpace !== 0) {
      throw new PwgRasterError(`8-bit colour space ${colorSpace}`);
    }
    return { width, height, channels: 1, pixels: inkIsOne ? Buffer.from(lines.map((b) => 255 - b)) : lines };
  }
  const bytesPerLine = Math.ceil(width / 8);
  const pixels = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = ((lines[y * bytesPerLine + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1;
      pixels[y * width + x] = (bit === 1) === inkIsOne ? 0 : 255;
    }
  }
  return { width, height, channels: 1, pixels };
}
