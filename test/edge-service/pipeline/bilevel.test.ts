import assert from 'node:assert/strict';
import {
  flattenLighting,
  histogram,
  otsuThreshold,
  textThreshold,
} from '../../../edge-service/src/pipeline/bilevel.ts';
import { ditherFloydSteinberg } from '../../../edge-service/src/pipeline/halftone.ts';

/** A page-like sample: `inkShare` of the pixels at `ink`, the rest paper with ±noise, seeded. */
function sample(options: {
  paper: number;
  ink: number;
  inkShare: number;
  noise: number;
  size?: number;
}): Uint8Array {
  const { paper, ink, inkShare, noise, size = 100_000 } = options;
  const pixels = new Uint8Array(size);
  let seed = 1;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < size; i++) {
    const base = random() < inkShare ? ink : paper;
    pixels[i] = Math.max(0, Math.min(255, Math.round(base + (random() * 2 - 1) * noise)));
  }
  return pixels;
}

const blackShare = (pixels: Uint8Array, level: number): number =>
  pixels.filter((v) => v < level).length / pixels.length;

describe('pipeline/bilevel', () => {
  it('histogram counts every pixel, or every n-th with a stride', () => {
    const pixels = Uint8Array.from([0, 0, 7, 255, 7, 7]);
    const hist = histogram(pixels);
    assert.equal(hist[0], 2);
    assert.equal(hist[7], 3);
    assert.equal(hist[255], 1);
    assert.equal(
      histogram(pixels, 2).reduce((a, b) => a + b, 0),
      3,
    );
  });

  it('Otsu splits a two-peak histogram between the peaks', () => {
    const pixels = sample({ paper: 220, ink: 30, inkShare: 0.1, noise: 10 });
    const t = otsuThreshold(histogram(pixels));
    // Ink spans 20..40 and paper 210..230: any t in [40, 210) splits them exactly.
    assert.ok(t >= 40 && t < 210, `threshold ${t}`);
    assert.ok(Math.abs(blackShare(pixels, t + 1) - 0.1) < 0.01);
  });

  it('text threshold: off-white, noisy paper stays white and ink stays black', () => {
    const pixels = sample({ paper: 200, ink: 40, inkShare: 0.08, noise: 12 });
    const level = textThreshold(pixels);
    assert.ok(level > 52 && level <= 188, `level ${level}`);
    assert.ok(Math.abs(blackShare(pixels, level) - 0.08) < 0.005, `black share ${blackShare(pixels, level)}`);
  });

  it('text threshold sits above the midpoint so thin grey strokes of fine print survive', () => {
    const pixels = sample({ paper: 235, ink: 20, inkShare: 0.06, noise: 4 });
    // A downscaled hairline is a mid-grey, lighter than the ink/paper midpoint (127).
    pixels.fill(145, 0, 500);
    const level = textThreshold(pixels);
    assert.ok(level > 145, `a 145 grey stroke would be lost at level ${level}`);
    assert.ok(blackShare(pixels.subarray(500), level) < 0.07, 'paper noise became black');
  });

  it('text threshold on a blank page makes (almost) nothing black', () => {
    const pixels = sample({ paper: 225, ink: 225, inkShare: 0, noise: 10 });
    assert.equal(blackShare(pixels, textThreshold(pixels)), 0);
  });

  it('text threshold on faint print (grey pencil on grey paper) still separates them', () => {
    const pixels = sample({ paper: 190, ink: 110, inkShare: 0.05, noise: 6 });
    const share = blackShare(pixels, textThreshold(pixels));
    assert.ok(Math.abs(share - 0.05) < 0.005, `black share ${share}`);
  });

  it('Floyd–Steinberg keeps the tone of flat greys and the extremes pure', () => {
    const width = 200;
    const height = 100;
    for (const grey of [0, 32, 64, 128, 192, 224, 255]) {
      const out = ditherFloydSteinberg(new Uint8Array(width * height).fill(grey), width, height);
      assert.ok(
        out.every((v) => v === 0 || v === 255),
        'output is bilevel',
      );
      const mean = out.reduce((a, b) => a + b, 0) / out.length;
      assert.ok(Math.abs(mean - grey) < 4, `grey ${grey} dithered to mean ${mean.toFixed(1)}`);
      if (grey === 0) assert.ok(out.every((v) => v === 0));
      if (grey === 255) assert.ok(out.every((v) => v === 255));
    }
  });

  it('lighting correction under a photo: its blocks take the paper level around them, ring by ring', () => {
    // Paper lit 120 → 230 from left to right, a dark photo over all but a 64-pel border.
    const size = 640;
    const page = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const photo = x >= 64 && x < size - 64 && y >= 64 && y < size - 64;
        page[y * size + x] = photo ? 30 : Math.round(120 + (110 * x) / (size - 1));
      }
    }
    const flat = flattenLighting(page, size, size);
    assert.notEqual(flat, page, 'the gradient is corrected');
    const at = (x: number, y: number): number => flat[y * size + x] as number;
    // Paper along the top and bottom border, from the dim side to the bright side and right up to the
    // photo's edge, comes out even, and as paper: the photo (most of the page) is not taken for it.
    const paper = [40, 120, 320, 520, 600].flatMap((x) =>
      [20, 50, 60].flatMap((y) => [at(x, y), at(x, size - 1 - y)]),
    );
    const spread = Math.max(...paper) - Math.min(...paper);
    assert.ok(spread <= 12, `paper levels ${paper.join(' ')}`);
    assert.ok(Math.min(...paper) > 100, `paper stays light: ${paper.join(' ')}`);
    // The photo stays dark everywhere (its blocks got paper levels, not a gain that brightens them).
    for (const x of [80, 320, 560]) assert.ok(at(x, 320) < 80, `photo at ${x}: ${at(x, 320)}`);
  });
});
