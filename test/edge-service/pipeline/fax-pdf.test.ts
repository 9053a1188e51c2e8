import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFaxPdf } from '../../../edge-service/src/pipeline/fax-pdf.ts';
import { renderFaxPage, type FaxPage } from '../../../edge-service/src/pipeline/fax-page.ts';
import { buildFaxTiff } from '../../../edge-service/src/pipeline/fax-tiff.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { blackShare, decodeGrey, disagreement, disagreementWithinOneRow, tool } from './pipeline-helpers.ts';
import { scannedPage, LETTER } from './scanned-page.ts';

describe('pipeline/fax-pdf', function () {
  this.timeout(60_000);
  const dir = tempDir('fax-pdf-test-');
  let pages: FaxPage[];
  let pdf: Buffer;
  let path: string;

  before(async () => {
    const a4 = await scannedPage({ dpi: 300 });
    const letter = await scannedPage({ dpi: 200, widthInches: LETTER.width, heightInches: LETTER.height });
    pages = [
      await renderFaxPage(a4, { resolution: 'fine' }),
      await renderFaxPage(letter, { resolution: 'standard' }),
      await renderFaxPage(a4, { resolution: 'superfine' }),
    ];
    pdf = await buildFaxPdf(pages);
    path = join(dir.path, 'fax.pdf');
    writeFileSync(path, pdf);
  });
  after(() => dir.remove());

  it('pdfimages lists one 1728-wide ccitt image per page, at the fax resolution', async () => {
    const rows = (await tool('pdfimages', ['-list', path]))
      .split('\n')
      .slice(2)
      .filter((line) => line.trim() !== '')
      .map((line) => line.trim().split(/\s+/));
    assert.equal(rows.length, 3);
    rows.forEach((columns, index) => {
      // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
      const [page, , type, width, height, color, , bpc, enc, , , , xPpi, yPpi] = columns;
      assert.equal(page, String(index + 1));
      assert.equal(type, 'image');
      assert.equal(width, '1728');
      assert.equal(height, String(pages[index]?.height));
      assert.equal(color, 'gray');
      assert.equal(bpc, '1');
      assert.equal(enc, 'ccitt');
      assert.equal(xPpi, '204');
      assert.equal(yPpi, String(pages[index]?.yDpi));
    });
  });

  it('sizes each page to the paper it represents', async () => {
    const info = await tool('pdfinfo', ['-f', '1', '-l', '3', path]);
    const sizes = [...info.matchAll(/Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/g)].map((m) => [
      Number(m[1]) / 72,
      Number(m[2]) / 72,
    ]);
    assert.equal(sizes.length, 3);
    const expected = [
      [8.47, 11.69],
      [8.47, 11],
      [8.47, 11.69],
    ];
    sizes.forEach(([width, height], index) => {
      assert.ok(
        Math.abs((width as number) - (expected[index]?.[0] as number)) < 0.01,
        `page ${index + 1} width ${width}`,
      );
      assert.ok(
        Math.abs((height as number) - (expected[index]?.[1] as number)) < 0.02,
        `page ${index + 1} height ${height}`,
      );
    });
  });

  it('embeds the G4 bytes as-is: no re-encoding and no Flate on top', async () => {
    for (const [index, page] of pages.entries()) {
      assert.ok(pdf.includes(page.g4), `page ${index + 1}: G4 data found verbatim`);
    }
    const text = pdf.toString('latin1');
    const dictionaries = text
      .split('/Subtype /Image')
      .slice(1)
      .map((after, index, all) => {
        const before =
          index === 0 ? text.slice(0, text.indexOf('/Subtype /Image')) : (all[index - 1] as string);
        return before.slice(before.lastIndexOf(' obj')) + after.slice(0, after.indexOf('stream'));
      });
    assert.equal(dictionaries.length, 3, 'three image XObjects');
    for (const dict of dictionaries) {
      assert.ok(/\/Filter \/CCITTFaxDecode\b/.test(dict), `CCITTFaxDecode filter in ${dict}`);
      assert.ok(!/FlateDecode/.test(dict), `no Flate in ${dict}`);
      assert.ok(
        /\/K -1\b/.test(dict) && /\/Columns 1728\b/.test(dict) && /\/BlackIs1 false\b/.test(dict),
        dict,
      );
    }
  });

  it('pdftoppm renders each page back to the same picture as the TIFF (orientation and polarity)', async () => {
    const tiff = buildFaxTiff(pages);
    for (let index = 0; index < pages.length; index++) {
      const page = pages[index] as FaxPage;
      const prefix = join(dir.path, `page-${index + 1}`);
      // -r 204 would render fine pages at 204 lpi; scale-to gives the fax grid, -aa no keeps it bilevel.
      const n = String(index + 1);
      const size = [
        '-scale-to-x',
        '1728',
        '-scale-to-y',
        String(page.height),
        '-aa',
        'no',
        '-aaVector',
        'no',
      ];
      await tool('pdftoppm', [...size, '-gray', '-png', '-singlefile', '-f', n, '-l', n, path, prefix]);
      const rendered = await decodeGrey(readFileSync(`${prefix}.png`));
      assert.equal(rendered.width, 1728);
      assert.equal(rendered.height, page.height);
      const original = await decodeGrey(tiff, index);
      const share = blackShare(original);
      assert.ok(share > 0.01 && share < 0.3, `page ${index + 1} has ink (${share})`);
      const differ = disagreementWithinOneRow(rendered, original);
      assert.ok(differ < 0.001, `page ${index + 1}: ${(differ * 100).toFixed(3)}% of pixels differ`);
    }
    // The comparison can fail: the same page upside down is nowhere near.
    const upright = await decodeGrey(tiff, 0);
    const flipped = { ...upright, pixels: Buffer.from(upright.pixels).reverse() };
    assert.ok(disagreement(upright, flipped) > 0.02);
  });

  it('refuses an empty page list', async () => {
    await assert.rejects(buildFaxPdf([]), RangeError);
  });
});
