/**
 * Grey (8-bit, one channel) to bilevel decisions: lighting correction, the threshold, blank
 * detection. Pure. Text pages run these on the pool's worker threads (text-mode-page.ts), which load
 * them from their source text (BILEVEL_SOURCE), so, as in halftone.ts: no imports, and these
 * functions use only their arguments, the globals, the constants listed in BILEVEL_SOURCE and each
 * other.
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

/** Side of the square blocks whose brightest pixels estimate the local paper level. */
const LIGHTING_BLOCK = 32;
/** Percentile of a block taken as its paper: high enough to skip text, low enough to skip noise peaks. */
const PAPER_PERCENTILE = 0.9;
/**
 * A block darker than this share of the page's paper is ink or a photo, not paper in a shadow. Paper
 * at 30% of the light (a shadow over the dim side of a lamp gradient) is still paper.
 */
const MIN_PAPER_SHARE = 0.3;
/** Share of blocks darker than the page's typical paper: a page needs only a quarter of paper blocks. */
const TYPICAL_PAPER_PERCENTILE = 0.75;
/** Paper levels within this ratio across the page are even lighting: nothing to flatten. */
const EVEN_LIGHTING = 0.92;

/**
 * Evens out uneven lighting (a book's spine shadow, a lamp gradient, a scanner lid left open):
 * each pixel is scaled so that the paper around it lands on the page's typical paper level. The
 * background is estimated per 32×32 block (its 90th percentile, so print does not darken it; blocks
 * of solid ink take their neighbours'), smoothed, then interpolated bilinearly, so a
 * uniformly lit page is returned unchanged (the same array) after a sampled look at its blocks, and
 * textThreshold then works on the result as on any page. On an unevenly lit page (or a photo page in
 * text mode) the per-pixel pass costs 2–4 ns a pixel (10–17 ms for A4 fine), a third of the JPEG decode.
 */
export function flattenLighting(grey: Uint8Array, width: number, height: number): Uint8Array {
  const cols = Math.ceil(width / LIGHTING_BLOCK);
  const rows = Math.ceil(height / LIGHTING_BLOCK);
  const paper = blockPaperLevels(grey, width, height, cols, rows);
  // The page's paper is its brighter blocks: a median would take a photo covering half the page for
  // paper, and then darken the real paper down to the photo.
  const typical = percentile(
    paper.filter((v) => v > 0),
    TYPICAL_PAPER_PERCENTILE,
  );
  if (typical === 0) return grey;
  fillDarkBlocks(paper, cols, rows, typical * MIN_PAPER_SHARE, typical);
  const background = smoothBlocks(paper, cols, rows);
  // Most scans are evenly lit: then the page is returned as is, and the per-pixel pass is skipped.
  let darkest = 255;
  let brightest = 0;
  for (const level of background) {
    darkest = Math.min(darkest, level);
    brightest = Math.max(brightest, level);
  }
  if (darkest >= brightest * EVEN_LIGHTING) return grey;

  // Gains in 1/256 units, interpolated bilinearly between block centres. The horizontal half is the
  // same for every image row of a block row, so it is done once per block row (cols → width); an image
  // row then only blends two of those rows, a straight pass with no indexed lookups.
  const left = new Uint16Array(width);
  const right = new Uint16Array(width);
  const rightWeight = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(cols - 1, Math.max(0, (x + 0.5) / LIGHTING_BLOCK - 0.5));
    left[x] = Math.floor(fx);
    right[x] = Math.min(cols - 1, Math.floor(fx) + 1);
    rightWeight[x] = fx - Math.floor(fx);
  }
  const blockRowGains = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const gainOf = (c: number): number => (typical * 256) / Math.max(1, background[r * cols + c] as number);
    for (let x = 0; x < width; x++) {
      const w = rightWeight[x] as number;
      blockRowGains[r * width + x] = gainOf(left[x] as number) * (1 - w) + gainOf(right[x] as number) * w;
    }
  }
  const out = new Uint8Array(grey.length);
  const pixelGain = new Int32Array(width);
  for (let y = 0; y < height; y++) {
    // Gains change slowly: recomputing them every fourth row is exact enough and 4× cheaper.
    if ((y & 3) === 0) {
      const fy = Math.min(rows - 1, Math.max(0, (y + 0.5) / LIGHTING_BLOCK - 0.5));
      const r0 = Math.floor(fy);
      const r1 = Math.min(rows - 1, r0 + 1);
      blendRows(blockRowGains, r0 * width, r1 * width, fy - r0, pixelGain);
    }
    scaleRow(grey, out, y * width, width, pixelGain);
  }
  return out;
}

