import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../edge-service/src/db/database.ts';
import { MIGRATIONS } from '../../../edge-service/src/db/migrations.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('edge database', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('opens in WAL mode with foreign keys and applies every migration once', () => {
    const file = join(dir.path, 'nested', 'edge.db');
    const db = openDatabase(file);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.at(-1)!.version);
    db.close();
    // Reopening applies nothing twice (a second CREATE TABLE would throw).
    openDatabase(file).close();
  });

  it('refuses a database written by a newer edge', () => {
    const file = join(dir.path, 'edge.db');
    const db = openDatabase(file);
    db.pragma('user_version = 999');
    db.close();
    assert.throws(() => openDatabase(file), /newer than this edge/);
  });

  it('copies an existing database aside before an upgrade changes it, and not otherwise', () => {
    const file = join(dir.path, 'edge.db');
    // A database an older edge left: every migration but the last.
    const old = new Database(file);
    for (const m of MIGRATIONS.slice(0, -1)) {
      old.exec(m.sql);
      m.after?.(old);
    }
    const previous = MIGRATIONS.at(-2)!.version;
    old.pragma(`user_version = ${previous}`);
    old
      .prepare(
        "INSERT INTO enterprises (id, name, slug, created_at) VALUES ('e1', 'Acme', 'acme', '2026-01-01')",
      )
      .run();
    old.close();

    openDatabase(file).close();
    const copy = join(dir.path, `edge.db.v${previous}.bak`);
    const backup = new Database(copy, { readonly: true });
    assert.equal(backup.pragma('user_version', { simple: true }), previous);
    assert.deepEqual(backup.prepare('SELECT name FROM enterprises').all(), [{ name: 'Acme' }]);
    backup.close();

    openDatabase(file).close();
    assert.deepEqual(
      readdirSync(dir.path).filter((f) => f.endsWith('.bak')),
      [`edge.db.v${previous}.bak`],
      'an up-to-date database is not copied again',
    );
    const fresh = join(dir.path, 'fresh', 'edge.db');
    openDatabase(fresh).close();
    assert.equal(existsSync(`${fresh}.v0.bak`), false, 'a new database has nothing to keep');
  });

  it('keeps migration versions strictly increasing', () => {
    MIGRATIONS.forEach((m, i) => assert.equal(m.version, i + 1));
  });
});
