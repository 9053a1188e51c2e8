import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { isBlankPage, renderFaxPage, type FaxPage } from '../../../edge-service/src/pipeline/fax-page.ts';
import { buildFaxTiff } from '../../../edge-service/src/pipeline/fax-tiff.ts';
import type { StageTimes } from '../../../edge-service/src/pipeline/stage-clock.ts';
import { blackShare, decodeGrey, disagreement, type Bitmap } from './pipeline-helpers.ts';
import { A4, LETTER, nearlyBlankPage, photoPage, scannedPage, unevenlyLitPage } from './scanned-page.ts';

/** Rows of a fax page where the table's horizontal rules run (nearly) all the way across the table. */
function ruleLines(bitmap: Bitmap, pageWidthInches: number): number {
  const x0 = Math.round((1.1 / pageWidthInches) * bitmap.width);
  const x1 = Math.round((5.9 / pageWidthInches) * bitmap.width);
  let lines = 0;
  let inLine = false;
  for (let y = 0; y < bitmap.height; y++) {
    const full = blackShare(bitmap, x0, y, x1, y + 1) > 0.9;
    if (full && !inLine) lines++;
    inLine = full;
  }
  return lines;
}

async function decodePage(page: FaxPage): Promise<Bitmap> {
  return decodeGrey(buildFaxTiff([page]));
}

/** A PNG whose IHDR claims another size (CRC fixed, so only the size is wrong). */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } })
      .png()
      .toBuffer(),
  );
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), …, CRC over type+data.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

