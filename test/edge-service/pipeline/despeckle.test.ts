import assert from 'node:assert/strict';
import { despeckleBilevel, DESPECKLE_MAX_SPECK } from '../../../edge-service/src/pipeline/despeckle.ts';
import { despeckleOffThread, stopDitherPool } from '../../../edge-service/src/pipeline/dither-pool.ts';
import { chooseResizeKernel } from '../../../edge-service/src/pipeline/resize-kernel.ts';

const W = 64;
const H = 32;

/** A paper page with ink boxes [x, y, w, h]. */
function page(boxes: [number, number, number, number][]): Uint8Array {
  const bits = new Uint8Array(W * H).fill(255);
  for (const [x0, y0, w, h] of boxes) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) bits[y * W + x] = 0;
  }
  return bits;
}

const ink = (bits: Uint8Array): number => bits.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);

describe('pipeline/despeckle', () => {
  after(() => stopDitherPool());

  it('removes isolated specks of 1×1, 1×2 and 2×2 pels', () => {
    const bits = despeckleBilevel(
      page([
        [5, 5, 1, 1],
        [20, 5, 2, 1],
        [40, 10, 2, 2],
        [10, 20, 1, 2],
      ]),
      W,
      H,
      2,
    );
    assert.equal(ink(bits), 0);
  });

  it('keeps a 3×3 dot (a full stop), a one-pel hairline and a speck touching a stroke', () => {
    const bits = despeckleBilevel(
      page([
        [5, 5, 3, 3],
        [0, 15, W, 1],
        [30, 16, 1, 1],
        [50, 2, 1, 12],
      ]),
      W,
      H,
      DESPECKLE_MAX_SPECK,
    );
    assert.equal(ink(bits), 9 + W + 1 + 12);
  });

  it('keeps a blob wider than a speck, and removes the whole of a speck however its pels are visited', () => {
    const wide = despeckleBilevel(
      page([
        [10, 10, 2, 2],
        [12, 10, 1, 1],
      ]),
      W,
      H,
      2,
    );
    assert.equal(ink(wide), 5);
    // A 2×2 speck with another speck two pels away: both go, not a part of the first.
    assert.equal(
      ink(
        despeckleBilevel(
          page([
            [10, 10, 2, 2],
            [13, 10, 1, 1],
          ]),
          W,
          H,
          2,
        ),
      ),
      0,
    );
  });

  it('does nothing with maxSpeck 0, and works at the page edges and on unaligned widths', () => {
    assert.equal(ink(despeckleBilevel(page([[0, 0, 1, 1]]), W, H, 0)), 1);
    assert.equal(
      ink(
        despeckleBilevel(
          page([
            [0, 0, 1, 1],
            [W - 1, H - 1, 1, 1],
          ]),
          W,
          H,
          2,
        ),
      ),
      0,
    );
    const odd = new Uint8Array(7 * 5).fill(255);
    odd[2 * 7 + 3] = 0;
    assert.equal(ink(despeckleBilevel(odd, 7, 5, 2)), 0);
  });

  it('gives on a pool thread exactly what it gives in-thread', async () => {
    const input = page([
      [5, 5, 1, 1],
      [8, 8, 3, 3],
      [30, 0, 1, H],
    ]);
    const expected = despeckleBilevel(Uint8Array.from(input), W, H, 2);
    const got = await despeckleOffThread(input, W, H, 2);
    assert.deepEqual(Array.from(got), Array.from(expected));
  });
});

describe('pipeline/resize-kernel', () => {
  it('samples (nearest) only where every 2-pel stroke is still hit, area-averages beyond', () => {
    // A4 300 dpi to fax fine: 2481 → 1728 across, 3507 → 2292 down.
    assert.equal(chooseResizeKernel(2481 / 1728, 3507 / 2292), 'nearest');
    // To standard (98 lpi) the shrink down is 3.3: a thin rule would fall between samples.
    assert.equal(chooseResizeKernel(2481 / 1728, 3507 / 1146), 'linear');
    // 600 dpi scans shrink 2.9 across.
    assert.equal(chooseResizeKernel(4962 / 1728, 7014 / 2292), 'linear');
  });

  it('the nearest bound holds: sampling every `shrink`-th pel at any phase hits every 2-pel stroke', () => {
    for (const shrink of [1.2, 1.44, 1.53, 1.9, 2]) {
      if (chooseResizeKernel(shrink, shrink) !== 'nearest') continue;
      for (let start = 0; start < 20; start += 0.25) {
        const samples = Array.from({ length: 40 }, (_, i) => Math.floor((i + 0.5) * shrink));
        assert.ok(
          samples.some((s) => s === Math.floor(start) + 10 || s === Math.floor(start) + 11),
          `${shrink} ${start}`,
        );
      }
    }
  });
});
