import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';

const execFileAsync = promisify(execFile);

/** Runs a Debian tool (libtiff-tools, poppler-utils) with a timeout; returns its stdout. */
export async function tool(command: string, args: string[]): Promise<string> {
  return (await toolOutput(command, args)).stdout;
}

/** Both streams: libtiff reports G4 decoding problems as warnings on stderr, with exit status 0. */
export async function toolOutput(
  command: string,
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await execFileAsync(command, args, {
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { stdout, stderr };
}

export interface Bitmap {
  width: number;
  height: number;
  /** One byte per pixel, 0 = black, 255 = white. */
  pixels: Buffer;
}

/** Decodes any image sharp reads (G4 TIFF page, PNG) to one grey byte per pixel. */
export async function decodeGrey(input: Buffer, page = 0): Promise<Bitmap> {
  const { data, info } = await sharp(input, { page })
    .flatten({ background: '#ffffff' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, pixels: data };
}

/** Share of pixels whose black/white differs, over the region both bitmaps cover. */
export function disagreement(a: Bitmap, b: Bitmap, level = 128): number {
  const width = Math.min(a.width, b.width);
  const height = Math.min(a.height, b.height);
  let differing = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pa = (a.pixels[y * a.width + x] as number) < level;
      const pb = (b.pixels[y * b.width + x] as number) < level;
      if (pa !== pb) differing++;
    }
  }
  return differing / (width * height);
}

/**
 * Like disagreement, but a pixel agrees when the other bitmap has its colour at the same column within
 * one row: renderers that scale by 0.999… drop or double a row somewhere, which shifts all below it.
 */
export function disagreementWithinOneRow(a: Bitmap, b: Bitmap, level = 128): number {
  const width = Math.min(a.width, b.width);
  const height = Math.min(a.height, b.height);
  const black = (bitmap: Bitmap, x: number, y: number): boolean =>
    y >= 0 && y < bitmap.height && (bitmap.pixels[y * bitmap.width + x] as number) < level;
  let differing = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pa = black(a, x, y);
      if (pa !== black(b, x, y) && pa !== black(b, x, y - 1) && pa !== black(b, x, y + 1)) differing++;
    }
  }
  return differing / (width * height);
}

/** Share of black pixels in a rectangle. */
export function blackShare(bitmap: Bitmap, x0 = 0, y0 = 0, x1 = bitmap.width, y1 = bitmap.height): number {
  let black = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) if ((bitmap.pixels[y * bitmap.width + x] as number) < 128) black++;
  }
  return black / ((x1 - x0) * (y1 - y0));
}

/** Splits `tiffinfo` output into its "=== TIFF directory N ===" sections. */
export function tiffinfoDirectories(text: string): string[] {
  return text.split(/^=== TIFF directory \d+ ===$/m).slice(1);
}
