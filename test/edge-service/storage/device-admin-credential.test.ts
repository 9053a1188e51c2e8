import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretBox } from '../../../edge-service/src/auth/secret-box.ts';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const PASSWORD = 'Plain-Device-Password-7f3a9c';

/* The devices' admin credentials at rest (DESIGN.md §11): ciphertext only, bound to the device. */
describe('device admin credential storage', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let devices: SqliteDeviceRepository;
  let first: string;
  let second: string;
  const key = randomBytes(32);

  beforeEach(() => {
    dir = tempDir('device-credential-');
    db = openDatabase(join(dir.path, 'edge.db'));
    devices = new SqliteDeviceRepository(db, { secretBox: new SecretBox(key) });
    const enterprise = new SqliteDirectoryRepository(db).createEnterprise('Acme');
    const create = (name: string) =>
      devices.create({
        enterpriseId: enterprise.id,
        name,
        authMode: 'device-login',
        sharedUserId: null,
        scannerUrl: 'http://printer.invalid:8090/eSCL',
        faxUrl: null,
        tokenHash: `hash-${name}`,
      }).id;
    first = create('First');
    second = create('Second');
  });

  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('stores ciphertext only: the password is in no byte of the database files', () => {
    devices.setAdminCredential(first, { username: 'admin', password: PASSWORD });
    const stored = db.prepare('SELECT admin_credential FROM devices WHERE id = ?').get(first) as {
      admin_credential: string;
    };
    assert.match(stored.admin_credential, /^sb1\./);
    assert.ok(!stored.admin_credential.includes(PASSWORD));
    db.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of readdirSync(dir.path)) {
      const bytes = readFileSync(join(dir.path, file));
      assert.equal(bytes.indexOf(PASSWORD), -1, `${file} holds the password`);
      assert.equal(bytes.indexOf(Buffer.from(PASSWORD, 'utf16le')), -1, `${file} holds the password`);
    }
    assert.deepEqual(devices.adminCredential(first), { username: 'admin', password: PASSWORD });
    // Not part of the device record, so nothing that shows a device can show it.
    assert.ok(!JSON.stringify(devices.get(first)).includes('sb1.'));
    assert.ok(!JSON.stringify(devices.list()).includes(PASSWORD));
  });

  it('opens only for its own device: a box copied to another row is SECRET_INVALID', () => {
    devices.setAdminCredential(first, { username: 'admin', password: PASSWORD });
    db.prepare(
      'UPDATE devices SET admin_credential = (SELECT admin_credential FROM devices WHERE id = ?) WHERE id = ?',
    ).run(first, second);
    assert.throws(() => devices.adminCredential(second), { code: 'SECRET_INVALID' });
    assert.equal(devices.adminCredential(first)?.password, PASSWORD);
  });

  it('a tampered box, or another key, is SECRET_INVALID', () => {
    devices.setAdminCredential(first, { username: 'admin', password: PASSWORD });
    const { admin_credential: sealed } = db
      .prepare('SELECT admin_credential FROM devices WHERE id = ?')
      .get(first) as {
      admin_credential: string;
    };
    // A middle character: all six of its bits are data (the last one may carry padding bits only).
    const at = 20;
    const tampered = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    db.prepare('UPDATE devices SET admin_credential = ? WHERE id = ?').run(tampered, first);
    assert.throws(() => devices.adminCredential(first), { code: 'SECRET_INVALID' });

    devices.setAdminCredential(first, { username: 'admin', password: PASSWORD });
    const otherKey = new SqliteDeviceRepository(db, { secretBox: new SecretBox(randomBytes(32)) });
    assert.throws(() => otherKey.adminCredential(first), { code: 'SECRET_INVALID' });
  });

  it('refuses to store a plain value in the column', () => {
    assert.throws(
      () => db.prepare('UPDATE devices SET admin_credential = ? WHERE id = ?').run(PASSWORD, first),
      /CHECK constraint failed/,
    );
  });

  it('removes the credential with null, and with the device revoked', () => {
    assert.equal(devices.adminCredential(first), null);
    devices.setAdminCredential(first, { username: 'admin', password: PASSWORD });
    devices.setAdminCredential(first, null);
    assert.equal(devices.adminCredential(first), null);
    devices.setAdminCredential(first, { username: 'admin', password: PASSWORD });
    assert.ok(devices.revoke(first));
    assert.equal(devices.adminCredential(first), null);
  });

  it('refuses an unknown device, a user name with a colon, and works only with the secret box', () => {
    assert.throws(() => devices.setAdminCredential('nope', { username: 'admin', password: 'x' }), {
      code: 'DEVICE_NOT_FOUND',
    });
    assert.throws(() => devices.setAdminCredential(first, { username: 'ad:min', password: 'x' }), {
      code: 'BAD_MESSAGE',
    });
    assert.throws(
      () => new SqliteDeviceRepository(db).setAdminCredential(first, { username: 'admin', password: 'x' }),
      /secretBox/,
    );
  });

  it('keeps an explicit device API address, http(s) only and without credentials', () => {
    assert.equal(devices.get(first)?.deviceApiUrl, null);
    devices.setDeviceApiUrl(first, 'https://printer.example/device/api/v1');
    assert.equal(devices.get(first)?.deviceApiUrl, 'https://printer.example/device/api/v1');
    for (const bad of ['ftp://printer/x', 'not a url', 'http://admin:pw@printer/x'])
      assert.throws(() => devices.setDeviceApiUrl(first, bad), { code: 'BAD_MESSAGE' }, bad);
    devices.setDeviceApiUrl(first, null);
    assert.equal(devices.get(first)?.deviceApiUrl, null);
  });
});
