import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  DeviceAuthorizations,
  phoneUserCodeKey,
} from '../../../edge-service/src/auth/device-authorizations.ts';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import type { AuditEntry, AuditEntryInput, AuditTrail } from '../../../edge-service/src/domain/audit.ts';
import type { DeviceRecord } from '../../../edge-service/src/domain/device.ts';
import type { UserAccount } from '../../../edge-service/src/domain/user.ts';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { PolicyService } from '../../../edge-service/src/policies/policy-service.ts';
import { SqliteDeviceAuthorizations } from '../../../edge-service/src/storage/sqlite-device-authorizations.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqlitePolicyRepository } from '../../../edge-service/src/storage/sqlite-policy-repository.ts';
import { SqliteUserRepository } from '../../../edge-service/src/storage/sqlite-user-repository.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

class MemoryAudit implements AuditTrail {
  readonly entries: AuditEntryInput[] = [];
  record(entry: AuditEntryInput): AuditEntry {
    this.entries.push(entry);
    return entry as AuditEntry;
  }
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof EdgeError ? error.code : String(error);
  }
  return undefined;
};

/** RFC 8628 device authorization, the service on real SQLite with a clock the test moves. */
describe('auth/device-authorizations (sign in with your phone)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let now: Date;
  let audit: MemoryAudit;
  let service: DeviceAuthorizations;
  let device: DeviceRecord;
  let person: UserAccount;
  let stranger: UserAccount;
  let policies: PolicyService;
  const disabled = new Set<string>();

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(join(dir.path, 'edge.db'));
    now = new Date('2026-12-15T09:00:00Z');
    audit = new MemoryAudit();
    const directory = new SqliteDirectoryRepository(db);
    const devices = new SqliteDeviceRepository(db);
    const users = new SqliteUserRepository(db);
    const acme = directory.createEnterprise('Acme', 'acme');
    const other = directory.createEnterprise('Other', 'other');
    device = devices.create({
      enterpriseId: acme.id,
      name: 'Lobby MFP',
      authMode: 'user-prompt',
      sharedUserId: null,
      scannerUrl: null,
      faxUrl: null,
      tokenHash: 'x'.repeat(64),
    });
    person = users.create({ enterpriseId: acme.id, email: 'ann@acme.test', displayName: 'Ann' });
    stranger = users.create({ enterpriseId: other.id, email: 'bob@other.test', displayName: 'Bob' });
    policies = new PolicyService({ repository: new SqlitePolicyRepository(db) });
    disabled.clear();
    service = new DeviceAuthorizations({
      repository: new SqliteDeviceAuthorizations(db),
      devices,
      users: {
        get: (id) => {
          const user = users.get(id);
          return user && disabled.has(id) ? { ...user, disabledAt: now.toISOString() } : user;
        },
      },
      policies,
      audit,
      userCodeKey: phoneUserCodeKey(randomBytes(32)),
      now: () => now,
      guessLimit: { max: 3, windowMs: 600_000 },
    });
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const later = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));

  it('stores codes hashed: neither the user code nor the device code is in the database', () => {
    const begun = service.begin(device, '10.0.0.5');
    const row = db.prepare('SELECT * FROM device_authorizations').get() as Record<string, unknown>;
    const text = JSON.stringify(row);
    assert.ok(!text.includes(begun.userCode.replace('-', '')));
    assert.ok(!text.includes(begun.deviceCode));
    assert.equal(row.status, 'pending');
  });

  it('expires after the policy minutes: the phone is refused (audited), the poller hears expired_token', () => {
    policies.update(device.enterpriseId, { phoneSignInMinutes: 2 }, 'test');
    const begun = service.begin(device, '10.0.0.5');
    assert.equal(begun.expiresAt.getTime() - now.getTime(), 120_000);
    later(119);
    assert.equal(service.inspect(begun.userCode, person, '10.0.0.7').device.id, device.id);
    later(2);
    assert.equal(
      codeOf(() => service.inspect(begun.userCode, person, '10.0.0.7')),
      'PHONE_CODE_INVALID',
    );
    assert.equal(audit.entries.at(-1)?.details?.reason, 'expired');
    const outcome = service.poll(begun.deviceCode, device.id);
    assert.deepEqual(outcome, { ok: false, error: 'expired_token', interval: 5 });
  });

  it('slow_down adds 5 s each time a client polls sooner than the interval', () => {
    const begun = service.begin(device, '10.0.0.5');
    assert.equal(
      (service.poll(begun.deviceCode, device.id) as { error: string }).error,
      'authorization_pending',
    );
    later(1);
    assert.deepEqual(service.poll(begun.deviceCode, device.id), {
      ok: false,
      error: 'slow_down',
      interval: 10,
    });
    later(6);
    assert.deepEqual(service.poll(begun.deviceCode, device.id), {
      ok: false,
      error: 'slow_down',
      interval: 15,
    });
    later(16);
    assert.deepEqual(service.poll(begun.deviceCode, device.id), {
      ok: false,
      error: 'authorization_pending',
      interval: 15,
    });
    // Another device's code is not this client's to poll.
    assert.equal(
      codeOf(() => service.poll(begun.deviceCode, 'another-device')),
      'PHONE_CODE_INVALID',
    );
  });

  it('refuses a person of another enterprise and a disabled person, each audited; the code stays usable', () => {
    const begun = service.begin(device, '10.0.0.5');
    assert.equal(
      codeOf(() => service.decide(begun.userCode, stranger, 'approve', '10.0.0.8')),
      'PHONE_CODE_OTHER_ENTERPRISE',
    );
    assert.equal(audit.entries.at(-1)?.action, 'auth.phone-sign-in-refused');
    disabled.add(person.id);
    assert.equal(
      codeOf(() =>
        service.decide(begun.userCode, { ...person, disabledAt: now.toISOString() }, 'approve', '10.0.0.7'),
      ),
      'ACCOUNT_DISABLED',
    );
    disabled.clear();
    assert.equal(
      service.decide(begun.userCode, person, 'approve', '10.0.0.7').authorization.status,
      'approved',
    );
  });

  it('an approval is consumed once; disabled in between refuses the sign-in', () => {
    const a = service.begin(device, '10.0.0.5');
    const decided: string[] = [];
    service.on('decided', (e) => decided.push(e.status));
    service.decide(a.userCode, person, 'approve', '10.0.0.7');
    assert.deepEqual(decided, ['approved']);
    assert.equal(service.consume(a.id).id, person.id);
    assert.equal(
      codeOf(() => service.consume(a.id)),
      'PHONE_CODE_INVALID',
    );
    assert.equal(
      codeOf(() => service.decide(a.userCode, person, 'approve', '10.0.0.7')),
      'PHONE_CODE_INVALID',
    );

    const b = service.begin(device, '10.0.0.5');
    service.decide(b.userCode, person, 'approve', '10.0.0.7');
    disabled.add(person.id);
    assert.equal(
      codeOf(() => service.consume(b.id)),
      'ACCOUNT_DISABLED',
    );
  });

  it('a new begin or a cancel voids the previous code; guesses are rate-limited per source', () => {
    const a = service.begin(device, '10.0.0.5');
    const b = service.begin(device, '10.0.0.5', a.id);
    assert.equal(
      codeOf(() => service.inspect(a.userCode, person, '10.0.0.7')),
      'PHONE_CODE_INVALID',
    );
    service.cancel(b.id);
    assert.equal(
      codeOf(() => service.inspect(b.userCode, person, '10.0.0.9')),
      'PHONE_CODE_INVALID',
    );
    // 10.0.0.7 failed once above; two more wrong guesses reach the limit of 3.
    assert.equal(
      codeOf(() => service.inspect('BBBB-BBBB', person, '10.0.0.7')),
      'PHONE_CODE_INVALID',
    );
    assert.equal(
      codeOf(() => service.inspect('not a code', person, '10.0.0.7')),
      'PHONE_CODE_INVALID',
    );
    assert.equal(
      codeOf(() => service.inspect('BBBB-BBBB', person, '10.0.0.7')),
      'RATE_LIMITED',
    );
    // Another address is not held back by this one's guesses.
    const c = service.begin(device, '10.0.0.5');
    assert.equal(service.inspect(c.userCode, person, '10.0.0.10').device.id, device.id);
  });

  it('only user-prompt devices begin', () => {
    assert.equal(
      codeOf(() => service.begin({ ...device, authMode: 'shared-account' }, 'x')),
      'AUTH_MODE_MISMATCH',
    );
    assert.equal(
      codeOf(() => service.begin({ ...device, revokedAt: now.toISOString() }, 'x')),
      'DEVICE_UNAUTHORIZED',
    );
  });
});
