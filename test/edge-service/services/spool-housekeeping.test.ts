import assert from 'node:assert/strict';
import { existsSync, readdirSync, utimesSync, mkdirSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { Spool, type SpoolFs } from '../../../edge-service/src/services/spool.ts';
import { SpoolHousekeeper } from '../../../edge-service/src/services/spool-housekeeper.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { EngineHarness } from './engine-harness.ts';
import { FakeScanner, ScriptedFaxLine } from './fake-drivers.ts';

const HOUR = 3_600_000;

describe('Spool', () => {
  const dir = tempDir('mfp-spool-');
  after(() => dir.remove());

  it('turns a full disk into SPOOL_FULL and leaves no partial file', async () => {
    const fs: SpoolFs = {
      ...nodeFs,
      open: (async (path: string, flags: string) => {
        const handle = await nodeFs.open(path, flags);
        return Object.assign(Object.create(handle) as nodeFs.FileHandle, {
          writeFile: async () => {
            await handle.writeFile(Buffer.alloc(10));
            throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          },
          sync: () => handle.sync(),
          close: () => handle.close(),
        });
      }) as unknown as typeof nodeFs.open,
    };
    const spool = new Spool(join(dir.path, 'full'), { fs });
    await spool.start();
    await assert.rejects(
      spool.write('job-1', 'scan-0001.jpg', Buffer.alloc(1000)),
      (e: unknown) => e instanceof EdgeError && e.code === 'SPOOL_FULL',
    );
    assert.deepEqual(readdirSync(join(dir.path, 'full', 'job-1')), []);
  });

  it('passes other write errors through unchanged', async () => {
    const fs: SpoolFs = {
      ...nodeFs,
      rename: (async () => {
        throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      }) as typeof nodeFs.rename,
    };
    const spool = new Spool(join(dir.path, 'eio'), { fs });
    await spool.start();
    await assert.rejects(spool.write('job-2', 'a', Buffer.from('x')), { code: 'EIO' });
  });
});

describe('SpoolHousekeeper', function () {
  this.timeout(20000);
  let harness: EngineHarness;

  beforeEach(async () => {
    harness = await new EngineHarness({
      scanner: () => new FakeScanner(),
      faxLine: () => new ScriptedFaxLine(),
    }).start();
    await harness.engine.stop();
  });
  afterEach(async () => harness.stop());

  async function finishedJob(state: 'delivered' | 'failed' | 'sending', hoursAgo: number): Promise<string> {
    const job = harness.jobs.create({
      deviceId: harness.device.id,
      userId: null,
      options: { resolution: 'fine', source: 'adf', duplex: false },
      recipients: ['+12125550100'],
    });
    await harness.spool.write(job.id, 'scan-0001.jpg', Buffer.from('page'));
    harness.jobs.update(job.id, { state });
    harness.db
      .prepare('UPDATE jobs SET updated_at = ? WHERE id = ?')
      .run(new Date(Date.now() - hoursAgo * HOUR).toISOString(), job.id);
    return job.id;
  }

  it('removes the pages of jobs finished before the retention period, and orphan folders', async () => {
    const old = await finishedJob('delivered', 30);
    const oldFailed = await finishedJob('failed', 25);
    const recent = await finishedJob('delivered', 2);
    const running = await finishedJob('sending', 48);
    const orphan = join(harness.spool.root, 'orphan-folder');
    mkdirSync(orphan);
    const longAgo = new Date(Date.now() - 48 * HOUR);
    utimesSync(orphan, longAgo, longAgo);
    const housekeeper = new SpoolHousekeeper({
      jobs: harness.jobs,
      spool: harness.spool,
      logger: createLogger({ level: 'silent' }),
      retentionMs: 24 * HOUR,
      intervalMs: 60_000,
    });
    assert.equal(await housekeeper.sweep(), 3);
    const kept = (id: string) => existsSync(join(harness.spool.root, id));
    assert.equal(kept(old), false);
    assert.equal(kept(oldFailed), false);
    assert.equal(kept(orphan), false);
    assert.equal(kept(recent), true);
    assert.equal(kept(running), true, 'an unfinished job keeps its pages');
    assert.equal(harness.jobs.get(old)?.state, 'delivered', 'the job record stays');
    assert.equal(await housekeeper.sweep(), 0, 'a purged job is not swept again');
  });

  it('sweeps periodically between start() and stop()', async () => {
    const job = await finishedJob('delivered', 1);
    const housekeeper = new SpoolHousekeeper({
      jobs: harness.jobs,
      spool: harness.spool,
      logger: createLogger({ level: 'silent' }),
      retentionMs: 0,
      intervalMs: 30,
    });
    housekeeper.start();
    try {
      const deadline = Date.now() + 5000;
      while (existsSync(join(harness.spool.root, job)) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(existsSync(join(harness.spool.root, job)), false);
    } finally {
      await housekeeper.stop();
    }
  });
});
