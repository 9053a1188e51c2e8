import assert from 'node:assert/strict';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { ZodError } from 'zod';
import { ApiFile } from '../../../edge-service/src/api/endpoint.ts';
import { jobEndpoints } from '../../../edge-service/src/api/job-endpoints.ts';
import { CSV_TYPE, XLSX_TYPE } from '../../../edge-service/src/api/table-export.ts';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import type { DeviceRecord, EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import type { RecipientState } from '../../../edge-service/src/domain/job.ts';
import type { UserAccount } from '../../../edge-service/src/domain/user.ts';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqliteJobHistory } from '../../../edge-service/src/storage/sqlite-job-history.ts';
import { SqliteJobRepository } from '../../../edge-service/src/storage/sqlite-job-repository.ts';
import { SqliteUserRepository } from '../../../edge-service/src/storage/sqlite-user-repository.ts';
import { parseCsv } from '../../helpers/export-files.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { actorOf, call, RecordedAudit } from './endpoint-context.ts';

interface Page {
  items: Summary[];
  total: number;
  page: number;
  pageSize: number;
}
interface Summary {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  result: string;
  user: { id: string; displayName: string; email: string } | null;
  device: { id: string; name: string };
  pages: number;
  destinations: { number: string; display: string; country: { code: string; name: string } | null }[];
  durationMs: number | null;
  lineMs: number;
  error: { code: string } | null;
}
interface Detail extends Summary {
  recipients: { number: string; state: string; lineMs: number; dialStartedAt: string | null }[];
}
interface Usage {
  timeZone: string;
  from: string;
  to: string;
  days: { day: string; delivered: number; failed: number; cancelled: number; partial: number }[];
  totals: Record<string, number>;
}

/*
 * The jobs endpoints on a real SQLite database, with jobs written through the engine's own
 * repository (create, attempt, hand-over, recipient states, final state) and then dated: what the
 * console lists, filters, exports and charts.
 */
