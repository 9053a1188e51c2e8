import assert from 'node:assert/strict';
import { Simulator } from '../../../../simulator/src/simulator.ts';
import { createLogger } from '../../../../simulator/src/logger.ts';
import { EsclClient } from '../../../../edge-service/src/drivers/escl/escl-client.ts';
import { buildScanSettings } from '../../../../edge-service/src/drivers/escl/escl-xml.ts';
import { EsclScanner } from '../../../../edge-service/src/drivers/escl/escl-scanner.ts';
import type { ScanRequest } from '../../../../edge-service/src/domain/scanner.ts';

const REQUEST: ScanRequest = {
  source: 'adf',
  duplex: false,
  colorMode: 'gray',
  resolution: 150,
  width: 2480,
  height: 3508,
  documentFormat: 'image/jpeg',
};

/*
 * An edge that restarts mid-scan finds the device's job still open: EsclScanner.resume() reads on
 * from where the edge's spool ends, but only when the device's counters show no page went astray.
 */
describe('EsclScanner.resume on the simulator', function () {
  this.timeout(30000);
  let simulator: Simulator;

  beforeEach(async () => {
    simulator = new Simulator({ port: 0, timeFactor: 0.001, logger: createLogger({ level: 'silent' }) });
    await simulator.start();
    const loaded = await fetch(`${simulator.url}/sim/api/feeder`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ originals: ['letter', 'form', 'blank'] }),
    });
    assert.equal(loaded.status, 200);
  });

  afterEach(async () => {
    await simulator.stop();
  });

  /** A job whose first `read` pages were read by an edge that then died (no DELETE, no more reads). */
  async function interruptedJob(read: number): Promise<string> {
    const client = new EsclClient({ baseUrl: simulator.deviceUrls.scannerUrl });
    const jobPath = await client.createJob(buildScanSettings(REQUEST), { feeder: true });
    const pages = client.documents(jobPath, { feeder: true });
    for (let i = 0; i < read; i++) assert.equal((await pages.next()).done, false);
    return jobPath;
  }

  it('reads the pages after the ones kept, numbered on', async () => {
    const jobPath = await interruptedJob(1);
    const scanner = new EsclScanner({ baseUrl: simulator.deviceUrls.scannerUrl });
    const pages = await scanner.resume(jobPath, { source: 'adf', pagesRead: 1 });
    assert.ok(pages, 'the device still has the job');
    const numbers: number[] = [];
    for await (const page of pages) numbers.push(page.number);
    // The sample letter is three sheets, then the form and the blank page.
    assert.deepEqual(numbers, [2, 3, 4, 5]);
  });

  it('refuses when a page was handed out that the edge did not keep', async () => {
    const jobPath = await interruptedJob(2);
    const scanner = new EsclScanner({ baseUrl: simulator.deviceUrls.scannerUrl });
    assert.equal(await scanner.resume(jobPath, { source: 'adf', pagesRead: 1 }), null);
  });

  it('refuses a job the device does not know', async () => {
    const scanner = new EsclScanner({ baseUrl: simulator.deviceUrls.scannerUrl });
    assert.equal(await scanner.resume('/eSCL/ScanJobs/no-such-job', { source: 'adf', pagesRead: 1 }), null);
  });
});
