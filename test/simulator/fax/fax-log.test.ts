import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Simulator } from '../../../simulator/src/simulator.ts';
import { createLogger } from '../../../simulator/src/logger.ts';
import { FaxLog } from '../../../simulator/src/fax/fax-log.ts';
import type { FaxJob } from '../../../simulator/src/fax/fax-job.ts';
import type { FaxLogEntry } from '../../../simulator/src/fax/fax-log-entry.ts';
import { attr, v } from '../../../simulator/src/fax/ipp-codec.ts';
import { GroupTag, Operation, StatusCode } from '../../../simulator/src/fax/ipp-constants.ts';
import { makeG4Pdf } from './g4-fixtures.ts';
import { destinationUris, groupOf, ippRequest, valueOf, waitFor } from './ipp-test-client.ts';
import { CliProcess } from '../../helpers/cli-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const silent = createLogger({ level: 'silent' });

function job(overrides: Partial<FaxJob> = {}): FaxJob {
  return {
    id: 1,
    uuid: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    name: 'mfp-edge:j1:1',
    userName: 'edge',
    state: 'processing',
    reasons: ['job-printing'],
    stateMessage: 'Sending page 2 of 3',
    destinations: [
      { uri: 'tel:+1555', number: '1555', imagesCompleted: 1, transmissionStatus: 'processing' },
    ],
    documents: [],
    incoming: false,
    options: {},
    pageCount: 3,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

describe('simulator/fax/fax-log', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('mfp-fax-log-');
  });
  afterEach(async () => {
    await CliProcess.killAll();
    dir.remove();
  });

  it('closes what a killed process left unfinished as power-loss, skips a torn line, counts boots', () => {
    const first = new FaxLog({ dataDir: dir.path, logger: silent });
    first.start();
    assert.equal(first.boot, 1);
    first.record(job());
    first.record(job({ id: 2, uuid: 'urn:uuid:2', state: 'pending', destinations: [] }));
    // The process dies in the middle of a line.
    appendFileSync(join(dir.path, 'fax-log.jsonl'), '{"entry":{"jobId":3,');

    const second = new FaxLog({ dataDir: dir.path, logger: silent });
    second.start();
    assert.equal(second.boot, 2);
    const [pending, sending] = second.entries();
    assert.deepEqual(
      [
        sending?.state,
        sending?.result,
        sending?.interruptedBy,
        sending?.pagesSent,
        sending?.destinations[0]?.result,
      ],
      ['aborted', 'partial', 'power-loss', 1, 'partial'],
    );
    assert.deepEqual([pending?.state, pending?.result, pending?.boot], ['aborted', 'failed', 1]);
    // The torn line is gone from the rewritten file, so the next append starts a line of its own.
    assert.ok(readFileSync(join(dir.path, 'fax-log.jsonl'), 'utf8').endsWith('\n'));
    second.record(job({ id: 1, uuid: 'urn:uuid:3', state: 'completed', destinations: [] }));
    const third = new FaxLog({ dataDir: dir.path, logger: silent });
    third.start();
    assert.deepEqual(
      third.entries().map((e) => [e.jobUuid, e.boot]),
      [
        ['urn:uuid:3', 2],
        ['urn:uuid:2', 1],
        [job().uuid, 1],
      ],
    );
  });

  it('without a data dir writes nothing and forgets on restart', () => {
    const log = new FaxLog({ logger: silent });
    log.start();
    log.record(job());
    assert.equal(log.entries().length, 1);
    assert.equal(existsSync(join(dir.path, 'fax-log.jsonl')), false);
    assert.equal(new FaxLog({ logger: silent }).entries().length, 0);
  });

  it('keeps the newest entries only', () => {
    const log = new FaxLog({ dataDir: dir.path, logger: silent, maxEntries: 2 });
    log.start();
    for (let i = 1; i <= 3; i++) log.record(job({ id: i, uuid: `urn:uuid:${i}`, state: 'completed' }));
    assert.deepEqual(
      log.entries().map((e) => e.jobId),
      [3, 2],
    );
  });

  it('a simulator SIGKILLed mid-fax: the next one on the same --data has the delivered fax and the cut one as partial', async () => {
    const number = '+15550108000';
    const cli = new CliProcess(['simulator', '--port', '0', '--data', dir.path, '--time-factor', '0.25']);
    const url = (await cli.waitFor(/console:\s+(http:\/\/[\d.]+:\d+)\//))[1]!;
    const send = async (to: string, name: string) => {
      const created = await ippRequest(url, Operation.createJob, [attr('job-name', v.name(name))], {
        job: [destinationUris(`tel:${to}`)],
      });
      const id = valueOf(groupOf(created, GroupTag.job), 'job-id') as number;
      const sent = await ippRequest(
        url,
        Operation.sendDocument,
        [
          attr('job-id', v.integer(id)),
          attr('document-format', v.mimeMediaType('application/pdf')),
          attr('last-document', v.boolean(true)),
        ],
        { data: await makeG4Pdf(3) },
      );
      assert.equal(sent.code, StatusCode.successfulOk);
    };
    const log = async () => (await (await fetch(`${url}/sim/api/fax-log`)).json()) as FaxLogEntry[];
    await send('+15550108001', 'mfp-edge:done:1');
    await waitFor(async () => ((await log())[0]?.result === 'completed' ? true : undefined), 20_000);
    await fetch(`${url}/sim/api/line/${encodeURIComponent(number)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ behavior: 'slow', bitRate: 300 }),
    });
    await send(number, 'mfp-edge:cut:1');
    await waitFor(async () => {
      const cut = (await log()).find((e) => e.name === 'mfp-edge:cut:1');
      return cut && cut.pagesSent >= 1 ? cut : undefined;
    }, 20_000);
    await cli.kill('SIGKILL');

    const simulator = new Simulator({ port: 0, dataDir: dir.path, logger: silent });
    await simulator.start();
    try {
      const entries = (await (await fetch(`${simulator.url}/sim/api/fax-log`)).json()) as FaxLogEntry[];
      assert.deepEqual(
        entries.map((e) => [e.name, e.jobId, e.boot, e.state, e.result, e.interruptedBy ?? null]),
        [
          ['mfp-edge:cut:1', 2, 1, 'aborted', 'partial', 'power-loss'],
          ['mfp-edge:done:1', 1, 1, 'completed', 'completed', null],
        ],
      );
      const faxes = (await (await fetch(`${simulator.url}/sim/api/faxes`)).json()) as {
        to: string;
        status: string;
      }[];
      // The delivered fax was on disk before its log line said completed.
      assert.deepEqual(
        faxes.map((f) => [f.to, f.status]),
        [['+15550108001', 'received']],
      );
    } finally {
      await simulator.stop();
    }
  });
});
