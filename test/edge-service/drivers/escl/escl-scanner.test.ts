import assert from 'node:assert/strict';
import sinon from 'sinon';
import { EdgeError } from '../../../../edge-service/src/edge-error.ts';
import type {
  ScanRequest,
  ScannedPage,
  ScannerCapabilities,
} from '../../../../edge-service/src/domain/scanner.ts';
import { EsclScanner, fitRequest } from '../../../../edge-service/src/drivers/escl/escl-scanner.ts';
import { parseScanSettings } from '../../../../edge-service/src/drivers/escl/escl-xml.ts';
import { FakeEsclServer, JPEG_PAGE, type FakeReply } from './fake-escl-server.ts';

const RETRY = {
  notReadyFirstDelayMs: 1,
  notReadyMaxDelayMs: 2,
  goneDelayMs: 2,
  busyDelayMs: 1,
  busyAttempts: 2,
};
const CREATED: FakeReply = { status: 201, headers: { Location: 'http://printer.local/eSCL/ScanJobs/9/' } };
const NEXT = 'GET /eSCL/ScanJobs/9/NextDocument';
const JPEG: FakeReply = { status: 200, headers: { 'Content-Type': 'image/jpeg' }, body: JPEG_PAGE };

const ADF_REQUEST: ScanRequest = {
  source: 'adf',
  duplex: true,
  colorMode: 'gray',
  resolution: 250,
  width: 2480,
  height: 3508,
  documentFormat: 'image/jpeg',
};

