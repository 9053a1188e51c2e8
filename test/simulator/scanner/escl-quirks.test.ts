import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { SimClock } from '../../../simulator/src/clock.ts';
import { quirksOf, VENDOR_COMMENT } from '../../../simulator/src/scanner/escl-quirks.ts';
import { postJob, scanSettingsXml, startTestScanner, type TestScanner } from './scanner-test-server.ts';

/** A raw GET: the bytes and headers as they are on the wire (fetch would undo the gzip). */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(url, { headers, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('simulator/scanner quirks profile (real devices played back, QUIRKS.md)', function () {
  this.timeout(20_000);
  let s: TestScanner;

  afterEach(async () => {
    await s.close();
  });

  it('the standard profile has none of them', async () => {
    s = await startTestScanner();
    assert.deepEqual(s.scanner.quirks, quirksOf('standard'));
    const caps = await rawGet(`${s.url}/eSCL/ScannerCapabilities`, { 'Accept-Encoding': 'gzip' });
    assert.equal(caps.headers['content-encoding'], undefined);
    assert.match(caps.body.toString(), /^<\?xml /);
    const created = await postJob(s.url, scanSettingsXml({}));
    assert.match(
      created.headers.get('location') ?? '',
      /^http:\/\/127\.0\.0\.1:\d+\/eSCL\/ScanJobs\/[0-9a-f-]{36}$/,
    );
  });

  it('XML: gzip + chunked as text/xml when the client accepts gzip, no declaration, HP vendor comment first', async () => {
    s = await startTestScanner(new SimClock(0.001), { profile: 'quirks' });
    const caps = await rawGet(`${s.url}/eSCL/ScannerCapabilities`, { 'Accept-Encoding': 'gzip, deflate' });
    assert.equal(caps.status, 200);
    assert.equal(caps.headers['content-encoding'], 'gzip');
    assert.equal(caps.headers['transfer-encoding'], 'chunked');
    assert.equal(caps.headers['content-length'], undefined);
    assert.equal(caps.headers['content-type'], 'text/xml');
    const xml = gunzipSync(caps.body).toString();
    assert.ok(xml.startsWith(VENDOR_COMMENT), xml.slice(0, 100));
    assert.doesNotMatch(xml, /<\?xml/);
    assert.match(xml, /<scan:ScannerCapabilities /);
    // A client that does not accept gzip gets plain XML (the quirk stays HTTP-correct).
    const plain = await rawGet(`${s.url}/eSCL/ScannerStatus`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.toString().startsWith(VENDOR_COMMENT));
  });

  it('job lifecycle: relative urn:uuid Location with a trailing slash, 409 when busy, 404 then 503s, pages without Content-Location', async () => {
    s = await startTestScanner(new SimClock(0.05), { profile: 'quirks' });
    const created = await postJob(s.url, scanSettingsXml({ source: 'Feeder' }));
    assert.equal(created.status, 201);
    const location = created.headers.get('location') ?? '';
    assert.match(location, /^\/eSCL\/ScanJobs\/urn:uuid:[0-9a-f-]{36}\/$/);
    const jobUrl = `${s.url}${location.replace(/\/$/, '')}`;

    const busy = await postJob(s.url, scanSettingsXml({ source: 'Feeder' }));
    assert.equal(busy.status, 409);

    const status = (await (await fetch(`${s.url}/eSCL/ScannerStatus`)).text()).toString();
    assert.ok(status.includes(`<pwg:JobUri>${location.replace(/\/$/, '')}</pwg:JobUri>`), status);
    assert.match(status, /<pwg:JobUuid>urn:uuid:[0-9a-f-]{36}<\/pwg:JobUuid>/);

    const codes: number[] = [];
    let page: Response | undefined;
    const deadline = Date.now() + 10_000;
    while (!page && Date.now() < deadline) {
      const res = await fetch(`${jobUrl}/NextDocument`);
      codes.push(res.status);
      if (res.status === 200) page = res;
      else {
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(page, `no page: ${codes.join(',')}`);
    // The Brother race first, then the warm-up's 503s (4 simulated seconds = 200 ms here).
    assert.equal(codes[0], 404);
    assert.ok(codes.slice(1, -1).length >= 2 && codes.slice(1, -1).every((c) => c === 503), codes.join(','));
    assert.equal(page.headers.get('content-location'), null);
    assert.equal(page.headers.get('content-type'), 'image/jpeg');
    await page.arrayBuffer();

    const deleted = await fetch(`${jobUrl}`, { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    assert.equal(s.scanner.activeJob(), undefined);
  });

  it('single quirks can be switched on the standard profile', async () => {
    s = await startTestScanner(new SimClock(0.001), { quirks: { relativeLocation: true } });
    const created = await postJob(s.url, scanSettingsXml({}));
    assert.match(created.headers.get('location') ?? '', /^\/eSCL\/ScanJobs\/[0-9a-f-]{36}\/$/);
  });
});
