import assert from 'node:assert/strict';
import { createCanvas } from '@napi-rs/canvas';
import { renderCoverPage, wrap } from '../../../edge-service/src/pipeline/cover-page.ts';
import { buildFaxTiff, readFaxTiffPages } from '../../../edge-service/src/pipeline/fax-tiff.ts';
import { blackShare, decodeGrey } from './pipeline-helpers.ts';

const CONTENT = {
  senderName: 'Front desk, Demo Enterprise',
  recipientName: 'Accounts payable',
  recipients: ['+1 212 555 0100'],
  date: new Date('2026-12-01T10:30:00Z'),
  subject: 'Invoice 2026-117',
  note: 'Please find the signed invoice attached.\nCall me with any question.',
  pageCount: 3,
};

describe('cover page (pipeline)', function () {
  this.timeout(20000);

  it('is an A4 fax page at the job resolution: 1728 pels wide, bilevel G4, with ink', async () => {
    for (const [resolution, rows] of [
      ['standard', 1146],
      ['fine', 2291],
      ['superfine', 4571],
    ] as const) {
      const page = await renderCoverPage(CONTENT, resolution);
      assert.equal(page.width, 1728);
      assert.equal(page.resolution, resolution);
      assert.ok(Math.abs(page.height - rows) <= 2, `${resolution}: ${page.height} rows, not about ${rows}`);
      assert.equal(page.blank, false);
      const tiff = buildFaxTiff([page]);
      const [back] = readFaxTiffPages(tiff);
      assert.equal(back?.height, page.height);
      const bitmap = await decodeGrey(tiff);
      assert.ok(
        bitmap.pixels.every((v) => v === 0 || v === 255),
        'bilevel',
      );
      // The heading and the rule at the top have ink; the lower third (no note there) is paper.
      const top = blackShare(bitmap, 0, 0, 1728, Math.round(page.height * 0.15));
      assert.ok(top > 0.01, `top ink ${top}`);
      assert.ok(blackShare(bitmap, 0, Math.round(page.height * 0.7)) < 0.001);
    }
  });

  it('draws markup and control characters as text, and survives the longest subject and note', async () => {
    const page = await renderCoverPage(
      {
        ...CONTENT,
        subject: '<b>&amp;</b>'.repeat(20),
        note: `${'x'.repeat(1500)}\u0000\u0007 ${'word '.repeat(400)}`,
        recipients: Array.from({ length: 10 }, (_, i) => `+1 212 555 01${String(i).padStart(2, '0')}`),
      },
      'fine',
    );
    assert.equal(page.width, 1728);
    assert.ok(page.g4.length > 1000);
  });

  it('wraps at word boundaries by measured width and cuts a word longer than the line', () => {
    const g = createCanvas(10, 10).getContext('2d');
    g.font = '20px sans-serif';
    const lines = wrap(g, 'alpha beta gamma delta epsilon\n\nzeta', 120);
    assert.ok(lines.length >= 4);
    assert.ok(lines.every((l) => g.measureText(l).width <= 120));
    assert.equal(lines.join(' ').replace(/ +/g, ' '), 'alpha beta gamma delta epsilon zeta');
    const long = wrap(g, 'y'.repeat(200), 100);
    assert.ok(long.length > 1 && long.every((l) => g.measureText(l).width <= 100));
    assert.equal(long.join(''), 'y'.repeat(200));
  });
});
