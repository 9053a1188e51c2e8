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
 * cost is the ink, not the page. In place is safe: a cleared pel was a speck, and any ink pel whose
 * window it was in belonged to the same speck.
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
  const step = aligned ? 4 : 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x += step) {
      if (words !== undefined) {
        if (words[(row + x) >> 2] === 0xffffffff) continue;
        for (let k = 0; k < 4; k++) {
          if (bits[row + x + k] === 0 && isSpeck(bits, width, height, x + k, y, maxSpeck))
            bits[row + x + k] = 255;
        }
      } else if (bits[row + x] === 0 && isSpeck(bits, width, height, x, y, maxSpeck)) bits[row + x] = 255;
    }
  }
  return bits;
}

/**
 * Whether every ink pel within `maxSpeck` of (x, y) spans less than `maxSpeck` + 1 on each axis: the
 * window then holds the speck's box and the one-pel ring round it, all paper but the speck.
 */
function isSpeck(
  bits: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  maxSpeck: number,
): boolean {
  let minX = x;
  let maxX = x;
  let minY = y;
  let maxY = y;
  const y0 = y - maxSpeck < 0 ? 0 : y - maxSpeck;
  const y1 = y + maxSpeck >= height ? height - 1 : y + maxSpeck;
  const x0 = x - maxSpeck < 0 ? 0 : x - maxSpeck;
  const x1 = x + maxSpeck >= width ? width - 1 : x + maxSpeck;
  for (let yy = y0; yy <= y1; yy++) {
    const row = yy * width;
    for (let xx = x0; xx <= x1; xx++) {
      if (bits[row + xx] !== 0) continue;
      if (xx < minX) minX = xx;
      if (xx > maxX) maxX = xx;
      if (yy < minY) minY = yy;
      if (yy > maxY) maxY = yy;
      if (maxX - minX >= maxSpeck || maxY - minY >= maxSpeck) return false;
    }
  }
  return true;
}

/** The source of the functions above, for a worker thread to evaluate (see the file comment). */
export const DESPECKLE_SOURCE = [isSpeck, despeckleBilevel].map((fn) => fn.toString()).join('\n');
