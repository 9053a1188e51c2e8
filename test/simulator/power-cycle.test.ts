import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Simulator } from '../../simulator/src/simulator.ts';
import { createLogger } from '../../simulator/src/logger.ts';
import { attr, v } from '../../simulator/src/fax/ipp-codec.ts';
import { GroupTag, Operation, StatusCode } from '../../simulator/src/fax/ipp-constants.ts';
import type { FaxLogEntry } from '../../simulator/src/fax/fax-log-entry.ts';
import { makeG4Pdf } from './fax/g4-fixtures.ts';
import { destinationUris, groupOf, ippRequest, valueOf, valuesOf, waitFor } from './fax/ipp-test-client.ts';
import { postJob, scanSettingsXml } from './scanner/scanner-test-server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SLOW = '+15550109000';

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}

function powerCycle(simulator: Simulator, body?: unknown) {
  return json<Record<string, unknown>>(`${simulator.url}/sim/api/power-cycle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
}

async function printer(simulator: Simulator) {
  const res = await ippRequest(simulator.url, Operation.getPrinterAttributes, []);
  return groupOf(res, GroupTag.printer);
}

/** A three-page fax on its way to `number`; its job-id and job-uuid. */
async function sendFax(simulator: Simulator, number: string, name: string) {
  const created = await ippRequest(simulator.url, Operation.createJob, [attr('job-name', v.name(name))], {
    job: [destinationUris(`tel:${number}`)],
  });
  assert.equal(created.code, StatusCode.successfulOk);
  const job = groupOf(created, GroupTag.job);
  const id = valueOf(job, 'job-id') as number;
  const sent = await ippRequest(
    simulator.url,
    Operation.sendDocument,
    [
      attr('job-id', v.integer(id)),
      attr('document-format', v.mimeMediaType('application/pdf')),
      attr('last-document', v.boolean(true)),
    ],
    { data: await makeG4Pdf(3) },
  );
  assert.equal(sent.code, StatusCode.successfulOk);
  return { id, uuid: String(valueOf(job, 'job-uuid')) };
}

const faxLog = async (simulator: Simulator) =>
  (await json<FaxLogEntry[]>(`${simulator.url}/sim/api/fax-log`)).body;

describe('simulator power cycle (POST /sim/api/power-cycle)', function () {
  this.timeout(30_000);
  let simulator: Simulator | undefined;
  let dir: ReturnType<typeof tempDir>;

  beforeEach(() => {
    dir = tempDir('mfp-power-');
  });

  afterEach(async () => {
    await simulator?.stop();
    simulator = undefined;
    dir.remove();
  });

  async function start(timeFactor = 0.05): Promise<Simulator> {
    const s = new Simulator({
      port: 0,
      timeFactor,
      dataDir: dir.path,
      logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
    });
    await s.start();
    simulator = s;
    // A line slow enough that a page (~210 bytes of G4) takes 6 simulated seconds.
    const line = await fetch(`${s.url}/sim/api/line/${encodeURIComponent(SLOW)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ behavior: 'slow', bitRate: 300 }),
    });
    assert.equal(line.status, 200);
    return s;
  }

  it('drops the jobs, restarts ids and up-time, keeps printer-uuid, and records the cut-off fax as partial', async () => {
    const s = await start(0.25); // a page on the slow line: 1.5 s
    const before = await printer(s);
    const scan = await postJob(s.url, scanSettingsXml({ source: 'Feeder' }));
    assert.equal(scan.status, 201);
    const scanJob = scan.headers.get('location')!;
    const fax = await sendFax(s, SLOW, 'mfp-edge:job-1:1');
    // Cut off once the remote machine has confirmed a page and before the last.
    await waitFor(async () => {
      const entry = (await faxLog(s)).find((e) => e.jobUuid === fax.uuid);
      return entry && entry.pagesSent >= 1 ? entry : undefined;
    }, 20_000);
    await delay(Math.max(0, 2_100 - s.modem.upTime() * 1000)); // so that up-time is visibly ≥ 2 before
    const upTimeBefore = s.modem.upTime();
    assert.ok(upTimeBefore >= 2);

    const cycled = await powerCycle(s, { offMs: 50 });
    assert.equal(cycled.status, 200, JSON.stringify(cycled.body));
    assert.equal(cycled.body.state, 'on');
    assert.equal(cycled.body.boot, 2);
    assert.deepEqual(cycled.body.dropped, { scanJobs: 1, faxJobs: 1 });

    // eSCL: no jobs, idle; the old job is gone.
    const status = await (await fetch(`${s.url}/eSCL/ScannerStatus`)).text();
    assert.match(status, /<pwg:State>Idle<\/pwg:State>/);
    assert.doesNotMatch(status, /JobInfo/);
    assert.equal((await fetch(`${scanJob}/NextDocument`)).status, 404);

    // IPP: no jobs, the old id unknown, ids from 1 with new uuids, up-time from the power-on.
    const jobs = await ippRequest(s.url, Operation.getJobs, [attr('which-jobs', v.keyword('all'))]);
    assert.equal(jobs.code, StatusCode.successfulOk);
    assert.equal(groupOf(jobs, GroupTag.job).length, 0);
    const old = await ippRequest(s.url, Operation.getJobAttributes, [attr('job-id', v.integer(fax.id))]);
    assert.equal(old.code, StatusCode.clientErrorNotFound);
    const after = await printer(s);
    assert.equal(valueOf(after, 'printer-uuid'), valueOf(before, 'printer-uuid'));
    assert.equal(valueOf(after, 'printer-state'), 3); // idle: the line is free
    const upTimeAfter = valueOf(after, 'printer-up-time') as number;
    assert.ok(upTimeAfter < upTimeBefore, `printer-up-time ${upTimeAfter} after, ${upTimeBefore} before`);
    assert.ok((valueOf(after, 'printer-config-change-time') as number) <= upTimeAfter);
    const again = await sendFax(s, '+15550109001', 'mfp-edge:job-2:1');
    assert.equal(again.id, 1);
    assert.notEqual(again.uuid, fax.uuid);

    // The remote machine kept what it confirmed, as partial; the log says so.
    const entry = (await faxLog(s)).find((e) => e.jobUuid === fax.uuid);
    assert.ok(entry);
    assert.equal(entry.name, 'mfp-edge:job-1:1');
    assert.equal(entry.boot, 1);
    assert.equal(entry.state, 'aborted');
    assert.equal(entry.interruptedBy, 'power-cycle');
    assert.equal(entry.result, 'partial');
    assert.equal(entry.totalPages, 3);
    assert.ok(entry.pagesSent >= 1 && entry.pagesSent < 3, JSON.stringify(entry));
    const [destination] = entry.destinations;
    assert.deepEqual(
      [destination?.uri, destination?.status, destination?.result, destination?.pagesSent],
      [`tel:${SLOW}`, 'aborted', 'partial', entry.pagesSent],
    );
    const faxes = (await json<{ to: string; pages: number; status: string }[]>(`${s.url}/sim/api/faxes`))
      .body;
    assert.deepEqual(
      faxes.filter((f) => f.to === SLOW).map((f) => [f.pages, f.status]),
      [[entry.pagesSent, 'partial']],
    );
    assert.deepEqual((await json(`${s.url}/sim/api/power`)).body, {
      state: 'on',
      boot: 2,
      poweredOnAt: cycled.body.poweredOnAt,
      upTimeSeconds: s.modem.upTime(),
    });
  });

  it('is gone from the network while off: new connections are refused, open ones cut', async () => {
    const s = await start();
    const scan = await postJob(s.url, scanSettingsXml({ source: 'Feeder' }));
    // A NextDocument the device is holding when the power goes.
    const held = fetch(`${scan.headers.get('location')}/NextDocument`, {
      signal: AbortSignal.timeout(10_000),
    });
    const heldOutcome = held.then(
      (res) => `answered ${res.status}`,
      (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.message,
    );
    await delay(50);
    const cycling = powerCycle(s, { offMs: 600 });
    await delay(200);
    const refused = await fetch(`${s.url}/eSCL/ScannerStatus`).then(
      () => 'connected',
      (error: Error) => (error.cause as { code?: string } | undefined)?.code,
    );
    assert.equal(refused, 'ECONNREFUSED');
    assert.match(await heldOutcome, /ECONNRESET|UND_ERR_SOCKET|other side closed/);
    assert.equal((await cycling).status, 200);
    assert.equal((await fetch(`${s.url}/eSCL/ScannerStatus`)).status, 200);
  });

  it('keeps the fax log across power cycles and for a new device on the same data folder', async () => {
    const s = await start();
    const fax = await sendFax(s, '+15550109002', 'mfp-edge:job-7:1');
    const delivered = await waitFor(async () => {
      const entry = (await faxLog(s)).find((e) => e.jobUuid === fax.uuid);
      return entry?.state === 'completed' ? entry : undefined;
    }, 20_000);
    assert.deepEqual(
      [delivered.result, delivered.pagesSent, delivered.totalPages, delivered.destinations[0]?.result],
      ['completed', 3, 3, 'completed'],
    );
    assert.equal((await powerCycle(s, {})).status, 200);
    assert.deepEqual(
      (await faxLog(s)).map((e) => [e.jobId, e.name, e.boot, e.result]),
      [[1, 'mfp-edge:job-7:1', 1, 'completed']],
    );
    const second = await sendFax(s, '+15550109003', 'mfp-edge:job-8:1');
    assert.equal(second.id, 1, 'ids start again at 1; job-uuid and boot tell the jobs apart');
    await waitFor(async () => ((await faxLog(s))[0]?.state === 'completed' ? true : undefined), 20_000);
    await s.stop();

    simulator = new Simulator({ port: 0, dataDir: dir.path, logger: createLogger({ level: 'silent' }) });
    await simulator.start();
    const log = await faxLog(simulator);
    assert.deepEqual(
      log.map((e) => [e.jobId, e.jobUuid, e.name, e.boot, e.result]),
      [
        [1, second.uuid, 'mfp-edge:job-8:1', 2, 'completed'],
        [1, fax.uuid, 'mfp-edge:job-7:1', 1, 'completed'],
      ],
    );
    assert.equal((await json<{ boot: number }>(`${simulator.url}/sim/api/power`)).body.boot, 3);
    const printerAttributes = await printer(simulator);
    assert.equal(valuesOf(printerAttributes, 'printer-uuid').length, 1);
  });

  it('refuses a bad body with INVALID_BODY and answers JSON', async () => {
    const s = await start();
    for (const body of [
      { offMs: -1 },
      { offMs: 'soon' },
      { offMs: 1.5 },
      { offMs: 60_001 },
      { off: 1 },
      '{"offMs":',
      '[1]',
    ]) {
      const res = await powerCycle(s, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(
        (res.body as { error: { code: string } }).error.code,
        'INVALID_BODY',
        JSON.stringify(body),
      );
    }
    const big = await powerCycle(s, { offMs: 1, pad: 'x'.repeat(4_000) });
    assert.deepEqual(
      [big.status, (big.body as { error: { code: string } }).error.code],
      [413, 'BODY_TOO_LARGE'],
    );
    assert.equal((await json<{ boot: number }>(`${s.url}/sim/api/power`)).body.boot, 1, 'nothing restarted');
    const noBody = await fetch(`${s.url}/sim/api/power-cycle`, { method: 'POST' });
    assert.equal(noBody.status, 200, 'no body: the default off time');
  });
});
