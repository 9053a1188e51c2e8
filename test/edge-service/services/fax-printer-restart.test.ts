import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceDrivers } from '../../../edge-service/src/services/device-drivers.ts';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { submitTag } from '../../../edge-service/src/services/fax-job-engine.ts';
import type { JobRecord } from '../../../edge-service/src/domain/job.ts';
import { textPageJpeg } from '../../helpers/sample-page.ts';
import { EngineHarness } from './engine-harness.ts';
import { FakeScanner, ScriptedFaxLine } from './fake-drivers.ts';

const A = '+12125550100';
const B = '+12125550111';

/*
 * A printer that restarts (power cut, reboot) forgets its jobs and numbers new ones from the same
 * ids. The engine must never take another job's result for ours, never lose the fax, and never send
 * it twice when the modem's own log shows it went out.
 */
describe('FaxJobEngine when the printer restarts (scripted modem)', function () {
  this.timeout(20000);
  let page: Buffer;
  let scanner: FakeScanner;
  let faxLine: ScriptedFaxLine;
  let harness: EngineHarness;

  before(async () => {
    page = await textPageJpeg(100);
  });

  beforeEach(() => {
    scanner = new FakeScanner();
    scanner.pages = [page, page];
    faxLine = new ScriptedFaxLine();
  });

  afterEach(async () => {
    await harness?.stop();
  });

  async function start(pollTimeoutMs = 400, attempts = 3): Promise<EngineHarness> {
    const drivers: DeviceDrivers = { scanner: () => scanner, faxLine: () => faxLine };
    harness = await new EngineHarness(drivers, { pollTimeoutMs }).start();
    harness.policies.setFaxRetryPolicy(harness.device.enterpriseId, { attempts, intervalMs: 50 });
    return harness;
  }

  function sending(jobId: string): Promise<JobRecord> {
    return harness.waitFor(jobId, (j) => j.state === 'sending' && j.deviceJobId !== null);
  }

  it('a restarted modem that gives our id to another job: ours is sent again, the other result never applied', async () => {
    faxLine.pollsPerJob = 1_000_000;
    await start();
    const job = harness.submit([A]);
    const first = await sending(job.id);
    faxLine.powerCycle();
    // Someone else's job takes id 100 on the fresh modem and completes.
    const other = faxLine.addJob({
      name: 'walk-up copy',
      destinations: ['tel:+33100000000'],
      pages: 5,
      documents: 1,
    });
    assert.equal(other.jobId, first.deviceJobId);
    other.state = 'completed';
    faxLine.pollsPerJob = 1;
    const done = await harness.waitForFinal(job.id);
    assert.equal(done.state, 'delivered');
    assert.equal(done.attempt, 2, 'sent again in a new attempt');
    assert.equal(done.resentAfterRestart, 1);
    const ours = faxLine.submitted().filter((j) => j.name.startsWith(`mfp-edge:${job.id}:`));
    assert.deepEqual(
      ours.map((j) => j.name),
      [submitTag(job.id, 2)],
      'the fresh modem holds only the resend',
    );
    assert.ok(
      harness.events.some((e) => e.id === job.id && e.recipients[0]?.error?.code === 'FAX_JOB_LOST'),
      'the panel heard why it was sent again',
    );
  });

  it('a restarted modem that no longer knows the job, whose log shows it delivered: delivered, not resent', async () => {
    faxLine.pollsPerJob = 1_000_000;
    await start();
    const job = harness.submit([A]);
    const first = await sending(job.id);
    await harness.halt();
    // The modem finished, logged it, then lost power with the edge.
    faxLine.log.push({
      name: first.submitTag,
      uuid: first.deviceJobUuid,
      pages: 2,
      destinations: [{ uri: `tel:${A}`, completed: true, pagesSent: 2 }],
    });
    faxLine.powerCycle();
    await harness.start();
    const done = await harness.waitForFinal(job.id);
    assert.equal(done.state, 'delivered');
    assert.equal(done.attempt, 1);
    assert.equal(done.resentAfterRestart, 0);
    assert.equal(faxLine.submissions.length, 1, 'never sent twice');
  });

  it('a log entry with every page confirmed proves delivery although power was lost before the job completed', async () => {
    faxLine.pollsPerJob = 1_000_000;
    await start();
    const job = harness.submit([A]);
    const first = await sending(job.id);
    faxLine.log.push({
      name: first.submitTag,
      uuid: null,
      pages: 2,
      destinations: [{ uri: `tel:${A}`, completed: false, pagesSent: 2 }],
    });
    faxLine.powerCycle();
    const done = await harness.waitForFinal(job.id);
    assert.equal(done.state, 'delivered');
    assert.equal(faxLine.submissions.length, 1, 'never sent twice');
  });

  it('a log entry of another job, or with fewer pages, proves nothing', async () => {
    faxLine.pollsPerJob = 1_000_000;
    await start();
    const job = harness.submit([A]);
    const first = await sending(job.id);
    faxLine.log.push(
      {
        name: 'mfp-edge:other:1',
        uuid: null,
        pages: 2,
        destinations: [{ uri: `tel:${A}`, completed: true, pagesSent: 2 }],
      },
      {
        name: first.submitTag,
        uuid: null,
        pages: 2,
        destinations: [{ uri: `tel:${A}`, completed: false, pagesSent: 1 }],
      },
    );
    faxLine.powerCycle();
    faxLine.pollsPerJob = 1;
    const done = await harness.waitForFinal(job.id);
    assert.equal(done.state, 'delivered');
    assert.equal(done.attempt, 2);
    assert.equal(faxLine.submissions.length, 2);
  });

  it('a modem that reports no job name or uuid is caught by its boot time', async () => {
    faxLine.pollsPerJob = 1_000_000;
    faxLine.reportsIdentity = false;
    await start();
    const job = harness.submit([A]);
    await sending(job.id);
    faxLine.powerCycle();
    const other = faxLine.addJob({
      name: 'walk-up copy',
      destinations: ['tel:+33100000000'],
      pages: 5,
      documents: 1,
    });
    other.state = 'completed';
    faxLine.pollsPerJob = 1;
    const done = await harness.waitForFinal(job.id);
    assert.equal(done.state, 'delivered');
    assert.equal(done.attempt, 2);
  });

  it('a modem silent past the poll timeout: the fax is sent again once it answers, and fails FAX_JOB_LOST when no attempt is left', async () => {
    faxLine.pollsPerJob = 1_000_000;
    await start(300, 2);
    const job = harness.submit([A]);
    await sending(job.id);
    faxLine.silent = true;
    const waiting = await harness.waitFor(job.id, (j) => j.state === 'retry-wait' || j.state === 'failed');
    assert.equal(waiting.recipients[0]!.error?.code, 'FAX_JOB_LOST');
    // Back, but restarted: the resend is the second and last attempt, and the printer loses it too.
    faxLine.powerCycle();
    faxLine.silent = false;
    await harness.waitFor(job.id, (j) => j.attempt === 2 && j.deviceJobId !== null);
    faxLine.powerCycle();
    const done = await harness.waitForFinal(job.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'FAX_JOB_LOST');
    assert.match(done.error!.message, /printer/);
  });

  it('a modem that was only out of reach and still holds the fax: followed, not sent twice', async () => {
    faxLine.pollsPerJob = 1_000_000;
    await start(300);
    const job = harness.submit([A]);
    await sending(job.id);
    faxLine.silent = true;
    await harness.waitFor(job.id, (j) => j.state === 'retry-wait');
    faxLine.silent = false;
    faxLine.pollsPerJob = 1;
    const done = await harness.waitForFinal(job.id);
    assert.equal(done.state, 'delivered');
    assert.equal(faxLine.submissions.length, 1, 'never sent twice');
    assert.equal(done.resentAfterRestart, 0);
  });

  it('several recipients: those the log proves are not dialled again', async () => {
    faxLine.pollsPerJob = 1_000_000;
    await start();
    const job = harness.submit([A, B]);
    const first = await sending(job.id);
    faxLine.log.push({
      name: first.submitTag,
      uuid: null,
      pages: 2,
      destinations: [
        { uri: `tel:${A}`, completed: true, pagesSent: 2 },
        { uri: `tel:${B}`, completed: false, pagesSent: 1 },
      ],
    });
    faxLine.powerCycle();
    faxLine.pollsPerJob = 1;
    const done = await harness.waitForFinal(job.id);
    assert.equal(done.state, 'delivered');
    assert.deepEqual(faxLine.submissions.at(-1)!.destinations, [`tel:${B}`]);
  });

  it('cancelling after a restart never cancels the job that took our id', async () => {
    faxLine.pollsPerJob = 1_000_000;
    await start(5_000);
    const job = harness.submit([A]);
    await sending(job.id);
    faxLine.silent = true;
    await sleep(50);
    faxLine.powerCycle();
    const other = faxLine.addJob({
      name: 'walk-up copy',
      destinations: ['tel:+33100000000'],
      pages: 5,
      documents: 1,
    });
    faxLine.silent = false;
    // Cancel while the engine may not have polled the replaced id yet.
    await harness.engine.cancel(job.id).catch(() => undefined);
    await harness.waitForFinal(job.id);
    assert.equal(faxLine.cancel.calledWith(other.jobId), false);
  });
  it('a printer still booting at hand-over is waited for; one off past the poll timeout fails FAX_UNREACHABLE', async () => {
    await start(600);
    faxLine.silent = true;
    const job = harness.submit([A]);
    await sleep(150);
    faxLine.silent = false;
    assert.equal((await harness.waitForFinal(job.id)).state, 'delivered');
    faxLine.silent = true;
    const second = harness.submit([B]);
    const failed = await harness.waitForFinal(second.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.code, 'FAX_UNREACHABLE');
    assert.equal(faxLine.submissions.length, 1);
  });

  it('no answer to the hand-over itself: the next attempt finds the fax the modem took, and never sends it twice', async () => {
    await start();
    faxLine.pollsPerJob = 1_000_000;
    // The modem takes the job, and the answer is lost on the way back.
    const submit = faxLine.submit.bind(faxLine);
    let lostAnswer = true;
    faxLine.submit = async (...args) => {
      const id = await submit(...args);
      if (!lostAnswer) return id;
      lostAnswer = false;
      throw new EdgeError('FAX_UNREACHABLE', 'socket hang up');
    };
    const job = harness.submit([A]);
    await harness.waitFor(job.id, (j) => j.state === 'retry-wait');
    faxLine.pollsPerJob = 1;
    const done = await harness.waitForFinal(job.id);
    assert.equal(done.state, 'delivered');
    assert.equal(faxLine.submissions.length, 1, 'never sent twice');
    assert.equal(done.attempt, 1);
  });
});
