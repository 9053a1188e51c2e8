import sharp, { type Sharp } from 'sharp';
import { buildFaxTiff } from './fax-tiff.ts';
import type { FaxPage } from './fax-types.ts';
import { imageError, INPUT_OPTIONS, pageLabel, sniffFormat } from './image-input.ts';
import { ensureImageRuntime } from './image-runtime.ts';
import { EdgeError } from '../edge-error.ts';

export interface ThumbnailOptions {
  /** Width in pixels; the height follows the page's shape. Default 160 (a panel's page strip). */
  width?: number;
  format?: 'jpeg' | 'png';
  pageNumber?: number;
  /** One gray channel: a third of the bytes of colour, and a fax is black and white anyway. */
  grayscale?: boolean;
}

export interface Thumbnail {
  data: Buffer;
  width: number;
  height: number;
  format: 'jpeg' | 'png';
}

/**
 * A small preview of a scanned page (JPEG/PNG) or of a fax page, for the panel. JPEG scans are
 * decoded at 1/8 scale (libjpeg's shrink-on-load), so this costs a few milliseconds, not a decode.
 * Fax pages are shown with their pels' true shape (204 dpi across, 98–391 lpi down).
 */
export async function renderThumbnail(
  input: Buffer | FaxPage,
  options: ThumbnailOptions = {},
): Promise<Thumbnail> {
  ensureImageRuntime();
  const { width = 160, format = 'jpeg', pageNumber, grayscale = false } = options;
  const { label, details } = pageLabel(pageNumber);
  let pipeline: Sharp;
  if (Buffer.isBuffer(input)) {
    if (sniffFormat(input) === undefined) {
      throw new EdgeError('IMAGE_INVALID', `${label} is not a JPEG or PNG image`, details);
    }
    pipeline = sharp(input, INPUT_OPTIONS).resize({ width, kernel: 'linear' });
  } else {
    const height = Math.max(
      1,
      Math.round((width * (input.height / input.yDpi)) / (input.width / input.xDpi)),
    );
    // Area averaging turns the bilevel page into greys, which read better than sampled pels.
    pipeline = sharp(buildFaxTiff([input])).resize(width, height, { fit: 'fill', kernel: 'linear' });
  }
  pipeline = pipeline.flatten({ background: '#ffffff' });
  if (grayscale) pipeline = pipeline.grayscale();
  // Sixteen grays (a 4-bit palette) are plenty at this size and make a text page about 3 KB.
  const png = grayscale ? { palette: true, colours: 16, compressionLevel: 9 } : { compressionLevel: 6 };
  pipeline = format === 'jpeg' ? pipeline.jpeg({ quality: 70 }) : pipeline.png(png);
  try {
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, format };
  } catch (error) {
    throw imageError(error, label, details);
  }
}
