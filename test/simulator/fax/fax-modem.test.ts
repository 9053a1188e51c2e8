import assert from 'node:assert/strict';
import { SimClock } from '../../../simulator/src/clock.ts';
import { Faults } from '../../../simulator/src/faults.ts';
import { createLogger } from '../../../simulator/src/logger.ts';
import { FaxModem } from '../../../simulator/src/fax/fax-modem.ts';
import type { FaxJob } from '../../../simulator/src/fax/fax-job.ts';
import { RemoteMachines } from '../../../simulator/src/fax/remote-machines.ts';
import { makeG4Pdf } from './g4-fixtures.ts';

/** Adds up the simulated time asked for, and lets it pass instantly. */
class RecordingClock extends SimClock {
  total = 0;
  constructor() {
    super(0);
  }
  override wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.total += ms;
    return super.wait(ms, signal);
  }
}

describe('simulator/fax/fax-modem', () => {
  let pdf: Buffer;
  const modems: FaxModem[] = [];
  before(async () => {
    pdf = await makeG4Pdf(2);
  });
  afterEach(() => {
    for (const m of modems.splice(0)) m.stop();
  });

  function setup(bitRate?: number) {
    const clock = new RecordingClock();
    const remotes = new RemoteMachines();
    const modem = new FaxModem({
      clock,
      faults: new Faults(),
      logger: createLogger({ level: 'silent' }),
      remotes,
      ...(bitRate ? { bitRate } : {}),
    });
    modem.start();
    modems.push(modem);
    return { clock, remotes, modem };
  }

  function send(modem: FaxModem, number: string): Promise<FaxJob> {
    const job = modem.createJob({
      name: 'n',
      userName: 'u',
      destinations: [{ uri: `tel:${number}`, number }],
    });
    return new Promise((resolve) => {
      const onJob = (j: FaxJob): void => {
        if (j.id === job.id && ['completed', 'aborted', 'canceled'].includes(j.state)) {
          modem.off('job', onJob);
          resolve(j);
        }
      };
      modem.on('job', onJob);
      modem.addDocument(job.id, { format: 'application/pdf', data: pdf }, true);
    });
  }

  it('takes line time from the encoded size and bit rate; a slow line takes longer', async () => {
    const fast = setup();
    assert.equal((await send(fast.modem, '5550100')).state, 'completed');
    const slow = setup();
    slow.remotes.setBehavior('5550100', { behavior: 'slow', bitRate: 2400 });
    assert.equal((await send(slow.modem, '5550100')).state, 'completed');
    const pageBytes = 2 * 200; // two small G4 pages, a couple of hundred bytes each
    assert.ok(slow.clock.total > fast.clock.total, `${slow.clock.total} > ${fast.clock.total}`);
    // dial + handshake + page overheads dominate such tiny pages; the difference is the data time.
    const expectedExtra = ((pageBytes * 8) / 2400 - (pageBytes * 8) / 14400) * 1000;
    assert.ok(slow.clock.total - fast.clock.total > expectedExtra * 0.5);
  });

  it('stop() aborts running and waiting jobs and refuses new ones', async () => {
    const { modem } = setup();
    const waiting = modem.createJob({
      name: 'n',
      userName: 'u',
      destinations: [{ uri: 'tel:1', number: '1' }],
    });
    modem.stop();
    assert.equal(modem.job(waiting.id)?.state, 'aborted');
    assert.throws(() => modem.createJob({ name: 'n', userName: 'u', destinations: [] }), /not running/);
    assert.equal(modem.printerStatus().state, 'stopped');
  });
});
