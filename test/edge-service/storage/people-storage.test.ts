import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { migrate, openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { MIGRATIONS } from '../../../edge-service/src/db/migrations.ts';
import { isLocked } from '../../../edge-service/src/domain/user.ts';
import {
  SqliteDirectoryRepository,
  SqliteDeviceRepository,
} from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqliteUserRepository } from '../../../edge-service/src/storage/sqlite-user-repository.ts';
import {
  SqliteAccountLinkRepository,
  SqlitePanelSessionRepository,
} from '../../../edge-service/src/storage/sqlite-auth-records.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('people storage (migration 5)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(join(dir.path, 'edge.db'));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('backfills enterprise slugs from names; the demo gets "demo"', () => {
    const old = new Database(join(dir.path, 'old.db'));
    for (const m of MIGRATIONS.filter((m) => m.version <= 3)) {
      old.exec(m.sql);
      old.pragma(`user_version = ${m.version}`);
    }
    const insert = old.prepare('INSERT INTO enterprises (id, name, created_at) VALUES (?, ?, ?)');
    insert.run('1', 'Acme, Inc.', '2026-01-01T00:00:00.000Z');
    insert.run('2', 'ACME inc', '2026-01-02T00:00:00.000Z');
    insert.run('3', 'Demo Enterprise', '2026-01-03T00:00:00.000Z');
    insert.run('4', 'Ö', '2026-01-04T00:00:00.000Z');
    migrate(old);
    const slugs = old.prepare('SELECT id, slug FROM enterprises ORDER BY id').all();
    assert.deepEqual(slugs, [
      { id: '1', slug: 'acme-inc' },
      { id: '2', slug: 'acme-inc-2' },
      { id: '3', slug: 'demo' },
      { id: '4', slug: 'enterprise-o' },
    ]);
    assert.throws(
      () =>
        old
          .prepare("INSERT INTO enterprises (id, name, slug, created_at) VALUES ('5', 'x', 'Bad!', '')")
          .run(),
      /slug/,
    );
    old.close();
  });

  it('creates enterprises with unique slugs and refuses duplicates with codes', () => {
    const directory = new SqliteDirectoryRepository(db);
    assert.equal(directory.createEnterprise('Demo Enterprise', 'demo').slug, 'demo');
    assert.equal(directory.createEnterprise('Demo').slug, 'demo-2');
    assert.throws(() => directory.createEnterprise('Demo'), { code: 'ENTERPRISE_EXISTS' });
    assert.throws(() => directory.createEnterprise('Other', 'demo'), { code: 'ENTERPRISE_EXISTS' });
    assert.throws(() => directory.createEnterprise('Other', 'x'), { code: 'ENTERPRISE_SLUG_INVALID' });
    assert.equal(directory.findEnterpriseBySlug('demo-2')?.name, 'Demo');
    assert.equal(directory.listEnterprises().length, 2);
  });

  describe('users', () => {
    let users: SqliteUserRepository;
    let enterpriseId: string;
    beforeEach(() => {
      enterpriseId = new SqliteDirectoryRepository(db).createEnterprise('E').id;
      users = new SqliteUserRepository(db);
    });

    it('creates with defaults, finds by email case-insensitively, refuses a duplicate', () => {
      const user = users.create({
        enterpriseId,
        email: 'Ann@Example.test',
        displayName: 'Ann',
        role: 'admin',
      });
      assert.equal(user.role, 'admin');
      assert.equal(user.language, 'en');
      assert.equal(user.mustChangePassword, false);
      assert.equal(user.passwordHash, null);
      assert.equal(users.findByEmail(enterpriseId, ' ann@example.TEST ')?.id, user.id);
      assert.throws(() => users.create({ enterpriseId, email: 'ann@example.test', displayName: 'x' }), {
        code: 'USER_EXISTS',
      });
      assert.equal(users.update(user.id, { language: 'fr', twoFactorExcluded: true }).language, 'fr');
      assert.equal(users.get(user.id)?.twoFactorExcluded, true);
    });

    it('keeps the password history trimmed, newest first', () => {
      const { id } = users.create({ enterpriseId, email: 'a@e.test', displayName: 'A' });
      for (let i = 1; i <= 5; i++) users.setPasswordHash(id, `h${i}`, new Date(), { historyKeep: 3 });
      assert.deepEqual(users.recentPasswordHashes(id, 10), ['h5', 'h4', 'h3', 'h2']);
      assert.deepEqual(users.recentPasswordHashes(id, 2), ['h5', 'h4']);
      users.setPasswordHash(id, 'h6', new Date(), { mustChange: true });
      assert.equal(users.get(id)?.mustChangePassword, true);
    });

    it('locks at the N-th failure, once; an expired lock starts a fresh count', () => {
      const { id } = users.create({ enterpriseId, email: 'a@e.test', displayName: 'A' });
      const t0 = new Date('2026-03-01T10:00:00Z');
      const until = new Date(t0.getTime() + 30 * 60_000);
      const lock = { maxAttempts: 3, lockUntil: until };
      assert.equal(users.recordFailure(id, t0, lock).lockedNow, false);
      assert.equal(users.recordFailure(id, t0, lock).lockedNow, false);
      const third = users.recordFailure(id, t0, lock);
      assert.equal(third.lockedNow, true);
      assert.equal(third.lockedUntil, until.toISOString());
      assert.equal(users.recordFailure(id, t0, lock).lockedNow, false, 'already locked');
      assert.ok(isLocked(users.get(id)!, t0));
      assert.deepEqual(
        users.list(enterpriseId, { lockedAt: t0 }).map((u) => u.id),
        [id],
      );
      const later = new Date(until.getTime() + 1);
      assert.ok(!isLocked(users.get(id)!, later));
      assert.deepEqual(users.list(enterpriseId, { lockedAt: later }), []);
      const fresh = users.recordFailure(id, later, { maxAttempts: 3, lockUntil: null });
      assert.equal(fresh.failedAttempts, 1);
      users.resetFailures(id);
      assert.equal(users.get(id)?.failedAttempts, 0);
    });

    it('accepts a TOTP step once and only newer ones after it; recovery codes once each', () => {
      const { id } = users.create({ enterpriseId, email: 'a@e.test', displayName: 'A' });
      users.setTotp(id, { ciphertext: 'box', enrolledAt: new Date(), step: 100 });
      assert.equal(users.claimTotpStep(id, 100), false);
      assert.equal(users.claimTotpStep(id, 99), false);
      assert.equal(users.claimTotpStep(id, 101), true);
      assert.equal(users.claimTotpStep(id, 101), false);
      users.replaceRecoveryCodes(id, ['r1', 'r2'], new Date());
      assert.equal(users.useRecoveryCode(id, 'r1', new Date()), true);
      assert.equal(users.useRecoveryCode(id, 'r1', new Date()), false);
      assert.equal(users.useRecoveryCode(id, 'nope', new Date()), false);
      assert.equal(users.recoveryCodesLeft(id), 1);
    });
  });

  it('panel sessions revoke by session, user or device; links are single-use', () => {
    const directory = new SqliteDirectoryRepository(db);
    const e = directory.createEnterprise('E');
    const users = new SqliteUserRepository(db);
    const u = users.create({ enterpriseId: e.id, email: 'a@e.test', displayName: 'A' });
    const devices = new SqliteDeviceRepository(db);
    const d = devices.create({
      enterpriseId: e.id,
      name: 'D',
      authMode: 'user-prompt',
      sharedUserId: null,
      scannerUrl: null,
      faxUrl: null,
      tokenHash: 'x',
    });
    const sessions = new SqlitePanelSessionRepository(db);
    const at = new Date();
    sessions.create({ id: 's1', userId: u.id, deviceId: d.id, at });
    sessions.create({ id: 's2', userId: u.id, deviceId: d.id, at });
    assert.equal(sessions.touch('s1', at), true);
    assert.deepEqual(
      sessions.revoke({ sessionId: 's1' }, 'sign-out', at).map((s) => s.id),
      ['s1'],
    );
    assert.equal(sessions.touch('s1', at), false);
    assert.deepEqual(
      sessions.revoke({ deviceId: d.id }, 'device-revoked', at).map((s) => s.id),
      ['s2'],
    );
    assert.equal(sessions.get('s2')?.revokedReason, 'device-revoked');
    assert.equal(devices.revoke(d.id), true);
    assert.equal(devices.revoke(d.id), false);
    assert.equal(devices.findByTokenHash('x'), null);

    const links = new SqliteAccountLinkRepository(db);
    const link = links.create({
      userId: u.id,
      kind: 'reset',
      tokenHash: 'th',
      at,
      expiresAt: new Date(at.getTime() + 1000),
    });
    assert.equal(links.findByTokenHash('th')?.id, link.id);
    assert.equal(links.markUsed(link.id, at), true);
    assert.equal(links.markUsed(link.id, at), false);
  });
});
