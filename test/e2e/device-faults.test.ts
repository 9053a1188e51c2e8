import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../../protocol/index.ts';
import { Site, type ReceivedFax } from '../helpers/site.ts';

const FINAL = new Set(['delivered', 'failed', 'cancelled']);

/*
 * The network and the device misbehaving while the edge keeps running (issue 14's fault tests):
 * the modem unreachable mid-send, the network to the device cut for 30 s, the scanner's connection
 * dropped in the middle of a page. In each, nothing accepted is lost, nothing is sent twice, and
 * the panel carries on without a reload: the next fax goes through.
 */
describe('device and network faults while a fax runs', function () {
  this.timeout(240_000);
  // The edge's defaults but a short retry wait: a 30 s cut stays inside the 60 s poll timeout.
  const site = new Site({ env: { MFP_EDGE_FAX_RETRY_INTERVAL_SECONDS: '1' } });
  let sheets = 0;
  before(async () => {
    await site.start();
    sheets = (await site.simApi<{ sheets: number }>('/feeder')).sheets;
  });
  after(() => site.stop());

  async function final(id: string, withinMs = 150_000): Promise<JobView> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const job = (await site.panel!.request('jobs.list', { limit: 50 })).jobs.find((j) => j.id === id);
      assert.ok(job, `job ${id} is on record`);
      if (FINAL.has(job.state)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} did not end: ${JSON.stringify(job)}`);
      await sleep(250);
    }
  }

  async function received(number: string): Promise<ReceivedFax[]> {
    return (await site.simApi<ReceivedFax[]>('/faxes')).filter((f) => f.to === number);
  }

  async function send(number: string): Promise<JobView> {
    return (await site.panel!.request('fax.send', { recipients: [number], resolution: 'standard' })).job;
  }

  async function cutWhileSending(number: string, cutMs: number): Promise<JobView> {
    const job = await send(number);
    await site.panel!.waitForJob((j) => j.id === job.id && j.state === 'sending', 90_000);
    const target = site.proxy.target;
    site.proxy.target = null;
    site.proxy.cut();
    await sleep(cutMs);
    site.proxy.target = target;
    return final(job.id);
  }

  it('the fax modem vanishes mid-send and comes back: delivered once, not resent', async () => {
    const job = await cutWhileSending('+12125550301', 5_000);
    assert.equal(job.state, 'delivered', JSON.stringify(job));
    assert.equal(job.resentAfterRestart, undefined);
    const faxes = await received('+12125550301');
    assert.equal(
      faxes.filter((f) => f.status === 'received' && f.pages === sheets).length,
      1,
      JSON.stringify(faxes),
    );
  });

  it('the network to the device is cut for 30 s: delivered once, not resent', async () => {
    const job = await cutWhileSending('+12125550302', 30_000);
    assert.equal(job.state, 'delivered', JSON.stringify(job));
    assert.equal(job.resentAfterRestart, undefined);
    const faxes = await received('+12125550302');
    assert.equal(
      faxes.filter((f) => f.status === 'received' && f.pages === sheets).length,
      1,
      JSON.stringify(faxes),
    );
  });

  it('the scanner drops the connection mid-page: a clear scanner error, nothing sent, and the next fax goes', async () => {
    const dropped = site.proxy.dropMidTransfer(/\/NextDocument$/, 2048);
    const job = await send('+12125550303');
    await dropped;
    const ended = await final(job.id);
    const faxes = await received('+12125550303');
    process.stdout.write(
      `      → ${ended.state}${ended.error ? ` ${ended.error.code}: ${ended.error.message}` : ''}\n`,
    );
    if (ended.state === 'delivered') {
      // The edge may fetch the page again; then every page must be there, once.
      assert.equal(ended.totalPages, sheets);
      assert.equal(faxes.filter((f) => f.status === 'received' && f.pages === sheets).length, 1);
    } else {
      assert.equal(ended.state, 'failed');
      assert.match(ended.error?.code ?? '', /^SCAN/, JSON.stringify(ended.error));
      assert.ok(ended.error?.message, 'a message a person can act on');
      assert.deepEqual(faxes, [], 'a fax with a page missing is never sent');
    }
    const next = await final((await send('+12125550304')).id);
    assert.equal(next.state, 'delivered', JSON.stringify(next));
  });
});
