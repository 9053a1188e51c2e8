import assert from 'node:assert/strict';
import { openDatabase } from '../../../edge-service/src/db/database.ts';
import { prepared } from '../../../edge-service/src/db/statement-cache.ts';

describe('prepared statements, compiled once per database (found by npm run load)', () => {
  it('hands out the same statement for the same SQL, with correct results each time', () => {
    const db = openDatabase(':memory:');
    try {
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const insert = prepared(db, 'INSERT INTO t (v) VALUES (?)');
      assert.equal(prepared(db, 'INSERT INTO t (v) VALUES (?)'), insert);
      for (const v of ['a', 'b', 'c']) prepared(db, 'INSERT INTO t (v) VALUES (?)').run(v);
      assert.deepEqual(prepared(db, 'SELECT v FROM t WHERE id = ?').get(2), { v: 'b' });
      assert.deepEqual(prepared(db, 'SELECT v FROM t WHERE id = ?').get(3), { v: 'c' });
      // A column added later is seen by the same statement (SQLite recompiles it on a schema change).
      db.exec("ALTER TABLE t ADD COLUMN w TEXT DEFAULT 'x'");
      assert.deepEqual(prepared(db, 'SELECT * FROM t WHERE id = ?').get(1), { id: 1, v: 'a', w: 'x' });
    } finally {
      db.close();
    }
  });

  it('never hands out a statement still busy iterating, and keeps each database apart', () => {
    const one = openDatabase(':memory:');
    const two = openDatabase(':memory:');
    try {
      for (const db of [one, two]) db.exec('CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2)');
      const sql = 'SELECT v FROM t ORDER BY v';
      const iterating = prepared(one, sql);
      const seen: number[] = [];
      for (const row of iterating.iterate() as Iterable<{ v: number }>) {
        const inner = prepared(one, sql);
        assert.notEqual(inner, iterating);
        seen.push(row.v, (inner.all() as { v: number }[]).length);
      }
      assert.deepEqual(seen, [1, 2, 2, 2]);
      assert.equal(prepared(one, sql), iterating, 'once finished it is handed out again');
      assert.notEqual(prepared(two, sql), iterating);
    } finally {
      one.close();
      two.close();
    }
  });
});
