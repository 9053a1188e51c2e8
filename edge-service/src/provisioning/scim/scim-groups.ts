import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { SqliteUserRepository } from '../../storage/sqlite-user-repository.ts';
import type { ProvisionedPeople } from '../provisioned-people.ts';
import type { ProvisioningStore } from '../provisioning-store.ts';
import { ScimError } from './scim-errors.ts';

export interface ScimGroupRecord {
  id: string;
  enterpriseId: string;
  displayName: string;
  externalId: string | null;
  /** The role members get (set by an edge administrator, never by the IdP); null: none. */
  role: 'admin' | null;
  createdAt: string;
  members: string[];
}

interface Row {
  id: string;
  enterprise_id: string;
  display_name: string;
  external_id: string | null;
  role: 'admin' | null;
  created_at: string;
}

/**
 * SCIM groups of an enterprise. A group is only a role when an administrator of the edge says so
 * (PUT …/scim/groups/{id} role=admin): an IdP that can push users must not be able to make
 * administrators by naming a group "Admins".
 */
export class ScimGroups {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  #record(row: Row): ScimGroupRecord {
    const members = (
      this.#db
        .prepare(
          `SELECT m.user_id FROM scim_group_members m JOIN users u ON u.id = m.user_id
           WHERE m.group_id = ? AND u.deleted_at IS NULL ORDER BY m.user_id`,
        )
        .all(row.id) as { user_id: string }[]
    ).map((r) => r.user_id);
    return {
      id: row.id,
      enterpriseId: row.enterprise_id,
      displayName: row.display_name,
      externalId: row.external_id,
      role: row.role,
      createdAt: row.created_at,
      members,
    };
  }

  get(enterpriseId: string, id: string): ScimGroupRecord | null {
    const row = this.#db
      .prepare('SELECT * FROM scim_groups WHERE id = ? AND enterprise_id = ?')
      .get(id, enterpriseId) as Row | undefined;
    return row ? this.#record(row) : null;
  }

  list(enterpriseId: string): ScimGroupRecord[] {
    return (
      this.#db
        .prepare('SELECT * FROM scim_groups WHERE enterprise_id = ? ORDER BY display_name')
        .all(enterpriseId) as Row[]
    ).map((r) => this.#record(r));
  }

  create(enterpriseId: string, input: { displayName: string; externalId: string | null }): ScimGroupRecord {
    const id = randomUUID();
    try {
      this.#db
        .prepare(
          'INSERT INTO scim_groups (id, enterprise_id, display_name, external_id, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(id, enterpriseId, input.displayName, input.externalId, new Date().toISOString());
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw new ScimError(409, `A group named "${input.displayName}" already exists.`, 'uniqueness');
      throw error;
    }
    return this.get(enterpriseId, id)!;
  }

  rename(id: string, displayName: string, externalId: string | null): void {
    this.#db
      .prepare('UPDATE scim_groups SET display_name = ?, external_id = ? WHERE id = ?')
      .run(displayName, externalId, id);
  }

  setMembers(id: string, userIds: string[]): void {
    this.#db
      .transaction(() => {
        this.#db.prepare('DELETE FROM scim_group_members WHERE group_id = ?').run(id);
        const insert = this.#db.prepare(
          'INSERT OR IGNORE INTO scim_group_members (group_id, user_id) VALUES (?, ?)',
        );
        for (const u of userIds) insert.run(id, u);
      })
      .immediate();
  }

  setRole(id: string, role: 'admin' | null): void {
    this.#db.prepare('UPDATE scim_groups SET role = ? WHERE id = ?').run(role, id);
  }

  delete(id: string): void {
    this.#db.prepare('DELETE FROM scim_groups WHERE id = ?').run(id);
  }

  /** The groups `userId` belongs to. */
  ofUser(userId: string): { id: string; displayName: string; role: 'admin' | null }[] {
    return (
      this.#db
        .prepare(
          `SELECT g.id, g.display_name, g.role FROM scim_groups g JOIN scim_group_members m ON m.group_id = g.id
           WHERE m.user_id = ? ORDER BY g.display_name`,
        )
        .all(userId) as { id: string; display_name: string; role: 'admin' | null }[]
    ).map((r) => ({ id: r.id, displayName: r.display_name, role: r.role }));
  }
}

/**
 * The role of each SCIM-made user among `userIds` from their groups: admin when one of them is
 * mapped to admin, else user. Users made by hand or by the LDAP sync keep theirs.
 */
export function reconcileScimRoles(
  deps: {
    groups: ScimGroups;
    users: SqliteUserRepository;
    store: ProvisioningStore;
    people: ProvisionedPeople;
  },
  actor: string,
  userIds: Iterable<string>,
): void {
  for (const id of new Set(userIds)) {
    const user = deps.users.get(id);
    if (!user || user.deletedAt !== null || deps.store.link(id)?.provisionedBy !== 'scim') continue;
    const role = deps.groups.ofUser(id).some((g) => g.role === 'admin') ? 'admin' : 'user';
    deps.people.update(user, 'scim', { role }, { actor });
  }
}
