import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import sharp from 'sharp';
import { Simulator } from '../../simulator/src/simulator.ts';
import { attr, v } from '../../simulator/src/fax/ipp-codec.ts';
import { GroupTag, Operation, StatusCode } from '../../simulator/src/fax/ipp-constants.ts';
import { makeG4Pdf } from './fax/g4-fixtures.ts';
import { destinationUris, groupOf, ippRequest, valueOf, waitFor } from './fax/ipp-test-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface FaxSummary {
  id: string;
  to: string;
  pages: number;
  status: string;
  receivedAt: string;
}

/** A logger whose warnings the test can read. */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), warnings: () => lines.filter((l) => l.level === 40) };
}

async function faxOver(simulator: Simulator, number: string): Promise<void> {
  const created = await ippRequest(simulator.url, Operation.createJob, [attr('job-name', v.name('kept'))], {
    job: [destinationUris(`tel:${number}`)],
  });
  assert.equal(created.code, StatusCode.successfulOk);
  const jobId = valueOf(groupOf(created, GroupTag.job), 'job-id') as number;
  const sent = await ippRequest(
    simulator.url,
    Operation.sendDocument,
    [
      attr('job-id', v.integer(jobId)),
      attr('document-format', v.mimeMediaType('application/pdf')),
      attr('last-document', v.boolean(true)),
    ],
    { data: await makeG4Pdf(1) },
  );
  assert.equal(sent.code, StatusCode.successfulOk);
}

async function faxesOf(simulator: Simulator): Promise<FaxSummary[]> {
  const res = await fetch(`${simulator.url}/sim/api/faxes`);
  assert.equal(res.status, 200);
  return (await res.json()) as FaxSummary[];
}

describe('simulator --data DIR', () => {
  let dir: ReturnType<typeof tempDir>;
  let simulators: Simulator[] = [];

  async function startSimulator(logger = pino({ level: 'silent' })): Promise<Simulator> {
    const simulator = new Simulator({ port: 0, timeFactor: 0.0005, dataDir: dir.path, logger });
    simulators.push(simulator);
    await simulator.start();
    return simulator;
  }

  beforeEach(() => {
    dir = tempDir('mfp-sim-data-');
  });
  afterEach(async () => {
    for (const simulator of simulators) await simulator.stop();
    simulators = [];
    dir.remove();
  });

  it('a restarted device still lists the received fax, serves its page and keeps the line behaviours', async () => {
    const first = await startSimulator();
    await faxOver(first, '+15550100');
    const [fax] = await waitFor(async () => {
      const faxes = await faxesOf(first);
      return faxes.length === 1 ? faxes : undefined;
    });
    assert.ok(fax);
    const page = await (await fetch(`${first.url}/sim/api/faxes/${fax.id}/pages/1`)).arrayBuffer();
    const put = await fetch(`${first.url}/sim/api/line/5550199`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ behavior: 'drop-at-page', page: 2 }),
    });
    assert.equal(put.status, 200);
    await first.stop();

    assert.deepEqual(await readdir(join(dir.path, 'received', fax.id)), ['fax.json', 'page-1.png']);
    const second = await startSimulator();
    assert.deepEqual(await faxesOf(second), [fax]);
    const served = await fetch(`${second.url}/sim/api/faxes/${fax.id}/pages/1`);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('content-type'), 'image/png');
    const png = Buffer.from(await served.arrayBuffer());
    assert.deepEqual(png, Buffer.from(page));
    assert.equal((await sharp(png).metadata()).width, 1728);
    assert.deepEqual(await (await fetch(`${second.url}/sim/api/line`)).json(), {
      '5550199': { behavior: 'drop-at-page', page: 2 },
    });
  });

  it('skips corrupt or incomplete faxes and unreadable line behaviours with a warning, and starts', async () => {
    const first = await startSimulator();
    const kept = first.remotes.receive({
      to: '5550100',
      pageImages: [Buffer.from('png')],
      status: 'received',
    });
    const broken = first.remotes.receive({
      to: '5550101',
      pageImages: [Buffer.from('png')],
      status: 'received',
    });
    const unlisted = first.remotes.receive({
      to: '5550102',
      pageImages: [Buffer.from('png')],
      status: 'partial',
    });
    first.remotes.setBehavior('5550103', { behavior: 'busy' });
    await first.stop();

    await writeFile(join(dir.path, 'received', broken.id, 'fax.json'), '{"id": "trunc');
    await writeFile(
      join(dir.path, 'received', unlisted.id, 'fax.json'),
      JSON.stringify({ ...unlisted, pages: 2 }), // page-2.png is missing
    );
    await mkdir(join(dir.path, 'received', 'not-a-fax'));
    await mkdir(join(dir.path, 'received', '.tmp-interrupted'));
    await writeFile(join(dir.path, 'lines.json'), 'not json');

    const { logger, warnings } = capturingLogger();
    const second = await startSimulator(logger);
    assert.deepEqual(await faxesOf(second), [kept]);
    assert.deepEqual(await (await fetch(`${second.url}/sim/api/line`)).json(), {});
    assert.equal(
      warnings().filter((w) => /cannot be read/.test(w.msg)).length,
      4,
      JSON.stringify(warnings()),
    );
    assert.ok(!(await readdir(join(dir.path, 'received'))).includes('.tmp-interrupted'));
  });

  it('keeps at most the newest faxes on disk, deleting the oldest folders', async () => {
    const first = await startSimulator();
    const ids = [];
    for (let i = 0; i < 103; i++) {
      ids.push(first.remotes.receive({ to: String(5550000 + i), pageImages: [], status: 'received' }).id);
    }
    await first.stop();
    const folders = await readdir(join(dir.path, 'received'));
    assert.equal(folders.length, 100);
    assert.deepEqual(folders.sort(), ids.slice(3).sort());
    const second = await startSimulator();
    assert.deepEqual((await faxesOf(second)).map((f) => f.id).sort(), ids.slice(3).sort());
  });

  it('without a data dir nothing is written and nothing survives', async () => {
    const memory = new Simulator({ port: 0, logger: pino({ level: 'silent' }) });
    simulators.push(memory);
    await memory.start();
    memory.remotes.receive({ to: '5550100', pageImages: [], status: 'received' });
    memory.remotes.setBehavior('5550100', { behavior: 'busy' });
    await memory.stop();
    assert.deepEqual(await readdir(dir.path), []);
    const again = new Simulator({ port: 0, logger: pino({ level: 'silent' }) });
    simulators.push(again);
    await again.start();
    assert.deepEqual(await faxesOf(again), []);
  });

  it('writes the line behaviours as JSON a tester can read', async () => {
    const first = await startSimulator();
    first.remotes.setBehavior('+1 555 0100', { behavior: 'slow', bitRate: 4800 });
    await first.stop();
    assert.deepEqual(JSON.parse(await readFile(join(dir.path, 'lines.json'), 'utf8')), {
      '+15550100': { behavior: 'slow', bitRate: 4800 },
    });
  });
});
