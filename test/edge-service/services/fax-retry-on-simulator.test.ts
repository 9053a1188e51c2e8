import assert from 'node:assert/strict';
import { Simulator } from '../../../simulator/src/simulator.ts';
import { createLogger as createSimLogger } from '../../../simulator/src/logger.ts';
import { NetworkDeviceDrivers } from '../../../edge-service/src/services/device-drivers.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { EngineHarness } from './engine-harness.ts';

interface ReceivedFax {
  to: string;
  pages: number;
  status: string;
}

/*
 * The retry policy against the simulator's phone line: the real eSCL and IPP drivers, the
 * simulator's busy / no-answer / drop-at-page behaviours and its line-down fault, a policy with a
 * tiny interval. Each scenario ends as the policy says, and the remote machines show what was sent.
 */
describe('fax retry policy on the simulator', function () {
  this.timeout(60000);
  let simulator: Simulator;
  let harness: EngineHarness;
  let sheets: number;

  before(async () => {
    simulator = new Simulator({ port: 0, timeFactor: 0.01, logger: createSimLogger({ level: 'silent' }) });
    await simulator.start();
    harness = await new EngineHarness(new NetworkDeviceDrivers(createLogger({ level: 'silent' })), {
      pollMs: 50,
    }).start();
    harness.setDeviceUrls(simulator.deviceUrls);
    harness.policies.setFaxRetryPolicy(harness.device.enterpriseId, { attempts: 3, intervalMs: 300 });
    sheets = simulator.scanner.feederContents().sheets;
  });

  after(async () => {
    await harness?.stop();
    await simulator?.stop();
  });

  afterEach(async () => {
    simulator.remotes.resetBehaviors();
    simulator.faults.clear('line-down');
  });

  async function api(path: string, method: string, body: unknown): Promise<void> {
    const response = await fetch(`${simulator.url}/sim/api${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  }

  const line = (number: string, behavior: Record<string, unknown>) =>
    api(`/line/${encodeURIComponent(number)}`, 'PUT', behavior);

  async function received(number: string): Promise<ReceivedFax[]> {
    const faxes = (await (await fetch(`${simulator.url}/sim/api/faxes`)).json()) as ReceivedFax[];
    return faxes.filter((f) => f.to === number);
  }

  it('redials a busy number that frees up, sending to the other recipient only once', async () => {
    await line('+12125550300', { behavior: 'busy' });
    const job = harness.submit(['+12125550300', '+12125550301']);
    const waiting = await harness.waitFor(job.id, (j) => j.state === 'retry-wait');
    assert.equal(waiting.error?.code, 'FAX_BUSY');
    assert.ok(waiting.retryAt && Date.parse(waiting.retryAt) > Date.now() - 1000);
    assert.deepEqual(
      waiting.recipients.map((r) => r.state),
      ['retry-wait', 'delivered'],
    );
    await line('+12125550300', { behavior: 'answer' });
    const done = await harness.waitForFinal(job.id, 30000);
    assert.equal(done.state, 'delivered', JSON.stringify(done.error));
    assert.equal((await received('+12125550300')).length, 1);
    assert.equal((await received('+12125550301')).length, 1, 'the answering recipient got it once');
    assert.equal((await received('+12125550300'))[0]!.pages, sheets);
    const sequence = harness.events.filter((e) => e.id === job.id).map((e) => e.state);
    const wait = sequence.indexOf('retry-wait');
    assert.ok(wait > 0 && sequence.slice(wait).includes('dialing'), `the panel saw ${sequence.join(' → ')}`);
    assert.equal(sequence.at(-1), 'delivered');
  });

  it('fails with FAX_NO_ANSWER after the policy’s three attempts', async () => {
    await line('+12125550310', { behavior: 'no-answer' });
    const job = harness.submit(['+12125550310']);
    const done = await harness.waitForFinal(job.id, 40000);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'FAX_NO_ANSWER');
    assert.equal(done.recipients[0]!.attempts, 3);
    assert.equal(harness.events.filter((e) => e.id === job.id && e.state === 'retry-wait').length >= 2, true);
    assert.equal((await received('+12125550310')).length, 0);
  });

  it('does not redial a call dropped at page 2 (FAX_DROPPED)', async () => {
    await line('+12125550320', { behavior: 'drop-at-page', page: 2 });
    const job = harness.submit(['+12125550320']);
    const done = await harness.waitForFinal(job.id, 30000);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'FAX_DROPPED');
    assert.equal(done.recipients[0]!.attempts, 1);
    const partial = await received('+12125550320');
    assert.deepEqual(
      partial.map((f) => [f.status, f.pages]),
      [['partial', 1]],
    );
  });

  it('does not redial while the line is down (FAX_LINE_DOWN)', async () => {
    await api('/faults', 'POST', { fault: 'line-down' });
    const job = harness.submit(['+12125550330']);
    const done = await harness.waitForFinal(job.id, 30000);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'FAX_LINE_DOWN');
    assert.equal(done.recipients[0]!.attempts, 1);
    assert.equal((await received('+12125550330')).length, 0);
  });
});
