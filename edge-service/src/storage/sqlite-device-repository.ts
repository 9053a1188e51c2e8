import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { prepared } from '../db/statement-cache.ts';
import type {
  DeviceAdminCredential,
  DeviceRecord,
  DeviceRepository,
  DirectoryRepository,
  EnterpriseRecord,
  UserRecord,
} from '../domain/device.ts';
import type { AuthMode } from '../../../protocol/index.ts';
import { isValidSlug, slugFromName } from '../domain/enterprise-slug.ts';
import { EdgeError } from '../edge-error.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import { openAdminCredential, sealAdminCredential } from '../auth/device-admin-credential.ts';

interface DeviceRow {
  id: string;
  enterprise_id: string;
  name: string;
  auth_mode: string;
  shared_user_id: string | null;
  scanner_url: string | null;
  fax_url: string | null;
  device_api_url: string | null;
  created_at: string;
  revoked_at: string | null;
}

function toDevice(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    enterpriseId: row.enterprise_id,
    name: row.name,
    authMode: row.auth_mode as AuthMode,
    sharedUserId: row.shared_user_id,
    scannerUrl: row.scanner_url,
    faxUrl: row.fax_url,
    deviceApiUrl: row.device_api_url,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export interface SqliteDeviceRepositoryOptions {
  /**
   * Encrypts the devices' admin credentials (auth/secret-box.ts, key from loadSecretKey()). Without
   * it the repository works as before but cannot store or read an admin credential.
   */
  secretBox?: SecretBox;
}

export class SqliteDeviceRepository implements DeviceRepository {
  readonly #db: Db;
  readonly #box: SecretBox | undefined;

  constructor(db: Db, options: SqliteDeviceRepositoryOptions = {}) {
    this.#db = db;
    this.#box = options.secretBox;
  }

  create(
    input: Omit<DeviceRecord, 'id' | 'createdAt' | 'revokedAt'> & { tokenHash: string | null },
  ): DeviceRecord {
    const id = randomUUID();
    this.#db
      .prepare(
        `INSERT INTO devices (id, enterprise_id, name, auth_mode, shared_user_id, token_hash, scanner_url, fax_url, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.enterpriseId,
        input.name,
        input.authMode,
        input.sharedUserId,
        input.tokenHash,
        input.scannerUrl,
        input.faxUrl,
        new Date().toISOString(),
      );
    return this.get(id)!;
  }

  get(id: string): DeviceRecord | null {
    const row = prepared(this.#db, 'SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
    return row ? toDevice(row) : null;
  }

  findByName(enterpriseId: string, name: string): DeviceRecord | null {
    const row = this.#db
      .prepare('SELECT * FROM devices WHERE enterprise_id = ? AND name = ? AND revoked_at IS NULL')
      .get(enterpriseId, name) as DeviceRow | undefined;
    return row ? toDevice(row) : null;
  }

  findByTokenHash(tokenHash: string): DeviceRecord | null {
    const row = prepared(
      this.#db,
      `SELECT * FROM devices WHERE revoked_at IS NULL AND (token_hash = ?
           OR id = (SELECT device_id FROM device_credentials WHERE token_hash = ?))`,
    ).get(tokenHash, tokenHash) as DeviceRow | undefined;
    return row ? toDevice(row) : null;
  }

  setTokenHash(id: string, tokenHash: string): void {
    this.#db.prepare('UPDATE devices SET token_hash = ? WHERE id = ?').run(tokenHash, id);
  }

  addCredential(id: string, tokenHash: string, pairingId: string | null = null): void {
    this.#db
      .prepare(
        'INSERT INTO device_credentials (token_hash, device_id, pairing_id, created_at) VALUES (?, ?, ?, ?)',
      )
      .run(tokenHash, id, pairingId, new Date().toISOString());
  }

  clearCredentials(id: string): void {
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE devices SET token_hash = NULL WHERE id = ?').run(id);
      this.#db.prepare('DELETE FROM device_credentials WHERE device_id = ?').run(id);
    })();
  }

  update(id: string, patch: Partial<Pick<DeviceRecord, 'name' | 'authMode' | 'sharedUserId'>>): DeviceRecord {
    const columns: [string, unknown][] = [];
    if (patch.name !== undefined) columns.push(['name', patch.name]);
    if (patch.authMode !== undefined) columns.push(['auth_mode', patch.authMode]);
    if (patch.sharedUserId !== undefined) columns.push(['shared_user_id', patch.sharedUserId]);
    if (columns.length > 0) {
      this.#requireChange(
        this.#db
          .prepare(`UPDATE devices SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`)
          .run(...columns.map(([, v]) => v), id),
      );
    }
    const device = this.get(id);
    if (!device) throw new EdgeError('DEVICE_NOT_FOUND');
    return device;
  }

  reinstate(id: string): void {
    this.#requireChange(this.#db.prepare('UPDATE devices SET revoked_at = NULL WHERE id = ?').run(id));
  }

  setUrls(id: string, urls: { scannerUrl: string | null; faxUrl: string | null }): void {
    this.#db
      .prepare('UPDATE devices SET scanner_url = ?, fax_url = ? WHERE id = ?')
      .run(urls.scannerUrl, urls.faxUrl, id);
  }

  setDeviceApiUrl(id: string, url: string | null): void {
    if (url !== null) {
      const parsed = URL.canParse(url) ? new URL(url) : null;
      if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
        throw new EdgeError('BAD_MESSAGE', 'A device API address is an http:// or https:// URL.');
      if (parsed.username !== '' || parsed.password !== '')
        throw new EdgeError('BAD_MESSAGE', 'A device API address cannot hold a user name or password.');
    }
    this.#requireChange(this.#db.prepare('UPDATE devices SET device_api_url = ? WHERE id = ?').run(url, id));
  }

  /** Only the ciphertext is written: the password never reaches the database file or its WAL. */
  setAdminCredential(id: string, credential: DeviceAdminCredential | null): void {
    const sealed = credential === null ? null : sealAdminCredential(this.#requireBox(), id, credential);
    this.#requireChange(
      this.#db.prepare('UPDATE devices SET admin_credential = ? WHERE id = ?').run(sealed, id),
    );
  }

  adminCredential(id: string): DeviceAdminCredential | null {
    const row = this.#db.prepare('SELECT admin_credential FROM devices WHERE id = ?').get(id) as
      { admin_credential: string | null } | undefined;
    if (row === undefined || row.admin_credential === null) return null;
    return openAdminCredential(this.#requireBox(), id, row.admin_credential);
  }

  #requireBox(): SecretBox {
    if (this.#box === undefined)
      throw new Error('SqliteDeviceRepository needs its secretBox option to handle admin credentials');
    return this.#box;
  }

  #requireChange(result: { changes: number }): void {
    if (result.changes !== 1) throw new EdgeError('DEVICE_NOT_FOUND');
  }

  revoke(id: string, at: Date = new Date()): boolean {
    // The token hashes go too: a revoked credential must never match again, even if un-revoked by
    // hand (or paired again). So does the device's admin credential: a secret the edge no longer
    // needs is not kept at rest.
    return this.#db.transaction(() => {
      const changed =
        this.#db
          .prepare(
            'UPDATE devices SET revoked_at = ?, token_hash = NULL, admin_credential = NULL WHERE id = ? AND revoked_at IS NULL',
          )
          .run(at.toISOString(), id).changes === 1;
      if (changed) this.#db.prepare('DELETE FROM device_credentials WHERE device_id = ?').run(id);
      return changed;
    })();
  }

  list(): DeviceRecord[] {
    return (this.#db.prepare('SELECT * FROM devices ORDER BY created_at').all() as DeviceRow[]).map(toDevice);
  }
}

export class SqliteDirectoryRepository implements DirectoryRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  createEnterprise(name: string, slug?: string): EnterpriseRecord {
    const id = randomUUID();
    return this.#db
      .transaction(() => {
        if (slug !== undefined && !isValidSlug(slug)) {
          throw new EdgeError(
            'ENTERPRISE_SLUG_INVALID',
            `"${slug}" is not a valid enterprise identifier: 2 or more of a-z, 0-9 and -, not starting or ending with -.`,
          );
        }
        if (this.findEnterpriseByName(name))
          throw new EdgeError('ENTERPRISE_EXISTS', `An enterprise named "${name}" already exists.`);
        if (slug !== undefined && this.findEnterpriseBySlug(slug))
          throw new EdgeError('ENTERPRISE_EXISTS', `The enterprise identifier "${slug}" is taken.`);
        const chosen = slug ?? slugFromName(name, (s) => this.findEnterpriseBySlug(s) !== null);
        this.#db
          .prepare('INSERT INTO enterprises (id, name, slug, created_at) VALUES (?, ?, ?, ?)')
          .run(id, name, chosen, new Date().toISOString());
        return { id, name, slug: chosen };
      })
      .immediate();
  }

  findEnterpriseByName(name: string): EnterpriseRecord | null {
    return (
      (this.#db.prepare('SELECT id, name, slug FROM enterprises WHERE name = ?').get(name) as
        EnterpriseRecord | undefined) ?? null
    );
  }

  findEnterpriseBySlug(slug: string): EnterpriseRecord | null {
    return (
      (this.#db.prepare('SELECT id, name, slug FROM enterprises WHERE slug = ?').get(slug) as
        EnterpriseRecord | undefined) ?? null
    );
  }

  getEnterprise(id: string): EnterpriseRecord | null {
    return (
      (this.#db.prepare('SELECT id, name, slug FROM enterprises WHERE id = ?').get(id) as
        EnterpriseRecord | undefined) ?? null
    );
  }

  listEnterprises(): EnterpriseRecord[] {
    return this.#db
      .prepare('SELECT id, name, slug FROM enterprises ORDER BY created_at, name')
      .all() as EnterpriseRecord[];
  }

  createUser(input: Omit<UserRecord, 'id'>): UserRecord {
    const id = randomUUID();
    this.#db
      .prepare(
        'INSERT INTO users (id, enterprise_id, email, display_name, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(id, input.enterpriseId, input.email, input.displayName, new Date().toISOString());
    return { id, ...input };
  }

  findUserByEmail(enterpriseId: string, email: string): UserRecord | null {
    const row = this.#db
      .prepare(
        'SELECT id, enterprise_id, email, display_name FROM users WHERE enterprise_id = ? AND email = ?',
      )
      .get(enterpriseId, email) as
      { id: string; enterprise_id: string; email: string; display_name: string } | undefined;
    return row
      ? { id: row.id, enterpriseId: row.enterprise_id, email: row.email, displayName: row.display_name }
      : null;
  }

  getUser(id: string): UserRecord | null {
    const row = this.#db
      .prepare('SELECT id, enterprise_id, email, display_name FROM users WHERE id = ?')
      .get(id) as { id: string; enterprise_id: string; email: string; display_name: string } | undefined;
    return row
      ? { id: row.id, enterpriseId: row.enterprise_id, email: row.email, displayName: row.display_name }
      : null;
  }
}