async function collect(pages: AsyncIterable<ScannedPage>): Promise<ScannedPage[]> {
  const out: ScannedPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function edgeFailure(run: () => Promise<unknown>, code: EdgeError['code']): Promise<EdgeError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof EdgeError, `expected EdgeError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('EsclScanner', () => {
  let server: FakeEsclServer;
  let scanner: EsclScanner;

  beforeEach(async () => {
    server = new FakeEsclServer();
    await server.start();
    scanner = new EsclScanner({
      baseUrl: server.baseUrl,
      retry: RETRY,
      timeouts: { readMs: 300, requestMs: 500 },
    });
  });

  afterEach(async () => {
    await server.stop();
  });

  it('scans the feeder page by page with settings fitted to the device', async () => {
    server
      .script('POST /eSCL/ScanJobs', [CREATED])
      .script(NEXT, [{ status: 503 }, JPEG, JPEG, JPEG, { status: 404 }]);
    const pages = await collect(scanner.scan(ADF_REQUEST));
    assert.deepEqual(
      pages.map((page) => [page.number, page.contentType, page.data.length]),
      [
        [1, 'image/jpeg', JPEG_PAGE.length],
        [2, 'image/jpeg', JPEG_PAGE.length],
        [3, 'image/jpeg', JPEG_PAGE.length],
      ],
    );
    const post = server.requests.find((request) => request.method === 'POST');
    const settings = parseScanSettings(post!.body);
    assert.equal(settings.inputSource, 'Feeder');
    assert.equal(settings.duplex, true);
    assert.equal(settings.xResolution, 300, '250 dpi is not offered: the next one up');
    assert.equal(settings.colorMode, 'Grayscale8');
    assert.equal(settings.region?.height, 3508);
    assert.equal(server.count('DELETE /eSCL/ScanJobs/9'), 0);
  });

  it('yields each page as it arrives, before the next one is read', async () => {
    server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [JPEG, JPEG, { status: 404 }]);
    const seen: number[] = [];
    for await (const page of scanner.scan(ADF_REQUEST)) {
      seen.push(server.count(NEXT));
      assert.equal(page.number, seen.length);
    }
    assert.deepEqual(seen, [1, 2]);
  });

  it('refuses an empty feeder before starting a job (FEEDER_EMPTY)', async () => {
    server.state.adfState = 'ScannerAdfEmpty';
    await edgeFailure(() => collect(scanner.scan(ADF_REQUEST)), 'FEEDER_EMPTY');
    assert.equal(server.count('POST /eSCL/ScanJobs'), 0);
  });

  it('reports a jammed feeder (SCANNER_JAM) and an open hatch (COVER_OPEN) before starting', async () => {
    server.state.adfState = 'ScannerAdfJam';
    await edgeFailure(() => collect(scanner.scan(ADF_REQUEST)), 'SCANNER_JAM');
    server.state.adfState = 'ScannerAdfHatchOpen';
    await edgeFailure(() => collect(scanner.scan(ADF_REQUEST)), 'COVER_OPEN');
    assert.equal(server.count('POST /eSCL/ScanJobs'), 0);
  });

  it('reports a jam mid-job with the page it happened on, and deletes the job', async () => {
    server
      .script('POST /eSCL/ScanJobs', [CREATED])
      .script(NEXT, [JPEG, { status: 503, effect: () => (server.state.adfState = 'ScannerAdfJam') }]);
    const pages: ScannedPage[] = [];
    const error = await edgeFailure(async () => {
      for await (const page of scanner.scan(ADF_REQUEST)) pages.push(page);
    }, 'SCANNER_JAM');
    assert.equal(pages.length, 1);
    assert.equal(error.page, 2);
    assert.equal(server.count('DELETE /eSCL/ScanJobs/9'), 1);
  });

  it('maps a page over the size limit to IMAGE_TOO_LARGE with its page number, and deletes the job', async () => {
    scanner = new EsclScanner({
      baseUrl: server.baseUrl,
      retry: RETRY,
      timeouts: { readMs: 300, requestMs: 500 },
      limits: { maxImageBytes: 1024 },
    });
    const big: FakeReply = {
      status: 200,
      headers: { 'Content-Type': 'image/jpeg' },
      body: Buffer.concat([JPEG_PAGE, Buffer.alloc(4096)]),
    };
    server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [JPEG, big]);
    const pages: ScannedPage[] = [];
    const error = await edgeFailure(async () => {
      for await (const page of scanner.scan(ADF_REQUEST)) pages.push(page);
    }, 'IMAGE_TOO_LARGE');
    assert.equal(pages.length, 1);
    assert.equal(error.page, 2);
    assert.match(error.message, /page 2 is .*more than the 1 KiB/);
    assert.equal(server.count('DELETE /eSCL/ScanJobs/9'), 1);
  });

  it('maps an oversized first page to IMAGE_TOO_LARGE on page 1', async () => {
    scanner = new EsclScanner({ baseUrl: server.baseUrl, retry: RETRY, limits: { maxImageBytes: 32 } });
    server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [JPEG]);
    const error = await edgeFailure(() => collect(scanner.scan(ADF_REQUEST)), 'IMAGE_TOO_LARGE');
    assert.equal(error.page, 1);
  });

  it('maps 409 on ScanJobs to SCANNER_BUSY', async () => {
    server.script('POST /eSCL/ScanJobs', [{ status: 409 }]);
    await edgeFailure(() => collect(scanner.scan({ ...ADF_REQUEST, source: 'platen' })), 'SCANNER_BUSY');
  });

  it('maps a long 503 on ScanJobs to SCANNER_BUSY', async () => {
    server.script('POST /eSCL/ScanJobs', [{ status: 503 }]);
    await edgeFailure(() => collect(scanner.scan(ADF_REQUEST)), 'SCANNER_BUSY');
    assert.equal(server.count('POST /eSCL/ScanJobs'), 2);
  });

  it('maps an empty feeder seen only at the first NextDocument to FEEDER_EMPTY', async () => {
    server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [{ status: 404 }]);
    await edgeFailure(() => collect(scanner.scan(ADF_REQUEST)), 'FEEDER_EMPTY');
  });

  it('maps an HTML page served as capabilities to SCANNER_ERROR', async () => {
    server.script('GET /eSCL/ScannerCapabilities', [
      {
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: '<!doctype html><html><link rel=x></html>',
      },
    ]);
    const error = await edgeFailure(() => scanner.capabilities(), 'SCANNER_ERROR');
    assert.match(String((error.cause as Error).message), /HTML/);
  });

  it('maps a scanner that does not answer to SCANNER_OFFLINE', async () => {
    const baseUrl = server.baseUrl;
    await server.stop();
    const offline = new EsclScanner({ baseUrl, retry: RETRY });
    await edgeFailure(() => offline.status(), 'SCANNER_OFFLINE');
    await edgeFailure(() => collect(offline.scan(ADF_REQUEST)), 'SCANNER_OFFLINE');
  });

  it('maps a NextDocument that keeps hanging to SCANNER_OFFLINE', async () => {
    server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [{ status: 200, hang: true }]);
    await edgeFailure(() => collect(scanner.scan(ADF_REQUEST)), 'SCANNER_OFFLINE');
    assert.equal(server.count('DELETE /eSCL/ScanJobs/9'), 1);
  });

  it('cancels the job at the device when the signal aborts, and rethrows the abort', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [JPEG, { status: 503 }]);
    const pages: ScannedPage[] = [];
    let caught: unknown;
    try {
      for await (const page of scanner.scan(ADF_REQUEST, controller.signal)) {
        pages.push(page);
        controller.abort(reason);
      }
    } catch (error) {
      caught = error;
    }
    assert.equal(caught, reason);
    assert.equal(pages.length, 1);
    assert.equal(server.count('DELETE /eSCL/ScanJobs/9'), 1);
  });

  it('status() gives the scanner and feeder state', async () => {
    server.state.scannerState = 'Processing';
    server.state.adfState = 'ScannerAdfLoaded';
    assert.deepEqual(await scanner.status(), { state: 'processing', adfState: 'ScannerAdfLoaded' });
  });

  it('logs through the injected logger', async () => {
    const logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy() };
    const logged = new EsclScanner({ baseUrl: server.baseUrl, retry: RETRY, logger });
    server.script('POST /eSCL/ScanJobs', [CREATED]).script(NEXT, [JPEG, { status: 404 }]);
    await collect(logged.scan(ADF_REQUEST));
    assert.ok(logger.info.calledWithMatch(sinon.match.object, 'eSCL scan job done'));
  });
});

describe('fitRequest', () => {
  const caps: ScannerCapabilities = {
    makeAndModel: 'Test',
    sources: {
      platen: {
        colorModes: ['color', 'gray'],
        resolutions: [150, 300, 600],
        documentFormats: ['image/jpeg'],
        maxWidth: 2550,
        maxHeight: 3300,
      },
    },
  };

  it('refuses a source the device does not have', () => {
    assert.throws(
      () => fitRequest(ADF_REQUEST, caps),
      (error: unknown) =>
        error instanceof EdgeError && error.code === 'SCANNER_ERROR' && /feeder/.test(error.message),
    );
  });

  it('fits colour mode, resolution, format and area, and never asks duplex of the platen', () => {
    const fitted = fitRequest(
      { ...ADF_REQUEST, source: 'platen', colorMode: 'bw', resolution: 1200, documentFormat: 'image/png' },
      caps,
    );
    assert.deepEqual(fitted, {
      source: 'platen',
      duplex: false,
      colorMode: 'gray',
      resolution: 600,
      width: 2480,
      height: 3300,
      documentFormat: 'image/jpeg',
    });
  });
});
