import assert from 'node:assert/strict';
import sharp from 'sharp';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { renderFaxPage } from '../../../edge-service/src/pipeline/fax-page.ts';
import { renderThumbnail } from '../../../edge-service/src/pipeline/thumbnail.ts';
import { scannedPage } from './scanned-page.ts';

describe('pipeline/thumbnail', function () {
  this.timeout(60_000);
  let scan: Buffer;
  before(async () => {
    scan = await scannedPage({ dpi: 300 });
  });

  it('makes a small JPEG of a scan, with the page shape, and a PNG on request', async () => {
    const thumb = await renderThumbnail(scan);
    assert.equal(thumb.format, 'jpeg');
    assert.equal(thumb.width, 160);
    assert.equal(thumb.height, Math.round((160 * 11.69) / 8.27));
    const metadata = await sharp(thumb.data).metadata();
    assert.equal(metadata.format, 'jpeg');
    assert.equal(metadata.width, 160);
    assert.ok(thumb.data.length < 20_000, `${thumb.data.length} bytes`);
    const png = await renderThumbnail(scan, { width: 100, format: 'png' });
    assert.equal((await sharp(png.data).metadata()).format, 'png');
    assert.equal(png.width, 100);
  });

  it('shows a fax page with its true shape: a standard page is not squashed to half height', async () => {
    const standard = await renderFaxPage(scan, { resolution: 'standard' });
    const thumb = await renderThumbnail(standard);
    assert.equal(thumb.width, 160);
    assert.ok(Math.abs(thumb.height - (160 * 11.69) / 8.47) <= 2, `height ${thumb.height}`);
    const { data } = await sharp(thumb.data).greyscale().raw().toBuffer({ resolveWithObject: true });
    const dark = data.filter((v) => v < 200).length / data.length;
    assert.ok(dark > 0.01 && dark < 0.5, `some ink, mostly paper (${dark})`);
  });

  it('bad input fails with IMAGE_INVALID naming the page', async () => {
    await assert.rejects(renderThumbnail(Buffer.from('GIF89a'), { pageNumber: 4 }), (error: unknown) => {
      assert.ok(error instanceof EdgeError);
      assert.equal(error.code, 'IMAGE_INVALID');
      assert.equal(error.page, 4);
      return true;
    });
  });
});
