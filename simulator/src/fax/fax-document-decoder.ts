/**
 * Turns a document the fax modem accepted into the pages a remote fax machine would print:
 * bilevel PNGs, 1728 pixels wide. Pure JavaScript plus sharp (libvips); no external programs.
 */
import { inflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { ccittCodingFromK, wrapCcittInTiff } from './ccitt-tiff.ts';
import { extractPdfImages, type PdfImage } from './pdf-image-extractor.ts';
import { decodePwgRaster } from './pwg-raster.ts';

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

export class FaxDocumentError extends Error {
  readonly code = 'fax-document-unreadable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FaxDocumentError';
  }
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

export async function decodeFaxDocument(format: DocumentFormat, data: Buffer): Promise<FaxPage[]> {
  try {
    switch (format) {
      case 'application/pdf':
        return await decodePdf(data);
      case 'image/tiff':
        return await decodeTiff(data);
      case 'image/pwg-raster':
        return await Promise.all(
          decodePwgRaster(data).map(async (page) => ({
            png: await toFaxPng(
              sharp(page.pixels, {
                raw: { width: page.width, height: page.height, channels: page.channels },
              }),
            ),
            encodedBytes: page.encodedBytes,
          })),
        );
      case 'image/jpeg': {
        // A photo is sent halftoned; its size on the line is close to that of the bilevel page.
        const png = await toFaxPng(sharp(data).rotate());
        return [{ png, encodedBytes: png.length }];
      }
    }
  } catch (error) {
    if (error instanceof FaxDocumentError) throw error;
    throw new FaxDocumentError(`cannot decode ${format}: ${(error as Error).message}`, { cause: error });
  }
}

async function decodePdf(data: Buffer): Promise<FaxPage[]> {
  const pages = extractPdfImages(data);
  const out: FaxPage[] = [];
  for (const page of pages) {
    // A fax page is one bitmap; the largest image on the page is that bitmap.
    const image = page.images.sort((a, b) => b.width * b.height - a.width * a.height)[0];
    if (!image) {
      out.push({ png: await blankPage(), encodedBytes: 2 * BLANK_PAGE_HEIGHT });
      continue;
    }
    out.push({ png: await toFaxPng(imageToSharp(image)), encodedBytes: image.data.length });
  }
  return out;
}

function imageToSharp(image: PdfImage): Sharp {
  const filters = image.filters.filter((f) => f !== 'Crypt');
  const last = filters.at(-1);
  if (filters.length > 1) throw new FaxDocumentError(`unsupported filter chain ${filters.join(',')}`);
  if (last === 'CCITTFaxDecode' || last === 'CCF') {
    const parms = image.decodeParms[0] ?? {};
    const blackIs1 = parms['BlackIs1'] === true;
    const k = typeof parms['K'] === 'number' ? parms['K'] : undefined;
    const rows = typeof parms['Rows'] === 'number' && parms['Rows'] > 0 ? parms['Rows'] : image.height;
    const columns = typeof parms['Columns'] === 'number' ? parms['Columns'] : image.width || 1728;
    const tiff = wrapCcittInTiff({
      width: columns,
      height: rows,
      coding: ccittCodingFromK(k),
      // CCITT codes white and black runs; /BlackIs1 and /Decode [1 0] each flip what the samples show.
      whiteRunsAreWhite: blackIs1 === image.decodeInverted,
      data: image.data,
    });
    return sharp(tiff);
  }
  if (last === 'DCTDecode' || last === 'DCT') return sharp(image.data);
  if (last === undefined || last === 'FlateDecode' || last === 'Fl')
    return rawImage(image, last !== undefined);
  throw new FaxDocumentError(`unsupported image filter ${last}`);
}

function rawImage(image: PdfImage, flate: boolean): Sharp {
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
    throw new FaxDocumentError(`unsupported colour space ${image.colorSpace}`);
  }
  const bpc = image.bitsPerComponent;
  if (bpc !== 1 && bpc !== 8) throw new FaxDocumentError(`unsupported ${bpc} bits per component`);
  let samples = flate ? inflateSync(image.data) : image.data;
  const rowBytes = Math.ceil((image.width * channels * bpc) / 8);
  const predictor = image.decodeParms[0]?.['Predictor'];
  if (typeof predictor === 'number' && predictor >= 10) {
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

async function decodeTiff(data: Buffer): Promise<FaxPage[]> {
  const { pages = 1 } = await sharp(data).metadata();
  const out: FaxPage[] = [];
  for (let page = 0; page < pages; page++) {
    out.push({ png: await toFaxPng(sharp(data, { page })), encodedBytes: Math.ceil(data.length / pages) });
  }
  return out;
}

/** What a fax machine prints: scaled to 1728 wide when needed, thresholded, 1-bit PNG. */
export async function toFaxPng(image: Sharp): Promise<Buffer> {
  const { width } = await image.clone().metadata();
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
