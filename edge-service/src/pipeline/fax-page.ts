import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { EdgeError } from '../edge-error.ts';
import { ditherFloydSteinberg, textThreshold } from './bilevel.ts';
import { readG4Directories } from './fax-tiff.ts';
import { FAX_LINES_PER_INCH, FAX_WIDTH, FAX_X_DPI, type FaxPage, type FaxResolution } from './fax-types.ts';
import { faxPageGeometry, MAX_INPUT_PIXELS } from './page-geometry.ts';

export type { FaxPage, FaxResolution } from './fax-types.ts';

export interface RenderFaxPageOptions {
  resolution: FaxResolution;
  /** text (default): threshold that keeps fine print; photo: error diffusion so images stay readable. */
  mode?: 'text' | 'photo';
  /** 1-based page number, used in error messages and error details. */
  pageNumber?: number;
}

/** Linear (an area-aware triangle filter when shrinking) is ~20% faster than lanczos3; after a
 * threshold the difference does not show. */
const RESIZE_KERNEL = 'linear';

const INPUT_OPTIONS: SharpOptions = {
  limitInputPixels: MAX_INPUT_PIXELS,
  // Truncated JPEGs only raise libjpeg warnings; a half-grey page must not be faxed as if fine.
  failOn: 'warning',
  autoOrient: true,
  // Colour accuracy means nothing on a bilevel page, and an embedded profile's transform costs more
  // than the JPEG decode itself.
  ignoreIcc: true,
};

/**
 * One scanned page (JPEG or PNG, any colour, 75–600 dpi) to a fax page: 1728 pels wide, the page's
 * physical length at the resolution's lines per inch, bilevel, min-is-white, CCITT G4 in one strip.
 * libvips does decode, resize and G4 coding; JavaScript only picks the threshold or dithers.
 */
export async function renderFaxPage(input: Buffer, options: RenderFaxPageOptions): Promise<FaxPage> {
  const { resolution, mode = 'text', pageNumber } = options;
  const label = pageNumber === undefined ? 'The page' : `Page ${pageNumber}`;
  const details = pageNumber === undefined ? {} : { page: pageNumber };

  const format = sniffFormat(input);
  if (format === undefined)
    throw new EdgeError('IMAGE_INVALID', `${label} is not a JPEG or PNG image`, details);

  let metadata: Metadata;
  try {
    metadata = await sharp(input, INPUT_OPTIONS).metadata();
  } catch (error) {
    throw imageError(error, label, details);
  }
  if (metadata.format !== format) {
    throw new EdgeError('IMAGE_INVALID', `${label} is not a JPEG or PNG image`, details);
  }
  const { width, height } = metadata.autoOrient;
  const geometry = faxPageGeometry({ width, height, density: metadata.density }, resolution, pageNumber);

  let grey: Buffer;
  try {
    let pipeline = sharp(input, INPUT_OPTIONS);
    if (metadata.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
    // Green is what mono scanners and fax machines see (green LEDs), and taking it skips libvips'
    // colour-managed greyscale conversion, which costs more than the decode itself.
    const rgb = (metadata.channels ?? 1) >= 3 && metadata.space !== 'cmyk';
    pipeline = rgb ? pipeline.extractChannel('green') : pipeline.greyscale();
    pipeline = pipeline.resize(FAX_WIDTH, geometry.rows, { fit: 'fill', kernel: RESIZE_KERNEL });
    if (mode === 'photo') pipeline = pipeline.normalise();
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 || info.width !== FAX_WIDTH || info.height !== geometry.rows) {
      throw new Error(`unexpected raster ${info.width}×${info.height}×${info.channels}`);
    }
    grey = data;
  } catch (error) {
    throw imageError(error, label, details);
  }

  const bilevel = sharpRaw(
    mode === 'photo' ? ditherFloydSteinberg(grey, FAX_WIDTH, geometry.rows) : grey,
    geometry.rows,
  );
  const ready = mode === 'photo' ? bilevel : bilevel.threshold(textThreshold(grey));
  const g4 = await encodeG4(ready, geometry.rows);
  const yDpi = FAX_LINES_PER_INCH[resolution];
  return { width: FAX_WIDTH, height: geometry.rows, resolution, xDpi: FAX_X_DPI, yDpi, g4 };
}

function sharpRaw(pixels: Uint8Array, rows: number): Sharp {
  return sharp(pixels, { raw: { width: FAX_WIDTH, height: rows, channels: 1 } });
}

/**
 * libvips' TIFF writer gives us libtiff's G4 coder. RowsPerStrip = the page height makes it write one
 * strip (its default is several, each a separate G4 stream), and miniswhite makes white the 0 bit,
 * which is what fax G4 data means by white.
 */
async function encodeG4(image: Sharp, rows: number): Promise<Buffer> {
  const tiff = await image
    // A raw one-band input is "multiband" to libvips, which its 1-bit TIFF writer refuses.
    .toColourspace('b-w')
    .tiff({ compression: 'ccittfax4', bitdepth: 1, miniswhite: true, tileHeight: rows })
    .toBuffer();
  const [dir] = readG4Directories(tiff);
  if (!dir || dir.g4 === undefined || dir.width !== FAX_WIDTH || dir.height !== rows) {
    throw new Error(
      `libvips wrote an unexpected G4 TIFF (${dir?.stripCount} strips, ${dir?.width}×${dir?.height})`,
    );
  }
  if (dir.photometric !== 0 || dir.fillOrder !== 1) {
    throw new Error(`libvips wrote photometric ${dir.photometric}, fill order ${dir.fillOrder}`);
  }
  return Buffer.from(dir.g4);
}

function sniffFormat(input: Buffer): 'jpeg' | 'png' | undefined {
  if (input.length >= 3 && input[0] === 0xff && input[1] === 0xd8 && input[2] === 0xff) return 'jpeg';
  if (input.length >= 8 && input.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  return undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function imageError(error: unknown, label: string, details: { page?: number }): EdgeError {
  if (error instanceof EdgeError) return error;
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (/pixel limit/i.test(reason ?? '')) {
    return new EdgeError('IMAGE_TOO_LARGE', `${label} has more pixels than the edge accepts`, {
      ...details,
      cause: error,
    });
  }
  return new EdgeError('IMAGE_INVALID', `${label} could not be read as an image: ${reason}`, {
    ...details,
    cause: error,
  });
}
