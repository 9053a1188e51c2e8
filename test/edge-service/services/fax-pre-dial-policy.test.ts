import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { loadConfig } from '../../../edge-service/src/config.ts';
import { migrate, openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { MIGRATIONS } from '../../../edge-service/src/db/migrations.ts';
import { SqliteDirectoryRepository } from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqliteFaxPolicyRepository } from '../../../edge-service/src/storage/sqlite-fax-policy-repository.ts';
import {
  checkPreDialString,
  DEFAULT_FAX_RETRY_POLICY,
} from '../../../edge-service/src/domain/fax-retry-policy.ts';

describe('fax pre-dial string in the enterprise fax policy', () => {
  let db: Db;
  let directory: SqliteDirectoryRepository;

  beforeEach(() => {
    db = openDatabase(':memory:');
    directory = new SqliteDirectoryRepository(db);
  });

  afterEach(() => {
    if (db.open) db.close();
  });

  it('accepts digits, * # and , up to 16, and refuses anything else', () => {
    for (const good of ['', '9', '0,', '*70,9', '#31#', '9'.repeat(16)])
      assert.equal(checkPreDialString(good), good);
    for (const bad of ['9a', '+9', ' 9', '9 ', '9-', 'p', '9'.repeat(17), '９'])
      assert.throws(() => checkPreDialString(bad), RangeError, JSON.stringify(bad));
  });

  it('gives the edge’s default until the enterprise sets its own, versioned with the retry policy', () => {
    const policies = new SqliteFaxPolicyRepository(db, { ...DEFAULT_FAX_RETRY_POLICY, preDialString: '0' });
    const a = directory.createEnterprise('A');
    const b = directory.createEnterprise('B');
    assert.deepEqual(policies.faxPolicy(a.id), {
      ...DEFAULT_FAX_RETRY_POLICY,
      preDialString: '0',
      version: 0,
    });
    assert.deepEqual(policies.setFaxPolicy(a.id, { preDialString: '9,' }), {
      ...DEFAULT_FAX_RETRY_POLICY,
      preDialString: '9,',
      version: 1,
    });
    // Changing the retry policy, by either method, keeps the pre-dial string.
    assert.deepEqual(policies.setFaxRetryPolicy(a.id, { attempts: 5, intervalMs: 1000 }), {
      attempts: 5,
      intervalMs: 1000,
      version: 2,
    });
    assert.deepEqual(policies.setFaxPolicy(a.id, { attempts: 2 }), {
      attempts: 2,
      intervalMs: 1000,
      preDialString: '9,',
      version: 3,
    });
    // An empty string is a choice too (no pre-dial), not "use the default".
    assert.equal(policies.setFaxPolicy(a.id, { preDialString: '' }).preDialString, '');
    assert.equal(policies.faxPolicy(b.id).preDialString, '0');
  });

  it('lets an enterprise that only set its retry policy follow a changed default', () => {
    const a = directory.createEnterprise('A');
    new SqliteFaxPolicyRepository(db, DEFAULT_FAX_RETRY_POLICY).setFaxRetryPolicy(a.id, {
      attempts: 4,
      intervalMs: 10,
    });
    const reconfigured = new SqliteFaxPolicyRepository(db, {
      ...DEFAULT_FAX_RETRY_POLICY,
      preDialString: '9',
    });
    assert.deepEqual(reconfigured.faxPolicy(a.id), {
      attempts: 4,
      intervalMs: 10,
      preDialString: '9',
      version: 1,
    });
  });

  it('refuses a bad pre-dial string without a new version, in the repository and in the table', () => {
    const policies = new SqliteFaxPolicyRepository(db, DEFAULT_FAX_RETRY_POLICY);
    const a = directory.createEnterprise('A');
    policies.setFaxPolicy(a.id, { preDialString: '9' });
    assert.throws(() => policies.setFaxPolicy(a.id, { preDialString: '9 1' }), RangeError);
    assert.throws(() => policies.setFaxPolicy(a.id, { attempts: 0 }), RangeError);
    assert.deepEqual(policies.faxPolicy(a.id), {
      ...DEFAULT_FAX_RETRY_POLICY,
      preDialString: '9',
      version: 1,
    });
    const update = db.prepare(
      'UPDATE enterprise_fax_policies SET pre_dial_string = ? WHERE enterprise_id = ?',
    );
    for (const bad of ['9x', '1'.repeat(17)])
      assert.throws(() => update.run(bad, a.id), /CHECK constraint/, bad);
    update.run('*#,0', a.id);
    assert.equal(policies.faxPolicy(a.id).preDialString, '*#,0');
    assert.throws(() => policies.setFaxPolicy('nope', { preDialString: '9' }), /FOREIGN KEY/);
    assert.throws(
      () => new SqliteFaxPolicyRepository(db, { ...DEFAULT_FAX_RETRY_POLICY, preDialString: 'nine' }),
      RangeError,
    );
  });

  it('migrates a version 2 database, keeping its policies and giving them the default', () => {
    const old = new Database(':memory:');
    try {
      old.pragma('foreign_keys = ON');
      for (const migration of MIGRATIONS.filter((m) => m.version <= 2)) old.exec(migration.sql);
      old.pragma('user_version = 2');
      old.prepare("INSERT INTO enterprises (id, name, created_at) VALUES ('e1', 'E', 'now')").run();
      old
        .prepare(
          `INSERT INTO enterprise_fax_policies (enterprise_id, version, retry_attempts, retry_interval_ms, updated_at)
           VALUES ('e1', 4, 2, 500, 'now')`,
        )
        .run();
      migrate(old);
      assert.equal(old.pragma('user_version', { simple: true }), MIGRATIONS.at(-1)!.version);
      const policies = new SqliteFaxPolicyRepository(old, {
        ...DEFAULT_FAX_RETRY_POLICY,
        preDialString: '9',
      });
      assert.deepEqual(policies.faxPolicy('e1'), {
        attempts: 2,
        intervalMs: 500,
        preDialString: '9',
        version: 4,
      });
    } finally {
      old.close();
    }
  });

  it('reads the default from the configuration (faxPreDialString, MFP_EDGE_FAX_PRE_DIAL)', () => {
    assert.equal(loadConfig({}, {}).config.faxPreDialString, '');
    assert.equal(loadConfig({}, { MFP_EDGE_FAX_PRE_DIAL: '9,' }).config.faxPreDialString, '9,');
    assert.equal(
      loadConfig({ faxPreDialString: '0' }, { MFP_EDGE_FAX_PRE_DIAL: '9' }).config.faxPreDialString,
      '0',
      'the caller wins over the environment',
    );
    assert.throws(() => loadConfig({}, { MFP_EDGE_FAX_PRE_DIAL: '9 ext' }), /faxPreDialString/);
  });
});
