import assert from 'node:assert/strict';
import sharp from 'sharp';
import {
  nextDocument,
  postJob,
  scanSettingsXml,
  startTestScanner,
  type TestScanner,
} from './scanner-test-server.ts';

describe('simulator feeder control API', () => {
  let t: TestScanner;
  beforeEach(async () => {
    t = await startTestScanner();
  });
  afterEach(async () => {
    await t.close();
  });

  const feeder = () => `${t.url}/sim/api/feeder`;
  const put = (body: BodyInit, type: string, query = '') =>
    fetch(`${feeder()}${query}`, { method: 'PUT', headers: { 'Content-Type': type }, body });

  it('starts with the three-page letter, reloaded after every job', async () => {
    const res = await fetch(feeder());
    assert.deepEqual(await res.json(), {
      originals: [{ name: 'letter', pages: 3 }],
      sheets: 3,
      reload: true,
    });
  });

  it('loads built-in samples; without reload the pages are consumed by a job', async () => {
    const res = await put(
      JSON.stringify({ originals: ['form', 'photo'], reload: false }),
      'application/json',
    );
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      originals: [
        { name: 'form', pages: 1 },
        { name: 'photo', pages: 1 },
      ],
      sheets: 2,
      reload: false,
    });
    const job = (await postJob(t.url, scanSettingsXml({ resolution: 75 }))).headers.get('location') ?? '';
    assert.equal((await nextDocument(job)).status, 200);
    assert.equal((await nextDocument(job)).status, 200);
    assert.equal((await nextDocument(job)).status, 404);
    assert.equal(((await (await fetch(feeder())).json()) as { sheets: number }).sheets, 0);
    assert.equal((await postJob(t.url, scanSettingsXml({}))).status, 409);
  });

  it('rejects unknown sample names with a JSON error', async () => {
    const res = await put(JSON.stringify({ originals: ['letter', 'novel'] }), 'application/json');
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'UNKNOWN_SAMPLE');
    assert.match(body.error.message, /novel/);
  });

  it('loads an uploaded image as an A4-wide original and scans it at the requested resolution', async () => {
    const png = await sharp({ create: { width: 620, height: 877, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const res = await put(png, 'image/png', '?name=red-page');
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { originals: unknown }).originals, [
      { name: 'red-page', pages: 1 },
    ]);
    const job = (await postJob(t.url, scanSettingsXml({ colorMode: 'RGB24', resolution: 150 }))).headers.get(
      'location',
    );
    const page = await nextDocument(job ?? '');
    const { data, info } = await sharp(Buffer.from(await page.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 1240);
    assert.ok(Math.abs(info.height - 1754) <= 2);
    assert.ok((data[0] ?? 0) > 150 && (data[1] ?? 255) < 100, 'the page is the uploaded red');
  });

  it('rejects bodies that are not images or PDFs, and files that only claim to be one', async () => {
    const text = await put('hello', 'text/plain');
    assert.equal(text.status, 400);
    assert.equal(((await text.json()) as { error: { code: string } }).error.code, 'INVALID_ORIGINAL');
    const garbage = await put(Buffer.from('not really a jpeg'), 'image/jpeg');
    assert.equal(garbage.status, 400);
    assert.equal(((await garbage.json()) as { error: { code: string } }).error.code, 'INVALID_ORIGINAL');
    const pdf = await put(Buffer.from('%PDF-1.4\n'), 'application/pdf');
    assert.equal(pdf.status, 400);
    assert.equal(((await pdf.json()) as { error: { code: string } }).error.code, 'INVALID_ORIGINAL');
  });

  it('answers body errors with the control API codes: INVALID_BODY, NOT_FOUND', async () => {
    const malformed = await put('{"originals": [', 'application/json');
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { error: { code: string } }).error.code, 'INVALID_BODY');
    const elsewhere = await fetch(`${feeder()}/nowhere`);
    assert.equal(elsewhere.status, 404);
    assert.equal(((await elsewhere.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });
});
