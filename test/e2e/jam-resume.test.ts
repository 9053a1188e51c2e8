import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../../protocol/index.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';

interface ReceivedFax {
  id: string;
  to: string;
  pages: number;
  status: string;
}

/** Five single-page originals, so any tail of the stack can be put back by name. */
const STACK = ['form', 'skewed', 'photo', 'legal', 'blank'];
const FINAL = ['delivered', 'failed', 'cancelled'];

/*
 * A jam part-way through an ADF job on the virtual MFP: the pages scanned are kept (needs-attention),
 * the person clears the jam, puts the remaining sheets back and presses Resume, and the remote fax
 * machine receives every page once. Also across an edge restart while the job waits.
 */
describe('end to end: a jam mid-job keeps the pages and Resume continues the same job', function () {
  this.timeout(180_000);
  let stack: Stack;
  let panel: PanelClient;

  before(async () => {
    stack = await startStack();
  });

  after(async () => {
    panel?.close();
    await stack?.stop();
  });

  async function sim<T>(path: string, init?: { method: string; body?: unknown }): Promise<T> {
    const response = await fetch(`${stack.simulator.url}/sim/api${path}`, {
      method: init?.method ?? 'GET',
      ...(init?.body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }
        : {}),
    });
    assert.ok(
      response.ok,
      `${init?.method ?? 'GET'} ${path}: ${response.status} ${await response.clone().text()}`,
    );
    return (await response.json()) as T;
  }

  async function connect(): Promise<PanelClient> {
    const client = await PanelClient.connect(stack.wsUrl);
    await client.request('hello', {
      protocolVersions: [1],
      deviceToken: stack.token,
      app: { name: 'e2e', version: '1' },
    });
    return client;
  }

  const received = async (number: string) =>
    (await sim<ReceivedFax[]>('/faxes')).filter((f) => f.to.replace(/\D/g, '').endsWith(number));

  it('jam at page 3 of 5: pages 1–2 kept, Resume after putting 3–5 back, all 5 received once', async () => {
    panel = await connect();
    await sim('/feeder', { method: 'PUT', body: { originals: STACK, reload: false } });
    const armed = await sim<{ armed?: { jam: { atPage: number } } }>('/faults', {
      method: 'POST',
      body: { fault: 'jam', atPage: 3 },
    });
    assert.deepEqual(armed.armed, { jam: { atPage: 3 } });

    const { job } = await panel.request('fax.send', {
      recipients: ['+1 212 555 0130'],
      resolution: 'standard',
    });
    const waiting = await panel.waitForJob(
      (j) => j.id === job.id && (j.state === 'needs-attention' || FINAL.includes(j.state)),
      60_000,
    );
    assert.equal(waiting.state, 'needs-attention', JSON.stringify(waiting));
    assert.equal(waiting.error?.code, 'SCANNER_JAM');
    assert.match(
      waiting.error?.message ?? '',
      /Clear the jam, put pages 3 to the last back in the feeder, then press Resume/,
    );
    assert.equal(waiting.attention?.pagesKept, 2);
    assert.equal(waiting.attention?.fromPage, 3);
    assert.equal(waiting.attention?.fromSheet, 3);
    assert.ok(Date.parse(waiting.attention!.until) > Date.now() + 25 * 60_000, 'waits 30 minutes by default');
    assert.deepEqual(
      waiting.pages?.map((p) => p.number),
      [1, 2],
    );
    // Each page scanned came once with its thumbnail: a small gray PNG.
    const pageEvents = panel.events
      .filter((e) => e.event === 'job.page')
      .map((e) => e.payload as { jobId: string; page: { number: number; thumbnail?: string } });
    assert.deepEqual(
      pageEvents.filter((e) => e.jobId === job.id).map((e) => e.page.number),
      [1, 2],
    );
    for (const { page } of pageEvents) {
      assert.match(page.thumbnail ?? '', /^data:image\/png;base64,/);
      assert.ok(
        page.thumbnail!.length < 12_000,
        `thumbnail of page ${page.number}: ${page.thumbnail!.length} chars`,
      );
    }
    await sleep(300);
    assert.equal((await received('2125550130')).length, 0, 'nothing dialled while the job waits');

    // Resume with the jam still there: the job waits again, with the same pages kept.
    const early = await panel.request('job.resume', { jobId: job.id });
    assert.equal(early.job.state, 'scanning');
    const again = await panel.waitForJob(
      (j) =>
        j.id === job.id &&
        j.state === 'needs-attention' &&
        Date.parse(j.updatedAt) > Date.parse(early.job.updatedAt) - 1,
      30_000,
    );
    assert.equal(again.attention?.pagesKept, 2);

    await sim('/faults/jam', { method: 'DELETE' });
    const feeder = await sim<{ sheets: number }>('/feeder');
    assert.equal(feeder.sheets, 3, 'the jammed sheet and the two after it are still in the tray');
    await sim('/feeder', { method: 'PUT', body: { originals: STACK.slice(2), reload: false } });
    const { job: resumed } = await panel.request('job.resume', { jobId: job.id });
    assert.equal(resumed.state, 'scanning');
    assert.equal(resumed.error, undefined);

    const done = await panel.waitForJob((j) => j.id === job.id && FINAL.includes(j.state), 120_000);
    assert.equal(done.state, 'delivered', JSON.stringify(done));
    assert.equal(done.totalPages, 5);
    assert.deepEqual(
      done.pages?.map((p) => [p.number, p.state, p.sentTo]),
      [1, 2, 3, 4, 5].map((n) => [n, 'sent', 1]),
    );
    const faxes = await received('2125550130');
    assert.equal(faxes.length, 1, JSON.stringify(faxes));
    assert.equal(faxes[0]!.pages, 5);
    assert.equal(faxes[0]!.status, 'received');

    // A reloaded panel rebuilds the view: the job and every thumbnail.
    const reloaded = await connect();
    try {
      const got = await reloaded.request('job.get', { jobId: job.id });
      assert.equal(got.job.state, 'delivered');
      assert.deepEqual(
        got.thumbnails.map((t) => [t.number, t.state, t.thumbnail?.slice(0, 22)]),
        [1, 2, 3, 4, 5].map((n) => [n, 'sent', 'data:image/png;base64,']),
      );
      assert.equal(got.nextPage, undefined);
      const paged = await reloaded.request('job.get', { jobId: job.id, fromPage: 4 });
      assert.deepEqual(
        paged.thumbnails.map((t) => t.number),
        [4, 5],
      );
    } finally {
      reloaded.close();
    }
  });

  it('job.resume refuses a job that is not waiting, and an unknown one', async () => {
    const jobs = (await panel.request('jobs.list', { limit: 1 })).jobs;
    await assert.rejects(panel.request('job.resume', { jobId: jobs[0]!.id }), { code: 'JOB_NOT_WAITING' });
    await assert.rejects(panel.request('job.resume', { jobId: 'no-such-job' }), { code: 'JOB_NOT_FOUND' });
    await assert.rejects(panel.request('job.get', { jobId: 'no-such-job' }), { code: 'JOB_NOT_FOUND' });
  });

  it('an edge restart while the job waits: it stays waiting, dials nothing, and Resume still works', async () => {
    await sim('/feeder', { method: 'PUT', body: { originals: STACK.slice(0, 3), reload: false } });
    await sim('/faults', { method: 'POST', body: { fault: 'jam', atPage: 2 } });
    const { job } = await panel.request('fax.send', {
      recipients: ['+1 212 555 0131'],
      resolution: 'standard',
    });
    const waiting = await panel.waitForJob(
      (j) => j.id === job.id && (j.state === 'needs-attention' || FINAL.includes(j.state)),
      60_000,
    );
    assert.equal(waiting.state, 'needs-attention', JSON.stringify(waiting));
    assert.equal(waiting.attention?.pagesKept, 1);
    assert.match(waiting.error?.message ?? '', /pages 2 to the last/);

    panel.close();
    await stack.restartEdge();
    panel = await connect();
    await sleep(500);
    const [after] = (await panel.request('jobs.list', { limit: 1 })).jobs as JobView[];
    assert.equal(after?.id, job.id);
    assert.equal(after?.state, 'needs-attention');
    assert.equal(after?.attention?.until, waiting.attention?.until, 'the same deadline');
    assert.equal((await received('2125550131')).length, 0);
    const got = await panel.request('job.get', { jobId: job.id });
    assert.match(got.thumbnails[0]?.thumbnail ?? '', /^data:image\/png;base64,/, 'the thumbnail survived');

    await sim('/faults/jam', { method: 'DELETE' });
    await sim('/feeder', { method: 'PUT', body: { originals: STACK.slice(1, 3), reload: false } });
    await panel.request('job.resume', { jobId: job.id });
    const done = await panel.waitForJob((j) => j.id === job.id && FINAL.includes(j.state), 120_000);
    assert.equal(done.state, 'delivered', JSON.stringify(done));
    assert.equal(done.totalPages, 3);
    const faxes = await received('2125550131');
    assert.equal(faxes.length, 1);
    assert.equal(faxes[0]!.pages, 3);
  });

  it('a job waiting for Resume can be cancelled, and Resume with finish sends the pages kept', async () => {
    await sim('/feeder', { method: 'PUT', body: { originals: STACK.slice(0, 3), reload: false } });
    await sim('/faults', { method: 'POST', body: { fault: 'jam', atPage: 2 } });
    const first = (
      await panel.request('fax.send', { recipients: ['+1 212 555 0132'], resolution: 'standard' })
    ).job;
    await panel.waitForJob((j) => j.id === first.id && j.state === 'needs-attention', 60_000);
    const { job: cancelled } = await panel.request('job.cancel', { jobId: first.id });
    assert.equal(cancelled.state, 'cancelled');

    await sim('/faults/jam', { method: 'DELETE' });
    await sim('/feeder', { method: 'PUT', body: { originals: STACK.slice(0, 3), reload: false } });
    await sim('/faults', { method: 'POST', body: { fault: 'jam', atPage: 3 } });
    const second = (
      await panel.request('fax.send', { recipients: ['+1 212 555 0133'], resolution: 'standard' })
    ).job;
    await panel.waitForJob((j) => j.id === second.id && j.state === 'needs-attention', 60_000);
    await sim('/faults/jam', { method: 'DELETE' });
    const { job: finishing } = await panel.request('job.resume', { jobId: second.id, finish: true });
    assert.equal(finishing.state, 'converting');
    const done = await panel.waitForJob((j) => j.id === second.id && FINAL.includes(j.state), 120_000);
    assert.equal(done.state, 'delivered', JSON.stringify(done));
    assert.equal(done.totalPages, 2);
    assert.equal((await received('2125550133'))[0]?.pages, 2);
    assert.equal((await received('2125550132')).length, 0);
  });
});
