import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { submitTag } from '../../../edge-service/src/services/fax-job-engine.ts';
import type { SpoolFs } from '../../../edge-service/src/services/spool.ts';
import type { DeviceDrivers } from '../../../edge-service/src/services/device-drivers.ts';
import type { FaxLine } from '../../../edge-service/src/domain/fax-line.ts';
import type { JobRecord } from '../../../edge-service/src/domain/job.ts';
import { textPageJpeg } from '../../helpers/sample-page.ts';
import { EngineHarness } from './engine-harness.ts';
import { FakeScanner, ScriptedFaxLine } from './fake-drivers.ts';

const A = '+12125550100';
const B = '+12125550111';

/*
 * The durable fax job engine with SQLite and the spool for real and scripted drivers: crash
 * recovery staged by writing what an interrupted run leaves in the database, retries with a tiny
 * interval, and a full disk through an injected file system.
 */
describe('FaxJobEngine (SQLite, spool, scripted drivers)', function () {
  this.timeout(20000);
  let page: Buffer;
  let scanner: FakeScanner;
  let faxLine: ScriptedFaxLine;
  let harness: EngineHarness;

  before(async () => {
    page = await textPageJpeg(100);
  });

  async function start(
    options: ConstructorParameters<typeof EngineHarness>[1] = {},
    line: FaxLine = faxLine,
  ): Promise<EngineHarness> {
    const drivers: DeviceDrivers = { scanner: () => scanner, faxLine: () => line };
    harness = await new EngineHarness(drivers, options).start();
    return harness;
  }

  beforeEach(() => {
    scanner = new FakeScanner();
    scanner.pages = [page, page];
    faxLine = new ScriptedFaxLine();
  });

  afterEach(async () => {
    await harness?.stop();
  });

  /** A job as a crash leaves it: two scanned pages in the spool, in `state`. */
  async function interruptedJob(state: JobRecord['state'], recipients: string[] = [A]): Promise<JobRecord> {
    await harness.halt();
    await harness.start();
    await harness.engine.stop();
    const job = harness.jobs.create({
      deviceId: harness.device.id,
      userId: null,
      options: { resolution: 'standard', source: 'adf', duplex: false },
      recipients,
    });
    for (const number of [1, 2]) {
      const scanFile = await harness.spool.write(job.id, `scan-000${number}.jpg`, page);
      harness.jobs.addPage(job.id, { number, scanFile, faxFile: null });
    }
    return harness.jobs.update(job.id, { state, pagesScanned: 2 });
  }

  describe('hand-over and crash recovery', () => {
    it('records the hand-over intent and its tag before Create-Job, then the device job id', async () => {
      await start();
      const seen: (JobRecord | null)[] = [];
      faxLine.beforeCreate = (name) => seen.push(harness.jobs.get(name.split(':')[1]!));
      const job = harness.submit([A]);
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered');
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.submitTag, submitTag(job.id, 1));
      assert.equal(seen[0]!.deviceJobId, null);
      assert.equal(faxLine.jobs[0]!.name, submitTag(job.id, 1));
      assert.equal(done.deviceJobId, faxLine.jobs[0]!.jobId);
      assert.equal(done.totalPages, 2);
      const states: string[] = harness.events.filter((e) => e.id === job.id).map((e) => e.state);
      for (const state of ['scanning', 'converting', 'dialing', 'sending', 'delivered'])
        assert.ok(states.includes(state), `announced ${state}`);
    });

    it('follows a job the modem already holds instead of sending it again', async () => {
      await start();
      const job = await interruptedJob('dialing');
      const tag = submitTag(job.id, 1);
      harness.jobs.beginAttempt(job.id, { number: 1, tag, positions: [0] });
      const held = faxLine.addJob({ name: tag, destinations: [`tel:${A}`], pages: 2, documents: 1 });
      harness.engine.start();
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered');
      assert.equal(done.deviceJobId, held.jobId);
      assert.equal(faxLine.submitted().length, 1, 'nothing was sent a second time');
      assert.equal(scanner.scan.callCount, 0);
      assert.equal(faxLine.cancel.callCount, 0);
    });

    it('cancels a device job left without its document and sends once', async () => {
      await start();
      const job = await interruptedJob('dialing');
      const tag = submitTag(job.id, 1);
      harness.jobs.beginAttempt(job.id, { number: 1, tag, positions: [0] });
      const empty = faxLine.addJob({ name: tag, destinations: [`tel:${A}`], pages: 0, documents: 0 });
      harness.engine.start();
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered');
      assert.deepEqual(faxLine.cancel.firstCall.args, [empty.jobId]);
      assert.equal(faxLine.submitted().length, 1);
      assert.equal(faxLine.submitted()[0]!.name, tag);
      assert.equal(faxLine.submitted()[0]!.pages, 2);
    });

    it('sends when the intent was recorded but Create-Job never reached the modem', async () => {
      await start();
      const job = await interruptedJob('dialing');
      harness.jobs.beginAttempt(job.id, { number: 1, tag: submitTag(job.id, 1), positions: [0] });
      harness.engine.start();
      assert.equal((await harness.waitForFinal(job.id)).state, 'delivered');
      assert.equal(faxLine.submitted().length, 1);
    });

    it('fails rather than risk a second send when the modem cannot list its jobs', async () => {
      const blind: FaxLine = {
        capabilities: () => faxLine.capabilities(),
        submit: (d, t, o) => faxLine.submit(d, t, o),
        status: (id) => faxLine.status(id),
        cancel: (id) => faxLine.cancel(id),
      };
      await start({}, blind);
      const job = await interruptedJob('dialing');
      harness.jobs.beginAttempt(job.id, { number: 1, tag: submitTag(job.id, 1), positions: [0] });
      harness.engine.start();
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'FAX_ERROR');
      assert.match(done.error!.message, /cannot list its jobs/);
      assert.equal(faxLine.submitted().length, 0);
    });

    it('resumes a job interrupted while converting from the spool, without scanning', async () => {
      await start();
      const job = await interruptedJob('converting');
      harness.engine.start();
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered');
      assert.equal(scanner.scan.callCount, 0);
      assert.equal(faxLine.submitted()[0]!.pages, 2);
      assert.ok(harness.jobs.pages(job.id).every((p) => p.faxFile !== null));
    });

    it('fails an ADF job interrupted while scanning with SCAN_INTERRUPTED', async () => {
      await start();
      const job = await interruptedJob('scanning');
      harness.engine.start();
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'SCAN_INTERRUPTED');
      assert.match(done.error!.message, /after page 2.*put all the originals back/);
      assert.equal(scanner.scan.callCount, 0);
      assert.equal(faxLine.jobs.length, 0);
    });

    it('carries on an ADF scan the device still holds, with the pages it had not handed out yet', async () => {
      await start();
      const job = await interruptedJob('scanning');
      harness.jobs.update(job.id, { scanJobUrl: '/eSCL/ScanJobs/abc' });
      scanner.held = { jobUrl: '/eSCL/ScanJobs/abc', handedOut: 2, pages: [page] };
      harness.engine.start();
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered', JSON.stringify(done.error));
      assert.equal(done.totalPages, 3);
      assert.deepEqual(scanner.resume.firstCall.args.slice(0, 2), [
        '/eSCL/ScanJobs/abc',
        { source: 'adf', pagesRead: 2 },
      ]);
      assert.equal(scanner.scan.callCount, 0);
      assert.equal(faxLine.submitted()[0]!.pages, 3);
    });

    it('fails the ADF job with SCAN_INTERRUPTED when the device handed out a page the edge did not keep', async () => {
      await start();
      const job = await interruptedJob('scanning');
      harness.jobs.update(job.id, { scanJobUrl: '/eSCL/ScanJobs/abc' });
      scanner.held = { jobUrl: '/eSCL/ScanJobs/abc', handedOut: 3, pages: [page] };
      harness.engine.start();
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.error?.code, 'SCAN_INTERRUPTED');
      assert.equal(faxLine.jobs.length, 0);
    });

    it('records the eSCL job while scanning and forgets it once the scan is done', async () => {
      await start();
      const job = harness.submit([A]);
      await harness.waitFor(
        job.id,
        (j) => j.scanJobUrl === '/eSCL/ScanJobs/fake-1' || j.state !== 'scanning',
      );
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.scanJobUrl, null);
    });

    it('scans a platen job interrupted while scanning again', async () => {
      await start();
      scanner.pages = [page];
      const job = await interruptedJob('scanning');
      harness.jobs.atomically(() =>
        harness.db
          .prepare('UPDATE jobs SET options = ? WHERE id = ?')
          .run(JSON.stringify({ resolution: 'fine', source: 'platen', duplex: false }), job.id),
      );
      harness.db.prepare('DELETE FROM job_pages WHERE job_id = ? AND number = 2').run(job.id);
      harness.engine.start();
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered');
      assert.equal(scanner.scan.callCount, 1);
      assert.equal(faxLine.submitted()[0]!.pages, 1);
    });
  });

  describe('retry policy', () => {
    it('gives a modem without multiple destinations one device job per number, then retries the busy one', async () => {
      await start();
      faxLine.multipleDestinations = false;
      harness.policies.setFaxRetryPolicy(harness.device.enterpriseId, { attempts: 2, intervalMs: 100 });
      faxLine.line = (uri, call) => (uri === `tel:${A}` && call === 1 ? 'FAX_BUSY' : 'delivered');
      const job = harness.submit([A, B]);
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered', JSON.stringify(done.error));
      assert.deepEqual(
        faxLine.submitted().map((j) => j.destinations),
        [[`tel:${A}`], [`tel:${B}`], [`tel:${A}`]],
      );
      assert.deepEqual(
        done.recipients.map((r) => [r.state, r.attempts]),
        [
          ['delivered', 2],
          ['delivered', 1],
        ],
      );
    });

    it('redials only the busy recipient after the interval, in a new device job', async () => {
      await start();
      harness.policies.setFaxRetryPolicy(harness.device.enterpriseId, { attempts: 3, intervalMs: 150 });
      faxLine.line = (uri, call) => (uri === `tel:${A}` && call === 1 ? 'FAX_BUSY' : 'delivered');
      const job = harness.submit([A, B]);
      const waiting = await harness.waitFor(job.id, (j) => j.state === 'retry-wait');
      assert.ok(waiting.retryAt);
      const delay = Date.parse(waiting.retryAt) - Date.parse(waiting.updatedAt);
      assert.ok(delay >= 100 && delay <= 1000, `retry ${delay} ms after the failure`);
      assert.equal(waiting.error?.code, 'FAX_BUSY');
      assert.deepEqual(
        waiting.recipients.map((r) => r.state),
        ['retry-wait', 'delivered'],
      );
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered', JSON.stringify(done.error));
      assert.equal(done.error, undefined);
      assert.deepEqual(
        faxLine.submitted().map((j) => j.destinations),
        [[`tel:${A}`, `tel:${B}`], [`tel:${A}`]],
      );
      assert.deepEqual(
        faxLine.submitted().map((j) => j.name),
        [submitTag(job.id, 1), submitTag(job.id, 2)],
      );
      assert.deepEqual(
        done.recipients.map((r) => [r.state, r.attempts]),
        [
          ['delivered', 2],
          ['delivered', 1],
        ],
      );
      const announced = harness.events.find((e) => e.id === job.id && e.state === 'retry-wait');
      assert.equal(announced?.retryAt, waiting.retryAt);
    });

    it('gives up with FAX_NO_ANSWER when the attempts are spent', async () => {
      await start();
      harness.policies.setFaxRetryPolicy(harness.device.enterpriseId, { attempts: 2, intervalMs: 20 });
      faxLine.line = () => 'FAX_NO_ANSWER';
      const job = harness.submit([A]);
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'FAX_NO_ANSWER');
      assert.equal(done.retryAt, null);
      assert.equal(faxLine.submitted().length, 2);
      assert.equal(done.recipients[0]!.attempts, 2);
    });

    for (const code of ['FAX_DROPPED', 'FAX_LINE_DOWN'] as const) {
      it(`does not redial after ${code}`, async () => {
        await start();
        harness.policies.setFaxRetryPolicy(harness.device.enterpriseId, { attempts: 3, intervalMs: 20 });
        faxLine.line = () => code;
        const job = harness.submit([A]);
        const done = await harness.waitForFinal(job.id);
        assert.equal(done.state, 'failed');
        assert.equal(done.error?.code, code);
        assert.equal(faxLine.submitted().length, 1);
      });
    }

    it('dials once when no policy source is configured', async () => {
      await start({ withPolicies: false });
      faxLine.line = () => 'FAX_BUSY';
      const job = harness.submit([A]);
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'FAX_BUSY');
      assert.equal(faxLine.submitted().length, 1);
    });

    it('keeps a retry across a restart and dials at the recorded time', async () => {
      await start();
      harness.policies.setFaxRetryPolicy(harness.device.enterpriseId, { attempts: 3, intervalMs: 400 });
      faxLine.line = (_uri, call) => (call === 1 ? 'FAX_BUSY' : 'delivered');
      const job = harness.submit([A]);
      const waiting = await harness.waitFor(job.id, (j) => j.state === 'retry-wait');
      await harness.restart();
      assert.equal(harness.jobs.get(job.id)!.state, 'retry-wait');
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered');
      assert.equal(faxLine.submitted().length, 2);
      assert.ok(Date.now() >= Date.parse(waiting.retryAt!));
    });

    it('cancels a job waiting to retry', async () => {
      await start();
      harness.policies.setFaxRetryPolicy(harness.device.enterpriseId, { attempts: 3, intervalMs: 60_000 });
      faxLine.line = () => 'FAX_BUSY';
      const job = harness.submit([A]);
      await harness.waitFor(job.id, (j) => j.state === 'retry-wait');
      const cancelled = await harness.engine.cancel(job.id);
      assert.equal(cancelled.state, 'cancelled');
      assert.equal(cancelled.retryAt, null);
      assert.equal(cancelled.recipients[0]!.state, 'failed');
      assert.equal(faxLine.submitted().length, 1);
    });
  });

  describe('spool', () => {
    it('fails a job with SPOOL_FULL when the disk fills while spooling, and frees its pages', async () => {
      let opened = 0;
      const fullDisk: SpoolFs = {
        ...nodeFs,
        open: (async (path: Parameters<typeof nodeFs.open>[0], flags?: string | number) => {
          if (String(path).includes('scan-0002')) {
            opened++;
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          return nodeFs.open(path, flags);
        }) as typeof nodeFs.open,
      };
      await start({ spoolFs: fullDisk });
      scanner.pages = [page, page, page];
      const job = harness.submit([A]);
      const done = await harness.waitForFinal(job.id);
      assert.equal(opened, 1);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'SPOOL_FULL');
      assert.match(done.error!.message, /disk space/);
      assert.equal(done.pagesScanned, 1);
      assert.equal(faxLine.jobs.length, 0);
      assert.equal(existsSync(join(harness.spool.root, job.id)), false, 'the job gave its pages back');
    });

    it('reports a scanner failure after the pages already spooled', async () => {
      await start();
      scanner.failAfter = { pages: 1, error: new EdgeError('SCANNER_ERROR') };
      const job = harness.submit([A]);
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.error?.code, 'SCANNER_ERROR');
      assert.equal(harness.jobs.pages(job.id).length, 1);
    });
  });

  describe('needs-attention: a jam mid-job keeps the pages', () => {
    it('waits with the pages kept and the sheets to put back, then appends the pages of a new scan', async () => {
      await start();
      scanner.pages = [page, page, page];
      scanner.failAfter = { pages: 2, error: new EdgeError('SCANNER_JAM') };
      const job = harness.submit([A]);
      const waiting = await harness.waitFor(job.id, (j) => j.state === 'needs-attention');
      assert.equal(waiting.error?.code, 'SCANNER_JAM');
      assert.match(
        waiting.error!.message,
        /^Clear the jam, put pages 3 to the last back in the feeder, then press Resume\. Pages 1–2 are kept\.$/,
      );
      assert.deepEqual(
        waiting.pages.map((p) => [p.number, p.thumbFile]),
        [
          [1, 'thumb-0001.png'],
          [2, 'thumb-0002.png'],
        ],
      );
      assert.equal(faxLine.jobs.length, 0, 'nothing dialled');

      scanner.failAfter = null;
      scanner.pages = [page, page];
      const resumed = harness.engine.resume(job.id);
      assert.equal(resumed.state, 'scanning');
      assert.equal(resumed.scanBase, 2);
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered', JSON.stringify(done.error));
      assert.equal(done.totalPages, 4);
      assert.deepEqual(
        done.pages.map((p) => p.number),
        [1, 2, 3, 4],
      );
      assert.equal(faxLine.jobs.length, 1);
      assert.equal(faxLine.jobs[0]!.pages, 4);
      assert.equal(scanner.scan.callCount, 2);
    });

    it('duplex: a sheet whose back was not read goes back whole', async () => {
      await start();
      scanner.pages = [page, page, page, page];
      scanner.failAfter = { pages: 3, error: new EdgeError('COVER_OPEN') };
      const job = harness.submit([A], { duplex: true });
      const waiting = await harness.waitFor(job.id, (j) => j.state === 'needs-attention');
      assert.equal(waiting.pages.length, 2, 'the lone front of sheet 2 is dropped');
      assert.equal(waiting.pagesScanned, 2);
      assert.match(
        waiting.error!.message,
        /^Close the scanner cover, put sheets 2 to the last back in the feeder/,
      );
    });

    it('fails with the original code when nobody resumes in time, also after a restart', async () => {
      await start({ attentionTimeoutMs: 400 });
      scanner.pages = [page, page];
      scanner.failAfter = { pages: 1, error: new EdgeError('SCANNER_JAM') };
      const job = harness.submit([A]);
      await harness.waitFor(job.id, (j) => j.state === 'needs-attention');
      await harness.restart();
      assert.equal(harness.jobs.get(job.id)!.state, 'needs-attention', 'a restart keeps it waiting');
      const done = await harness.waitForFinal(job.id, 5000);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'SCANNER_JAM');
      assert.match(done.error!.message, /Nobody pressed Resume/);
      assert.equal(faxLine.jobs.length, 0);
    });

    it('refuses Resume for a job that is not waiting', async () => {
      await start();
      const job = harness.submit([A]);
      await harness.waitForFinal(job.id);
      assert.throws(() => harness.engine.resume(job.id), { code: 'JOB_NOT_WAITING' });
      assert.throws(() => harness.engine.resume('nope'), { code: 'JOB_NOT_FOUND' });
    });
  });
});
