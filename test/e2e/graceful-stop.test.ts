import assert from 'node:assert/strict';
import { CliProcess } from '../helpers/cli-process.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * SIGTERM (systemctl stop, Ctrl-C) while a fax is on the line: the edge lets it finish, within
 * MFP_EDGE_SHUTDOWN_GRACE_SECONDS, so the panel sees the result and nothing is sent twice later.
 */
describe('graceful stop: SIGTERM while a fax is being sent', function () {
  this.timeout(180_000);
  const panels: PanelClient[] = [];
  const dirs: ReturnType<typeof tempDir>[] = [];
  after(async () => {
    for (const panel of panels) panel.close();
    await CliProcess.killAll();
    for (const dir of dirs) dir.remove();
  });

  async function start(data: string, timeFactor: string, env: NodeJS.ProcessEnv = {}) {
    const edge = new CliProcess(
      [
        'start',
        '--port',
        '0',
        '--data',
        data,
        '--simulator-port',
        '0',
        '--simulator-time-factor',
        timeFactor,
      ],
      env,
    );
    const panelUrl = new URL((await edge.waitFor(/demo device panel:\s+(\S+)/, 30_000))[1]!);
    const simUrl = (await edge.waitFor(/simulator console:\s+(http:\/\/[\d.]+:\d+)\//))[1]!;
    const panel = await PanelClient.connect(`ws://${panelUrl.host}/ws`);
    panels.push(panel);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: /device-token=([\w-]+)/.exec(panelUrl.hash)![1]!,
      app: { name: 'graceful-stop', version: '1' },
    });
    return { edge, panel, simUrl };
  }

  it('lets the fax on the line finish, reports it to the panel, and exits 0', async () => {
    const dir = tempDir('mfp-graceful-');
    dirs.push(dir);
    const { edge, panel } = await start(dir.path, '0.1');
    const job = (await panel.request('fax.send', { recipients: ['+12125550100'] })).job;
    await panel.waitForJob((j) => j.id === job.id && j.state === 'sending', 60_000);
    edge.child.kill('SIGTERM');
    const delivered = await panel.waitForJob((j) => j.id === job.id && j.state === 'delivered', 60_000);
    assert.equal(delivered.state, 'delivered');
    const { code } = await edge.exited;
    assert.equal(code, 0, edge.output);
    assert.match(edge.output, /SIGTERM: stopping/);

    // Nothing left to resend: after a start the job is delivered, once.
    const again = await start(dir.path, '0.1');
    const listed = (await again.panel.request('jobs.list', { limit: 5 })).jobs.find((j) => j.id === job.id);
    assert.equal(listed?.state, 'delivered');
    assert.equal(listed?.resentAfterRestart, undefined);
    await again.edge.kill('SIGTERM');
  });

  it('stops after the grace period even when the fax is far from done; the job resumes later', async () => {
    const dir = tempDir('mfp-graceful-limit-');
    dirs.push(dir);
    // Real time: a page takes ~30 s, far beyond the 1 s of grace.
    const { edge, panel } = await start(dir.path, '1', { MFP_EDGE_SHUTDOWN_GRACE_SECONDS: '1' });
    const job = (await panel.request('fax.send', { recipients: ['+12125550100'] })).job;
    await panel.waitForJob((j) => j.id === job.id && j.state === 'sending', 90_000);
    edge.child.kill('SIGTERM');
    const { code } = await edge.exited;
    assert.equal(code, 0, edge.output);
    const again = await start(dir.path, '1');
    const listed = (await again.panel.request('jobs.list', { limit: 5 })).jobs.find((j) => j.id === job.id);
    assert.ok(listed && !['delivered', 'failed', 'cancelled'].includes(listed.state), JSON.stringify(listed));
    await again.edge.kill('SIGKILL');
  });
});
