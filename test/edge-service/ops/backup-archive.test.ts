import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import tar from 'tar-stream';
import { openDatabase } from '../../../edge-service/src/db/database.ts';
import { MIGRATIONS } from '../../../edge-service/src/db/migrations.ts';
import { createBackup, restoreBackup } from '../../../edge-service/src/ops/backup-archive.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** A data folder as an edge leaves it: the database (one job with two spooled pages), keys, spool, outbox. */
function dataFolder(dir: string): void {
  const db = openDatabase(join(dir, 'edge.db'));
  db.pragma('foreign_keys = OFF');
  const now = '2026-12-01T10:00:00.000Z';
  db.prepare(
    `INSERT INTO jobs (id, device_id, state, options, created_at, updated_at) VALUES ('job-1', 'd1', 'sending', '{}', ?, ?)`,
  ).run(now, now);
  const page = db.prepare(
    "INSERT INTO job_pages (job_id, number, scan_file, fax_file) VALUES ('job-1', ?, ?, ?)",
  );
  page.run(1, 'scan-001.jpg', 'fax-001.tif');
  page.run(2, 'scan-002.jpg', null);
  db.close();
  mkdirSync(join(dir, 'spool', 'job-1'), { recursive: true });
  for (const f of ['scan-001.jpg', 'fax-001.tif', 'scan-002.jpg'])
    writeFileSync(join(dir, 'spool', 'job-1', f), `page ${f}`);
  writeFileSync(join(dir, 'secret.key'), 'k'.repeat(44));
  mkdirSync(join(dir, 'outbox'));
  writeFileSync(join(dir, 'outbox', '20261201T100000.000Z-1.eml'), 'Subject: hi\r\n\r\nhello');
  mkdirSync(join(dir, 'simulator'));
  writeFileSync(join(dir, 'simulator', 'remote.json'), '{}');
}

async function writeTar(file: string, entries: tar.Header[]): Promise<void> {
  const pack = tar.pack();
  const out = createWriteStream(file);
  pack.pipe(out);
  for (const entry of entries) {
    if (entry.type === 'symlink') pack.entry(entry);
    else pack.entry(entry, 'x');
  }
  pack.finalize();
  await finished(out);
}