async function assertImageError(input: Promise<unknown>, code: string, page?: number): Promise<void> {
  await assert.rejects(input, (error: unknown) => {
    assert.ok(error instanceof EdgeError, `EdgeError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (page !== undefined) {
      assert.equal(error.page, page);
      assert.match(error.message, new RegExp(`Page ${page}\\b`));
    }
    return true;
  });
}

describe('pipeline/fax-page', function () {
  this.timeout(60_000);
  let a4Jpeg: Buffer;

  before(async () => {
    a4Jpeg = await scannedPage({ dpi: 300 });
  });

  describe('text pages', () => {
    for (const [resolution, rows, yDpi] of [
      ['standard', 1145.6, 98],
      ['fine', 2291.2, 196],
      ['superfine', 4570.8, 391],
    ] as const) {
      it(`A4 at ${resolution}: 1728 × ~${Math.round(rows)} rows, ${yDpi} lpi`, async () => {
        const page = await renderFaxPage(a4Jpeg, { resolution });
        assert.equal(page.width, 1728);
        assert.ok(Math.abs(page.height - rows) <= 2, `height ${page.height}`);
        assert.equal(page.resolution, resolution);
        assert.equal(page.xDpi, 204);
        assert.equal(page.yDpi, yDpi);
        assert.ok(page.g4.length > 1000 && page.g4.length < 400_000, `G4 size ${page.g4.length}`);
      });
    }

    it('round-trips: the decoded G4 page matches the thresholded original within 2%', async () => {
      const page = await renderFaxPage(a4Jpeg, { resolution: 'fine' });
      const decoded = await decodePage(page);
      assert.equal(decoded.width, 1728);
      assert.equal(decoded.height, page.height);
      // The reference: the same scan scaled to the same grid by a different path, cut at mid-grey.
      const { data } = await sharp(a4Jpeg)
        .greyscale()
        .resize(1728, page.height, { fit: 'fill', kernel: 'lanczos3' })
        .threshold(128)
        .raw()
        .toBuffer({ resolveWithObject: true });
      const reference = { width: 1728, height: page.height, pixels: data };
      const ink = blackShare(reference);
      assert.ok(ink > 0.01, `the test page has ink (${ink})`);
      const differ = disagreement(decoded, reference);
      console.log(
        `      round trip: ${(differ * 100).toFixed(2)}% of pixels differ, ink ${(ink * 100).toFixed(1)}%`,
      );
      assert.ok(differ < 0.02, `${(differ * 100).toFixed(2)}% of pixels differ`);
    });

    it('white is white and black is black (min-is-white, not inverted)', async () => {
      const decoded = await decodePage(await renderFaxPage(a4Jpeg, { resolution: 'fine' }));
      const inch = (x: number): number => Math.round((x / A4.width) * 1728);
      assert.ok(blackShare(decoded, 0, 0, 1728, 150) < 0.001, 'top margin is white');
      // The solid block is at 6.5–7.5 in across; find its rows from the column through its middle.
      const column = inch(7);
      const rows = [...Array(decoded.height).keys()].filter(
        (y) => (decoded.pixels[y * 1728 + column] as number) < 128,
      );
      assert.ok(rows.length > 150, 'the solid block is black');
    });

    it('keeps fine print: every 0.2 mm table rule survives, at fine and at standard', async () => {
      for (const resolution of ['fine', 'standard'] as const) {
        const decoded = await decodePage(await renderFaxPage(a4Jpeg, { resolution }));
        assert.equal(ruleLines(decoded, A4.width), 7, `${resolution}: 7 horizontal rules`);
      }
    });

    it('copes with grey paper and no density: Letter PNG at 200 dpi, paper at 60% grey', async () => {
      const png = await scannedPage({
        dpi: 200,
        widthInches: LETTER.width,
        heightInches: LETTER.height,
        paper: '#a0a0a0',
        noise: 10,
        format: 'png',
        withDensity: false,
        colour: false,
      });
      const page = await renderFaxPage(png, { resolution: 'fine' });
      assert.equal(page.height, 2156, 'Letter assumed: 11 in at 196 lpi');
      const decoded = await decodePage(page);
      assert.ok(blackShare(decoded, 0, 0, 1728, 150) < 0.001, 'grey paper became white');
      assert.equal(ruleLines(decoded, LETTER.width), 7, 'rules survive');
    });

    it('reads 1-bit PNGs and PNGs with alpha', async () => {
      const bilevel = await sharp(a4Jpeg)
        .greyscale()
        .threshold(128)
        .png({ palette: true, colours: 2 })
        .toBuffer();
      const fromBilevel = await decodePage(await renderFaxPage(bilevel, { resolution: 'fine' }));
      assert.ok(blackShare(fromBilevel) > 0.01);
      const transparent = await sharp(a4Jpeg).ensureAlpha(0).png().toBuffer();
      const fromTransparent = await decodePage(await renderFaxPage(transparent, { resolution: 'fine' }));
      assert.equal(blackShare(fromTransparent), 0, 'transparent is paper, not ink');
    });

    it('gives the same page whether or not the scan carries an ICC profile', async () => {
      const tagged = await sharp(a4Jpeg).withMetadata().jpeg({ quality: 85 }).toBuffer();
      assert.ok((await sharp(tagged).metadata()).icc, 'the input has a profile');
      const plain = await decodePage(await renderFaxPage(a4Jpeg, { resolution: 'fine' }));
      const withProfile = await decodePage(await renderFaxPage(tagged, { resolution: 'fine' }));
      assert.ok(disagreement(plain, withProfile) < 0.005);
    });

    it('adapts to uneven lighting: a shadowed top and a 100%→50% gradient stay white, rules survive', async () => {
      const input = await unevenlyLitPage();
      const flat = await decodePage(await renderFaxPage(input, { resolution: 'fine' }));
      const shadowed = blackShare(flat, 0, 0, 1728, 150);
      assert.ok(shadowed < 0.001, `the shadowed top margin is white (${shadowed})`);
      const darkSide = blackShare(flat, 0, Math.round(flat.height * 0.9), 1728, flat.height);
      assert.ok(darkSide < 0.001, `the bottom margin, 100% to 50% light, is white (${darkSide})`);
      assert.equal(ruleLines(flat, A4.width), 7, 'rules survive');
      assert.ok(blackShare(flat) > 0.01, 'the text is still there');
      // The same page with one global threshold loses the dark side or the shadow: the test can fail.
      const global = await decodePage(
        await renderFaxPage(input, { resolution: 'fine', flattenLighting: false }),
      );
      const globalDark = Math.max(
        blackShare(global, 0, 0, 1728, 150),
        blackShare(global, 0, Math.round(global.height * 0.9), 1728, global.height),
      );
      assert.ok(globalDark > 0.05, `a global threshold blackens the shadows (${globalDark})`);
    });

    it('an evenly lit page is not changed by the lighting correction', async () => {
      const flattened = await decodePage(await renderFaxPage(a4Jpeg, { resolution: 'standard' }));
      const global = await decodePage(
        await renderFaxPage(a4Jpeg, { resolution: 'standard', flattenLighting: false }),
      );
      assert.equal(disagreement(flattened, global), 0);
    });
  });

  describe('blank pages', () => {
    it('a blank page with noise, dust and an edge shadow is blank; one short line of text is not', async () => {
      const blank = await nearlyBlankPage();
      const short = await nearlyBlankPage({ text: 'Thanks' });
      assert.equal(await isBlankPage(blank), true);
      assert.equal(await isBlankPage(short), false);
      const fine = await renderFaxPage(blank, { resolution: 'fine' });
      assert.equal(fine.blank, true);
      assert.equal((await renderFaxPage(short, { resolution: 'fine' })).blank, false);
      assert.equal((await renderFaxPage(a4Jpeg, { resolution: 'fine' })).blank, false);
      // Photo mode does not dither a blank page's noise into grey.
      const photo = await renderFaxPage(blank, { resolution: 'fine', mode: 'photo' });
      assert.equal(photo.blank, true);
      assert.ok(blackShare(await decodePage(photo)) < 0.001);
    });
  });

  describe('photo pages', () => {
    it('dithers: a grey ramp keeps its tones instead of snapping to one edge', async () => {
      const page = await renderFaxPage(await photoPage(), { resolution: 'fine', mode: 'photo' });
      const decoded = await decodePage(page);
      const band = (from: number, to: number): number =>
        blackShare(
          decoded,
          Math.round(from * 1728),
          100,
          Math.round(to * 1728),
          Math.round(decoded.height / 2) - 100,
        );
      const left = band(0.02, 0.12);
      const middle = band(0.45, 0.55);
      const right = band(0.88, 0.98);
      assert.ok(left > 0.8, `dark end ${left}`);
      assert.ok(middle > 0.3 && middle < 0.7, `middle ${middle}`);
      assert.ok(right < 0.2, `light end ${right}`);
      // In text mode the same ramp is cut in two: the middle band is all one colour either side of the cut.
      const text = await decodePage(await renderFaxPage(await photoPage(), { resolution: 'fine' }));
      const textLeft = blackShare(text, Math.round(0.3 * 1728), 100, Math.round(0.32 * 1728), 200);
      assert.ok(textLeft === 0 || textLeft === 1, `text mode does not dither (${textLeft})`);
    });
  });

  describe('bad input', () => {
    it('not an image → IMAGE_INVALID naming the page', async () => {
      await assertImageError(
        renderFaxPage(Buffer.from('%PDF-1.4 not a scan'), { resolution: 'fine', pageNumber: 3 }),
        'IMAGE_INVALID',
        3,
      );
      await assertImageError(renderFaxPage(Buffer.alloc(0), { resolution: 'fine' }), 'IMAGE_INVALID');
    });

    it('formats other than JPEG and PNG (GIF, SVG) → IMAGE_INVALID', async () => {
      const gif = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#fff' } })
        .gif()
        .toBuffer();
      await assertImageError(renderFaxPage(gif, { resolution: 'fine', pageNumber: 1 }), 'IMAGE_INVALID', 1);
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"/>');
      await assertImageError(renderFaxPage(svg, { resolution: 'fine' }), 'IMAGE_INVALID');
    });

    it('truncated or corrupt JPEG → IMAGE_INVALID', async () => {
      const truncated = a4Jpeg.subarray(0, Math.round(a4Jpeg.length / 2));
      await assertImageError(
        renderFaxPage(truncated, { resolution: 'fine', pageNumber: 2 }),
        'IMAGE_INVALID',
        2,
      );
      const headerOnly = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(200, 0x42)]);
      await assertImageError(renderFaxPage(headerOnly, { resolution: 'fine' }), 'IMAGE_INVALID');
    });

    it('zero or tiny dimensions → IMAGE_INVALID', async () => {
      await assertImageError(
        renderFaxPage(await pngClaiming(0, 0), { resolution: 'fine', pageNumber: 5 }),
        'IMAGE_INVALID',
        5,
      );
      const tiny = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
        .png()
        .toBuffer();
      await assertImageError(renderFaxPage(tiny, { resolution: 'fine' }), 'IMAGE_INVALID');
    });

    it('absurd dimensions → IMAGE_TOO_LARGE without decoding the pixels', async () => {
      await assertImageError(
        renderFaxPage(await pngClaiming(60_000, 60_000), { resolution: 'fine', pageNumber: 7 }),
        'IMAGE_TOO_LARGE',
        7,
      );
      const banner = await scannedPage({ dpi: 100, heightInches: 30, noise: 0 });
      await assertImageError(renderFaxPage(banner, { resolution: 'fine' }), 'IMAGE_TOO_LARGE');
    });
  });

  describe('greyscale JPEG scans (TurboJPEG decode, resized on a pool thread)', () => {
    let greyJpeg: Buffer;

    before(async () => {
      greyJpeg = await scannedPage({ dpi: 300, colour: false });
      assert.equal((await sharp(greyJpeg).metadata()).channels, 1);
    });

    it('decodes through TurboJPEG, and gives the page libvips would, rules and all', async () => {
      const fast: StageTimes = {};
      const viaTurbo = await renderFaxPage(greyJpeg, { resolution: 'fine', stageTimes: fast });
      assert.ok('decode (TurboJPEG)' in fast, Object.keys(fast).join(', '));
      const slow: StageTimes = {};
      const viaLibvips = await renderFaxPage(greyJpeg, {
        resolution: 'fine',
        decoder: 'libvips',
        stageTimes: slow,
      });
      assert.ok('decode + resize (libvips)' in slow, Object.keys(slow).join(', '));
      assert.equal(viaTurbo.height, viaLibvips.height);
      const [a, b] = await Promise.all([decodePage(viaTurbo), decodePage(viaLibvips)]);
      const differ = disagreement(a, b);
      assert.ok(differ < 0.01, `${(differ * 100).toFixed(2)}% of pixels differ`);
      assert.equal(ruleLines(a, A4.width), 7, '7 horizontal rules');
    });

    it('truncated → IMAGE_INVALID naming the page: TurboJPEG refuses what libjpeg warns about', async () => {
      const truncated = greyJpeg.subarray(0, Math.round(greyJpeg.length * 0.6));
      const stageTimes: StageTimes = {};
      await assertImageError(
        renderFaxPage(truncated, { resolution: 'fine', pageNumber: 3, stageTimes }),
        'IMAGE_INVALID',
        3,
      );
      assert.ok('header' in stageTimes && !('decode (TurboJPEG)' in stageTimes), 'refused at the decode');
      await assert.rejects(renderFaxPage(truncated, { resolution: 'fine' }), /damaged or cut short/);
    });

    it('a grey JPEG that must be turned (EXIF orientation) or shrunk past 2× goes through libvips, upright', async () => {
      const sideways = await sharp(greyJpeg).rotate(90).withMetadata({ orientation: 8 }).jpeg().toBuffer();
      const turned: StageTimes = {};
      const page = await renderFaxPage(sideways, { resolution: 'fine', stageTimes: turned });
      assert.ok('decode + resize (libvips)' in turned, Object.keys(turned).join(', '));
      assert.ok(Math.abs(page.height - 2291) <= 2, `portrait again: ${page.height} rows`);
      const standard: StageTimes = {};
      await renderFaxPage(greyJpeg, { resolution: 'standard', stageTimes: standard });
      assert.ok('decode + resize (libvips)' in standard, 'a 3× shrink takes the linear kernel');
    });
  });

  describe('speed (printed, not asserted)', () => {
    it('times A4 300 dpi JPEG → fine, one page alone and two in flight', async () => {
      const greyJpeg = await scannedPage({ dpi: 300, colour: false });
      assert.equal((await sharp(greyJpeg).metadata()).channels, 1);
      for (const [kind, input] of [
        ['colour', a4Jpeg],
        ['grey', greyJpeg],
      ] as const) {
        await renderFaxPage(input, { resolution: 'fine' });
        let start = performance.now();
        for (let i = 0; i < 4; i++) await renderFaxPage(input, { resolution: 'fine' });
        const alone = (performance.now() - start) / 4;
        const pages = 8;
        start = performance.now();
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next++ < pages) await renderFaxPage(input, { resolution: 'fine' });
        };
        await Promise.all([worker(), worker()]);
        const inFlight = (performance.now() - start) / pages;
        console.log(
          `      ${kind} page, fine: ${alone.toFixed(0)} ms alone, ${inFlight.toFixed(0)} ms/page with 2 in flight (target ≤ 67)`,
        );
      }
    });
  });
});
