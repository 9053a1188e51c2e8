/**
 * Despeckling of a text-mode bilevel page: isolated specks (scanner dust, paper
 * flecks: an ink blob that fits in a `maxSpeck` × `maxSpeck` box with white all round it) become
 * paper. Every speck costs a G4 page bits on two lines, so a dusty scan's G4 data is mostly specks;
 * fax servers despeckle for that reason. Pure. The service runs it on the pool's worker threads
 * (dither-pool.ts), which load it from its source text (DESPECKLE_SOURCE), so, as in halftone.ts: no
 * imports, and these functions use only their arguments, the globals and each other.
 */

/** Specks up to 2 × 2 pels (~0.25 mm at fax fine: dust) go; a full stop of 8 pt type is 3 × 3 or more. */
export const DESPECKLE_MAX_SPECK = 2;

/**
 * Removes, in place, the ink blobs of a bilevel page (0 ink, 255 paper) that fit in a
 * `maxSpeck` × `maxSpeck` box with no other ink within one pel of that box, and returns the page.
 * Paper is most of a page, so rows are read four pels at a time and all-paper words skipped: the
 * cost is the ink, not the page. In place is safe: a cleared pel was in a speck's box, whose ring
 * was paper, so no pel outside that box ever had it in a ring.
 */
export function despeckleBilevel(
  bits: Uint8Array,
  width: number,
  height: number,
  maxSpeck: number,
): Uint8Array {
  if (maxSpeck <= 0) return bits;
  const aligned = bits.byteOffset % 4 === 0 && width % 4 === 0;
  const words = aligned ? new Uint32Array(bits.buffer, bits.byteOffset, (width * height) / 4) : undefined;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    while (x < width) {
      if (words !== undefined && (x & 3) === 0 && words[(row + x) >> 2] === 0xffffffff) {
        x += 4;
        continue;
      }
      if (bits[row + x] !== 0) {
        x++;
        continue;
      }
      // A run of ink longer than a speck is a stroke: skipped whole, most ink never gets the test.
      let end = x + 1;
      while (end < width && bits[row + end] === 0) end++;
      if (end - x <= maxSpeck) {
        for (let k = x; k < end; k++) if (isSpeck(bits, width, height, k, y, maxSpeck)) bits[row + k] = 255;
      }
      x = end;
    }
  }
  return bits;
}

/**
 * Whether (x, y) lies in a box of at most `maxSpeck` × `maxSpeck` pels whose one-pel ring is all
 * paper: a property of the blob, not of the pel, so every pel of a speck gets the same answer.
 */
function isSpeck(
  bits: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  maxSpeck: number,
): boolean {
  for (let size = 1; size <= maxSpeck; size++) {
    for (let top = y - size + 1; top <= y; top++) {
      for (let left = x - size + 1; left <= x; left++) {
        if (ringIsPaper(bits, width, height, left, top, size)) return true;
      }
    }
  }
  return false;
}

/** The ring of pels round the size × size box at (left, top); outside the page counts as paper. */
function ringIsPaper(
  bits: Uint8Array,
  width: number,
  height: number,
  left: number,
  top: number,
  size: number,
): boolean {
  for (let yy = top - 1; yy <= top + size; yy++) {
    if (yy < 0 || yy >= height) continue;
    const edge = yy === top - 1 || yy === top + size;
    for (let xx = left - 1; xx <= left + size; xx++) {
      if (xx < 0 || xx >= width) continue;
      if (!edge && xx !== left - 1 && xx !== left + size) continue;
      if (bits[yy * width + xx] === 0) return false;
    }
  }
  return true;
}

/** The source of the functions above, for a worker thread to evaluate (see the file comment). */
export const DESPECKLE_SOURCE = [ringIsPaper, isSpeck, despeckleBilevel]
  .map((fn) => fn.toString())
  .join('\n');
