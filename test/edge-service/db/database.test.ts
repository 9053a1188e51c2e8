import assert from 'node:assert/strict';
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

  it('keeps migration versions strictly increasing', () => {
    // Helpers of one session reserve numbers (a version may be missing until its branch is merged).
    MIGRATIONS.forEach((m, i) => assert.ok(m.version > (MIGRATIONS[i - 1]?.version ?? 0), `after ${i}`));
  });
});
