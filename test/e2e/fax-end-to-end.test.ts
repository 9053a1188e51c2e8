import assert from 'node:assert/strict';
import sharp from 'sharp';
import { PanelClient } from '../helpers/panel-client.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';

interface ReceivedFax {
  id: string;
  to: string;
  pages: number;
  status: string;
  receivedAt: string;
}

/*
 * The whole product on the virtual MFP: a panel speaking the real protocol over the real WebSocket;
 * the edge scanning over eSCL, converting to G4 and faxing over IPP FaxOut; the simulator's remote
 * fax machine receiving it.
 */
describe('end to end: a multi-page fax from the panel to a remote fax machine', function () {
  this.timeout(120000);
  let stack: Stack;
  let panel: PanelClient;

  before(async () => {
    stack = await startStack();
  });

  after(async () => {
    panel?.close();
    await stack?.stop();
  });

  async function faxes(): Promise<ReceivedFax[]> {
    const response = await fetch(`${stack.simulator.url}/sim/api/faxes`);
    assert.equal(response.status, 200);
    return (await response.json()) as ReceivedFax[];
  }

  it('sends the sample letter and the remote machine receives every page', async () => {
    panel = await PanelClient.connect(stack.wsUrl);
    const hello = await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: stack.token,
      app: { name: 'e2e', version: '1' },
    });
    assert.equal(hello.user?.displayName, 'Front desk');

    const feeder = (await (await fetch(`${stack.simulator.url}/sim/api/feeder`)).json()) as {
      sheets: number;
    };
    assert.ok(feeder.sheets > 1, 'the demo feeder holds a multi-page letter');

    const { job } = await panel.request('fax.send', { recipients: ['+1 212 555 0100'], resolution: 'fine' });
    const done = await panel.waitForJob(
      (j) => j.id === job.id && ['delivered', 'failed', 'cancelled'].includes(j.state),
      100000,
    );
    assert.equal(done.state, 'delivered', `job ended ${done.state}: ${JSON.stringify(done.error)}`);
    assert.equal(done.totalPages, feeder.sheets);
    assert.equal(done.pagesSent, feeder.sheets);

    const seen = new Set(
      panel.events
        .filter((e) => e.event === 'job.updated')
        .map((e) => (e.payload as { job: { state: string } }).job.state),
    );
    for (const state of ['scanning', 'dialing', 'sending', 'delivered'])
      assert.ok(seen.has(state), `the panel saw ${state}`);

    const received = (await faxes()).filter((f) => f.to.includes('12125550100'));
    assert.equal(received.length, 1);
    assert.equal(received[0]!.pages, feeder.sheets);

    const png = await fetch(`${stack.simulator.url}/sim/api/faxes/${received[0]!.id}/pages/1`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    const image = sharp(Buffer.from(await png.arrayBuffer()));
    const meta = await image.metadata();
    assert.equal(meta.width, 1728);
    // Bilevel: every pixel is black or white, and the letter put ink on the page.
    const { data } = await image.greyscale().raw().toBuffer({ resolveWithObject: true });
    let black = 0;
    for (const value of data) {
      assert.ok(value === 0 || value === 255, `pixel value ${value} is not bilevel`);
      if (value === 0) black++;
    }
    const inkRatio = black / data.length;
    assert.ok(inkRatio > 0.005 && inkRatio < 0.3, `ink covers ${(inkRatio * 100).toFixed(2)}% of the page`);
  });

  it('puts a busy remote line into retry-wait with the time of the next attempt, and cancels it', async () => {
    const line = await fetch(`${stack.simulator.url}/sim/api/line/${encodeURIComponent('+12125550199')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ behavior: 'busy' }),
    });
    assert.equal(line.status, 200);
    const { job } = await panel.request('fax.send', {
      recipients: ['+1 212 555 0199'],
      resolution: 'standard',
    });
    const waiting = await panel.waitForJob((j) => j.id === job.id && j.state === 'retry-wait', 100000);
    assert.equal(waiting.recipients[0]?.error?.code, 'FAX_BUSY');
    assert.ok(waiting.retryAt && Date.parse(waiting.retryAt) > Date.now(), `retryAt ${waiting.retryAt}`);
    const { job: cancelled } = await panel.request('job.cancel', { jobId: job.id });
    assert.equal(cancelled.state, 'cancelled');
  });

  it('reports a paper jam at the scanner and keeps the job record', async () => {
    await fetch(`${stack.simulator.url}/sim/api/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: 'jam' }),
    });
    try {
      const { job } = await panel.request('fax.send', { recipients: ['+1 212 555 0100'] });
      const done = await panel.waitForJob(
        (j) => j.id === job.id && ['delivered', 'failed'].includes(j.state),
        60000,
      );
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'SCANNER_JAM');
      const listed = await panel.request('jobs.list', { limit: 10 });
      assert.ok(listed.jobs.some((j) => j.id === job.id && j.state === 'failed'));
    } finally {
      await fetch(`${stack.simulator.url}/sim/api/faults/jam`, { method: 'DELETE' });
    }
  });
});
