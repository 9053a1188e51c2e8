import assert from 'node:assert/strict';
import {
  EsclClient,
  EsclError,
  findJob,
  resolveJobPath,
  type EsclDocument,
  type EsclRetry,
} from '../../../../edge-service/src/drivers/escl/escl-client.ts';
import { FakeEsclServer, JPEG_PAGE, PNG_PAGE, type FakeReply } from './fake-escl-server.ts';

const FAST_RETRY: Partial<EsclRetry> = {
  notReadyFirstDelayMs: 1,
  notReadyMaxDelayMs: 5,
  goneDelayMs: 5,
  busyDelayMs: 1,
  busyAttempts: 3,
};

const SETTINGS = '<scan:ScanSettings/>';
const CREATED: FakeReply = { status: 201, headers: { Location: '/eSCL/ScanJobs/7' } };
const NEXT = 'GET /eSCL/ScanJobs/7/NextDocument';
const JPEG: FakeReply = { status: 200, headers: { 'Content-Type': 'image/jpeg' }, body: JPEG_PAGE };

async function collect(pages: AsyncIterable<EsclDocument>): Promise<EsclDocument[]> {
  const out: EsclDocument[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

function expectEscl(error: unknown, code: EsclError['code']): EsclError {
  assert.ok(error instanceof EsclError, `expected EsclError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

describe('escl-client', () => {
  describe('resolveJobPath (QUIRKS 1)', () => {
    const request = 'http://127.0.0.1:8090/eSCL/ScanJobs';
    const cases: [string, string][] = [
      ['http://192.168.0.20/eSCL/ScanJobs/1cdb8df1-2898', '/eSCL/ScanJobs/1cdb8df1-2898'],
      ['/eSCL/ScanJobs/2/', '/eSCL/ScanJobs/2'],
      ['ScanJobs/3', '/eSCL/ScanJobs/3'],
      ['http://[fe80/eSCL/ScanJobs/4060', '/eSCL/ScanJobs/4060'],
      ['http://CN26F178X605SZ.03f011b0.hpLedmUSB/eSCL/ScanJobs/5', '/eSCL/ScanJobs/5'],
      ['/eSCL/ScanJobs/urn:uuid:4509a320-00a0', '/eSCL/ScanJobs/urn:uuid:4509a320-00a0'],
      [' /eSCL//ScanJobs/6// ', '/eSCL/ScanJobs/6'],
    ];
    for (const [location, path] of cases) {
      it(`${JSON.stringify(location)} → ${path}`, () =>
        assert.equal(resolveJobPath(location, request), path));
    }

    it('finds a job in ScannerStatus whatever its URI shape', () => {
      const job = (jobUri: string) => ({
        jobUri,
        jobUuid: null,
        jobState: 'Processing',
        reasons: [],
        imagesCompleted: 0,
        imagesToTransfer: null,
        age: null,
      });
      assert.equal(
        findJob([job('/eSCL/ScanJobs/1'), job('/eSCL/ScanJobs/2/')], '/eSCL/ScanJobs/2')?.jobUri,
        '/eSCL/ScanJobs/2/',
      );
      assert.equal(
        findJob([job('http://host/eSCL/ScanJobs/9')], '/eSCL/ScanJobs/9')?.jobUri,
        'http://host/eSCL/ScanJobs/9',
      );
      assert.equal(findJob([job('/eSCL/ScanJobs/1')], '/eSCL/ScanJobs/2'), undefined);
    });
  });

  describe('against a scripted device', () => {
    let server: FakeEsclServer;
    let client: EsclClient;

    beforeEach(async () => {
      server = new FakeEsclServer();
      await server.start();
      client = new EsclClient({
        baseUrl: server.baseUrl,
        retry: FAST_RETRY,
        timeouts: { readMs: 200, requestMs: 500 },
      });
    });

    afterEach(async () => {
      await server.stop();
    });

    it('reads capabilities and status', async () => {
      const caps = await client.getCapabilities();
      assert.equal(caps.makeAndModel, 'Fake MFP');
      server.state.adfState = 'ScannerAdfJam';
      const status = await client.getStatus();
      assert.equal(status.adfState, 'ScannerAdfJam');
    });

    it('follows a relative Location with a trailing slash to NextDocument', async () => {
      server
        .script('POST /eSCL/ScanJobs', [{ status: 201, headers: { Location: '/eSCL/ScanJobs/2/' } }])
        .script('GET /eSCL/ScanJobs/2/NextDocument', [JPEG]);
      const pages = await collect(client.scanJob(SETTINGS, { feeder: false }));
      assert.equal(pages.length, 1);
      assert.equal(pages[0]?.contentType, 'image/jpeg');
      assert.deepEqual(pages[0]?.data, JPEG_PAGE);
      const post = server.requests.find((request) => request.method === 'POST');
      assert.equal(post?.body, SETTINGS);
      assert.match(String(post?.headers['content-type']), /text\/xml/);
      // One platen page: the client does not ask again, nor DELETE a finished job.
      assert.equal(server.count('GET /eSCL/ScanJobs/2/NextDocument'), 1);
      assert.equal(server.requests.filter((request) => request.method === 'DELETE').length, 0);
    });

    it('retries 503 ×3, takes 200 ×2 and ends at 404', async () => {
      server
        .script('POST /eSCL/ScanJobs', [CREATED])
        .script(NEXT, [
          { status: 503 },
          { status: 503 },
          { status: 503 },
          JPEG,
          { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: PNG_PAGE },
          { status: 404 },
        ]);
      server.state.jobs = [{ uri: '/eSCL/ScanJobs/7', state: 'Completed' }];
      const pages = await collect(client.scanJob(SETTINGS, { feeder: true }));
      assert.deepEqual(
        pages.map((page) => page.contentType),
        ['image/jpeg', 'image/png'],
      );
      assert.equal(server.count(NEXT), 6);
      assert.equal(server.requests.filter((request) => request.method === 'DELETE').length, 0);
    });

    it('gives up on a page that stays 503 after the configured tries', async () => {
      client = new EsclClient({ baseUrl: server.baseUrl, retry: { ...FAST_RETRY, notReadyAttempts: 4 } });
      server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [{ status: 503 }]);
      const error = await rejection(collect(client.scanJob(SETTINGS, { feeder: true })));
      expectEscl(error, 'timeout');
      assert.equal(server.count(NEXT), 4);
      assert.equal(server.count('DELETE /eSCL/ScanJobs/7'), 1);
    });

    it('retries a 404/410 while the job still runs (Brother race, Xerox retry-later)', async () => {
      const job = { uri: '/eSCL/ScanJobs/7/', state: 'Processing' };
      server.state.jobs = [job];
      server
        .script('POST /eSCL/ScanJobs', [CREATED])
        .script(NEXT, [
          JPEG,
          { status: 404 },
          { status: 410 },
          JPEG,
          { status: 404, effect: () => (job.state = 'Completed') },
        ]);
      const pages = await collect(client.scanJob(SETTINGS, { feeder: true }));
      assert.equal(pages.length, 2);
      assert.equal(server.count(NEXT), 5);
    });

    it('reports an empty feeder when the first NextDocument is 404', async () => {
      server.state.adfState = 'ScannerAdfEmpty';
      server.state.jobs = [{ uri: '/eSCL/ScanJobs/7', state: 'Aborted' }];
      server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [{ status: 404 }]);
      expectEscl(await rejection(collect(client.scanJob(SETTINGS, { feeder: true }))), 'feeder-empty');
    });

    it('reports busy on 409 from ScanJobs, or what the status says is wrong', async () => {
      server.script('POST /eSCL/ScanJobs', [{ status: 409 }]);
      expectEscl(await rejection(client.createJob(SETTINGS, { feeder: true })), 'busy');
      server.state.adfState = 'ScannerAdfJam';
      expectEscl(await rejection(client.createJob(SETTINGS, { feeder: true })), 'jam');
      server.state.adfState = 'ScannerAdfHatchOpen';
      expectEscl(await rejection(client.createJob(SETTINGS, { feeder: true })), 'cover-open');
      server.state.adfState = 'ScannerAdfEmpty';
      expectEscl(await rejection(client.createJob(SETTINGS, { feeder: true })), 'feeder-empty');
    });

    it('retries 503 on ScanJobs, then reports busy', async () => {
      server.script('POST /eSCL/ScanJobs', [{ status: 503 }, { status: 503 }, CREATED]);
      assert.equal(await client.createJob(SETTINGS, { feeder: false }), '/eSCL/ScanJobs/7');
      server.script('POST /eSCL/ScanJobs', [
        { status: 503, headers: { 'Content-Type': 'text/html' }, body: '<html/>' },
      ]);
      const before = server.count('POST /eSCL/ScanJobs');
      expectEscl(await rejection(client.createJob(SETTINGS, { feeder: false })), 'busy');
      assert.equal(server.count('POST /eSCL/ScanJobs') - before, 3);
    });

    it('treats a ScanJobs answer without Location (an HTML page with 200) as a device error', async () => {
      server.script('POST /eSCL/ScanJobs', [
        { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>Error</html>' },
      ]);
      expectEscl(await rejection(client.createJob(SETTINGS, { feeder: false })), 'device-error');
    });

    it('reports a jam in the middle of a job and deletes the job', async () => {
      server
        .script('POST /eSCL/ScanJobs', [CREATED])
        .script(NEXT, [JPEG, { status: 500, effect: () => (server.state.adfState = 'ScannerAdfJam') }]);
      const pages: EsclDocument[] = [];
      const error = await rejection(
        (async () => {
          for await (const page of client.scanJob(SETTINGS, { feeder: true })) pages.push(page);
        })(),
      );
      expectEscl(error, 'jam');
      assert.equal(pages.length, 1);
      assert.equal(server.count('DELETE /eSCL/ScanJobs/7'), 1);
    });

    it('rejects an HTML page served with 200 as a page', async () => {
      server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [
        {
          status: 200,
          headers: { 'Content-Type': 'text/html' },
          body: '<!DOCTYPE html><html><body>Scanner error</body></html>',
        },
      ]);
      expectEscl(await rejection(collect(client.scanJob(SETTINGS, { feeder: true }))), 'device-error');
      assert.equal(server.count('DELETE /eSCL/ScanJobs/7'), 1);
    });

    it('times out a NextDocument that never answers, then retries it', async () => {
      server
        .script('POST /eSCL/ScanJobs', [CREATED])
        .script(NEXT, [{ status: 200, hang: true }, JPEG, { status: 404 }]);
      const pages = await collect(client.scanJob(SETTINGS, { feeder: true }));
      assert.equal(pages.length, 1);
      assert.equal(server.count(NEXT), 3);
    });

    it('fails with a timeout when NextDocument keeps hanging mid-body, and deletes the job', async () => {
      server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [
        {
          status: 200,
          headers: { 'Content-Type': 'image/jpeg' },
          body: JPEG_PAGE.subarray(0, 8),
          hangBody: true,
        },
      ]);
      expectEscl(await rejection(collect(client.scanJob(SETTINGS, { feeder: true }))), 'timeout');
      assert.equal(server.count(NEXT), 2);
      assert.equal(server.count('DELETE /eSCL/ScanJobs/7'), 1);
    });

    it('does not time out a slow page whose bytes keep coming', async () => {
      // readMs is 200: the whole page takes ~10 × 60 ms, each gap far below it.
      const chunks = Array.from({ length: 10 }, (_, index) =>
        index === 0 ? JPEG_PAGE.subarray(0, 4) : Buffer.alloc(16, index),
      );
      server
        .script('POST /eSCL/ScanJobs', [CREATED])
        .script(NEXT, [
          { status: 200, headers: { 'Content-Type': 'image/jpeg' }, drip: { chunks, intervalMs: 60 } },
          { status: 404 },
        ]);
      const pages = await collect(client.scanJob(SETTINGS, { feeder: true }));
      assert.equal(pages.length, 1);
      assert.equal(pages[0]?.data.length, 4 + 9 * 16);
    });

    it('runs a 60-page job that lasts far longer than the per-read timeout', async () => {
      const slowPage: FakeReply = {
        status: 200,
        headers: { 'Content-Type': 'image/jpeg' },
        drip: { chunks: [JPEG_PAGE.subarray(0, 4), JPEG_PAGE.subarray(4)], intervalMs: 5 },
      };
      server
        .script('POST /eSCL/ScanJobs', [CREATED])
        .script(NEXT, [...Array.from({ length: 60 }, () => slowPage), { status: 404 }]);
      const started = Date.now();
      const pages = await collect(client.scanJob(SETTINGS, { feeder: true }));
      assert.equal(pages.length, 60);
      assert.ok(Date.now() - started > 200, 'the job outlasted readMs, so the timer is per read');
    });

    it('cancels: an abort stops the NextDocument loop and DELETEs the job', async () => {
      const controller = new AbortController();
      server
        .script('POST /eSCL/ScanJobs', [CREATED])
        .script(NEXT, [
          JPEG,
          { status: 503, effect: () => setImmediate(() => controller.abort(new Error('user cancelled'))) },
        ]);
      const error = await rejection(
        collect(client.scanJob(SETTINGS, { feeder: true, signal: controller.signal })),
      );
      assert.ok(error instanceof Error);
      assert.equal(error.message, 'user cancelled');
      assert.equal(server.count('DELETE /eSCL/ScanJobs/7'), 1);
    });

    it('cancels while a NextDocument is in flight', async () => {
      const controller = new AbortController();
      server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [{ status: 200, hang: true }]);
      client = new EsclClient({ baseUrl: server.baseUrl, retry: FAST_RETRY, timeouts: { readMs: 10_000 } });
      setTimeout(() => controller.abort(new Error('stop')), 50);
      const error = await rejection(
        collect(client.scanJob(SETTINGS, { feeder: true, signal: controller.signal })),
      );
      assert.equal((error as Error).message, 'stop');
      assert.equal(server.count('DELETE /eSCL/ScanJobs/7'), 1);
    });

    it('refuses a page over the image limit as it streams in, and deletes the job', async () => {
      client = new EsclClient({
        baseUrl: server.baseUrl,
        retry: FAST_RETRY,
        timeouts: { readMs: 500, requestMs: 500 },
        limits: { maxImageBytes: 1024 },
      });
      // No Content-Length (chunked): only counting the bytes as they come can stop it.
      const chunks = [JPEG_PAGE.subarray(0, 4), ...Array.from({ length: 8 }, () => Buffer.alloc(512, 7))];
      server
        .script('POST /eSCL/ScanJobs', [CREATED])
        .script(NEXT, [
          { status: 200, headers: { 'Content-Type': 'image/jpeg' }, drip: { chunks, intervalMs: 2 } },
        ]);
      const error = expectEscl(
        await rejection(collect(client.scanJob(SETTINGS, { feeder: true }))),
        'image-too-large',
      );
      assert.match(error.message, /page 1 is more than the 1 KiB a page may have/);
      assert.equal(server.count('DELETE /eSCL/ScanJobs/7'), 1);
    });

    it('refuses at once a page whose Content-Length is over the limit', async () => {
      client = new EsclClient({
        baseUrl: server.baseUrl,
        retry: FAST_RETRY,
        timeouts: { readMs: 10_000, requestMs: 500 },
        limits: { maxImageBytes: 1024 * 1024 },
      });
      server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [
        {
          status: 200,
          headers: { 'Content-Type': 'image/jpeg', 'Content-Length': String(200 * 1024 * 1024) },
          body: JPEG_PAGE,
          hangBody: true,
        },
      ]);
      const error = expectEscl(
        await rejection(collect(client.scanJob(SETTINGS, { feeder: true }))),
        'image-too-large',
      );
      assert.match(error.message, /page 1 is 200 MiB, more than the 1 MiB a page may have/);
    });

    it('refuses an XML answer over the XML limit as a device error', async () => {
      client = new EsclClient({ baseUrl: server.baseUrl, retry: FAST_RETRY, limits: { maxXmlBytes: 256 } });
      const error = expectEscl(await rejection(client.getCapabilities()), 'device-error');
      assert.match(error.message, /GET ScannerCapabilities is .*more than 256 bytes/);
    });

    it('DELETEs the job when the consumer stops reading early', async () => {
      server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [JPEG]);
      for await (const page of client.scanJob(SETTINGS, { feeder: true })) {
        assert.ok(page.data.length > 0);
        break;
      }
      assert.equal(server.count('DELETE /eSCL/ScanJobs/7'), 1);
    });
  });

  it('counts page bytes as they stream and never reads past the limit', async () => {
    let pulled = 0;
    let cancelled = false;
    let aborted = false;
    const flood = (async (_input: string | URL | Request, init?: RequestInit) => {
      init?.signal?.addEventListener('abort', () => (aborted = true));
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            pulled++;
            // 1 MiB in all: far past the limit, yet a client without one still gets to the end.
            if (pulled > 256) return controller.close();
            controller.enqueue(pulled === 1 ? new Uint8Array(JPEG_PAGE) : new Uint8Array(4096));
          },
          cancel() {
            cancelled = true;
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { status: 200, headers: { 'Content-Type': 'image/jpeg' } });
    }) as typeof fetch;
    const client = new EsclClient({
      baseUrl: 'http://scanner.invalid/eSCL',
      fetch: flood,
      limits: { maxImageBytes: 16 * 1024 },
    });
    expectEscl(
      await rejection(collect(client.documents('/eSCL/ScanJobs/1', { feeder: false }))),
      'image-too-large',
    );
    // 16 KiB in 4 KiB chunks: the fifth chunk crosses the limit, and nothing is read after it.
    assert.ok(pulled <= 7, `pulled ${pulled} chunks`);
    assert.ok(cancelled, 'the body was cancelled');
    assert.ok(aborted, 'the request was aborted, so the connection is dropped, not drained');
  });

  it('reports offline when nothing listens', async () => {
    const server = new FakeEsclServer();
    await server.start();
    const baseUrl = server.baseUrl;
    await server.stop();
    const client = new EsclClient({ baseUrl, retry: FAST_RETRY });
    expectEscl(await rejection(client.getStatus()), 'offline');
  });
});