function blendRows(
  gains: Float32Array,
  from0: number,
  from1: number,
  weight1: number,
  out: Int32Array,
): void {
  const weight0 = 1 - weight1;
  for (let x = 0; x < out.length; x++) {
    out[x] = (gains[from0 + x] as number) * weight0 + (gains[from1 + x] as number) * weight1;
  }
}

/** The hot loop, kept small and monomorphic so V8 optimises it on its own. */
function scaleRow(grey: Uint8Array, out: Uint8Array, start: number, width: number, gain: Int32Array): void {
  for (let x = 0; x < width; x++) {
    const value = ((grey[start + x] as number) * (gain[x] as number)) >> 8;
    out[start + x] = value > 255 ? 255 : value;
  }
}

/** The PAPER_PERCENTILE level of each block, from every fourth pixel of every fourth row (64 samples). */
function blockPaperLevels(
  grey: Uint8Array,
  width: number,
  height: number,
  cols: number,
  rows: number,
): Float32Array {
  const levels = new Float32Array(cols * rows);
  const hist = new Uint16Array(cols * 256);
  for (let r = 0; r < rows; r++) {
    hist.fill(0);
    const yEnd = Math.min(height, (r + 1) * LIGHTING_BLOCK);
    for (let y = r * LIGHTING_BLOCK + 1; y < yEnd; y += 4) {
      const row = y * width;
      for (let x = 1; x < width; x += 4) {
        const at = ((x / LIGHTING_BLOCK) | 0) * 256 + (grey[row + x] as number);
        hist[at] = (hist[at] as number) + 1;
      }
    }
    for (let c = 0; c < cols; c++) {
      let count = 0;
      for (let v = 0; v < 256; v++) count += hist[c * 256 + v] as number;
      let above = 0;
      let v = 255;
      while (v > 0 && above + (hist[c * 256 + v] as number) <= count * (1 - PAPER_PERCENTILE)) {
        above += hist[c * 256 + v] as number;
        v--;
      }
      levels[r * cols + c] = v;
    }
  }
  return levels;
}

/**
 * Blocks too dark to be paper take the mean of their paper neighbours, growing inwards ring by ring.
 * Each ring is the dark blocks next to the last one, so a page that is mostly photo costs a few
 * passes over its blocks, not a pass per ring (which took ~20 ms on a photo page).
 */
function fillDarkBlocks(levels: Float32Array, cols: number, rows: number, darkest: number, typical: number) {
  // 0: paper (or filled), 1: dark, 2: dark and queued for the next ring.
  const state = new Uint8Array(levels.length);
  for (let i = 0; i < levels.length; i++) if ((levels[i] as number) < darkest) state[i] = 1;
  let ring: number[] = [];
  for (let i = 0; i < levels.length; i++) {
    if (state[i] === 1 && neighbours(state, cols, rows, i, 0, () => undefined) > 0) {
      state[i] = 2;
      ring.push(i);
    }
  }
  const values = new Float32Array(levels.length);
  while (ring.length > 0) {
    // Means first, then assign: a ring's blocks see only blocks filled before it, as before.
    for (const i of ring) values[i] = paperMean(levels, state, cols, rows, i);
    for (const i of ring) {
      levels[i] = values[i] as number;
      state[i] = 0;
    }
    const next: number[] = [];
    for (const i of ring) {
      neighbours(state, cols, rows, i, 1, (j) => {
        state[j] = 2;
        next.push(j);
      });
    }
    ring = next;
  }
  // Dark blocks no paper reaches (a page that is all photo) take the page's paper level.
  for (let i = 0; i < levels.length; i++) if (state[i] !== 0) levels[i] = typical;
}

