import assert from 'node:assert/strict';
import sharp from 'sharp';
import sinon from 'sinon';
import { PdfRasterizer } from '../../../simulator/src/scanner/pdf-rasterizer.ts';
import {
  nextDocument,
  postJob,
  scanSettingsXml,
  startTestScanner,
  type TestScanner,
} from './scanner-test-server.ts';
import { makePdf, twoPageLetter } from './test-pdf.ts';

interface Scan {
  data: Buffer;
  width: number;
  height: number;
  /** Bands in the raw pixels below (sharp decodes to sRGB unless told otherwise). */
  channels: number;
  /** Bands in the image the scanner sent: 1 for grey. */
  sentChannels: number;
  dpi: number;
}

/** Share of pixels darker than mid-grey in a box given in points (1/72 inch) from the top left. */
function inkIn(scan: Scan, box: { x: number; y: number; width: number; height: number }): number {
  const px = (pt: number) => Math.round((pt * scan.dpi) / 72);
  let dark = 0;
  let all = 0;
  for (let y = px(box.y); y < Math.min(scan.height, px(box.y + box.height)); y++) {
    for (let x = px(box.x); x < Math.min(scan.width, px(box.x + box.width)); x++) {
      all++;
      if ((scan.data[(y * scan.width + x) * scan.channels] ?? 255) < 128) dark++;
    }
  }
  assert.ok(all > 0, 'the box is inside the scan');
  return dark / all;
}

