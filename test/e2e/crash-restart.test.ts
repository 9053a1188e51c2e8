import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../../protocol/index.ts';
import { CliProcess } from '../helpers/cli-process.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface ReceivedFax {
  id: string;
  to: string;
  pages: number;
  status: string;
}

/** Small seeded PRNG (mulberry32): the same seed kills at the same points. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORDER = [
  'accepted',
  'scanning',
  'converting',
  'dialing',
  'sending',
  'delivered',
  'failed',
  'cancelled',
];
const FINAL = new Set(['delivered', 'failed', 'cancelled']);

/*
 * The edge as its own process, killed with SIGKILL at seeded random points while scanning,
 * converting, handing over (dialing) and transmitting, then restarted on the same data folder
 * against a simulator that keeps running in its own process. Every accepted job must end, and
 * each delivered job must have reached its remote machine exactly once with every page.
 * A job killed mid-scan from the ADF ends failed with SCAN_INTERRUPTED (its fed sheets are out of
 * the tray) and must have sent nothing.
 */
describe('crash and restart: SIGKILL the edge at random points, nothing lost, nothing sent twice', function () {
  this.timeout(115_000);
  const seed = Number(process.env.CRASH_SEED ?? 20261128);
  const rand = random(seed);
  const dir = tempDir('mfp-crash-');
  let simulator: CliProcess;
  let simUrl: string;
  let sheets: number;
  const panels: PanelClient[] = [];

  before(async () => {
    simulator = new CliProcess(['simulator', '--port', '0', '--time-factor', '0.04']);
    simUrl = (await simulator.waitFor(/console:\s+(http:\/\/[\d.]+:\d+)\//))[1]!;
    sheets = ((await (await fetch(`${simUrl}/sim/api/feeder`)).json()) as { sheets: number }).sheets;
  });

  after(async () => {
    for (const panel of panels) panel.close();
    await CliProcess.killAll();
    dir.remove();
  });

  async function startEdge(): Promise<{ edge: CliProcess; panel: PanelClient }> {
    const edge = new CliProcess(['start', '--port', '0', '--data', dir.path, '--simulator-url', simUrl]);
    const panelUrl = (await edge.waitFor(/demo device panel:\s+(\S+)/, 30000))[1]!;
    const url = new URL(panelUrl);
    const token = /device-token=([\w-]+)/.exec(url.hash)![1]!;
    const panel = await PanelClient.connect(`ws://${url.host}/ws`);
    panels.push(panel);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: token,
      app: { name: 'crash', version: '1' },
    });
    return { edge, panel };
  }

  /** What a device does on its own after a client vanished mid-scan (the simulator waits 60 s). */
  async function cancelAbandonedScans(): Promise<void> {
    const status = await (await fetch(`${simUrl}/eSCL/ScannerStatus`)).text();
    for (const info of status.split('<scan:JobInfo>').slice(1)) {
      const uuid = /<pwg:JobUuid>([^<]+)</.exec(info)?.[1];
      if (uuid && /<pwg:JobState>(Processing|Pending)</.test(info))
        await fetch(`${simUrl}/eSCL/ScanJobs/${uuid}`, { method: 'DELETE' });
    }
  }

  async function finalState(panel: PanelClient, jobId: string): Promise<JobView> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = (await panel.request('jobs.list', { limit: 50 })).jobs.find((j) => j.id === jobId);
      assert.ok(job, `job ${jobId} survived the restart`);
      if (FINAL.has(job.state)) return job;
      if (Date.now() > deadline) throw new Error(`job ${jobId} stuck in ${job.state}`);
      await sleep(100);
    }
  }

  it('ends every accepted job; each delivered fax reached its recipient once with every page', async () => {
    const targets = ['scanning', 'converting', 'dialing', 'sending', 'dialing', 'sending', 'scanning'];
    const results: { number: string; killedIn: string[]; job: JobView }[] = [];
    process.stdout.write(`      seed ${seed}, ${sheets} sheets per job\n`);
    for (const [round, target] of targets.entries()) {
      const number = `+1212555${String(200 + round).padStart(4, '0')}`;
      let { edge, panel } = await startEdge();
      const { job } = await panel.request('fax.send', { recipients: [number], resolution: 'standard' });
      const killedIn: string[] = [];
      const seen = await panel.waitForJob(
        (j) => j.id === job.id && ORDER.indexOf(j.state) >= ORDER.indexOf(target),
        30_000,
      );
      await sleep(Math.floor(rand() * 200));
      killedIn.push(panel.events.map((e) => (e.payload as { job: JobView }).job.state).at(-1) ?? seen.state);
      await edge.kill('SIGKILL');
      panel.close();
      await cancelAbandonedScans();
      if (rand() < 0.5) {
        // A second crash while the restarted edge resumes (reconciling, re-reading the spool).
        ({ edge, panel } = await startEdge());
        await sleep(Math.floor(rand() * 600));
        killedIn.push('restart');
        await edge.kill('SIGKILL');
        panel.close();
        await cancelAbandonedScans();
      }
      ({ edge, panel } = await startEdge());
      results.push({ number, killedIn, job: await finalState(panel, job.id) });
      await edge.kill('SIGKILL');
      panel.close();
      await cancelAbandonedScans();
    }

    const faxes = (await (await fetch(`${simUrl}/sim/api/faxes`)).json()) as ReceivedFax[];
    for (const { number, killedIn, job } of results) {
      const received = faxes.filter((f) => f.to === number);
      process.stdout.write(
        `      ${number}: killed in ${killedIn.join(' + ')} → ${job.state}${job.error ? ` (${job.error.code})` : ''}, received ${received.length}×\n`,
      );
      if (job.state === 'failed') {
        assert.equal(job.error?.code, 'SCAN_INTERRUPTED', `${number}: ${JSON.stringify(job.error)}`);
        assert.equal(received.length, 0, `${number} failed yet something was sent`);
        continue;
      }
      assert.equal(job.state, 'delivered', `${number}: ${JSON.stringify(job)}`);
      assert.equal(received.length, 1, `${number} received the fax ${received.length} times`);
      assert.equal(received[0]!.status, 'received');
      assert.equal(received[0]!.pages, sheets, `${number}: pages lost`);
      assert.equal(job.totalPages, sheets);
    }
    const afterHandOver = results.filter(
      (r) => r.job.state === 'delivered' && ['dialing', 'sending'].includes(r.killedIn[0]!),
    );
    assert.ok(afterHandOver.length >= 3, 'several jobs were killed during hand-over or transmission');
  });
});