describe('job endpoints (list, detail, export, usage)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let jobs: SqliteJobRepository;
  let acme: EnterpriseRecord;
  let other: EnterpriseRecord;
  let frontDesk: DeviceRecord;
  let floor2: DeviceRecord;
  let otherDevice: DeviceRecord;
  let admin: UserAccount;
  let alice: UserAccount;
  let mallory: UserAccount;
  let audit: RecordedAudit;
  let endpoints: ReturnType<typeof jobEndpoints>;
  const ids = {} as Record<
    'delivered' | 'partial' | 'failed' | 'cancelled' | 'active' | 'otherEnterprise',
    string
  >;

  function seed(input: {
    device: DeviceRecord;
    user: UserAccount | null;
    createdAt: string;
    /** ms from creation; null: still running */
    finishedAfterMs: number | null;
    recipients: [number: string, state: RecipientState, lineMs?: number][];
    pages: number;
    jobState?: 'delivered' | 'failed' | 'cancelled' | 'sending';
  }): string {
    const job = jobs.create({
      deviceId: input.device.id,
      userId: input.user?.id ?? null,
      options: { resolution: 'fine', source: 'adf', duplex: false },
      recipients: input.recipients.map(([n]) => n),
    });
    jobs.beginAttempt(job.id, {
      number: 1,
      tag: `t:${job.id}:1`,
      positions: input.recipients.map((_, i) => i),
    });
    jobs.update(job.id, {
      pagesScanned: input.pages,
      totalPages: input.pages,
      pagesSent: input.pages,
      deviceJobId: 7,
      handedOverAt: new Date().toISOString(),
    });
    input.recipients.forEach(([, state], position) => {
      jobs.updateRecipient(job.id, position, { state: 'dialing' });
      jobs.updateRecipient(job.id, position, {
        state,
        pagesSent: state === 'delivered' ? input.pages : 0,
        ...(state === 'failed' ? { error: { code: 'FAX_BUSY', message: 'The line is busy.' } } : {}),
      });
    });
    const delivered = input.recipients.every(([, s]) => s === 'delivered');
    const state = input.jobState ?? (delivered ? 'delivered' : 'failed');
    jobs.update(job.id, {
      state,
      ...(state === 'failed' ? { error: { code: 'FAX_BUSY', message: 'The line is busy.' } } : {}),
    });
    // Dated as the scenario says (the repository stamps "now").
    const created = Date.parse(input.createdAt);
    db.prepare('UPDATE jobs SET created_at = ?, finished_at = ? WHERE id = ?').run(
      new Date(created).toISOString(),
      input.finishedAfterMs === null ? null : new Date(created + input.finishedAfterMs).toISOString(),
      job.id,
    );
    input.recipients.forEach(([, , lineMs], position) => {
      db.prepare(
        'UPDATE job_recipients SET dial_started_at = ?, dial_ended_at = ? WHERE job_id = ? AND position = ?',
      ).run(
        new Date(created + 1000).toISOString(),
        new Date(created + 1000 + (lineMs ?? 0)).toISOString(),
        job.id,
        position,
      );
    });
    return job.id;
  }

  before(() => {
    dir = tempDir('mfp-jobs-api-');
    db = openDatabase(join(dir.path, 'edge.db'));
    jobs = new SqliteJobRepository(db);
    const directory = new SqliteDirectoryRepository(db);
    const devices = new SqliteDeviceRepository(db);
    const users = new SqliteUserRepository(db);
    acme = directory.createEnterprise('Acme', 'acme');
    other = directory.createEnterprise('Other', 'other');
    const device = (enterprise: EnterpriseRecord, name: string) =>
      devices.create({
        enterpriseId: enterprise.id,
        name,
        authMode: 'user-prompt',
        sharedUserId: null,
        scannerUrl: null,
        faxUrl: null,
        tokenHash: `hash-${name}`,
      });
    frontDesk = device(acme, 'Front desk');
    floor2 = device(acme, 'Floor 2');
    otherDevice = device(other, 'Elsewhere');
    admin = users.create({
      enterpriseId: acme.id,
      email: 'admin@acme.test',
      displayName: 'Ada Admin',
      role: 'admin',
    });
    alice = users.create({ enterpriseId: acme.id, email: 'alice@acme.test', displayName: 'Alice Martin' });
    mallory = users.create({
      enterpriseId: acme.id,
      email: 'mallory@acme.test',
      displayName: '=HYPERLINK("http://evil.test","x")',
    });
    const bob = users.create({ enterpriseId: other.id, email: 'bob@other.test', displayName: 'Bob' });

    ids.delivered = seed({
      device: frontDesk,
      user: alice,
      createdAt: '2026-11-30T23:30:00Z', // 1 December in Paris
      finishedAfterMs: 95_000,
      recipients: [
        ['+33142685300', 'delivered', 40_000],
        ['+12125550100', 'delivered', 35_500],
      ],
      pages: 3,
    });
    ids.partial = seed({
      device: floor2,
      user: alice,
      createdAt: '2026-12-01T10:00:00Z',
      finishedAfterMs: 60_000,
      recipients: [
        ['+493012345678', 'delivered', 20_000],
        ['+442071838750', 'failed', 2_000],
      ],
      pages: 2,
    });
    ids.failed = seed({
      device: frontDesk,
      user: mallory,
      createdAt: '2026-12-02T09:00:00Z',
      finishedAfterMs: 30_000,
      recipients: [['+80012345678', 'failed', 1_500]],
      pages: 5,
    });
    ids.cancelled = seed({
      device: floor2,
      user: null,
      createdAt: '2026-12-03T12:00:00Z',
      finishedAfterMs: 5_000,
      recipients: [['+12125550100', 'failed']],
      pages: 1,
      jobState: 'cancelled',
    });
    ids.active = seed({
      device: frontDesk,
      user: alice,
      createdAt: '2026-12-04T08:00:00Z',
      finishedAfterMs: null,
      recipients: [['+12125550100', 'sending']],
      pages: 4,
      jobState: 'sending',
    });
    ids.otherEnterprise = seed({
      device: otherDevice,
      user: bob,
      createdAt: '2026-12-02T09:00:00Z',
      finishedAfterMs: 1000,
      recipients: [['+12125550100', 'delivered', 500]],
      pages: 9,
    });
    audit = new RecordedAudit();
    endpoints = jobEndpoints({
      history: new SqliteJobHistory(db),
      audit,
      now: () => new Date('2026-12-05T12:00:00Z'),
    });
  });

  after(() => {
    db.close();
    dir.remove();
  });

  const as = (query: Record<string, string> = {}) => ({ enterprise: acme, actor: actorOf(admin), query });

  it("lists the enterprise's jobs newest first, with who, device, pages, countries, duration and line time", async () => {
    const page = (await call(endpoints, 'listJobs', as())) as Page;
    assert.equal(page.total, 5, 'the other enterprise’s job is not listed');
    assert.deepEqual(
      page.items.map((j) => j.id),
      [ids.active, ids.cancelled, ids.failed, ids.partial, ids.delivered],
    );
    const delivered = page.items.find((j) => j.id === ids.delivered)!;
    assert.deepEqual(delivered.user, { id: alice.id, displayName: 'Alice Martin', email: 'alice@acme.test' });
    assert.equal(delivered.device.name, 'Front desk');
    assert.equal(delivered.pages, 3);
    assert.equal(delivered.result, 'delivered');
    assert.equal(delivered.durationMs, 95_000);
    assert.equal(delivered.lineMs, 75_500, 'line time is summed over the recipients');
    assert.deepEqual(
      delivered.destinations.map((d) => [d.number, d.display, d.country?.code, d.country?.name]),
      [
        ['+33142685300', '+33 1 42 68 53 00', 'FR', 'France'],
        ['+12125550100', '+1 212 555 0100', 'US', 'United States'],
      ],
    );
    const failed = page.items.find((j) => j.id === ids.failed)!;
    assert.equal(failed.destinations[0]!.country, null, 'a +800 number is no country’s');
    assert.equal(failed.error?.code, 'FAX_BUSY');
    const active = page.items.find((j) => j.id === ids.active)!;
    assert.equal(active.result, 'active');
    assert.equal(active.finishedAt, null);
    assert.equal(active.durationMs, null);
    assert.equal(page.items.find((j) => j.id === ids.cancelled)!.user, null);
  });

  it('paginates', async () => {
    const second = (await call(endpoints, 'listJobs', as({ page: '2', pageSize: '2' }))) as Page;
    assert.deepEqual(
      { total: second.total, page: second.page, pageSize: second.pageSize },
      { total: 5, page: 2, pageSize: 2 },
    );
    assert.deepEqual(
      second.items.map((j) => j.id),
      [ids.failed, ids.partial],
    );
    const beyond = (await call(endpoints, 'listJobs', as({ page: '9', pageSize: '2' }))) as Page;
    assert.deepEqual(beyond.items, []);
  });

  it('filters by result: delivered, failed, partial (some recipients reached), cancelled, active', async () => {
    for (const [result, expected] of [
      ['delivered', [ids.delivered]],
      ['failed', [ids.failed]],
      ['partial', [ids.partial]],
      ['cancelled', [ids.cancelled]],
      ['active', [ids.active]],
    ] as const) {
      const page = (await call(endpoints, 'listJobs', as({ result }))) as Page;
      assert.deepEqual(
        page.items.map((j) => j.id),
        expected,
        result,
      );
      assert.equal(page.total, 1);
    }
  });

  it('filters by user and by device', async () => {
    const byAlice = (await call(endpoints, 'listJobs', as({ user: alice.id }))) as Page;
    assert.deepEqual(byAlice.items.map((j) => j.id).sort(), [ids.active, ids.partial, ids.delivered].sort());
    const byFloor2 = (await call(endpoints, 'listJobs', as({ device: floor2.id }))) as Page;
    assert.deepEqual(byFloor2.items.map((j) => j.id).sort(), [ids.cancelled, ids.partial].sort());
    const both = (await call(endpoints, 'listJobs', as({ device: floor2.id, user: alice.id }))) as Page;
    assert.deepEqual(
      both.items.map((j) => j.id),
      [ids.partial],
    );
  });

  it('filters by dates: days include the whole day, in the time zone asked for, or instants', async () => {
    const utc = (await call(endpoints, 'listJobs', as({ from: '2026-12-01', to: '2026-12-02' }))) as Page;
    assert.deepEqual(
      utc.items.map((j) => j.id),
      [ids.failed, ids.partial],
      'UTC days: the 23:30 job of 30 November is out, 2 December is in',
    );
    const paris = (await call(
      endpoints,
      'listJobs',
      as({ from: '2026-12-01', to: '2026-12-01', timeZone: 'Europe/Paris' }),
    )) as Page;
    assert.deepEqual(
      paris.items.map((j) => j.id),
      [ids.partial, ids.delivered],
      'in Paris the 23:30 UTC job is on 1 December',
    );
    const instants = (await call(
      endpoints,
      'listJobs',
      as({ from: '2026-12-01T10:00:00Z', to: '2026-12-02T09:00:00+00:00' }),
    )) as Page;
    assert.deepEqual(
      instants.items.map((j) => j.id),
      [ids.partial],
      'from is inclusive, a to with a time exclusive',
    );
  });

  it('refuses bad filters', async () => {
    await assert.rejects(
      () => call(endpoints, 'listJobs', as({ from: '2026-12-03', to: '2026-12-01' })),
      (e: unknown) => e instanceof EdgeError && e.code === 'VALIDATION_FAILED' && /before/.test(e.message),
    );
    const bad: Record<string, string>[] = [
      { result: 'lost' },
      { from: 'yesterday' },
      { timeZone: 'Mars/Olympus' },
      { pageSize: '1000' },
      { page: '0' },
      { sort: 'asc' },
    ];
    for (const query of bad)
      await assert.rejects(() => call(endpoints, 'listJobs', as(query)), ZodError, JSON.stringify(query));
  });

  it('gives one job with its recipients, and not another enterprise’s', async () => {
    const detail = (await call(endpoints, 'getJob', { ...as(), params: { id: ids.partial } })) as Detail;
    assert.equal(detail.result, 'partial');
    assert.deepEqual(
      detail.recipients.map((r) => [r.number, r.state, r.lineMs]),
      [
        ['+493012345678', 'delivered', 20_000],
        ['+442071838750', 'failed', 2_000],
      ],
    );
    assert.ok(detail.recipients[0]!.dialStartedAt);
    await assert.rejects(
      () => call(endpoints, 'getJob', { ...as(), params: { id: ids.otherEnterprise } }),
      (e: unknown) => e instanceof EdgeError && e.code === 'JOB_NOT_FOUND',
    );
    const theirs = (await call(endpoints, 'getJob', {
      enterprise: other,
      actor: actorOf(admin),
      params: { id: ids.otherEnterprise },
    })) as Detail;
    assert.equal(theirs.pages, 9);
  });

  it('exports the filtered jobs to CSV, one row per job, neutralising formulas, and audits it', async () => {
    audit.entries.length = 0;
    const file = (await call(endpoints, 'exportJobs', as({ format: 'csv', from: '2026-12-01' }))) as ApiFile;
    assert.ok(file instanceof ApiFile);
    assert.equal(file.contentType, CSV_TYPE);
    assert.equal(file.fileName, 'jobs-acme-20261205.csv');
    const [header, ...rows] = parseCsv(Buffer.from(file.body as string));
    assert.deepEqual(header, [
      'Job',
      'Created (UTC)',
      'Finished (UTC)',
      'User',
      'Email',
      'Device',
      'Source',
      'Pages',
      'Pages sent',
      'Destinations',
      'Countries',
      'Recipients',
      'Delivered to',
      'Result',
      'Error',
      'Duration (s)',
      'Line time (s)',
      'Attempts',
    ]);
    assert.deepEqual(
      rows.map((r) => r[0]),
      [ids.active, ids.cancelled, ids.failed, ids.partial],
    );
    const col = (name: string) => header!.indexOf(name);
    const partial = rows.find((r) => r[0] === ids.partial)!;
    // E.164 starts with +, which a spreadsheet would run as a formula: neutralised like any other text.
    assert.equal(partial[col('Destinations')], "'+493012345678, +442071838750");
    assert.equal(partial[col('Countries')], 'DE, GB');
    assert.equal(partial[col('Result')], 'partial');
    assert.equal(partial[col('Delivered to')], '1');
    assert.equal(partial[col('Duration (s)')], '60');
    assert.equal(partial[col('Line time (s)')], '22');
    assert.equal(partial[col('Created (UTC)')], '2026-12-01T10:00:00.000Z');
    const failed = rows.find((r) => r[0] === ids.failed)!;
    assert.equal(failed[col('User')], `'=HYPERLINK("http://evil.test","x")`, 'the formula is neutralised');
    assert.equal(failed[col('Countries')], '?');

    assert.equal(audit.entries.length, 1);
    assert.deepEqual(audit.entries[0], {
      enterpriseId: acme.id,
      actor: `user:${admin.id}`,
      action: 'jobs.export',
      details: { format: 'csv', filter: { from: '2026-12-01' }, rows: 4 },
      source: '127.0.0.1',
    });
  });

  it('exports to Excel with typed cells: numbers as numbers, dates as dates, text never a formula', async () => {
    audit.entries.length = 0;
    const file = (await call(endpoints, 'exportJobs', {
      enterprise: acme,
      actor: actorOf(admin, 'token'),
      query: { format: 'xlsx', user: mallory.id },
    })) as ApiFile;
    assert.equal(file.contentType, XLSX_TYPE);
    const workbook = new ExcelJS.Workbook();
    // exceljs types want an ArrayBuffer-backed Buffer; the bytes are the same.
    await workbook.xlsx.load(file.body as Buffer as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Jobs')!;
    assert.equal(sheet.rowCount, 2, 'header and mallory’s one job');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const cell = (name: string) => sheet.getRow(2).getCell(header.indexOf(name) + 1);
    assert.equal(cell('Job').value, ids.failed);
    assert.equal(cell('Pages').value, 5);
    assert.equal(typeof cell('Line time (s)').value, 'number');
    assert.equal(cell('Line time (s)').value, 1.5);
    assert.equal(cell('Duration (s)').value, 30);
    assert.ok(cell('Created (UTC)').value instanceof Date);
    assert.equal((cell('Created (UTC)').value as Date).toISOString(), '2026-12-02T09:00:00.000Z');
    assert.equal(cell('User').type, ExcelJS.ValueType.String, 'a string cell, not a formula');
    assert.equal(cell('User').formula, undefined);
    assert.deepEqual(audit.entries[0]!.details, { format: 'xlsx', filter: { user: mallory.id }, rows: 1 });
    assert.equal(audit.entries[0]!.actor, `token:cred-${admin.id}`);
  });

  it('charts pages per day and per result, every day of the range, finished jobs only', async () => {
    const usage = (await call(endpoints, 'jobUsage', as({ from: '2026-11-30', to: '2026-12-04' }))) as Usage;
    assert.equal(usage.timeZone, 'UTC');
    assert.deepEqual(usage.days, [
      { day: '2026-11-30', delivered: 3, failed: 0, cancelled: 0, partial: 0 },
      { day: '2026-12-01', delivered: 0, failed: 0, cancelled: 0, partial: 2 },
      { day: '2026-12-02', delivered: 0, failed: 5, cancelled: 0, partial: 0 },
      { day: '2026-12-03', delivered: 0, failed: 0, cancelled: 1, partial: 0 },
      { day: '2026-12-04', delivered: 0, failed: 0, cancelled: 0, partial: 0 },
    ]);
    assert.deepEqual(usage.totals, { delivered: 3, failed: 5, cancelled: 1, partial: 2, pages: 11, jobs: 4 });

    const paris = (await call(
      endpoints,
      'jobUsage',
      as({ from: '2026-12-01', to: '2026-12-01', timeZone: 'Europe/Paris' }),
    )) as Usage;
    assert.deepEqual(paris.days, [{ day: '2026-12-01', delivered: 3, failed: 0, cancelled: 0, partial: 2 }]);
  });

  it('charts the last 30 days by default and refuses a range of more than 400 days', async () => {
    const usage = (await call(endpoints, 'jobUsage', as())) as Usage;
    assert.equal(usage.to, '2026-12-05');
    assert.equal(usage.from, '2026-11-06');
    assert.equal(usage.days.length, 30);
    await assert.rejects(
      () => call(endpoints, 'jobUsage', as({ from: '2024-01-01', to: '2026-01-01' })),
      (e: unknown) => e instanceof EdgeError && e.code === 'VALIDATION_FAILED' && /400 days/.test(e.message),
    );
  });
});
