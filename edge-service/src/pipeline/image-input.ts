import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { EdgeError } from '../edge-error.ts';
import { MAX_INPUT_PIXELS } from './page-geometry.ts';

/** What every pipeline entry point does with a scanned page before any pixel work. */

export const INPUT_OPTIONS: SharpOptions = {
  limitInputPixels: MAX_INPUT_PIXELS,
  // Truncated JPEGs only raise libjpeg warnings; a half-grey page must not be faxed as if fine.
  failOn: 'warning',
  autoOrient: true,
  // Colour accuracy means nothing on a bilevel page, and an embedded profile's transform costs more
  // than the JPEG decode itself.
  ignoreIcc: true,
};

export function sniffFormat(input: Buffer): 'jpeg' | 'png' | undefined {
  if (input.length >= 3 && input[0] === 0xff && input[1] === 0xd8 && input[2] === 0xff) return 'jpeg';
  if (input.length >= 8 && input.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  return undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function imageError(error: unknown, label: string, details: { page?: number }): EdgeError {
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

/** "Page 3" (or "The page" without a number), and the error details that name it. */
export function pageLabel(pageNumber: number | undefined): { label: string; details: { page?: number } } {
  return pageNumber === undefined
    ? { label: 'The page', details: {} }
    : { label: `Page ${pageNumber}`, details: { page: pageNumber } };
}

/**
 * Checks a scanned page is a JPEG or PNG that libvips can read within the limits, and returns its
 * metadata with the label that names it in errors.
 */
export async function readScannedPage(
  input: Buffer,
  pageNumber: number | undefined,
): Promise<{ format: 'jpeg' | 'png'; metadata: Metadata; label: string; details: { page?: number } }> {
  const { label, details } = pageLabel(pageNumber);
  const format = sniffFormat(input);
  if (format === undefined)
    throw new EdgeError('IMAGE_INVALID', `${label} is not a JPEG or PNG image`, details);
  let metadata: Metadata;
  try {
    metadata = await sharp(input, INPUT_OPTIONS).metadata();
  } catch (error) {
    throw imageError(error, label, details);
  }
  if (metadata.format !== format)
    throw new EdgeError('IMAGE_INVALID', `${label} is not a JPEG or PNG image`, details);
  return { format, metadata, label, details };
}
