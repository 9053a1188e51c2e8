import assert from 'node:assert/strict';
import { openDatabase } from '../../../edge-service/src/db/database.ts';
import { SqliteDirectoryRepository } from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqliteFaxPolicyRepository } from '../../../edge-service/src/storage/sqlite-fax-policy-repository.ts';
import {
  checkFaxRetryPolicy,
  DEFAULT_FAX_RETRY_POLICY,
  isRetryableFaxFailure,
} from '../../../edge-service/src/domain/fax-retry-policy.ts';

describe('fax retry policy per enterprise', () => {
  it('gives the defaults to an enterprise without its own policy, and versions each change', () => {
    const db = openDatabase(':memory:');
    try {
      const directory = new SqliteDirectoryRepository(db);
      const policies = new SqliteFaxPolicyRepository(db, DEFAULT_FAX_RETRY_POLICY);
      const a = directory.createEnterprise('A');
      const b = directory.createEnterprise('B');
      assert.deepEqual(policies.faxRetryPolicy(a.id), { attempts: 3, intervalMs: 120_000, version: 0 });
      assert.deepEqual(policies.setFaxRetryPolicy(a.id, { attempts: 5, intervalMs: 30_000 }), {
        attempts: 5,
        intervalMs: 30_000,
        version: 1,
      });
      assert.equal(policies.setFaxRetryPolicy(a.id, { attempts: 1, intervalMs: 0 }).version, 2);
      assert.deepEqual(policies.faxRetryPolicy(b.id), { ...DEFAULT_FAX_RETRY_POLICY, version: 0 });
      assert.throws(() => policies.setFaxRetryPolicy(a.id, { attempts: 0, intervalMs: 10 }), RangeError);
      assert.throws(() => policies.setFaxRetryPolicy('nope', { attempts: 2, intervalMs: 10 }), /FOREIGN KEY/);
    } finally {
      db.close();
    }
  });

  it('redials only busy and unanswered calls', () => {
    assert.equal(isRetryableFaxFailure('FAX_BUSY'), true);
    assert.equal(isRetryableFaxFailure('FAX_NO_ANSWER'), true);
    for (const code of ['FAX_DROPPED', 'FAX_LINE_DOWN', 'FAX_ERROR', undefined] as const)
      assert.equal(isRetryableFaxFailure(code), false, String(code));
    assert.throws(() => checkFaxRetryPolicy({ attempts: 11, intervalMs: 0 }), /attempts/);
    assert.throws(() => checkFaxRetryPolicy({ attempts: 2, intervalMs: -1 }), /intervalMs/);
  });
});
