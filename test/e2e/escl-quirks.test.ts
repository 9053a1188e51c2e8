import assert from 'node:assert/strict';
import sharp from 'sharp';
import { EsclScanner } from '../../edge-service/src/drivers/escl/escl-scanner.ts';
import type { ScannedPage } from '../../edge-service/src/domain/scanner.ts';
import { createLogger } from '../../simulator/src/logger.ts';
import { Simulator } from '../../simulator/src/simulator.ts';

/**
 * The edge's eSCL driver against the virtual MFP playing back real devices' quirks (QUIRKS.md):
 * relative urn:uuid job Locations with a trailing slash, gzip-encoded XML without declaration, the
 * Brother 404 race, seconds of 503 while warming up, pages without Content-Location, 409 when busy.
 */
describe('end to end: the edge scans a multi-page ADF job from a quirky scanner', function () {
  this.timeout(60_000);
  let simulator: Simulator;
  const logged: string[] = [];
  const logger = {
    debug: (_: object, msg: string) => logged.push(msg),
    info: (_: object, msg: string) => logged.push(msg),
    warn: (_: object, msg: string) => logged.push(msg),
  };

  before(async () => {
    simulator = new Simulator({
      port: 0,
      timeFactor: 0.05,
      scannerProfile: 'quirks',
      logger: createLogger({ level: 'silent' }),
    });
    await simulator.start();
  });
  after(async () => {
    await simulator?.stop();
  });

  it('gets every sheet of a duplex batch, front and back, at the size asked', async () => {
    const loaded = await fetch(`${simulator.url}/sim/api/feeder`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ originals: ['letter', 'form'] }),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(loaded.status, 200);
    const { sheets } = (await loaded.json()) as { sheets: number };
    assert.ok(sheets >= 3, `a multi-sheet batch (${sheets})`);

    const scanner = new EsclScanner({
      baseUrl: simulator.deviceUrls.scannerUrl,
      logger,
      retry: { notReadyFirstDelayMs: 20, notReadyMaxDelayMs: 50, goneDelayMs: 20 },
    });
    const capabilities = await scanner.capabilities();
    assert.ok(capabilities.sources.adf?.duplex, 'capabilities parsed from gzip XML without declaration');

    const pages: ScannedPage[] = [];
    for await (const page of scanner.scan({
      source: 'adf',
      duplex: true,
      colorMode: 'gray',
      resolution: 150,
      width: 2480,
      height: 3508,
      documentFormat: 'image/jpeg',
    }))
      pages.push(page);

    assert.equal(pages.length, sheets * 2);
    assert.deepEqual(
      pages.map((p) => p.number),
      pages.map((_, i) => i + 1),
    );
    for (const page of pages) {
      assert.equal(page.contentType, 'image/jpeg');
      const { width, height, channels } = await sharp(page.data).metadata();
      // A4 at 150 dpi: 1240 × 1754.
      assert.deepEqual([width, height, channels], [1240, 1754, 1]);
    }
    // The quirks were really there: the driver retried through the 404 race and the warm-up.
    assert.ok(
      logged.some((m) => /gone while the job runs/.test(m)),
      logged.join('\n'),
    );
    assert.equal(simulator.scanner.activeJob(), undefined);
  });

  it('a second client gets 409 while the scanner is busy, and the edge reports it as busy', async () => {
    const first = new EsclScanner({ baseUrl: simulator.deviceUrls.scannerUrl });
    const second = new EsclScanner({
      baseUrl: simulator.deviceUrls.scannerUrl,
      retry: { busyAttempts: 1, busyDelayMs: 1 },
    });
    const request = {
      source: 'adf' as const,
      duplex: false,
      colorMode: 'gray' as const,
      resolution: 75,
      width: 2480,
      height: 3508,
      documentFormat: 'image/jpeg' as const,
    };
    const controller = new AbortController();
    const running = first.scan(request, controller.signal)[Symbol.asyncIterator]();
    const firstPage = running.next();
    // Wait until the first job exists on the device.
    const deadline = Date.now() + 10_000;
    while (!simulator.scanner.activeJob() && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(simulator.scanner.activeJob());
    await assert.rejects(
      async () => {
        for await (const _ of second.scan(request)) void _;
      },
      (error: { code?: string }) => error.code === 'SCANNER_BUSY',
    );
    await firstPage;
    await running.return?.(undefined);
    controller.abort();
  });
});
