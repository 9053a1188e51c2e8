import assert from 'node:assert/strict';
import {
  ditherFloydSteinberg,
  ditherPhoto,
  HALFTONE_SOURCE,
  stretchContrast,
} from '../../../edge-service/src/pipeline/halftone.ts';

/**
 * Floyd–Steinberg written the plain way (four error cells updated per pixel, serpentine): the
 * optimised version must give the same pels, not just similar tones.
 */
function referenceDither(grey: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  let current = new Int32Array(width + 2);
  let next = new Int32Array(width + 2);
  for (let y = 0; y < height; y++) {
    const step = (y & 1) === 0 ? 1 : -1;
    next.fill(0);
    for (let i = 0; i < width; i++) {
      const x = step === 1 ? i : width - 1 - i;
      const cell = x + 1;
      const value = (grey[y * width + x] as number) + (((current[cell] as number) + 8) >> 4);
      const level = value < 128 ? 0 : 255;
      out[y * width + x] = level;
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

function noisyRamp(width: number, height: number, seed = 7): Uint8Array {
  const pixels = new Uint8Array(width * height);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const ramp = ((i % width) / Math.max(1, width - 1)) * 255;
    pixels[i] = Math.max(0, Math.min(255, Math.round(ramp + ((state / 2147483648) * 2 - 1) * 40)));
  }
  return pixels;
}

describe('pipeline/halftone', () => {
  it('dithers pel for pel like the textbook Floyd–Steinberg, at any width', () => {
    for (const [width, height] of [
      [1, 5],
      [2, 7],
      [37, 23],
      [1728, 40],
    ] as const) {
      const grey = noisyRamp(width, height);
      assert.deepEqual(
        ditherFloydSteinberg(grey, width, height),
        referenceDither(grey, width, height),
        `${width}×${height}`,
      );
    }
  });

  it('stretches a washed-out photo to the full range before dithering, and leaves a flat one alone', () => {
    const washed = new Uint8Array(1000).map((_, i) => 100 + (i % 60));
    const stretched = stretchContrast(washed);
    assert.ok(Math.min(...stretched) <= 5 && Math.max(...stretched) >= 250, 'full range');
    const flat = new Uint8Array(1000).fill(128);
    assert.equal(stretchContrast(flat), flat, 'nothing to stretch: the same array');
    assert.deepEqual(ditherPhoto(washed, 100, 10), ditherFloydSteinberg(stretched, 100, 10));
  });

  it('HALFTONE_SOURCE is self-contained: evaluated alone, it dithers like the module', () => {
    const standalone = new Function(`${HALFTONE_SOURCE}\nreturn ditherPhoto;`)() as typeof ditherPhoto;
    const grey = noisyRamp(300, 50);
    assert.deepEqual(standalone(grey, 300, 50), ditherPhoto(grey, 300, 50));
  });
});
