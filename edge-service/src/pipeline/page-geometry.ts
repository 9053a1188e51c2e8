import { EdgeError } from '../edge-error.ts';
import { FAX_LINES_PER_INCH, type FaxResolution } from './fax-types.ts';

/**
 * Where a scanned page lands on the fax grid. Pure. The width always becomes the fax line (1728 pels);
 * the length keeps the page's physical length at the mode's lines per inch.
 */

/** 600 dpi Legal with 10% slack each way: larger than any page a scanner sends for a fax. */
export const MAX_INPUT_PIXELS = Math.ceil(8.5 * 600 * 1.1) * Math.ceil(14 * 600 * 1.1);
/** Longer than Legal (14 in) and tabloid (17 in) is not a page, it is a banner. */
export const MAX_PAGE_LENGTH_INCHES = 17;
/** Smaller than this on either side is not a scanned page (a 1-inch strip at 75 dpi is 75). */
export const MIN_INPUT_SIDE = 64;

const DENSITY_RANGE = { min: 50, max: 1200 };
/** A density that makes the page narrower or wider than these is a placeholder (e.g. JFIF's 72). */
const PLAUSIBLE_WIDTH_INCHES = { min: 3, max: 18 };
const A4 = { width: 8.27, aspect: 11.69 / 8.27 };
const LETTER_WIDTH = 8.5;

export interface PageSize {
  width: number;
  height: number;
  /** Pixels per inch from the file (sharp's metadata.density), if any. */
  density?: number | undefined;
}

export interface PageGeometry {
  rows: number;
  widthInches: number;
  lengthInches: number;
  /** Whether the physical size came from the file's density or from the A4/Letter assumption. */
  sizeFrom: 'density' | 'assumed';
}

export function faxPageGeometry(size: PageSize, resolution: FaxResolution, page?: number): PageGeometry {
  const label = page === undefined ? 'The page' : `Page ${page}`;
  const details = page === undefined ? {} : { page };
  const { width, height } = size;
  if (!(width >= MIN_INPUT_SIDE && height >= MIN_INPUT_SIDE)) {
    throw new EdgeError(
      'IMAGE_INVALID',
      `${label} is ${width}×${height} pixels: too small to be a scan`,
      details,
    );
  }
  if (width * height > MAX_INPUT_PIXELS) {
    throw new EdgeError(
      'IMAGE_TOO_LARGE',
      `${label} is ${width}×${height} pixels, more than ${MAX_INPUT_PIXELS} (600 dpi Legal)`,
      details,
    );
  }

  const densityWidth = size.density === undefined ? undefined : width / size.density;
  const trustDensity =
    size.density !== undefined &&
    densityWidth !== undefined &&
    size.density >= DENSITY_RANGE.min &&
    size.density <= DENSITY_RANGE.max &&
    densityWidth >= PLAUSIBLE_WIDTH_INCHES.min &&
    densityWidth <= PLAUSIBLE_WIDTH_INCHES.max;
  const widthInches = trustDensity ? (densityWidth as number) : assumedWidthInches(width, height);
  const lengthInches = (height / width) * widthInches;
  if (lengthInches > MAX_PAGE_LENGTH_INCHES) {
    throw new EdgeError(
      'IMAGE_TOO_LARGE',
      `${label} is ${lengthInches.toFixed(1)} in long, more than ${MAX_PAGE_LENGTH_INCHES} in`,
      details,
    );
  }
  const rows = Math.max(1, Math.round(lengthInches * FAX_LINES_PER_INCH[resolution]));
  return { rows, widthInches, lengthInches, sizeFrom: trustDensity ? 'density' : 'assumed' };
}

/** Without a usable density: an A4-shaped page is A4, anything else is taken as Letter-wide. */
function assumedWidthInches(width: number, height: number): number {
  return Math.abs(height / width - A4.aspect) <= 0.04 ? A4.width : LETTER_WIDTH;
}
