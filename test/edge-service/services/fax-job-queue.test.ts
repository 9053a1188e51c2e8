import assert from 'node:assert/strict';
import type { DeviceDrivers } from '../../../edge-service/src/services/device-drivers.ts';
import type { Scanner, ScannedPage } from '../../../edge-service/src/domain/scanner.ts';
import { textPageJpeg } from '../../helpers/sample-page.ts';
import { EngineHarness } from './engine-harness.ts';
import { ScriptedFaxLine } from './fake-drivers.ts';

/** A scanner whose first job holds the device until the test lets go. */
class HeldScanner implements Scanner {
  scans = 0;
  release!: () => void;
  readonly #held = new Promise<void>((resolve) => (this.release = resolve));
  constructor(readonly page: Buffer) {}
  async capabilities() {
    return { makeAndModel: 'Held', sources: {} };
  }
  async status() {
    return { state: 'processing' as const, adfState: null };
  }
  async *scan(): AsyncIterable<ScannedPage> {
    if (this.scans++ === 0) await this.#held;
    yield { number: 1, contentType: 'image/jpeg', data: this.page };
  }
}

describe('FaxJobEngine scanner queue', function () {
  this.timeout(20000);
  let harness: EngineHarness;
  afterEach(async () => {
    await harness?.stop();
  });

  it('runs one scan per device at a time, and cancels a queued job at once without scanning it', async () => {
    const scanner = new HeldScanner(await textPageJpeg(100));
    const drivers: DeviceDrivers = { scanner: () => scanner, faxLine: () => new ScriptedFaxLine() };
    harness = await new EngineHarness(drivers).start();
    const first = harness.submit(['+12125550100']);
    const second = harness.submit(['+12125550100']);
    await harness.waitFor(first.id, (j) => j.state === 'scanning');
    assert.equal(harness.jobs.get(second.id)!.state, 'accepted', 'the second waits for the scanner');

    const cancelled = await harness.engine.cancel(second.id);
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(scanner.scans, 1, 'the queued job never reached the scanner');

    scanner.release();
    const done = await harness.waitFor(first.id, (j) => j.state === 'delivered' || j.state === 'failed');
    assert.equal(done.state, 'delivered');
    assert.equal(harness.jobs.get(second.id)!.state, 'cancelled');
  });
});
