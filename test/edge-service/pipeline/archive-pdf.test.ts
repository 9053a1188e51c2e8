import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { buildArchivePdf } from '../../../edge-service/src/pipeline/archive-pdf.ts';
import { renderFaxPage } from '../../../edge-service/src/pipeline/fax-page.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { tool } from './pipeline-helpers.ts';
import { LETTER, photoPage, scannedPage } from './scanned-page.ts';

/** `pdfimages -list` rows: page, num, type, width, height, color, comp, bpc, enc, … */
async function listImages(path: string): Promise<string[][]> {
  return (await tool('pdfimages', ['-list', path]))
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/));
}

describe('pipeline/archive-pdf', function () {
  this.timeout(60_000);
  const dir = tempDir('archive-pdf-test-');
  let scan: Buffer;
  let photo: Buffer;
  after(() => dir.remove());

  before(async () => {
    scan = await scannedPage({ dpi: 300 });
    photo = await photoPage(200);
  });

  it('passes scanner JPEGs through byte for byte and adds bilevel pages as G4', async () => {
    const fax = await renderFaxPage(scan, { resolution: 'fine' });
    const pdf = await buildArchivePdf([scan, fax, photo]);
    const path = join(dir.path, 'archive.pdf');
    writeFileSync(path, pdf);
    const images = await listImages(path);
    assert.deepEqual(
      images.map((row) => [row[0], row[8]]),
      [
        ['1', 'jpeg'],
        ['2', 'ccitt'],
        ['3', 'jpeg'],
      ],
    );
    await tool('pdfimages', ['-all', path, join(dir.path, 'img')]);
    const extracted = readdirSync(dir.path)
      .filter((name) => name.startsWith('img-') && name.endsWith('.jpg'))
      .sort();
    assert.ok(
      readFileSync(join(dir.path, extracted[0] as string)).equals(scan),
      'page 1 is the scan as sent',
    );
    assert.ok(
      readFileSync(join(dir.path, extracted[1] as string)).equals(photo),
      'page 3 is the photo as sent',
    );
    // Pages are sized to the paper: A4 at 300 dpi is 595 × 842 pt.
    const info = await tool('pdfinfo', ['-f', '1', '-l', '1', path]);
    assert.match(info, /Page\s+1 size:\s+595\.\d+ x 841\.\d+ pts/);
  });

  it('re-encodes smaller when asked (quality and dpi), still as JPEG', async () => {
    const asIs = await buildArchivePdf([scan]);
    const smaller = await buildArchivePdf([scan], { jpegQuality: 50, maxDpi: 150 });
    assert.ok(smaller.length < asIs.length / 2, `${smaller.length} vs ${asIs.length}`);
    const path = join(dir.path, 'smaller.pdf');
    writeFileSync(path, smaller);
    const [row] = await listImages(path);
    assert.equal(row?.[8], 'jpeg');
    assert.equal(row?.[3], String(Math.round(8.27 * 150)));
  });

  it('takes pages from an async iterable (read lazily) and keeps PNG scans lossless', async () => {
    const png = await scannedPage({
      dpi: 150,
      widthInches: LETTER.width,
      heightInches: LETTER.height,
      format: 'png',
    });
    async function* lazily(): AsyncGenerator<Buffer> {
      yield png;
      yield scan;
    }
    const path = join(dir.path, 'lazy.pdf');
    writeFileSync(path, await buildArchivePdf(lazily()));
    const images = await listImages(path);
    assert.equal(images.length, 2);
    assert.notEqual(images[0]?.[8], 'jpeg', 'the PNG page is not made lossy');
  });

  it('a truncated JPEG or a non-image fails with IMAGE_INVALID naming the page', async () => {
    const truncated = scan.subarray(0, Math.round(scan.length / 2));
    for (const bad of [truncated, Buffer.from('not an image at all')]) {
      await assert.rejects(buildArchivePdf([scan, bad]), (error: unknown) => {
        assert.ok(error instanceof EdgeError);
        assert.equal(error.code, 'IMAGE_INVALID');
        assert.equal(error.page, 2);
        assert.match(error.message, /Page 2\b/);
        return true;
      });
    }
    // A CMYK JPEG is shown correctly by re-encoding it rather than passed through.
    const cmyk = await sharp(photo).toColourspace('cmyk').jpeg().toBuffer();
    const path = join(dir.path, 'cmyk.pdf');
    writeFileSync(path, await buildArchivePdf([cmyk]));
    const [row] = await listImages(path);
    assert.equal(row?.[5], 'rgb');
  });
});
