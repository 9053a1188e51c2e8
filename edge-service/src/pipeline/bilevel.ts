/**
 * Grey (8-bit, one channel) to bilevel decisions. Pure: no I/O, no sharp. The heavy pixel work
 * (decode, resize, packing, G4) stays in libvips; only what libvips cannot do lives here.
 */

/** Below this ink/paper contrast a page is treated as blank paper rather than split in two. */
const MIN_CONTRAST = 48;
/** Paper noise margin in standard deviations: at 4σ a clean page gets almost no speckles. */
const PAPER_NOISE_SIGMAS = 4;
/** Where between ink and paper the cut goes: above the midpoint, so thin grey strokes stay black. */
const INK_TO_PAPER_CUT = 0.66;

/**
 * Histogram of every `stride`-th pixel. The threshold only needs the page's statistics, and a
 * stride prime to the 1728 row width samples all columns evenly.
 */
export function histogram(grey: Uint8Array, stride = 1): Uint32Array {
  const hist = new Uint32Array(256);
  for (let i = 0; i < grey.length; i += stride) {
    const value = grey[i] as number;
    hist[value] = (hist[value] as number) + 1;
  }
  return hist;
}

const HISTOGRAM_STRIDE = 5;

/** Otsu's threshold: the t that best splits [0..t] from [t+1..255] (max between-class variance). */
export function otsuThreshold(hist: Uint32Array): number {
  let total = 0;
  let sum = 0;
  for (let v = 0; v < 256; v++) {
    total += hist[v] as number;
    sum += v * (hist[v] as number);
  }
  let weight0 = 0;
  let sum0 = 0;
  let best = 0;
  let bestVariance = -1;
  for (let t = 0; t < 255; t++) {
    weight0 += hist[t] as number;
    if (weight0 === 0) continue;
    const weight1 = total - weight0;
    if (weight1 === 0) break;
    sum0 += t * (hist[t] as number);
    const mean0 = sum0 / weight0;
    const mean1 = (sum - sum0) / weight1;
    const variance = weight0 * weight1 * (mean0 - mean1) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = t;
    }
  }
  return best;
}

/**
 * The grey level for text pages: pixels BELOW it become black. Starts from Otsu (copes with off-white
 * or grey paper, since it follows the page's own histogram), then moves the cut towards the paper so
 * thin, anti-aliased strokes of fine print survive, but never into the paper's own noise.
 */
export function textThreshold(grey: Uint8Array): number {
  const hist = histogram(grey, grey.length > 1 << 16 ? HISTOGRAM_STRIDE : 1);
  const t0 = otsuThreshold(hist);

  let inkCount = 0;
  let inkSum = 0;
  for (let v = 0; v <= t0; v++) {
    inkCount += hist[v] as number;
    inkSum += v * (hist[v] as number);
  }
  // The paper's level is the mode of the light class; its noise is measured on the side away from
  // the ink only, so the grey fringes of characters do not inflate it.
  let paper = t0 + 1;
  for (let v = t0 + 1; v < 256; v++) if ((hist[v] as number) > (hist[paper] as number)) paper = v;
  let spreadCount = 0;
  let spreadSum = 0;
  for (let v = paper; v < 256; v++) {
    spreadCount += hist[v] as number;
    spreadSum += (hist[v] as number) * (v - paper) ** 2;
  }
  const paperSigma = spreadCount > 0 ? Math.sqrt(spreadSum / spreadCount) : 0;
  const noiseFloor = paper - PAPER_NOISE_SIGMAS * paperSigma - 4;
  const ink = inkCount > 0 ? inkSum / inkCount : 0;

  if (inkCount === 0 || paper - ink < MIN_CONTRAST) {
    // Blank or nearly blank paper: keep only marks clearly darker than the paper.
    return clampLevel(Math.min(noiseFloor, paper - 64));
  }
  const cut = Math.min(ink + INK_TO_PAPER_CUT * (paper - ink), noiseFloor);
  return clampLevel(Math.max(cut, t0 + 1));
}

function clampLevel(level: number): number {
  return Math.min(255, Math.max(1, Math.round(level)));
}

/**
 * Floyd–Steinberg error diffusion with serpentine scanning (no diagonal worm artefacts) to 0/255.
 * Used for photo pages, where a threshold would turn a face into a blot.
 */
export function ditherFloydSteinberg(grey: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  // Errors are kept ×16 in rows padded by one cell each side, so edges need no bounds checks.
  let current = new Int32Array(width + 2);
  let next = new Int32Array(width + 2);
  for (let y = 0; y < height; y++) {
    const leftToRight = (y & 1) === 0;
    const step = leftToRight ? 1 : -1;
    const row = y * width;
    next.fill(0);
    for (let i = 0; i < width; i++) {
      const x = leftToRight ? i : width - 1 - i;
      const cell = x + 1;
      const value = (grey[row + x] as number) + (((current[cell] as number) + 8) >> 4);
      const level = value < 128 ? 0 : 255;
      out[row + x] = level;
      const error = value - level;
      current[cell + step] = (current[cell + step] as number) + error * 7;
      next[cell - step] = (next[cell - step] as number) + error * 3;
      next[cell] = (next[cell] as number) + error * 5;
      next[cell + step] = (next[cell + step] as number) + error;
    }
    [current, next] = [next, current];
  }
  return out;
}
