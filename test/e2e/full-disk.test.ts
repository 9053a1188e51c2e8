import assert from 'node:assert/strict';
import sharp from 'sharp';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../../protocol/index.ts';
import { CliProcess } from '../helpers/cli-process.ts';
import { swaks } from '../helpers/mail-namespace.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { textPageJpeg } from '../helpers/sample-page.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const FINAL = new Set(['delivered', 'failed', 'cancelled']);
const BIN = join(import.meta.dirname, '../../bin/mfp-edge.js');
const SQLITE = createRequire(import.meta.url).resolve('better-sqlite3');
const INTEGRITY = `const D = require(${JSON.stringify(SQLITE)}); const db = new D(process.argv[1]); console.log(db.pragma('integrity_check', { simple: true }));`;

/*
 * A full disk (issue 14): the edge's data folder is a small tmpfs of its own (a private mount
 * namespace, root), the simulator lives elsewhere, and the test fills the edge's disk through
 * /proc/<pid>/root while it runs. During a scan and during a database write the edge answers with a
 * clear error, keeps the job's record, leaves nothing half-written, stays up, and works again once
 * there is room.
 */
describe('a full disk under the edge', function () {
  this.timeout(180_000);
  const dir = tempDir('mfp-full-disk-');
  const data = join(dir.path, 'data');
  const panels: PanelClient[] = [];
  let edge: CliProcess;
  let inside = '';
  let panel: PanelClient;
  let smtpPort = '';

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    const simulator = new CliProcess(['simulator', '--port', '0', '--time-factor', '0.02']);
    const simUrl = (await simulator.waitFor(/console:\s+(http:\/\/[\d.]+:\d+)\//, 30_000))[1]!;
    writeFileSync(join(dir.path, '.keep'), '');
    rmSync(data, { recursive: true, force: true });
    const mount = `mkdir -p "$0" && mount -t tmpfs -o size=12m,mode=0700 tmpfs "$0" && exec "$@"`;
    edge = new CliProcess(
      ['start', '--port', '0', '--data', data, '--no-simulator', '--simulator-url', simUrl],
      { MFP_EDGE_SMTP_INTAKE_PORT: '0' },
      {
        prefix: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', mount, data],
      },
    );
    const panelUrl = new URL((await edge.waitFor(/demo device panel:\s+(\S+)/, 30_000))[1]!);
    smtpPort = (await edge.waitFor(/email-to-fax:\s+smtp:\/\/[\d.]+:(\d+)/))[1]!;
    // The edge's own view of its data folder: its mount namespace, seen from here.
    inside = `/proc/${edge.child.pid}/root${data}`;
    panel = await PanelClient.connect(`ws://${panelUrl.host}/ws`);
    panels.push(panel);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: /device-token=([\w-]+)/.exec(panelUrl.hash)![1]!,
      app: { name: 'full-disk', version: '1' },
    });
  });

  after(async () => {
    for (const p of panels) p.close();
    await CliProcess.killAll();
    dir.remove();
  });

  /** Fills the edge's disk but for `leaveBytes`. */
  function fill(leaveBytes: number): void {
    const { bavail, bsize } = statfsSync(inside);
    const free = bavail * bsize;
    writeFileSync(join(inside, 'filler'), Buffer.alloc(Math.max(0, free - leaveBytes)));
  }
  const unfill = () => rmSync(join(inside, 'filler'), { force: true });

  async function final(id: string): Promise<JobView> {
    return panel.waitForJob((j) => j.id === id && FINAL.has(j.state), 90_000);
  }

  function noHalfFiles(): void {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
      );
    assert.deepEqual(
      walk(join(inside, 'spool')).filter((f) => f.endsWith('.tmp')),
      [],
    );
  }

  it('during a scan: SPOOL_FULL with its message, the job on record, no partial page; then room, then a fax goes', async () => {
    fill(150_000);
    const { job } = await panel.request('fax.send', { recipients: ['+12125550100'], resolution: 'fine' });
    const ended = await final(job.id);
    assert.equal(ended.state, 'failed', JSON.stringify(ended));
    assert.equal(ended.error?.code, 'SPOOL_FULL');
    assert.match(ended.error?.message ?? '', /disk space/);
    noHalfFiles();
    unfill();
    const listed = (await panel.request('jobs.list', { limit: 5 })).jobs.find((j) => j.id === job.id);
    assert.equal(listed?.error?.code, 'SPOOL_FULL', 'the failed job is kept on record');
    const next = await final((await panel.request('fax.send', { recipients: ['+12125550101'] })).job.id);
    assert.equal(next.state, 'delivered', JSON.stringify(next));
  });

  it('during a database write: a clear error to the panel, the edge up, the database whole afterwards', async () => {
    fill(0);
    // Fill the last blocks the first write left, too.
    for (let i = 0; i < 20; i++) {
      try {
        writeFileSync(join(inside, `crumb-${i}`), Buffer.alloc(4096));
      } catch {
        break;
      }
    }
    const refused = await panel.request('fax.send', { recipients: ['+12125550102'] }).then(
      (reply) => ({ ok: true as const, reply }),
      (error: { code?: string; message: string }) => ({ ok: false as const, error }),
    );
    process.stdout.write(
      `      → ${refused.ok ? 'accepted, then' : `refused ${refused.error.code}: ${refused.error.message}`}\n`,
    );
    if (refused.ok) {
      // SQLite may still have had room in its WAL: then the job must fail cleanly on the spool.
      const ended = await final(refused.reply.job.id);
      assert.equal(ended.error?.code, 'SPOOL_FULL', JSON.stringify(ended));
    } else {
      assert.equal(refused.error.code, 'STORAGE_FULL', JSON.stringify(refused.error));
      assert.match(refused.error.message, /disk/);
    }
    unfill();
    for (const f of readdirSync(inside)) if (f.startsWith('crumb-')) rmSync(join(inside, f));
    await sleep(200);
    assert.equal(edge.child.exitCode, null, `the edge is still running:\n${edge.output}`);
    const next = await final((await panel.request('fax.send', { recipients: ['+12125550103'] })).job.id);
    assert.equal(next.state, 'delivered', JSON.stringify(next));
    // SQLite will not open a file through /proc/<pid>/root: check it from inside the edge's namespace.
    const check = execFileSync(
      'nsenter',
      ['-t', String(edge.child.pid), '-m', '--', process.execPath, '-e', INTEGRITY, join(data, 'edge.db')],
      { encoding: 'utf8' },
    );
    assert.equal(check.trim(), 'ok');
  });
  it("during an email: 452 4.3.1 (the sender's server keeps it and retries), nothing half-written, then it goes", async () => {
    // The CLI works on the edge's own data folder, inside its mount namespace.
    const policy = execFileSync(
      'nsenter',
      [
        '-t',
        String(edge.child.pid),
        '-m',
        '--',
        process.execPath,
        BIN,
        'admin',
        '--data',
        data,
        'policy',
        'set',
        'emailToFax.enabled=true',
        'emailToFax.faxDomain=fax.test',
        'emailToFax.trustedDomains=partner.test',
        'emailToFax.ipAllowList=127.0.0.0/8',
      ],
      { encoding: 'utf8', env: { ...process.env, MFP_EDGE_LOG_LEVEL: 'warn' } },
    );
    assert.match(policy, /emailToFax/);
    await sleep(1500); // the running edge takes the change within its poll
    const png = join(dir.path, 'page.png');
    writeFileSync(
      png,
      await sharp(await textPageJpeg(150, 'Full disk'))
        .png()
        .toBuffer(),
    );
    const mail = [
      '--server',
      '127.0.0.1',
      '--port',
      smtpPort,
      '--from',
      'bob@partner.test',
      '--to',
      '12125550104@fax.test',
      '--attach-type',
      'image/png',
      '--attach',
      `@${png}`,
    ];
    fill(50_000);
    const refused = await swaks(mail);
    assert.ok(
      refused.replies.some((r) => r.startsWith('452 4.3.1')),
      refused.output,
    );
    noHalfFiles();
    unfill();
    const accepted = await swaks(mail);
    assert.ok(
      accepted.replies.some((r) => r.startsWith('250')),
      accepted.output,
    );
  });
});