describe('simulator feeder: PDF originals', function () {
  this.timeout(30000);
  let t: TestScanner;
  beforeEach(async () => {
    t = await startTestScanner();
  });
  afterEach(async () => {
    sinon.restore();
    await t.close();
  });

  const upload = (pdf: Buffer, query = '', type = 'application/pdf') =>
    fetch(`${t.url}/sim/api/feeder${query}`, {
      method: 'PUT',
      headers: { 'Content-Type': type },
      body: new Uint8Array(pdf),
    });

  async function scanAll(settings: Parameters<typeof scanSettingsXml>[0]): Promise<Scan[]> {
    const created = await postJob(t.url, scanSettingsXml(settings));
    assert.equal(created.status, 201);
    const job = created.headers.get('location') ?? '';
    const scans: Scan[] = [];
    for (;;) {
      const res = await nextDocument(job);
      if (res.status === 404) return scans;
      assert.equal(res.status, 200);
      const image = sharp(Buffer.from(await res.arrayBuffer()));
      const { channels: sentChannels } = await image.metadata();
      const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
      scans.push({ data, ...info, sentChannels, dpi: settings.resolution ?? 150 });
      assert.ok(scans.length <= 60, 'the job ends');
    }
  }

  async function refusal(res: Response): Promise<{ status: number; code: string; message: string }> {
    const body = (await res.json()) as { error: { code: string; message: string } };
    return { status: res.status, ...body.error };
  }

  it('scans every page of an uploaded PDF over eSCL at the requested resolution and mode', async () => {
    const res = await upload(await twoPageLetter(), '?name=report.pdf');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      originals: [{ name: 'report.pdf', pages: 2 }],
      sheets: 2,
      reload: true,
    });

    const [first, second, ...more] = await scanAll({
      source: 'Feeder',
      colorMode: 'Grayscale8',
      resolution: 150,
    });
    assert.ok(first && second);
    assert.equal(more.length, 0, 'two pages, two images');
    for (const page of [first, second]) {
      assert.deepEqual(
        [page.width, page.height, page.sentChannels],
        [1275, 1650, 1],
        'Letter at 150 dpi, grey',
      );
    }
    const heading = { x: 72, y: 72, width: 200, height: 28 };
    const lowText = { x: 72, y: 600, width: 200, height: 28 };
    const rule = (y: number) => ({ x: 80, y: y - 1, width: 450, height: 2 });
    const margin = { x: 0, y: 0, width: 612, height: 60 };

    assert.ok(inkIn(first, heading) > 0.08, 'page 1 has its heading where the PDF put it');
    assert.ok(inkIn(first, rule(400)) > 0.95, 'page 1 has its rule at 400 pt');
    assert.equal(inkIn(first, lowText), 0, 'page 1 has nothing where page 2 has text');
    assert.equal(inkIn(first, margin), 0, 'the top margin is white');

    assert.ok(inkIn(second, lowText) > 0.08, 'page 2 has its text lower down');
    assert.ok(inkIn(second, rule(200)) > 0.95, 'page 2 has its rule at 200 pt');
    assert.equal(inkIn(second, heading), 0, 'page 2 has nothing where page 1 has its heading');
  });

  it('rasterises lazily, a page at a time, and scans the same settings again from the cache', async () => {
    const render = sinon.spy(PdfRasterizer.prototype, 'render');
    assert.equal((await upload(await twoPageLetter())).status, 200);
    assert.equal(render.callCount, 0, 'nothing is rendered at upload');

    assert.equal((await scanAll({ resolution: 100 })).length, 2);
    assert.deepEqual(
      render.getCalls().map((call) => [call.args[1], call.args[2].width, call.args[2].height]),
      [
        [1, 850, 1100],
        [2, 850, 1100],
      ],
    );
    assert.equal((await scanAll({ resolution: 100 })).length, 2);
    assert.equal(render.callCount, 2, 'a second scan at the same settings comes from the cache');
    assert.equal((await scanAll({ resolution: 75 })).length, 2);
    assert.equal(render.callCount, 4, 'another resolution renders again');
  });

  it('keeps colour for RGB24 and makes 1-bit pages for BlackAndWhite1', async () => {
    const pdf = await makePdf([{ square: { x: 288, y: 360, colour: '#d02020' }, ruleY: 100 }]);
    assert.equal((await upload(pdf)).status, 200);

    const [colour] = await scanAll({ colorMode: 'RGB24', resolution: 75 });
    assert.ok(colour);
    assert.deepEqual([colour.width, colour.height, colour.sentChannels], [638, 825, 3]);
    const at = (x: number, y: number) => {
      const i = (Math.round((y * 75) / 72) * colour.width + Math.round((x * 75) / 72)) * 3;
      return [...colour.data.subarray(i, i + 3)];
    };
    const [r, g, b] = at(324, 396);
    assert.ok((r ?? 0) > 170 && (g ?? 255) < 80 && (b ?? 255) < 80, `the square is red, got ${r},${g},${b}`);
    assert.deepEqual(at(100, 500), [255, 255, 255], 'the paper is white');

    const created = await postJob(
      t.url,
      scanSettingsXml({ colorMode: 'BlackAndWhite1', resolution: 200, format: 'image/png' }),
    );
    const png = Buffer.from(await (await nextDocument(created.headers.get('location') ?? '')).arrayBuffer());
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [1700, 2200, 1]);
    assert.equal(png.readUInt8(24), 1, 'the PNG is 1 bit deep');
  });

  it('takes each sheet’s size from its PDF page: A4, Legal, and landscape fed short edge first', async () => {
    const heading = { x: 72, y: 72, value: 'Landscape heading' };
    const pdf = await makePdf([
      { size: 'A4' },
      { size: 'LEGAL' },
      { size: 'LETTER', layout: 'landscape', text: heading },
    ]);
    assert.equal((await upload(pdf)).status, 200);
    const [a4, legal, landscape] = await scanAll({ resolution: 100 });
    assert.deepEqual([a4?.width, a4?.height], [827, 1169], 'A4 at 100 dpi');
    assert.deepEqual([legal?.width, legal?.height], [850, 1400], 'Legal at 100 dpi');
    assert.ok(landscape);
    assert.deepEqual([landscape.width, landscape.height], [850, 1100], 'the landscape page is fed portrait');
    // Turned a quarter clockwise: the heading along the top edge now runs down the right edge.
    assert.ok(inkIn(landscape, { x: 512, y: 72, width: 28, height: 200 }) > 0.08, 'heading on the right');
    assert.equal(inkIn(landscape, { x: 72, y: 72, width: 200, height: 28 }), 0);
  });

  it('reads a PDF sent with an image content type by what the file is', async () => {
    const res = await upload(await twoPageLetter(), '?name=mislabelled', 'image/png');
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { originals: unknown }).originals, [
      { name: 'mislabelled', pages: 2 },
    ]);
  });

  it('refuses broken, encrypted, oversized and too long PDFs with a reason, keeping the feeder as it was', async () => {
    const good = await twoPageLetter();

    const header = await refusal(await upload(Buffer.from('%PDF-1.7\n%âãÏÓ\n')));
    assert.equal(header.status, 400);
    assert.equal(header.code, 'INVALID_ORIGINAL');
    assert.match(header.message, /PDF cannot be read/);

    const noise = await refusal(await upload(Buffer.from('this is not a PDF at all, just text')));
    assert.deepEqual([noise.status, noise.code], [400, 'INVALID_ORIGINAL']);

    const truncated = await refusal(await upload(good.subarray(0, 400)));
    assert.deepEqual([truncated.status, truncated.code], [400, 'INVALID_ORIGINAL']);

    const locked = await refusal(await upload(await makePdf([{ ruleY: 100 }], { userPassword: 'secret' })));
    assert.deepEqual([locked.status, locked.code], [400, 'ENCRYPTED_ORIGINAL']);
    assert.match(locked.message, /password/);

    const a3 = await refusal(await upload(await makePdf([{ size: 'A4' }, { size: 'A3' }])));
    assert.deepEqual([a3.status, a3.code], [400, 'PAGE_SIZE_UNSUPPORTED']);
    assert.match(a3.message, /page 2 .* 297 × 420 mm/);

    const long = await refusal(await upload(await makePdf(Array.from({ length: 51 }, () => ({})))));
    assert.deepEqual([long.status, long.code], [413, 'TOO_MANY_PAGES']);
    assert.match(long.message, /51 pages; the feeder holds 50/);

    const feeder = await (await fetch(`${t.url}/sim/api/feeder`)).json();
    assert.deepEqual(feeder, { originals: [{ name: 'letter', pages: 3 }], sheets: 3, reload: true });
  });

  it('refuses an upload over the size limit with 413', async () => {
    const huge = Buffer.alloc(51 * 1024 * 1024, 0x20);
    huge.write('%PDF-1.4\n');
    const res = await refusal(await upload(huge));
    assert.deepEqual([res.status, res.code], [413, 'BODY_TOO_LARGE']);
  });
});
