import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GENESIS_HASH, SqliteAuditLog, entryHash } from '../../../edge-service/src/audit/sqlite-audit-log.ts';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('audit/SqliteAuditLog', () => {
  const dir = tempDir('audit-');
  let db: Db;
  let log: SqliteAuditLog;
  before(() => {
    db = openDatabase(join(dir.path, 'edge.db'));
    log = new SqliteAuditLog(db);
  });
  after(() => {
    db.close();
    dir.remove();
  });

  it('chains entries: each carries the previous hash; seq is monotonic; details canonical', () => {
    const first = log.record({
      enterpriseId: 'e1',
      actor: 'user:1',
      action: 'user.unlock',
      target: 'u2',
      details: { b: 1, a: 2 },
    });
    const second = log.record({ enterpriseId: null, actor: 'system', action: 'edge.start' });
    assert.equal(first.seq, 1);
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(second.seq, 2);
    assert.equal(second.prevHash, first.hash);
    assert.match(first.hash, /^[0-9a-f]{64}$/);
    const stored = db.prepare('SELECT details FROM audit_log WHERE seq = 1').get() as { details: string };
    assert.equal(stored.details, '{"a":2,"b":1}');
    assert.deepEqual(log.verify(), { ok: true, count: 2 });
  });

  it('hashes every field: changing any one changes the hash', () => {
    const row = db.prepare('SELECT * FROM audit_log WHERE seq = 1').get() as Record<string, unknown> & {
      hash: string;
    };
    const { hash, ...rest } = row;
    assert.equal(entryHash(rest as never), hash);
    for (const key of Object.keys(rest)) {
      const changed = { ...rest, [key]: key === 'seq' ? 99 : `${String(rest[key])}x` };
      assert.notEqual(entryHash(changed as never), hash, key);
    }
  });

  it('refuses UPDATE and DELETE through SQLite (triggers)', () => {
    assert.throws(() => db.prepare("UPDATE audit_log SET action = 'x'").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit_log').run(), /append-only/);
  });

  it('lists an enterprise’s entries newest first with filters (action prefix, actor, time)', () => {
    log.record({ enterpriseId: 'e1', actor: 'user:1', action: 'user.disable', target: 'u3' });
    log.record({ enterpriseId: 'e1', actor: 'cli:root', action: 'policy.update' });
    const all = log.list({ enterpriseId: 'e1' }, { offset: 0, limit: 10 });
    assert.deepEqual(
      all.items.map((e) => e.action),
      ['policy.update', 'user.disable', 'user.unlock'],
    );
    assert.equal(log.list({ enterpriseId: 'e1', action: 'user.' }, { offset: 0, limit: 10 }).total, 2);
    assert.equal(log.list({ enterpriseId: 'e1', actor: 'cli:root' }, { offset: 0, limit: 10 }).total, 1);
    assert.equal(
      log.list({ enterpriseId: 'e1', from: new Date(Date.now() + 60_000) }, { offset: 0, limit: 10 }).total,
      0,
    );
  });

  it('detects an edited row and a deleted row once the triggers are dropped', () => {
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
    db.prepare(`UPDATE audit_log SET details = '{"a":3,"b":1}' WHERE seq = 1`).run();
    const edited = log.verify();
    assert.equal(edited.ok, false);
    assert.equal((edited as { seq: number }).seq, 1);
    db.prepare(`UPDATE audit_log SET details = '{"a":2,"b":1}' WHERE seq = 1`).run();
    assert.equal(log.verify().ok, true);
    db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    const deleted = log.verify();
    assert.deepEqual(deleted, { ok: false, count: 1, seq: 2, reason: 'entry 2 is missing' });
  });
});
