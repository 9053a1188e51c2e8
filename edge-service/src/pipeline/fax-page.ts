import sharp, { type Metadata, type Sharp } from 'sharp';
import { countInkCells, flattenLighting, textThreshold } from './bilevel.ts';
import { DESPECKLE_MAX_SPECK } from './despeckle.ts';
import { ditherOffThread, textModePageOffThread } from './dither-pool.ts';
import { readG4Directories } from './fax-tiff.ts';
import { FAX_LINES_PER_INCH, FAX_WIDTH, FAX_X_DPI, type FaxPage, type FaxResolution } from './fax-types.ts';
import { ensureImageRuntime } from './image-runtime.ts';
import { greyJpegDecoder } from './grey-jpeg-decoder.ts';
import { imageError, INPUT_OPTIONS, readScannedPage } from './image-input.ts';
import { faxPageGeometry } from './page-geometry.ts';
import { chooseResizeKernel, type ResizeKernel } from './resize-kernel.ts';
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
  /** libvips decodes even where TurboJPEG would (grey-jpeg-decoder.ts): the bench's comparison only. */
  decoder?: 'auto' | 'libvips';
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
 * A greyscale JPEG at a nearest-kernel shrink (the fax engine's own scans) is decoded by TurboJPEG
 * (grey-jpeg-decoder.ts) and resized on a pool thread; any other page is decoded and resized by
 * libvips. From grey on, a text page is one call on a pool thread (text-mode-page.ts); a photo page
 * is dithered on one (dither-pool.ts). The event loop only reads headers and waits.
 */
export async function renderFaxPage(input: Buffer, options: RenderFaxPageOptions): Promise<FaxPage> {
  ensureImageRuntime();
  const { resolution, mode = 'text', pageNumber } = options;
  const clock = stageClock(options.stageTimes);
  const { format, metadata, label, details } = await readScannedPage(input, pageNumber);
  clock.mark('header');
  const { width, height } = metadata.autoOrient;
  const geometry = faxPageGeometry({ width, height, density: metadata.density }, resolution, pageNumber);
  const rows = geometry.rows;
  const yDpi = FAX_LINES_PER_INCH[resolution];
  const kernel = options.resizeKernel ?? chooseResizeKernel(width / FAX_WIDTH, height / rows);

  if (mode === 'text') {
    const decoder = options.decoder === 'libvips' ? undefined : greyJpegDecoder();
    const grey =
      decoder !== undefined && kernel === 'nearest' && isPlainGreyJpeg(format, metadata)
        ? {
            pixels: await decodeOrRefuse(() => decoder.decode(input, width, height), label, details),
            width,
            height,
            stage: 'decode (TurboJPEG)',
          }
        : {
            pixels: await greyAtFaxSize(input, metadata, kernel, rows, label, details),
            width: FAX_WIDTH,
            height: rows,
            stage: 'decode + resize (libvips)',
          };
    clock.mark(grey.stage);
    const page = await textModePageOffThread(grey.pixels, grey.width, grey.height, {
      width: FAX_WIDTH,
      height: rows,
      flattenLighting: options.flattenLighting !== false,
      maxSpeck: options.despeckle === false ? 0 : DESPECKLE_MAX_SPECK,
      blankMargin: blankMargin(yDpi),
      blankMaxInkCells: BLANK_MAX_INK_CELLS,
      ...(options.stageTimes === undefined ? {} : { stageTimes: options.stageTimes }),
    });
    clock.skip();
    return {
      width: FAX_WIDTH,
      height: rows,
      resolution,
      xDpi: FAX_X_DPI,
      yDpi,
      g4: Buffer.from(page.g4),
      blank: page.blank,
    };
  }

  const grey = await greyAtFaxSize(input, metadata, kernel, rows, label, details);
  clock.mark('decode + resize (libvips)');
  const even = options.flattenLighting === false ? grey : flattenLighting(grey, FAX_WIDTH, rows);
  const level = textThreshold(even);
  const blank = countInkCells(even, FAX_WIDTH, rows, level, blankMargin(yDpi)) < BLANK_MAX_INK_CELLS;
  clock.mark('blank detection');
  // A blank back in photo mode would have its paper noise stretched into a grey dither.
  const ready = blank
    ? sharpRaw(new Uint8Array(FAX_WIDTH * rows).fill(255), rows)
    : sharpRaw(await ditherOffThread(grey, FAX_WIDTH, rows), rows);
  const g4 = await encodeG4(ready, rows);
  clock.mark('dither + G4 encode');
  return { width: FAX_WIDTH, height: rows, resolution, xDpi: FAX_X_DPI, yDpi, g4, blank };
}

/** One grey channel straight from the file: nothing for libvips to orient, flatten or convert. */
function isPlainGreyJpeg(format: 'jpeg' | 'png', metadata: Metadata): boolean {
  return (
    format === 'jpeg' &&
    metadata.channels === 1 &&
    metadata.space === 'b-w' &&
    (metadata.orientation === undefined || metadata.orientation === 1)
  );
}

async function decodeOrRefuse(
  decode: () => Promise<Uint8Array>,
  label: string,
  details: { page?: number },
): Promise<Uint8Array> {
  try {
    return await decode();
  } catch (error) {
    throw imageError(error, label, details);
  }
}

/** libvips' decode, to one grey channel, resized to the fax grid with the chosen kernel. */
async function greyAtFaxSize(
  input: Buffer,
  metadata: Metadata,
  kernel: ResizeKernel | NonNullable<RenderFaxPageOptions['resizeKernel']>,
  rows: number,
  label: string,
  details: { page?: number },
): Promise<Uint8Array> {
  try {
    let pipeline = sharp(input, INPUT_OPTIONS);
    if (metadata.hasAlpha) pipeline = pipeline.flatten({ background: '#ffffff' });
    // Green is what mono scanners and fax machines see (green LEDs), and taking it skips libvips'
    // colour-managed greyscale conversion, which costs more than the decode itself.
    const rgb = (metadata.channels ?? 1) >= 3 && metadata.space !== 'cmyk';
    pipeline = rgb ? pipeline.extractChannel('green') : pipeline.greyscale();
    pipeline = pipeline.resize(FAX_WIDTH, rows, { fit: 'fill', kernel });
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 || info.width !== FAX_WIDTH || info.height !== rows) {
      throw new Error(`unexpected raster ${info.width}×${info.height}×${info.channels}`);
    }
    return data;
  } catch (error) {
    throw imageError(error, label, details);
  }
}

function blankMargin(yDpi: number): { x: number; y: number } {
  return { x: Math.round(BLANK_MARGIN_INCHES * FAX_X_DPI), y: Math.round(BLANK_MARGIN_INCHES * yDpi) };
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
