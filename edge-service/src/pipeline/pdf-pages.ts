import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as NapiCanvas from '@napi-rs/canvas';
import type * as Pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp from 'sharp';
import { EdgeError } from '../edge-error.ts';
import { FAX_WIDTH } from './fax-types.ts';

/*
 * The edge's own PDF renderer (the simulator has one too, but the edge never imports the simulator):
 * each page drawn by pdf.js onto @napi-rs/canvas exactly one fax line wide (1728 pels), as a grey
 * PNG whose density says the page's physical width, so renderFaxPage keeps its real length.
 */

const PDFJS_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const RESOURCES = {
  standardFontDataUrl: `${join(PDFJS_DIR, 'standard_fonts')}/`,
  cMapUrl: `${join(PDFJS_DIR, 'cmaps')}/`,
  cMapPacked: true,
  wasmUrl: `${join(PDFJS_DIR, 'wasm')}/`,
  iccUrl: `${join(PDFJS_DIR, 'iccs')}/`,
};

type Libraries = [typeof Pdfjs, typeof NapiCanvas];
let libraries: Promise<Libraries> | undefined;

/** Loaded on the first PDF: pdf.js installs browser globals an edge without email faxes need not have. */
function loadLibraries(): Promise<Libraries> {
  libraries ??= Promise.all([import('pdfjs-dist/legacy/build/pdf.mjs'), import('@napi-rs/canvas')]);
  return libraries;
}

/** Longest page drawn: 17 in (tabloid), the fax pipeline's own limit, with some slack. */
const MAX_PAGE_INCHES = 18;

/**
 * Opens `data` and calls `each` with every page as a PNG, in order. Throws PDF_ENCRYPTED for a
 * password-protected file, PDF_INVALID for one pdf.js cannot read, PAGE_LIMIT when it has more than
 * `maxPages` pages (before drawing any).
 */
export async function renderPdfPages(
  data: Buffer,
  options: { label: string; maxPages: number },
  each: (png: Buffer, number: number) => Promise<void>,
): Promise<number> {
  const [{ getDocument, VerbosityLevel }, { createCanvas }] = await loadLibraries();
  const task = getDocument({
    data: new Uint8Array(data),
    ...RESOURCES,
    // Email attachments are untrusted: no code generated from font programs.
    isEvalSupported: false,
    verbosity: VerbosityLevel.ERRORS,
  });
  let document: PDFDocumentProxy;
  try {
    document = await task.promise;
  } catch (error) {
    void task.destroy();
    if ((error as { name?: unknown }).name === 'PasswordException')
      throw new EdgeError(
        'PDF_ENCRYPTED',
        `${options.label} is protected by a password: send it without the password protection.`,
      );
    throw new EdgeError(
      'PDF_INVALID',
      `${options.label} cannot be read as a PDF: save it again and resend.`,
      {
        cause: error,
      },
    );
  }
  try {
    if (document.numPages > options.maxPages)
      throw new EdgeError(
        'PAGE_LIMIT',
        `${options.label} has ${document.numPages} pages, more than the ${options.maxPages} an email fax may have.`,
      );
    for (let number = 1; number <= document.numPages; number++) {
      const page = await document.getPage(number);
      const unit = page.getViewport({ scale: 1 });
      const scale = FAX_WIDTH / unit.width;
      const viewport = page.getViewport({ scale });
      const height = Math.round(viewport.height);
      const widthInches = unit.width / 72;
      if (unit.height / 72 > MAX_PAGE_INCHES || height < 1)
        throw new EdgeError('PDF_INVALID', `Page ${number} of ${options.label} is not a paper page size.`);
      const canvas = createCanvas(FAX_WIDTH, height);
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, FAX_WIDTH, height);
      await page.render({ canvas: canvas as unknown as HTMLCanvasElement, viewport, intent: 'print' })
        .promise;
      const rgba = Buffer.from(context.getImageData(0, 0, FAX_WIDTH, height).data.buffer);
      page.cleanup();
      const png = await sharp(rgba, { raw: { width: FAX_WIDTH, height, channels: 4 } })
        .removeAlpha()
        .greyscale()
        .withMetadata({ density: FAX_WIDTH / widthInches })
        .png({ compressionLevel: 3 })
        .toBuffer();
      await each(png, number);
    }
    return document.numPages;
  } finally {
    await document.destroy().catch(() => undefined);
  }
}
