import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli-process.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * The operator's round trip, as processes: `mfp-edge backup` while the edge runs a fax, the edge
 * gone (a dead machine), `mfp-edge restore` into a new folder, and an edge started on it takes the
 * same panel and knows its jobs.
 */
describe('mfp-edge backup and restore, with the edge running', function () {
  this.timeout(180_000);
  const dir = tempDir('mfp-backup-');
  const panels: PanelClient[] = [];
  after(async () => {
    for (const panel of panels) panel.close();
    await CliProcess.killAll();
    dir.remove();
  });

  async function start(data: string) {
    const edge = new CliProcess([
      'start',
      ...['--port', '0', '--data', data, '--simulator-port', '0', '--simulator-time-factor', '0.04'],
    ]);
    const panelUrl = new URL((await edge.waitFor(/demo device panel:\s+(\S+)/, 30_000))[1]!);
    const token = /device-token=([\w-]+)/.exec(panelUrl.hash)![1]!;
    const panel = await PanelClient.connect(`ws://${panelUrl.host}/ws`);
    panels.push(panel);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: token,
      app: { name: 'backup', version: '1' },
    });
    return { edge, panel, token };
  }

  async function cli(args: string[]): Promise<{ code: number | null; output: string }> {
    const run = new CliProcess(args);
    const { code } = await run.exited;
    return { code, output: run.output };
  }

  it('backs up a running edge and restores it into a new folder that a new edge runs on', async () => {
    const first = join(dir.path, 'first');
    const original = await start(first);
    const delivered = (await original.panel.request('fax.send', { recipients: ['+12125550100'] })).job;
    await original.panel.waitForJob((j) => j.id === delivered.id && j.state === 'delivered', 90_000);
    // A second fax is in flight while the backup runs.
    const inFlight = (await original.panel.request('fax.send', { recipients: ['+12125550111'] })).job;
    await original.panel.waitForJob((j) => j.id === inFlight.id && j.pagesScanned > 0, 60_000);

    const file = join(dir.path, 'edge.backup');
    const backup = await cli(['backup', file, '--data', first]);
    assert.equal(backup.code, 0, backup.output);
    assert.match(backup.output, /Backed up .* files, .* MB, schema \d+/);
    await original.edge.kill('SIGKILL');

    const second = join(dir.path, 'second');
    const restore = await cli(['restore', file, '--data', second]);
    assert.equal(restore.code, 0, restore.output);
    assert.deepEqual(readFileSync(join(second, 'secret.key')), readFileSync(join(first, 'secret.key')));
    const again = await cli(['restore', file, '--data', second]);
    assert.equal(again.code, 1, 'a data folder in use is not overwritten without --replace');
    assert.match(again.output, /RESTORE_TARGET_NOT_EMPTY/);

    const restored = await start(second);
    assert.equal(restored.token, original.token, 'the panel keeps its credential');
    const jobs = (await restored.panel.request('jobs.list', { limit: 10 })).jobs;
    assert.equal(jobs.find((j) => j.id === delivered.id)?.state, 'delivered');
    assert.ok(
      jobs.some((j) => j.id === inFlight.id),
      'the fax in flight at backup time is known',
    );

    const usage = await cli(['backup', '--data', second]);
    assert.equal(usage.code, 2);
  });
});
