import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { MIGRATIONS } from '../../../edge-service/src/db/migrations.ts';
import type { DeviceRecord } from '../../../edge-service/src/domain/device.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqliteJobRepository } from '../../../edge-service/src/storage/sqlite-job-repository.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/*
 * Line time, finish time and the job's enterprise as the job repository records them (migration
 * 10): in the same writes the engine's stages already make, so a crash loses none of it.
 */
describe('job repository: line time, finish time, enterprise', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let jobs: SqliteJobRepository;
  let device: DeviceRecord;

  beforeEach(() => {
    dir = tempDir('mfp-line-time-');
    db = openDatabase(join(dir.path, 'edge.db'));
    jobs = new SqliteJobRepository(db);
    const enterprise = new SqliteDirectoryRepository(db).createEnterprise('Acme');
    device = new SqliteDeviceRepository(db).create({
      enterpriseId: enterprise.id,
      name: 'MFP',
      authMode: 'shared-account',
      sharedUserId: null,
      scannerUrl: null,
      faxUrl: null,
      tokenHash: 'h',
    });
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const create = (recipients = ['+12125550100']) =>
    jobs.create({
      deviceId: device.id,
      userId: null,
      options: { resolution: 'standard', source: 'adf', duplex: false },
      recipients,
    });

  it("records the device's enterprise on the job, and the finish time once it ends", () => {
    const job = create();
    assert.equal(job.enterpriseId, device.enterpriseId);
    assert.equal(job.finishedAt, null);
    assert.equal(jobs.update(job.id, { state: 'sending' }).finishedAt, null);
    const done = jobs.update(job.id, { state: 'delivered' });
    assert.ok(done.finishedAt && Date.parse(done.finishedAt) >= Date.parse(done.createdAt));
    assert.equal(jobs.update(job.id, { pagesSent: 2 }).finishedAt, done.finishedAt, 'set once');
  });

  it('counts the line from the first dialling seen to the settled result, over every attempt', async () => {
    const job = create();
    jobs.beginAttempt(job.id, { number: 1, tag: 't1', positions: [0] });
    jobs.update(job.id, { deviceJobId: 1, handedOverAt: new Date().toISOString() });
    await sleep(30);
    jobs.updateRecipient(job.id, 0, { state: 'dialing' });
    const started = jobs.get(job.id)!.recipients[0]!.dialStartedAt!;
    await sleep(60);
    jobs.updateRecipient(job.id, 0, { state: 'sending' });
    assert.equal(jobs.get(job.id)!.recipients[0]!.dialStartedAt, started, 'the first dialling counts');
    assert.equal(jobs.get(job.id)!.recipients[0]!.lineMs, 0, 'nothing counted while on the line');
    jobs.updateRecipient(job.id, 0, { state: 'failed', error: { code: 'FAX_DROPPED', message: 'dropped' } });
    const first = jobs.get(job.id)!.recipients[0]!;
    assert.ok(first.lineMs >= 55 && first.lineMs < 1000, `first attempt ${first.lineMs} ms`);
    jobs.updateRecipient(job.id, 0, { state: 'failed' });
    assert.equal(jobs.get(job.id)!.recipients[0]!.lineMs, first.lineMs, 'a repeated status adds nothing');

    // A second attempt starts afresh and adds to the first.
    const second = jobs.beginAttempt(job.id, { number: 2, tag: 't2', positions: [0] });
    assert.equal(second.handedOverAt, null);
    assert.equal(second.recipients[0]!.dialStartedAt, null);
    assert.equal(second.recipients[0]!.lineMs, first.lineMs, 'the first attempt is kept');
    jobs.update(job.id, { deviceJobId: 2, handedOverAt: new Date().toISOString() });
    jobs.updateRecipient(job.id, 0, { state: 'dialing' });
    await sleep(40);
    jobs.updateRecipient(job.id, 0, { state: 'delivered' });
    const total = jobs.get(job.id)!.recipients[0]!.lineMs;
    assert.ok(total >= first.lineMs + 35, `both attempts: ${total} ms`);
  });

  it('starts at the hand-over when the line was faster than a status poll, and only for numbers dialled', async () => {
    const job = create(['+12125550100', '+12125550101']);
    // A modem of one destination per job: this attempt dials the first number only.
    jobs.beginAttempt(job.id, { number: 1, tag: 't1', positions: [0] });
    jobs.update(job.id, { deviceJobId: 1, handedOverAt: new Date().toISOString() });
    await sleep(40);
    jobs.updateRecipient(job.id, 0, { state: 'delivered' });
    jobs.updateRecipient(job.id, 1, { state: 'failed', error: { code: 'FAX_ERROR', message: 'x' } });
    const [dialled, never] = jobs.get(job.id)!.recipients;
    assert.ok(dialled!.lineMs >= 35, `from the hand-over: ${dialled!.lineMs} ms`);
    assert.equal(never!.lineMs, 0, 'a number this attempt did not dial used no line');
    assert.equal(never!.dialStartedAt, null);
  });

  it('does not count twice an attempt taken up again after it was thought lost', async () => {
    const job = create();
    jobs.beginAttempt(job.id, { number: 1, tag: 't1', positions: [0] });
    jobs.update(job.id, { deviceJobId: 1, handedOverAt: new Date().toISOString() });
    jobs.updateRecipient(job.id, 0, { state: 'dialing' });
    await sleep(30);
    jobs.updateRecipient(job.id, 0, { state: 'failed', error: { code: 'FAX_JOB_LOST', message: 'lost' } });
    // The modem still held it (FaxHandOverStage #stillHeld): pending again, then delivered.
    jobs.updateRecipient(job.id, 0, { state: 'pending', error: null });
    assert.equal(jobs.get(job.id)!.recipients[0]!.dialEndedAt, null, 'live again');
    await sleep(30);
    jobs.updateRecipient(job.id, 0, { state: 'delivered' });
    const r = jobs.get(job.id)!.recipients[0]!;
    assert.equal(r.lineMs, Date.parse(r.dialEndedAt!) - Date.parse(r.dialStartedAt!), 'one span, once');
    assert.ok(r.lineMs >= 55);
  });

  it('migrates jobs of earlier versions: their enterprise and, for finished ones, a finish time', () => {
    const file = join(dir.path, 'old.db');
    const old = new Database(file);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 7)) {
      old.exec(migration.sql);
      migration.after?.(old);
    }
    old.pragma('user_version = 7');
    const at = '2026-01-02T03:04:05.000Z';
    old.exec(`INSERT INTO enterprises (id, name, created_at, slug) VALUES ('e1', 'Old', '${at}', 'old');
      INSERT INTO devices (id, enterprise_id, name, auth_mode, created_at) VALUES ('d1', 'e1', 'MFP', 'shared-account', '${at}');
      INSERT INTO jobs (id, device_id, state, options, created_at, updated_at)
        VALUES ('done', 'd1', 'delivered', '{}', '${at}', '2026-01-02T03:05:00.000Z'),
               ('running', 'd1', 'sending', '{}', '${at}', '${at}');
      INSERT INTO job_recipients (job_id, position, number, state) VALUES ('done', 0, '+12125550100', 'delivered');`);
    old.close();
    const migrated = openDatabase(file);
    try {
      const repo = new SqliteJobRepository(migrated);
      const done = repo.get('done')!;
      assert.equal(done.enterpriseId, 'e1');
      assert.equal(done.finishedAt, '2026-01-02T03:05:00.000Z');
      assert.equal(done.recipients[0]!.lineMs, 0, 'no line time was measured then');
      assert.equal(repo.get('running')!.finishedAt, null);
    } finally {
      migrated.close();
    }
  });
});
