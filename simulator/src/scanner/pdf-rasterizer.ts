import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as NapiCanvas from '@napi-rs/canvas';
import type * as Pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** A PDF page's size as printed (after its /Rotate), in points (1/72 inch). */
export interface PdfPageSize {
  width: number;
  height: number;
}

export interface PdfRender {
  /** Raw RGB, row after row, `width * 3` bytes per row. */
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/** Why a PDF could not be opened: it wants a password, or it is not a PDF pdf.js can read. */
export class PdfOpenError extends Error {
  readonly reason: 'encrypted' | 'invalid';

  constructor(reason: 'encrypted' | 'invalid', message: string) {
    super(message);
    this.name = 'PdfOpenError';
    this.reason = reason;
  }
}

// pdf.js reads fonts it must substitute, CMaps and its image decoders (JBIG2, JPEG 2000: what scanned
// PDFs hold) from its own package at run time.
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

/**
 * pdf.js and the canvas load on the first PDF: importing pdf.js takes a few hundred milliseconds and
 * installs browser globals (DOMMatrix, Path2D, navigator) that a simulator without PDFs need not have.
 */
function loadLibraries(): Promise<Libraries> {
  libraries ??= Promise.all([import('pdfjs-dist/legacy/build/pdf.mjs'), import('@napi-rs/canvas')]);
  return libraries;
}

/** Rows rendered at once: bounds the canvas to a band instead of a whole 600 dpi page. */
const BAND_ROWS = 512;
/** Open documents kept for the next page's render; opening re-parses the file. */
const OPEN_DOCUMENTS = 2;

interface OpenDocument {
  document: Promise<PDFDocumentProxy>;
  renders: number;
}

/**
 * Rasterises PDF pages with pdf.js (vector text and graphics, not only embedded images) onto
 * @napi-rs/canvas. Keeps the last few documents open, keyed by the upload's bytes.
 */
export class PdfRasterizer {
  readonly #open = new Map<Buffer, OpenDocument>();

  /** How many pages; throws PdfOpenError for encrypted or unreadable files. */
  async pageCount(data: Buffer): Promise<number> {
    return this.#with(data, async (document) => document.numPages);
  }

  /** Each page's size; throws PdfOpenError for encrypted or unreadable files. */
  async pageSizes(data: Buffer): Promise<PdfPageSize[]> {
    return this.#with(data, async (document) => {
      const sizes: PdfPageSize[] = [];
      for (let number = 1; number <= document.numPages; number++) {
        const page = await readPage(document, number);
        const viewport = page.getViewport({ scale: 1 });
        sizes.push({ width: viewport.width, height: viewport.height });
      }
      return sizes;
    });
  }

  /**
   * Page `number` (1-based) drawn to exactly `width` × `height` pixels on white, turned by
   * `extraRotation` degrees clockwise on top of the page's own /Rotate.
   */
  async render(
    data: Buffer,
    number: number,
    size: { width: number; height: number; extraRotation?: number },
  ): Promise<PdfRender> {
    return this.#with(data, async (document) => {
      const page = await readPage(document, number);
      const rotation = (page.rotate + (size.extraRotation ?? 0)) % 360;
      const unit = page.getViewport({ scale: 1, rotation });
      const viewport = page.getViewport({ scale: size.width / unit.width, rotation });
      // Stretch the other axis by the rounding the paper size took, so the image is exactly the page.
      const stretchY = size.height / viewport.height;
      const { width, height } = size;
      const out = Buffer.alloc(width * height * 3);
      const [, { createCanvas }] = await loadLibraries();
      let canvas = createCanvas(width, Math.min(BAND_ROWS, height));
      for (let top = 0; top < height; top += BAND_ROWS) {
        const rows = Math.min(BAND_ROWS, height - top);
        if (canvas.height !== rows) canvas = createCanvas(width, rows);
        await page.render({
          canvas: canvas as unknown as HTMLCanvasElement,
          viewport,
          intent: 'print',
          transform: [1, 0, 0, stretchY, 0, -top],
        }).promise;
        const rgba = canvas.getContext('2d').getImageData(0, 0, width, rows).data;
        let to = top * width * 3;
        for (let from = 0; from < rgba.length; from += 4) {
          out[to++] = rgba[from] ?? 255;
          out[to++] = rgba[from + 1] ?? 255;
          out[to++] = rgba[from + 2] ?? 255;
        }
      }
      page.cleanup();
      return { data: out, width, height, channels: 3 };
    });
  }

  /** Closes every open document (renders in flight fail). */
  async close(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(open.map((entry) => destroy(entry.document)));
  }

  async #with<T>(data: Buffer, use: (document: PDFDocumentProxy) => Promise<T>): Promise<T> {
    let entry = this.#open.get(data);
    if (entry) {
      this.#open.delete(data);
    } else {
      entry = { document: openDocument(data), renders: 0 };
    }
    this.#open.set(data, entry);
    entry.renders++;
    try {
      return await use(await entry.document);
    } catch (error) {
      if (error instanceof PdfOpenError && this.#open.get(data) === entry) this.#open.delete(data);
      throw error;
    } finally {
      entry.renders--;
      this.#trim();
    }
  }

  #trim(): void {
    for (const [data, entry] of this.#open) {
      if (this.#open.size <= OPEN_DOCUMENTS) return;
      if (entry.renders > 0) continue;
      this.#open.delete(data);
      void destroy(entry.document);
    }
  }
}

async function openDocument(data: Buffer): Promise<PDFDocumentProxy> {
  const [{ getDocument, VerbosityLevel }] = await loadLibraries();
  const task = getDocument({
    // pdf.js may take over the array it is given; the upload stays ours.
    data: new Uint8Array(data),
    ...RESOURCES,
    // Uploads are untrusted: no code generated from font programs.
    isEvalSupported: false,
    verbosity: VerbosityLevel.ERRORS,
  });
  try {
    return await task.promise;
  } catch (error) {
    void task.destroy();
    const name = (error as { name?: unknown }).name;
    if (name === 'PasswordException') {
      throw new PdfOpenError('encrypted', 'the PDF is protected by a password');
    }
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new PdfOpenError('invalid', `the PDF cannot be read${detail}`);
  }
}

async function readPage(document: PDFDocumentProxy, number: number): Promise<PDFPageProxy> {
  try {
    return await document.getPage(number);
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new PdfOpenError('invalid', `page ${number} of the PDF cannot be read${detail}`);
  }
}

async function destroy(document: Promise<PDFDocumentProxy>): Promise<void> {
  try {
    await (await document).destroy();
  } catch {
    // It never opened: nothing to release.
  }
}