describe('backup archives', () => {
  let temp: ReturnType<typeof tempDir>;
  let data: string;
  let file: string;
  beforeEach(() => {
    temp = tempDir('backup-');
    data = join(temp.path, 'data');
    file = join(temp.path, 'edge.backup');
    dataFolder(data);
  });
  afterEach(() => temp.remove());

  it('restores the database, keys, spool and outbox as they were, and not the simulator', async () => {
    const { manifest, warnings } = await createBackup({ dataDir: data, file });
    assert.deepEqual(warnings, []);
    assert.equal(manifest.secretKeyIncluded, true);
    assert.equal(manifest.schemaVersion, MIGRATIONS.at(-1)!.version);
    assert.deepEqual(manifest.files.map((f) => f.path).sort(), [
      'edge.db',
      'outbox/20261201T100000.000Z-1.eml',
      'secret.key',
      'spool/job-1/fax-001.tif',
      'spool/job-1/scan-001.jpg',
      'spool/job-1/scan-002.jpg',
    ]);
    assert.deepEqual(readdirSync(temp.path).sort(), ['data', 'edge.backup'], 'no staging left behind');

    const restored = join(temp.path, 'restored');
    await restoreBackup({ dataDir: restored, file });
    for (const f of ['secret.key', 'spool/job-1/scan-002.jpg', 'outbox/20261201T100000.000Z-1.eml'])
      assert.deepEqual(readFileSync(join(restored, f)), readFileSync(join(data, f)), f);
    assert.equal(existsSync(join(restored, 'simulator')), false);
    const db = new Database(join(restored, 'edge.db'), { readonly: true });
    assert.deepEqual(db.prepare('SELECT number, scan_file FROM job_pages ORDER BY number').all(), [
      { number: 1, scan_file: 'scan-001.jpg' },
      { number: 2, scan_file: 'scan-002.jpg' },
    ]);
    db.close();
  });

  it('starts again from a new snapshot when a page the snapshot names is removed meanwhile', async () => {
    const attempts: number[] = [];
    await createBackup({
      dataDir: data,
      file,
      afterSnapshot: async (attempt) => {
        attempts.push(attempt);
        if (attempt > 1) return;
        // The job ends and the housekeeper purges its spool, between the snapshot and the copy.
        const db = new Database(join(data, 'edge.db'));
        db.prepare("UPDATE jobs SET state = 'delivered', spool_purged_at = '2026-12-01T10:01:00Z'").run();
        db.close();
        for (const f of readdirSync(join(data, 'spool', 'job-1'))) rmSync(join(data, 'spool', 'job-1', f));
      },
    });
    assert.deepEqual(attempts, [1, 2]);
    const restored = join(temp.path, 'restored');
    await restoreBackup({ dataDir: restored, file });
    const db = new Database(join(restored, 'edge.db'), { readonly: true });
    assert.deepEqual(db.prepare('SELECT state FROM jobs').all(), [{ state: 'delivered' }]);
    db.close();
  });

  it('refuses a data folder with no database', async () => {
    await assert.rejects(createBackup({ dataDir: join(temp.path, 'nothing'), file }), {
      code: 'BACKUP_NO_DATA',
    });
  });

  it('restores over an edge only when told, keeping the old folder beside it', async () => {
    await createBackup({ dataDir: data, file });
    await assert.rejects(restoreBackup({ dataDir: data, file }), { code: 'RESTORE_TARGET_NOT_EMPTY' });
    writeFileSync(join(data, 'secret.key'), 'changed since');
    const { keptAs } = await restoreBackup({ dataDir: data, file, replace: true, now: () => new Date(0) });
    assert.equal(keptAs, `${data}.before-restore-19700101T000000000Z`);
    assert.equal(readFileSync(join(keptAs!, 'secret.key'), 'utf8'), 'changed since');
    assert.equal(readFileSync(join(data, 'secret.key'), 'utf8'), 'k'.repeat(44));
  });

  it('refuses a damaged archive, a file changed inside it, and one from a newer edge, changing nothing', async () => {
    const target = join(temp.path, 'target');
    writeFileSync(join(temp.path, 'junk.backup'), 'not a tar at all'.repeat(100));
    await assert.rejects(restoreBackup({ dataDir: target, file: join(temp.path, 'junk.backup') }), {
      code: 'BACKUP_CORRUPT',
    });
    await assert.rejects(restoreBackup({ dataDir: target, file: join(temp.path, 'missing.backup') }), {
      code: 'BACKUP_NOT_FOUND',
    });

    await createBackup({ dataDir: data, file });
    const archive = readFileSync(file);
    const at = archive.indexOf('page scan-002.jpg');
    archive[at] = 'P'.charCodeAt(0);
    writeFileSync(join(temp.path, 'tampered.backup'), archive);
    await assert.rejects(restoreBackup({ dataDir: target, file: join(temp.path, 'tampered.backup') }), {
      code: 'BACKUP_CORRUPT',
      message: /spool\/job-1\/scan-002\.jpg/,
    });

    const newer = Buffer.from(readFileSync(file));
    const manifestAt = newer.indexOf(`"schemaVersion": ${MIGRATIONS.at(-1)!.version}`);
    newer.write(`"schemaVersion": 9${String(MIGRATIONS.at(-1)!.version).slice(1)}`, manifestAt);
    writeFileSync(join(temp.path, 'newer.backup'), newer);
    await assert.rejects(restoreBackup({ dataDir: target, file: join(temp.path, 'newer.backup') }), {
      code: 'BACKUP_TOO_NEW',
    });
    assert.equal(existsSync(target), false);
    assert.deepEqual(
      readdirSync(temp.path).filter((f) => f.startsWith('.')),
      [],
      'no staging folder left behind',
    );
  });

  it('refuses entries that would land outside the data folder or are not plain files', async () => {
    const target = join(temp.path, 'target');
    for (const [name, entry] of [
      ['dotdot', { name: '../escaped', size: 1 }],
      ['absolute', { name: '/etc/escaped', size: 1 }],
      ['symlink', { name: 'spool/link', type: 'symlink', linkname: '/etc/passwd' }],
      ['nested dotdot', { name: 'spool/../../escaped', size: 1 }],
    ] as [string, tar.Header][]) {
      const evil = join(temp.path, `${name}.backup`);
      await writeTar(evil, [entry]);
      await assert.rejects(restoreBackup({ dataDir: target, file: evil }), { code: 'BACKUP_CORRUPT' }, name);
    }
    assert.equal(existsSync(join(temp.path, 'escaped')), false);
    assert.equal(existsSync(target), false);
  });
});
