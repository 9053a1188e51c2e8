import { FEEDER_CAPACITY, MAX_HEIGHT, MAX_WIDTH, MIN_HEIGHT, MIN_WIDTH } from './escl-capabilities.ts';
import type { Original, OriginalPage } from './original.ts';
import { PdfOpenError, type PdfPageSize, type PdfRasterizer } from './pdf-rasterizer.ts';
import { ScannerError } from './scanner-error.ts';

/** Pages a PDF original may have: what the feeder holds. */
export const MAX_PDF_PAGES = FEEDER_CAPACITY;

/** Paper sizes slightly off the standard ones (PDF producers round) still go through the feeder. */
const TOLERANCE = 1.01;

function mm(threeHundredths: number): number {
  return Math.round((threeHundredths / 300) * 25.4);
}

/**
 * The sheet a PDF page is printed on, in 1/300 inch, as it goes through the feeder: a landscape page
 * wider than the feeder is fed short edge first (turned a quarter), as a person would put it in.
 */
function sheetOf(
  size: PdfPageSize,
  pageNumber: number,
): Pick<OriginalPage, 'width' | 'height'> & {
  extraRotation: number;
} {
  const width = Math.round((size.width / 72) * 300);
  const height = Math.round((size.height / 72) * 300);
  const fits = (w: number, h: number) => w <= MAX_WIDTH * TOLERANCE && h <= MAX_HEIGHT * TOLERANCE;
  let sheet = { width, height, extraRotation: 0 };
  if (!fits(width, height) && fits(height, width))
    sheet = { width: height, height: width, extraRotation: 90 };
  if (!fits(sheet.width, sheet.height)) {
    throw new ScannerError(
      'PAGE_SIZE_UNSUPPORTED',
      `page ${pageNumber} of the PDF is ${mm(width)} × ${mm(height)} mm; the feeder takes originals up to ` +
        `${mm(MAX_WIDTH)} × ${mm(MAX_HEIGHT)} mm (Legal)`,
    );
  }
  if (sheet.width < MIN_WIDTH || sheet.height < MIN_HEIGHT) {
    throw new ScannerError(
      'PAGE_SIZE_UNSUPPORTED',
      `page ${pageNumber} of the PDF is too small to feed (${size.width.toFixed(1)} × ${size.height.toFixed(1)} pt)`,
    );
  }
  return {
    width: Math.min(sheet.width, MAX_WIDTH),
    height: Math.min(sheet.height, MAX_HEIGHT),
    extraRotation: sheet.extraRotation,
  };
}

/**
 * An uploaded PDF as an original: one sheet per page, sized as the page. Pages are rasterised only
 * when scanned (page-renderer.ts), at the job's resolution and mode.
 */
export async function pdfOriginal(data: Buffer, name: string, rasterizer: PdfRasterizer): Promise<Original> {
  const count = await opening(() => rasterizer.pageCount(data));
  if (count === 0) throw new ScannerError('INVALID_ORIGINAL', 'the PDF has no pages');
  if (count > MAX_PDF_PAGES) {
    throw new ScannerError(
      'TOO_MANY_PAGES',
      `the PDF has ${count} pages; the feeder holds ${MAX_PDF_PAGES} sheets`,
    );
  }
  const sizes = await opening(() => rasterizer.pageSizes(data));
  const id = `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const pages = sizes.map((size, index): OriginalPage => {
    const { width, height, extraRotation } = sheetOf(size, index + 1);
    return {
      id: `${id}-${index + 1}`,
      width,
      height,
      content: { kind: 'pdf', data, page: index + 1, extraRotation },
    };
  });
  return { name, pages };
}

async function opening<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof PdfOpenError)) throw error;
    if (error.reason === 'encrypted') {
      throw new ScannerError('ENCRYPTED_ORIGINAL', `${error.message}; upload it without one`);
    }
    throw new ScannerError('INVALID_ORIGINAL', error.message);
  }
}