/** Counts the 8-neighbours of block i in `wanted` state, calling `each` with each of them. */
function neighbours(
  state: Uint8Array,
  cols: number,
  rows: number,
  i: number,
  wanted: number,
  each: (j: number) => void,
): number {
  const r = (i / cols) | 0;
  const c = i - r * cols;
  let n = 0;
  for (let rr = Math.max(0, r - 1); rr <= Math.min(rows - 1, r + 1); rr++) {
    for (let cc = Math.max(0, c - 1); cc <= Math.min(cols - 1, c + 1); cc++) {
      const j = rr * cols + cc;
      if (j !== i && state[j] === wanted) {
        n++;
        each(j);
      }
    }
  }
  return n;
}

function paperMean(levels: Float32Array, state: Uint8Array, cols: number, rows: number, i: number): number {
  const r = (i / cols) | 0;
  const c = i - r * cols;
  let sum = 0;
  let n = 0;
  for (let rr = Math.max(0, r - 1); rr <= Math.min(rows - 1, r + 1); rr++) {
    for (let cc = Math.max(0, c - 1); cc <= Math.min(cols - 1, c + 1); cc++) {
      const j = rr * cols + cc;
      if (state[j] === 0) {
        sum += levels[j] as number;
        n++;
      }
    }
  }
  return sum / n;
}

/** 3×3 mean, so the gain has no steps at block borders. */
function smoothBlocks(levels: Float32Array, cols: number, rows: number): Float32Array {
  const out = new Float32Array(levels.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      let n = 0;
      for (let rr = Math.max(0, r - 1); rr <= Math.min(rows - 1, r + 1); rr++) {
        for (let cc = Math.max(0, c - 1); cc <= Math.min(cols - 1, c + 1); cc++) {
          sum += levels[rr * cols + cc] as number;
          n++;
        }
      }
      out[r * cols + c] = sum / n;
    }
  }
  return out;
}

function percentile(values: Float32Array, share: number): number {
  if (values.length === 0) return 0;
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] as number;
}

/** Cells of 8×8 pels (1 mm at fax resolution): a mark smaller than a cell's quarter is a speck. */
const INK_CELL = 8;
/** Sampled pixels (of 16 per cell) that must be ink for the cell to count as inked. */
const INK_CELL_MIN_SAMPLES = 4;

/**
 * How many 8×8 cells carry real ink (below `level`), away from a `margin`-pixel border where scanners
 * leave edge shadows. Samples every second pixel of every second row: dust and noise specks of a few
 * pixels hit a cell's samples once or twice, a stroke of text hits it four times or more.
 */
export function countInkCells(
  grey: Uint8Array,
  width: number,
  height: number,
  level: number,
  margin: { x: number; y: number },
): number {
  const cols = Math.ceil(width / INK_CELL);
  const counts = new Uint8Array(cols);
  let inked = 0;
  const x0 = margin.x;
  const x1 = width - margin.x;
  for (let top = margin.y; top + INK_CELL <= height - margin.y; top += INK_CELL) {
    counts.fill(0);
    for (let y = top; y < top + INK_CELL; y += 2) {
      const row = y * width;
      for (let x = x0; x < x1; x += 2) {
        if ((grey[row + x] as number) < level) {
          const cell = ((x - x0) / INK_CELL) | 0;
          counts[cell] = (counts[cell] as number) + 1;
        }
      }
    }
    for (let c = 0; c < cols; c++) if ((counts[c] as number) >= INK_CELL_MIN_SAMPLES) inked++;
  }
  return inked;
}

/** The source of the constants and functions above, for a worker thread to evaluate (see the file comment). */
export const BILEVEL_SOURCE = [
  ...Object.entries({
    MIN_CONTRAST,
    PAPER_NOISE_SIGMAS,
    INK_TO_PAPER_CUT,
    HISTOGRAM_STRIDE,
    LIGHTING_BLOCK,
    PAPER_PERCENTILE,
    MIN_PAPER_SHARE,
    TYPICAL_PAPER_PERCENTILE,
    EVEN_LIGHTING,
    INK_CELL,
    INK_CELL_MIN_SAMPLES,
  }).map(([name, value]) => `const ${name} = ${value};`),
  ...[
    histogram,
    otsuThreshold,
    textThreshold,
    clampLevel,
    flattenLighting,
    blendRows,
    scaleRow,
    blockPaperLevels,
    fillDarkBlocks,
    neighbours,
    paperMean,
    smoothBlocks,
    percentile,
    countInkCells,
  ].map((fn) => fn.toString()),
].join('\n');
