import sharp from 'sharp';
import { EdgeError } from '../edge-error.ts';
import { addFaxPage, openPdf } from './fax-pdf.ts';
import type { FaxPage } from './fax-types.ts';
import { imageError, INPUT_OPTIONS, readScannedPage } from './image-input.ts';
import { ensureImageRuntime } from './image-runtime.ts';
import { faxPageGeometry } from './page-geometry.ts';

/** A scanned page as the scanner sent it (JPEG or PNG), or a bilevel page already coded as G4. */
export type ArchivePage = Buffer | FaxPage;

export interface ArchivePdfOptions {
  /** Re-encode every scan as a JPEG of this quality (1–100), smaller; default: JPEGs pass through. */
  jpegQuality?: number;
  /** With jpegQuality: also scale scans down to at most this many pixels per inch. */
  maxDpi?: number;
}

const POINTS_PER_INCH = 72;

/**
 * The archive copy of a scan job: one PDF page per scanned page, sized to the paper. A scanner's
 * JPEG goes in byte for byte (pdfkit embeds JPEG as /DCTDecode), unless it cannot be shown as is
 * (CMYK, rotated by EXIF, truncated) or `jpegQuality` asks for a smaller file; bilevel pages go in as
 * their G4 data (/CCITTFaxDecode). Pages are taken one at a time from an iterable, so a caller can
 * read them lazily and the job never holds more than one decoded page.
 */
export async function buildArchivePdf(
  pages: Iterable<ArchivePage> | AsyncIterable<ArchivePage>,
  options: ArchivePdfOptions = {},
): Promise<Buffer> {
  ensureImageRuntime();
  const { doc, done } = openPdf();
  // Without a listener, a rejection of `done` before we await it would be unhandled.
  done.catch(() => undefined);
  let pageNumber = 0;
  try {
    for await (const page of pages) {
      pageNumber++;
      if (Buffer.isBuffer(page)) await addScan(doc, page, pageNumber, options);
      else addFaxPage(doc, page, `Page${pageNumber}`);
    }
  } catch (error) {
    doc.end();
    throw error;
  }
  if (pageNumber === 0) throw new RangeError('An archive PDF needs at least one page');
  doc.end();
  return done;
}

async function addScan(
  doc: PDFKit.PDFDocument,
  input: Buffer,
  pageNumber: number,
  options: ArchivePdfOptions,
): Promise<void> {
  const { format, metadata, label, details } = await readScannedPage(input, pageNumber);
  const { width, height } = metadata.autoOrient;
  // The fax geometry's checks (too small, too many pixels, banner length) apply to archives too.
  const { widthInches, lengthInches } = faxPageGeometry(
    { width, height, density: metadata.density },
    'fine',
    pageNumber,
  );

  let image = input;
  const asIs =
    format === 'jpeg' &&
    options.jpegQuality === undefined &&
    (metadata.channels === 1 || metadata.channels === 3) &&
    metadata.space !== 'cmyk' &&
    (metadata.orientation ?? 1) === 1 &&
    endsWithEoi(input);
  // pdfkit inflates a PNG with alpha or interlacing itself, in a zlib callback that throws: corrupt
  // data there would be an uncaught exception (found by test/fuzz). Those go through libvips.
  const pngAsIs =
    format === 'png' && options.jpegQuality === undefined && !metadata.hasAlpha && !metadata.isProgressive;
  if (!asIs && !pngAsIs) {
    try {
      let pipeline = sharp(input, INPUT_OPTIONS).flatten({ background: '#ffffff' });
      if (options.maxDpi !== undefined && width / widthInches > options.maxDpi) {
        pipeline = pipeline.resize({ width: Math.round(widthInches * options.maxDpi) });
      }
      if (metadata.channels !== undefined && metadata.channels < 3) pipeline = pipeline.greyscale();
      image = await pipeline.jpeg({ quality: options.jpegQuality ?? 85, mozjpeg: true }).toBuffer();
    } catch (error) {
      throw imageError(error, label, details);
    }
  }
  // pdfkit's PNG reader copies a chunk byte by byte for as long as its length field says: a corrupt
  // length of 4 GB blocks the event loop for a minute (found by test/fuzz). Check the chunks first.
  if (image === input && format === 'png' && !pngChunksIntact(input))
    throw new EdgeError('IMAGE_INVALID', `${label} is a damaged PNG image`, details);
  const size: [number, number] = [widthInches * POINTS_PER_INCH, lengthInches * POINTS_PER_INCH];
  doc.addPage({ size, margin: 0 });
  try {
    doc.image(image, 0, 0, { width: size[0], height: size[1] });
  } catch (error) {
    throw imageError(error, label, details);
  }
}

/** Every PNG chunk's length stays inside the file, up to IEND. */
function pngChunksIntact(png: Buffer): boolean {
  for (let at = 8; at + 12 <= png.length;) {
    const end = at + 12 + png.readUInt32BE(at);
    if (end > png.length) return false;
    if (png.toString('latin1', at + 4, at + 8) === 'IEND') return true;
    at = end;
  }
  return false;
}

/** A JPEG that does not end with its EOI marker (scanners may pad a few bytes) was cut short. */
function endsWithEoi(jpeg: Buffer): boolean {
  const tail = jpeg.subarray(Math.max(0, jpeg.length - 32));
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}
