import assert from 'node:assert/strict';
import { stopDitherPool, textModePageOffThread } from '../../../edge-service/src/pipeline/dither-pool.ts';
import { buildFaxTiff } from '../../../edge-service/src/pipeline/fax-tiff.ts';
import {
  resizeNearest,
  textModePage,
  thresholdInPlace,
  type TextModeOptions,
} from '../../../edge-service/src/pipeline/text-mode-page.ts';
import { decodeGrey } from './pipeline-helpers.ts';

const WIDTH = 1728;

/** Grey paper (level 230, ±6 of seeded grain) with dark boxes [x, y, w, h] of level 40. */
function greyPage(width: number, height: number, boxes: [number, number, number, number][]): Uint8Array {
  let state = 12345;
  const grey = new Uint8Array(width * height).map(() => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return 230 + ((state >> 16) % 13) - 6;
  });
  for (const [x0, y0, w, h] of boxes) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) grey[y * width + x] = 40;
  }
  return grey;
}

function options(height: number, extra: Partial<TextModeOptions> = {}): TextModeOptions {
  return {
    width: WIDTH,
    height,
    flattenLighting: true,
    maxSpeck: 2,
    blankMargin: { x: 51, y: 10 },
    blankMaxInkCells: 6,
    ...extra,
  };
}

async function inkOf(g4: Uint8Array, height: number): Promise<(x: number, y: number) => boolean> {
  const bitmap = await decodeGrey(
    buildFaxTiff([{ width: WIDTH, height, resolution: 'fine', xDpi: 204, yDpi: 196, g4: Buffer.from(g4) }]),
  );
  assert.equal(bitmap.width, WIDTH);
  assert.equal(bitmap.height, height);
  return (x, y) => (bitmap.pixels[y * WIDTH + x] as number) < 128;
}

describe('pipeline/text-mode-page', function () {
  this.timeout(30_000);
  after(() => stopDitherPool());

  it('grey at the fax size to G4: a rule stays ink, a speck and the paper grain go, not blank', async () => {
    const height = 200;
    const rule: [number, number, number, number] = [100, 100, 900, 3];
    const page = textModePage(
      greyPage(WIDTH, height, [rule, [1500, 40, 1, 1]]),
      WIDTH,
      height,
      options(height),
    );
    assert.equal(page.blank, false);
    const ink = await inkOf(page.g4, height);
    assert.ok(ink(100, 100) && ink(999, 102), 'the rule');
    assert.ok(!ink(1500, 40), 'the speck');
    assert.ok(!ink(50, 50) && !ink(1700, 190), 'the paper');
  });

  it('resizes a scan of another size to the fax grid first (nearest)', async () => {
    const sourceWidth = 2480;
    const sourceHeight = 300;
    const height = 200;
    // A rule at source rows 150–155, columns 1240–2479: the right half of the page.
    const page = textModePage(
      greyPage(sourceWidth, sourceHeight, [[1240, 150, 1240, 6]]),
      sourceWidth,
      sourceHeight,
      options(height),
    );
    const ink = await inkOf(page.g4, height);
    assert.ok(ink(WIDTH / 2 + 2, 101) && ink(WIDTH - 1, 102), 'the rule, scaled');
    assert.ok(!ink(WIDTH / 2 - 3, 101), 'left of it is paper');
  });

  it('says blank for paper with grain and dust only', () => {
    const height = 300;
    const dust: [number, number, number, number][] = [
      [300, 100, 1, 1],
      [900, 200, 2, 2],
    ];
    assert.equal(textModePage(greyPage(WIDTH, height, dust), WIDTH, height, options(height)).blank, true);
  });

  it('gives on a pool thread exactly what it gives in-thread, with its stage times', async () => {
    const height = 120;
    const boxes: [number, number, number, number][] = [
      [40, 30, 600, 4],
      [700, 60, 3, 3],
      [1200, 90, 1, 1],
    ];
    const expected = textModePage(greyPage(2480, 170, boxes), 2480, 170, options(height));
    const stageTimes = {};
    const got = await textModePageOffThread(
      greyPage(2480, 170, boxes),
      2480,
      170,
      options(height, { stageTimes }),
    );
    assert.deepEqual(Buffer.from(got.g4), Buffer.from(expected.g4));
    assert.equal(got.blank, expected.blank);
    assert.deepEqual(Object.keys(stageTimes).sort(), [
      'G4 coding',
      'blank detection',
      'despeckle',
      'lighting correction',
      'resize (nearest)',
      'threshold',
      'threshold choice',
    ]);
  });

  it('resizeNearest takes the pel under each output centre, at any width', () => {
    const source = Uint8Array.from({ length: 6 * 4 }, (_, i) => i);
    // 6 × 4 → 3 × 2: columns 1, 3, 5 of rows 1 and 3; 3 wide takes the pel-by-pel path.
    assert.deepEqual([...resizeNearest(source, 6, 4, 3, 2)], [7, 9, 11, 19, 21, 23]);
    // 8 × 2 → 4 × 2 takes the word path.
    const wide = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    assert.deepEqual([...resizeNearest(wide, 8, 2, 4, 2)], [10, 30, 50, 70, 90, 110, 130, 150]);
  });

  it('thresholdInPlace: below the level is ink (0), the level and above paper (255), every level and offset', () => {
    const values = Uint8Array.from({ length: 256 + 3 }, (_, i) => i % 256);
    for (const level of [1, 2, 100, 127, 128, 129, 254, 255]) {
      for (const offset of [0, 1, 4]) {
        const grey = new Uint8Array(values.length + offset).subarray(offset);
        grey.set(values);
        const expected = [...values].map((v) => (v < level ? 0 : 255));
        assert.deepEqual([...thresholdInPlace(grey, level)], expected, `level ${level}, offset ${offset}`);
      }
    }
  });
});
