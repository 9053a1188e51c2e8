/**
 * Turns a document the fax modem accepted into the pages a remote fax machine would print:
 * bilevel PNGs, 1728 pixels wide. Pure JavaScript plus sharp (libvips); no external programs.
 * Page by page, so at most one page's pixels are in memory, each checked against the limits before
 * anything is allocated or inflated for it.
 */
import { inflateSync } from 'node:zlib';
import sharp, { type Sharp, type SharpInput, type SharpOptions } from 'sharp';
import { SimulatorError } from '../control-api/http-errors.ts';
import { ccittCodingFromK, wrapCcittInTiff } from './ccitt-tiff.ts';
import { DEFAULT_FAX_LIMITS } from './fax-limits.ts';
import { extractPdfImages, type PdfImage } from './pdf-image-extractor.ts';
import { PwgRasterError, pwgRasterPages } from './pwg-raster.ts';

export const FAX_WIDTH = 1728;
/** A blank page at standard resolution (A4 at 98 lpi) for a PDF page that has no image. */
const BLANK_PAGE_HEIGHT = 1143;

export const SUPPORTED_FORMATS = ['application/pdf', 'image/pwg-raster', 'image/tiff', 'image/jpeg'] as const;
export type DocumentFormat = (typeof SUPPORTED_FORMATS)[number];

export interface FaxPage {
  png: Buffer;
  /** Bytes this page takes on the line (its encoded size as sent): drives transmission time. */
  encodedBytes: number;
}

export type FaxDocumentErrorCode = 'DOCUMENT_UNREADABLE' | 'DOCUMENT_TOO_LARGE';

export class FaxDocumentError extends SimulatorError<FaxDocumentErrorCode> {
  constructor(code: FaxDocumentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, code === 'DOCUMENT_TOO_LARGE' ? 413 : 400, options);
    this.name = 'FaxDocumentError';
  }
}

/** What one decode may produce: pages, and pixels per page (declared, and once scaled to fax width). */
export interface DecodeLimits {
  maxPages: number;
  maxPagePixels: number;
}

const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxPages: DEFAULT_FAX_LIMITS.maxPagesPerJob,
  maxPagePixels: DEFAULT_FAX_LIMITS.maxPagePixels,
};

const tooLarge = (message: string): FaxDocumentError => new FaxDocumentError('DOCUMENT_TOO_LARGE', message);
const unreadable = (message: string): FaxDocumentError =>
  new FaxDocumentError('DOCUMENT_UNREADABLE', message);

function checkPages(count: number, limits: DecodeLimits): void {
  if (count > limits.maxPages) throw tooLarge(`the document has more than ${limits.maxPages} pages`);
}

/** A page size as a document declares it: positive whole numbers, within the pixel limit. */
function checkSize(width: number, height: number, limits: DecodeLimits): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw unreadable(`bad image size ${width}×${height}`);
  }
  if (width * height > limits.maxPagePixels) {
    throw tooLarge(`a ${width}×${height} image is over ${limits.maxPagePixels} pixels`);
  }
}

/** sharp refuses, before decoding, inputs whose header claims more pixels than the limit. */
function open(input: SharpInput, limits: DecodeLimits, options: SharpOptions = {}): Sharp {
  return sharp(input, { ...options, limitInputPixels: limits.maxPagePixels });
}

/** What the first bytes say the document is (for document-format application/octet-stream or absent). */
export function sniffFormat(data: Buffer): DocumentFormat | undefined {
  const head = data.toString('latin1', 0, 1024);
  if (head.includes('%PDF-')) return 'application/pdf';
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return 'image/tiff';
  if (head.startsWith('RaS2')) return 'image/pwg-raster';
  if (head.startsWith('\xff\xd8\xff')) return 'image/jpeg';
  return undefined;
}

/**
 * document-format-version-supplied when the client gave none (PWG 5100.7 style values): what the
 * document says of itself, e.g. "PDF/1.4" from its header.
 */
export function sniffFormatVersion(format: DocumentFormat, data: Buffer): string {
  const head = data.toString('latin1', 0, 1024);
  switch (format) {
    case 'application/pdf':
      return `PDF/${/%PDF-(\d\.\d)/.exec(head)?.[1] ?? '1.7'}`;
    case 'image/tiff':
      return 'TIFF/6.0';
    case 'image/pwg-raster':
      return 'PWG/5102.4';
    case 'image/jpeg': {
      const jfif = data.indexOf('JFIF\0', 0, 'latin1');
      return jfif > 0 && jfif + 6 < data.length
        ? `JFIF/${data[jfif + 5]}.${String(data[jfif + 6]).padStart(2, '0')}`
        : 'JPEG';
    }
  }
}

