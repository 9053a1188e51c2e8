import assert from 'node:assert/strict';
import { PanelClient } from '../helpers/panel-client.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';

const SHEETS = 60;
const MB = 1024 * 1024;

/*
 * A 60-sheet ADF job scanned at 300 dpi, converted and faxed on the simulator (fast clock). Memory is
 * sampled while it runs: pages wait in the spool, not in memory, so the heap must stay flat. The
 * peak is printed; only a generous bound is asserted (no timing assertions).
 */
describe('long ADF job: 60 sheets at 300 dpi', function () {
  this.timeout(110_000);
  let stack: Stack;
  let panel: PanelClient | undefined;

  before(async () => {
    stack = await startStack({ timeFactor: 0.003, faxPollMs: 200 });
  });

  after(async () => {
    panel?.close();
    await stack?.stop();
  });

  it('completes without a timeout and with flat memory', async () => {
    const load = await fetch(`${stack.simulator.url}/sim/api/feeder`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ originals: Array.from({ length: SHEETS }, () => 'form'), reload: false }),
    });
    assert.equal(load.status, 200);
    assert.equal(((await load.json()) as { sheets: number }).sheets, SHEETS);

    panel = await PanelClient.connect(stack.wsUrl);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: stack.token,
      app: { name: 'adf', version: '1' },
    });
    const before = process.memoryUsage();
    let peak = { rss: before.rss, heapUsed: before.heapUsed };
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = { rss: Math.max(peak.rss, now.rss), heapUsed: Math.max(peak.heapUsed, now.heapUsed) };
    }, 50);
    try {
      const { job } = await panel.request('fax.send', {
        recipients: ['+1 212 555 0600'],
        resolution: 'fine',
      });
      const done = await panel.waitForJob(
        (j) => j.id === job.id && ['delivered', 'failed', 'cancelled'].includes(j.state),
        100_000,
      );
      assert.equal(done.state, 'delivered', JSON.stringify(done.error));
      assert.equal(done.totalPages, SHEETS);
      assert.equal(done.pagesSent, SHEETS);
    } finally {
      clearInterval(sampler);
    }
    const faxes = (await (await fetch(`${stack.simulator.url}/sim/api/faxes`)).json()) as {
      to: string;
      pages: number;
    }[];
    const received = faxes.filter((f) => f.to === '+12125550600');
    assert.deepEqual(
      received.map((f) => f.pages),
      [SHEETS],
    );
    const growth = (peak.heapUsed - before.heapUsed) / MB;
    process.stdout.write(
      `      memory (edge + simulator in one process): peak RSS ${(peak.rss / MB).toFixed(0)} MB (+${((peak.rss - before.rss) / MB).toFixed(0)}), peak heap ${(peak.heapUsed / MB).toFixed(0)} MB (+${growth.toFixed(0)})\n`,
    );
    assert.ok(growth < 300, `heap grew by ${growth.toFixed(0)} MB`);
  });
});
