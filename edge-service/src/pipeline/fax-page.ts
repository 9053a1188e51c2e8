import sharp, { type Sharp } from 'sharp';
import { countInkCells, flattenLighting, textThreshold } from './bilevel.ts';
import { DESPECKLE_MAX_SPECK } from './despeckle.ts';
import { ditherOffThread, faxTextPageOffThread } from './dither-pool.ts';
import { readG4Directories } from './fax-tiff.ts';
import { FAX_LINES_PER_INCH, FAX_WIDTH, FAX_X_DPI, type FaxPage, type FaxResolution } from './fax-types.ts';
import { ensureImageRuntime } from './image-runtime.ts';
import { imageError, INPUT_OPTIONS, readScannedPage } from './image-input.ts';
import { faxPageGeometry } from './page-geometry.ts';
import { chooseResizeKernel } from './resize-kernel.ts';
import { stageClock, type StageTimes } from './stage-clock.ts';

export type { FaxPage, FaxResolution } from './fax-types.ts';

export interface RenderFaxPageOptions {
  resolution: FaxResolution;
  /** text (default): threshold that keeps fine print; photo: error diffusion so images stay readable. */
  mode?: 'text' | 'photo';
  /** 1-based page number, used in error messages and error details. */
  pageNumber?: number;
  /** Even out shadows and lighting gradients before the threshold (text mode); default true. */
  flattenLighting?: boolean;
  /** Remove isolated specks (dust) in text mode (despeckle.ts); default true. */
  despeckle?: boolean;
  /** Override the measured kernel choice (resize-kernel.ts): the bench's kernel comparison only. */
  resizeKernel?: 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos3';
  /** CPU ms per stage are added here (the bench's breakdown); see stage-clock.ts. */
  stageTimes?: StageTimes;
}

/** Fewer inked 1 mm cells than this is a blank page: a short word has dozens, dust a few. */
export const BLANK_MAX_INK_CELLS = 6;
/** Border ignored by blank detection, where scanners leave edge and lid shadows. */
const BLANK_MARGIN_INCHES = 0.25;

/**
 * One scanned page (JPEG or PNG, any colour, 75–600 dpi) to a fax page: 1728 pels wide, the page's
 * physical length at the resolution's lines per inch, bilevel, min-is-white, CCITT G4 in one strip.
 * libvips does decode, resize and G4 coding; JavaScript only picks the threshold, and a worker thread
 * dithers photo pages (dither-pool.ts).
 */
export async function renderFaxPage(input: Buffer, options: RenderFaxPageOptions): Promise<FaxPage> {
  ensureImageRuntime();
  const { resolution, mode = 'text', pageNumber } = options;
  const clock = stageClock(options.stageTimes);
  const { metadata, label, details } = await readScannedPage(input, pageNumber);
  clock.mark('header');
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
    const kernel = options.resizeKernel ?? chooseResizeKernel(width / FAX_WIDTH, height / geometry.rows);
    pipeline = pipeline.resize(FAX_WIDTH, geometry.rows, { fit: 'fill', kernel });
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 || info.width !== FAX_WIDTH || info.height !== geometry.rows) {
      throw new Error(`unexpected raster ${info.width}×${info.height}×${info.channels}`);
    }
    grey = data;
    clock.mark('decode + resize');
  } catch (error) {
    throw imageError(error, label, details);
  }

  const rows = geometry.rows;
  const yDpi = FAX_LINES_PER_INCH[resolution];
  const even = options.flattenLighting === false ? grey : flattenLighting(grey, FAX_WIDTH, rows);
  clock.mark('lighting correction');
  const level = textThreshold(even);
  clock.mark('threshold choice');
  const margin = {
    x: Math.round(BLANK_MARGIN_INCHES * FAX_X_DPI),
    y: Math.round(BLANK_MARGIN_INCHES * yDpi),
  };
  const blank = countInkCells(even, FAX_WIDTH, rows, level, margin) < BLANK_MAX_INK_CELLS;
  clock.mark('blank detection');

  let g4: Buffer;
  if (mode === 'text') {
    // libvips thresholds (vectorised, where a JavaScript loop costs 5× more); despeckle and G4 coding
    // are one JavaScript call on a pool thread, cheaper than libvips' 1-bit TIFF pass (it is mostly
    // skipping paper a word at a time).
    const bits = await sharpRaw(even, rows)
      .threshold(level)
      .toColourspace('b-w')
      .raw({ depth: 'uchar' })
      .toBuffer();
    clock.mark('threshold');
    const maxSpeck = options.despeckle === false ? 0 : DESPECKLE_MAX_SPECK;
    g4 = Buffer.from(await faxTextPageOffThread(bits, FAX_WIDTH, rows, maxSpeck));
    clock.mark('despeckle + G4 (worker thread)');
  } else {
    // A blank back in photo mode would have its paper noise stretched into a grey dither.
    const ready = blank
      ? sharpRaw(new Uint8Array(FAX_WIDTH * rows).fill(255), rows)
      : sharpRaw(await ditherOffThread(grey, FAX_WIDTH, rows), rows);
    g4 = await encodeG4(ready, rows);
    clock.mark('dither + G4 encode');
  }
  return { width: FAX_WIDTH, height: rows, resolution, xDpi: FAX_X_DPI, yDpi, g4, blank };
}

/** Whether a scanned page is blank (see FaxPage.blank): renders it at standard resolution, the cheapest. */
export async function isBlankPage(input: Buffer, options: { pageNumber?: number } = {}): Promise<boolean> {
  const page = await renderFaxPage(input, { resolution: 'standard', ...options });
  return page.blank === true;
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
