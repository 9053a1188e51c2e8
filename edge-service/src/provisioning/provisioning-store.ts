import { EdgeError } from '../edge-error.ts';
import type { Db } from '../db/database.ts';

/** Where a user came from: an identity provider (SCIM), a directory sync (LDAP), or by hand (null). */
export type ProvisionedBy = 'scim' | 'ldap' | null;

export interface ProvisioningLink {
  userId: string;
  provisionedBy: ProvisionedBy;
  externalId: string | null;
  ldapDn: string | null;
  ldapUid: string | null;
  country: string | null;
  /** SCIM userName; null: the email. */
  scimUserName: string | null;
}

interface LinkRow {
  id: string;
  provisioned_by: ProvisionedBy;
  external_id: string | null;
  ldap_dn: string | null;
  ldap_uid: string | null;
  country: string | null;
  scim_user_name: string | null;
}

const toLink = (row: LinkRow): ProvisioningLink => ({
  userId: row.id,
  provisionedBy: row.provisioned_by,
  externalId: row.external_id,
  ldapDn: row.ldap_dn,
  ldapUid: row.ldap_uid,
  country: row.country,
  scimUserName: row.scim_user_name,
});

const COLUMNS = 'id, provisioned_by, external_id, ldap_dn, ldap_uid, country, scim_user_name';

/**
 * The provisioning columns of the users table (migration 15), beside SqliteUserRepository: which
 * source made a user and the source's own ids of them. Deleted users are never returned.
 */
export class ProvisioningStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get db(): Db {
    return this.#db;
  }

  link(userId: string): ProvisioningLink | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`).get(userId) as
      LinkRow | undefined;
    return row ? toLink(row) : null;
  }

  setLink(userId: string, link: Partial<Omit<ProvisioningLink, 'userId'>>): void {
    const columns: Record<string, string> = {
      provisionedBy: 'provisioned_by',
      externalId: 'external_id',
      ldapDn: 'ldap_dn',
      ldapUid: 'ldap_uid',
      country: 'country',
      scimUserName: 'scim_user_name',
    };
    const entries = Object.entries(link).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    this.#db
      .prepare(`UPDATE users SET ${entries.map(([k]) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`)
      .run(...entries.map(([, v]) => v as string | null), userId);
  }

  /** Every live user of the enterprise made by `source`, with their links. */
  listBySource(enterpriseId: string, source: 'scim' | 'ldap'): ProvisioningLink[] {
    return (
      this.#db
        .prepare(
          `SELECT ${COLUMNS} FROM users WHERE enterprise_id = ? AND provisioned_by = ? AND deleted_at IS NULL`,
        )
        .all(enterpriseId, source) as LinkRow[]
    ).map(toLink);
  }

  /** The email is the sign-in name: a source may change it (a rename at the IdP). USER_EXISTS when taken. */
  setEmail(userId: string, email: string): void {
    try {
      this.#db.prepare('UPDATE users SET email = ? WHERE id = ?').run(email, userId);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new EdgeError('USER_EXISTS', `A user with the email ${email} already exists.`);
      throw error;
    }
  }

  findByExternalId(enterpriseId: string, externalId: string): ProvisioningLink | null {
    const row = this.#db
      .prepare(
        `SELECT ${COLUMNS} FROM users WHERE enterprise_id = ? AND external_id = ? AND deleted_at IS NULL`,
      )
      .get(enterpriseId, externalId) as LinkRow | undefined;
    return row ? toLink(row) : null;
  }
}
