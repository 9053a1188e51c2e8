/**
 * Photo halftoning: contrast stretch, then Floyd–Steinberg error diffusion. Pure. ~25 ms of
 * JavaScript for an A4 fine page, so the service runs it on worker threads (dither-pool.ts), which
 * load these functions from their source text (HALFTONE_SOURCE) rather than through the TypeScript
 * loader, ~20 MB less per thread. Hence the rule for this file: no imports, and no function here may
 * use anything but its arguments, the globals, and the other functions in HALFTONE_SOURCE
 * (dither-pool's test runs the thread's result against the in-thread one, so a slip fails it).
 */

/**
 * Floyd–Steinberg error diffusion with serpentine scanning (no diagonal worm artefacts) to 0/255.
 * Used for photo pages, where a threshold would turn a face into a blot.
 */
export function ditherFloydSteinberg(grey: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  // Errors are kept ×16 in rows padded by one cell each side (cell = x + 1), so edges need no checks.
  let current = new Int32Array(width + 2);
  let next = new Int32Array(width + 2);
  for (let y = 0; y < height; y++) {
    if ((y & 1) === 0) diffuseRight(grey, out, y * width, width, current, next);
    else diffuseLeft(grey, out, y * width, width, current, next);
    [current, next] = [next, current];
  }
  return out;
}

/*
 * One row each way. The errors for the pixel to the right and for the three cells below are carried
 * in locals, so each pixel reads one cell and writes one: twice as fast as updating four cells. The
 * next row's cells are all written, so it needs no clearing.
 */
function diffuseRight(
  grey: Uint8Array,
  out: Uint8Array,
  row: number,
  width: number,
  current: Int32Array,
  next: Int32Array,
): void {
  let ahead = 0; // 7/16 of the previous pixel's error, for this pixel
  let belowBehind = 0; // what the cell below-left has gathered so far
  let below = 0; // what the cell below has gathered so far
  for (let x = 0; x < width; x++) {
    const value = (grey[row + x] as number) + (((current[x + 1] as number) + ahead + 8) >> 4);
    const level = value < 128 ? 0 : 255;
    out[row + x] = level;
    const error = value - level;
    ahead = error * 7;
    next[x] = belowBehind + error * 3;
    belowBehind = below + error * 5;
    below = error;
  }
  next[width] = belowBehind;
  next[width + 1] = below;
}

function diffuseLeft(
  grey: Uint8Array,
  out: Uint8Array,
  row: number,
  width: number,
  current: Int32Array,
  next: Int32Array,
): void {
  let ahead = 0;
  let belowBehind = 0;
  let below = 0;
  for (let x = width - 1; x >= 0; x--) {
    const value = (grey[row + x] as number) + (((current[x + 1] as number) + ahead + 8) >> 4);
    const level = value < 128 ? 0 : 255;
    out[row + x] = level;
    const error = value - level;
    ahead = error * 7;
    next[x + 2] = belowBehind + error * 3;
    belowBehind = below + error * 5;
    below = error;
  }
  next[1] = belowBehind;
  next[0] = below;
}

/** Contrast stretch between the 1st and 99th percentiles (what sharp's normalise does), as a table. */
export function stretchContrast(grey: Uint8Array): Uint8Array {
  // Every third pixel is plenty for two percentiles.
  const hist = new Uint32Array(256);
  let total = 0;
  for (let i = 0; i < grey.length; i += 3) {
    hist[grey[i] as number] = (hist[grey[i] as number] as number) + 1;
    total++;
  }
  let low = 0;
  for (let seen = 0; low < 255 && seen + (hist[low] as number) <= total * 0.01; low++)
    seen += hist[low] as number;
  let high = 255;
  for (let seen = 0; high > 0 && seen + (hist[high] as number) <= total * 0.01; high--)
    seen += hist[high] as number;
  if (high - low < 16) return grey;
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++)
    table[v] = Math.max(0, Math.min(255, Math.round(((v - low) * 255) / (high - low))));
  const out = new Uint8Array(grey.length);
  for (let i = 0; i < grey.length; i++) out[i] = table[grey[i] as number] as number;
  return out;
}

/** A photo page's halftone: its tones stretched to the full range, then error-diffused. */
export function ditherPhoto(grey: Uint8Array, width: number, height: number): Uint8Array {
  return ditherFloydSteinberg(stretchContrast(grey), width, height);
}

/** The source of every function above, for a worker thread to evaluate (see the file comment). */
export const HALFTONE_SOURCE = [diffuseRight, diffuseLeft, ditherFloydSteinberg, stretchContrast, ditherPhoto]
  .map((fn) => fn.toString())
  .join('\n');
