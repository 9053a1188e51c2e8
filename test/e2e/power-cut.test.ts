import assert from 'node:assert/strict';
import type { JobView } from '../../protocol/index.ts';
import { CliProcess } from '../helpers/cli-process.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface ReceivedFax {
  to: string;
  pages: number;
  status: string;
}

const FINAL = new Set(['delivered', 'failed', 'cancelled']);

/*
 * The tester's scenario of issue 8, as `npm start` runs it: one process holds the edge and the
 * virtual MFP, so `kill -9` is a power cut that takes both. After the restart the modem has forgotten
 * its jobs and numbers new ones from 1 again, exactly when a new fax is sent.
 */
describe('power cut: npm start killed while the modem sends page 1, then started again', function () {
  this.timeout(180_000);
  const dir = tempDir('mfp-power-cut-');
  const panels: PanelClient[] = [];

  after(async () => {
    for (const panel of panels) panel.close();
    await CliProcess.killAll();
    dir.remove();
  });

  async function start(): Promise<{ edge: CliProcess; panel: PanelClient; simUrl: string }> {
    const edge = new CliProcess(
      [
        'start',
        ...['--port', '0', '--data', dir.path, '--simulator-port', '0', '--simulator-time-factor', '0.04'],
      ],
      { MFP_EDGE_FAX_RETRY_INTERVAL_SECONDS: '1' },
    );
    const panelUrl = new URL((await edge.waitFor(/demo device panel:\s+(\S+)/, 30_000))[1]!);
    const simUrl = (await edge.waitFor(/simulator console:\s+(http:\/\/[\d.]+:\d+)\//))[1]!;
    const panel = await PanelClient.connect(`ws://${panelUrl.host}/ws`);
    panels.push(panel);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: /device-token=([\w-]+)/.exec(panelUrl.hash)![1]!,
      app: { name: 'power-cut', version: '1' },
    });
    return { edge, panel, simUrl };
  }

  async function final(panel: PanelClient, id: string): Promise<JobView> {
    return panel
      .waitForJob((j) => j.id === id && FINAL.has(j.state), 120_000)
      .catch(async () => {
        const listed = (await panel.request('jobs.list', { limit: 10 })).jobs.find((j) => j.id === id);
        if (listed && FINAL.has(listed.state)) return listed;
        throw new Error(`job ${id} did not end: ${JSON.stringify(listed)}`);
      });
  }

  it('resends the interrupted fax once, delivers the new one once, and both records are true', async () => {
    let { edge, panel, simUrl } = await start();
    const sheets = ((await (await fetch(`${simUrl}/sim/api/feeder`)).json()) as { sheets: number }).sheets;
    const interrupted = (await panel.request('fax.send', { recipients: ['+12125550100'] })).job;
    await panel.waitForJob(
      (j) => j.id === interrupted.id && j.state === 'sending' && j.pagesSent === 0,
      60_000,
    );
    await edge.kill('SIGKILL');

    ({ edge, panel, simUrl } = await start());
    // The new fax goes to the modem at once, and gets the job id the lost one had.
    const fresh = (await panel.request('fax.send', { recipients: ['+12125550111'] })).job;
    const [old, now] = [await final(panel, interrupted.id), await final(panel, fresh.id)];

    const faxes = (await (await fetch(`${simUrl}/sim/api/faxes`)).json()) as ReceivedFax[];
    const full = (to: string) =>
      faxes.filter((f) => f.to === to && f.status === 'received' && f.pages === sheets);
    assert.equal(old.state, 'delivered', JSON.stringify(old));
    assert.equal(old.resentAfterRestart, 1, 'the record says the printer lost it and it was sent again');
    assert.equal(full('12125550100').length + full('+12125550100').length, 1, JSON.stringify(faxes));
    assert.equal(now.state, 'delivered', JSON.stringify(now));
    assert.equal(now.resentAfterRestart, undefined);
    assert.equal(full('12125550111').length + full('+12125550111').length, 1, JSON.stringify(faxes));
  });
});
