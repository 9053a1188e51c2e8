import assert from 'node:assert/strict';
import sharp from 'sharp';
import { buildFaxTiff } from '../../../edge-service/src/pipeline/fax-tiff.ts';
import { encodeG4Bilevel } from '../../../edge-service/src/pipeline/g4-encoder.ts';

const WIDTH = 1728;

/** Decodes G4 data with libtiff (libvips' TIFF loader) back to 0 (ink) / 255 (paper). */
async function decode(g4: Uint8Array, height: number): Promise<Uint8Array> {
  const tiff = buildFaxTiff([
    { width: WIDTH, height, resolution: 'fine', xDpi: 204, yDpi: 196, g4: Buffer.from(g4) },
  ]);
  const { data, info } = await sharp(tiff)
    .extractChannel(0)
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  assert.equal(info.width, WIDTH);
  assert.equal(info.height, height);
  return new Uint8Array(data.buffer, data.byteOffset, data.length).map((v) => (v < 128 ? 0 : 255));
}

function mismatch(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Seeded pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('pipeline/g4-encoder (decoded by libtiff)', () => {
  it('codes every run length of both colours, 0 to the whole line', async () => {
    // Row r: a black run of length r starting at r % 7, and white runs around it: each length once.
    const height = WIDTH + 1;
    const bits = new Uint8Array(WIDTH * height).fill(255);
    for (let r = 0; r < height; r++) {
      const start = r === WIDTH ? 0 : r % 7;
      for (let x = start; x < Math.min(WIDTH, start + r); x++) bits[r * WIDTH + x] = 0;
    }
    assert.equal(mismatch(await decode(encodeG4Bilevel(bits, WIDTH, height), height), bits), 0);
  });

  it('codes pass, vertical and horizontal modes on random strokes and noise, as libtiff reads them', async () => {
    const next = random(7);
    const height = 400;
    const bits = new Uint8Array(WIDTH * height).fill(255);
    for (let y = 0; y < height; y++) {
      // Slanted strokes (vertical modes), short bars (pass modes) and isolated dots (horizontal).
      for (let k = 0; k < 40; k++) {
        const x0 = Math.floor(next() * WIDTH);
        const length = 1 + Math.floor(next() * (y % 3 === 0 ? 200 : 6));
        for (let x = x0; x < Math.min(WIDTH, x0 + length); x++) bits[y * WIDTH + x] = 0;
      }
    }
    const g4 = encodeG4Bilevel(bits, WIDTH, height);
    assert.equal(mismatch(await decode(g4, height), bits), 0);
  });

  it('codes a blank page as a few bytes, and a page of ink', async () => {
    const blank = new Uint8Array(WIDTH * 100).fill(255);
    const g4 = encodeG4Bilevel(blank, WIDTH, 100);
    assert.ok(g4.length < 40, `${g4.length} bytes`);
    assert.equal(mismatch(await decode(g4, 100), blank), 0);
    const ink = new Uint8Array(WIDTH * 50);
    assert.equal(mismatch(await decode(encodeG4Bilevel(ink, WIDTH, 50), 50), ink), 0);
  });

  it('codes pels that do not start on a 32-bit word (the pel-by-pel path) as libtiff reads it', async () => {
    const next = random(7);
    const bits = new Uint8Array(WIDTH * 40).map(() => (next() < 0.2 ? 0 : 255));
    const unaligned = new Uint8Array(bits.length + 1).subarray(1);
    unaligned.set(bits);
    assert.equal(mismatch(await decode(encodeG4Bilevel(unaligned, WIDTH, 40), 40), bits), 0);
  });
});