/**
 * The pages of one document. Errors are FaxDocumentErrors: DOCUMENT_TOO_LARGE when the document
 * asks for more than `limits` allow, DOCUMENT_UNREADABLE otherwise.
 */
export async function decodeFaxDocument(
  format: DocumentFormat,
  data: Buffer,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): Promise<FaxPage[]> {
  try {
    switch (format) {
      case 'application/pdf':
        return await decodePdf(data, limits);
      case 'image/tiff':
        return await decodeTiff(data, limits);
      case 'image/pwg-raster':
        return await decodePwg(data, limits);
      case 'image/jpeg': {
        // A photo is sent halftoned; its size on the line is close to that of the bilevel page.
        const png = await toFaxPng(open(data, limits).rotate(), limits.maxPagePixels);
        return [{ png, encodedBytes: png.length }];
      }
    }
  } catch (error) {
    if (error instanceof FaxDocumentError) throw error;
    const message = (error as Error).message;
    const overLimit =
      (error instanceof PwgRasterError && error.code === 'PWG_RASTER_TOO_LARGE') ||
      (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' || // zlib's maxOutputLength
      /exceeds pixel limit/.test(message); // sharp's limitInputPixels
    throw new FaxDocumentError(
      overLimit ? 'DOCUMENT_TOO_LARGE' : 'DOCUMENT_UNREADABLE',
      `cannot decode ${format}: ${message}`,
      { cause: error },
    );
  }
}

async function decodePwg(data: Buffer, limits: DecodeLimits): Promise<FaxPage[]> {
  const out: FaxPage[] = [];
  for (const page of pwgRasterPages(data, limits.maxPagePixels)) {
    checkPages(out.length + 1, limits);
    const raw = { width: page.width, height: page.height, channels: page.channels };
    out.push({
      png: await toFaxPng(open(page.pixels, limits, { raw }), limits.maxPagePixels),
      encodedBytes: page.encodedBytes,
    });
  }
  return out;
}

async function decodePdf(data: Buffer, limits: DecodeLimits): Promise<FaxPage[]> {
  const pages = extractPdfImages(data);
  checkPages(pages.length, limits);
  const out: FaxPage[] = [];
  for (const page of pages) {
    // A fax page is one bitmap; the largest image on the page is that bitmap.
    const image = page.images.sort((a, b) => b.width * b.height - a.width * a.height)[0];
    if (!image) {
      out.push({ png: await blankPage(), encodedBytes: 2 * BLANK_PAGE_HEIGHT });
      continue;
    }
    out.push({
      png: await toFaxPng(imageToSharp(image, limits), limits.maxPagePixels),
      encodedBytes: image.data.length,
    });
  }
  return out;
}

function imageToSharp(image: PdfImage, limits: DecodeLimits): Sharp {
  const filters = image.filters.filter((f) => f !== 'Crypt');
  const last = filters.at(-1);
  if (filters.length > 1) throw unreadable(`unsupported filter chain ${filters.join(',')}`);
  if (last === 'CCITTFaxDecode' || last === 'CCF') {
    const parms = image.decodeParms[0] ?? {};
    const blackIs1 = parms['BlackIs1'] === true;
    const k = typeof parms['K'] === 'number' ? parms['K'] : undefined;
    const rows = typeof parms['Rows'] === 'number' && parms['Rows'] > 0 ? parms['Rows'] : image.height;
    const columns = typeof parms['Columns'] === 'number' ? parms['Columns'] : image.width || 1728;
    checkSize(columns, rows, limits);
    const tiff = wrapCcittInTiff({
      width: columns,
      height: rows,
      coding: ccittCodingFromK(k),
      // CCITT codes white and black runs; /BlackIs1 and /Decode [1 0] each flip what the samples show.
      whiteRunsAreWhite: blackIs1 === image.decodeInverted,
      data: image.data,
    });
    return open(tiff, limits);
  }
  if (last === 'DCTDecode' || last === 'DCT') return open(image.data, limits);
  if (last === undefined || last === 'FlateDecode' || last === 'Fl')
    return rawImage(image, last !== undefined, limits);
  throw unreadable(`unsupported image filter ${last}`);
}

function rawImage(image: PdfImage, flate: boolean, limits: DecodeLimits): Sharp {
  checkSize(image.width, image.height, limits);
  const channels = image.imageMask
    ? 1
    : image.colorSpace === 'DeviceRGB'
      ? 3
      : image.colorSpace === 'DeviceCMYK'
        ? 4
        : 1;
  if (
    image.colorSpace !== undefined &&
    !['DeviceGray', 'DeviceRGB', 'DeviceCMYK'].includes(image.colorSpace)
  ) {
    throw unreadable(`unsupported colour space ${image.colorSpace}`);
  }
  const bpc = image.bitsPerComponent;
  if (bpc !== 1 && bpc !== 8) throw unreadable(`unsupported ${bpc} bits per component`);
  const rowBytes = Math.ceil((image.width * channels * bpc) / 8);
  const predictor = image.decodeParms[0]?.['Predictor'];
  const pngPredictors = typeof predictor === 'number' && predictor >= 10;
  // The image's own size bounds what its stream may inflate to (PNG predictors add a byte a row);
  // zlib stops as soon as the output would pass it.
  const expected = (pngPredictors ? rowBytes + 1 : rowBytes) * image.height;
  let samples = flate ? inflateSync(image.data, { maxOutputLength: expected + INFLATE_SLACK }) : image.data;
  if (pngPredictors) {
    samples = undoPngPredictors(samples, rowBytes, image.height, Math.max(1, (channels * bpc) / 8));
  }
  let pixels = samples;
  if (bpc === 1) {
    // Expand to one byte per sample; for image masks and DeviceGray a 1 bit is white unless inverted.
    const whiteBit = image.imageMask ? (image.decodeInverted ? 1 : 0) : image.decodeInverted ? 0 : 1;
    pixels = Buffer.alloc(image.width * image.height);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const bit = ((samples[y * rowBytes + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1;
        pixels[y * image.width + x] = bit === whiteBit ? 255 : 0;
      }
    }
    return sharp(pixels, { raw: { width: image.width, height: image.height, channels: 1 } });
  }
  return sharp(pixels.subarray(0, rowBytes * image.height), {
    raw: { width: image.width, height: image.height, channels: channels as 1 | 3 | 4 },
  });
}

/** Writers sometimes leave a little padding after the samples; more than this is not an image. */
const INFLATE_SLACK = 64 * 1024;

/** PNG row filters (RFC 2083 §6), as used by /Predictor 10–15. */
function undoPngPredictors(data: Buffer, rowBytes: number, rows: number, bpp: number): Buffer {
  const out = Buffer.alloc(rowBytes * rows);
  const step = Math.ceil(bpp);
  for (let y = 0; y < rows; y++) {
    const type = data[y * (rowBytes + 1)] ?? 0;
    const src = y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const raw = data[src + x] ?? 0;
      const left = x >= step ? out[row + x - step]! : 0;
      const up = y > 0 ? out[row - rowBytes + x]! : 0;
      const upLeft = y > 0 && x >= step ? out[row - rowBytes + x - step]! : 0;
      let predicted = 0;
      if (type === 1) predicted = left;
      else if (type === 2) predicted = up;
      else if (type === 3) predicted = (left + up) >> 1;
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      out[row + x] = (raw + predicted) & 0xff;
    }
  }
  return out;
}

async function decodeTiff(data: Buffer, limits: DecodeLimits): Promise<FaxPage[]> {
  const { pages = 1 } = await open(data, limits).metadata();
  checkPages(pages, limits);
  const out: FaxPage[] = [];
  for (let page = 0; page < pages; page++) {
    out.push({
      png: await toFaxPng(open(data, limits, { page }), limits.maxPagePixels),
      encodedBytes: Math.ceil(data.length / pages),
    });
  }
  return out;
}

/**
 * What a fax machine prints: scaled to 1728 wide when needed, thresholded, 1-bit PNG. A narrow,
 * tall image grows when scaled, so the scaled page is held to the pixel limit too.
 */
export async function toFaxPng(
  image: Sharp,
  maxPixels: number = DEFAULT_FAX_LIMITS.maxPagePixels,
): Promise<Buffer> {
  const { width, height, orientation } = await image.clone().metadata();
  if (width && height) {
    const linesWhenScaled = (across: number, down: number): number => Math.ceil((down * FAX_WIDTH) / across);
    // EXIF orientations 5–8 turn the image a quarter, if rotate() was asked for: assume the worse.
    const lines =
      (orientation ?? 1) >= 5
        ? Math.max(linesWhenScaled(width, height), linesWhenScaled(height, width))
        : linesWhenScaled(width, height);
    if (FAX_WIDTH * lines > maxPixels) {
      throw tooLarge(`a ${width}×${height} image scaled to ${FAX_WIDTH} wide is over ${maxPixels} pixels`);
    }
  }
  const scaled = width === FAX_WIDTH ? image : image.resize({ width: FAX_WIDTH });
  return scaled
    .flatten({ background: '#ffffff' })
    .toColourspace('b-w')
    .threshold(128)
    .png({ palette: true, colours: 2, dither: 0 })
    .toBuffer();
}

function blankPage(): Promise<Buffer> {
  return toFaxPng(
    sharp({ create: { width: FAX_WIDTH, height: BLANK_PAGE_HEIGHT, channels: 3, background: '#ffffff' } }),
  );
}
