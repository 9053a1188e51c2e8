import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import {
  DIRECTORY_LIMITS,
  foldForSearch,
  nationalDigits,
  numberPrefixes,
  type ContactRepository,
  type DirectoryEntry,
  type DirectoryEntryInput,
  type DirectoryPage,
  type FaxDirectoryRepository,
  type PersonalContact,
  type RecentNumber,
  type RecentNumbers,
  type RecentOwner,
} from '../domain/fax-directory.ts';
import { EdgeError } from '../edge-error.ts';

interface EntryRow {
  id: string;
  enterprise_id: string;
  name: string;
  number: string;
  company: string | null;
  department: string | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
}

const toEntry = (r: EntryRow): DirectoryEntry => ({
  id: r.id,
  enterpriseId: r.enterprise_id,
  name: r.name,
  number: r.number,
  company: r.company,
  department: r.department,
  notes: r.notes,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** LIKE with the query taken literally (% and _ typed by someone are not wildcards). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const searchTextOf = (e: { name: string; company: string | null; department: string | null }) =>
  // A leading space, so "word prefix" is one pattern: '% <query>%'.
  ' ' + foldForSearch([e.name, e.company ?? '', e.department ?? ''].join(' '));

/** Which rows a query selects: SQL and its parameters (also used for the total). */
function matchClause(query: string): { sql: string; params: string[] } {
  const q = query.trim();
  if (!q) return { sql: '', params: [] };
  const numbers = numberPrefixes(q);
  const clauses = [`search_text LIKE ? ESCAPE '\\'`];
  const params = [`% ${likeLiteral(foldForSearch(q))}%`];
  if (numbers) {
    for (const digits of numbers.international) {
      clauses.push(`number LIKE ? ESCAPE '\\'`);
      params.push(`+${likeLiteral(digits)}%`);
    }
    for (const digits of numbers.national) {
      clauses.push(`national_digits LIKE ? ESCAPE '\\'`);
      params.push(`${likeLiteral(digits)}%`);
    }
  }
  return { sql: ` AND (${clauses.join(' OR ')})`, params };
}

export class SqliteFaxDirectoryRepository implements FaxDirectoryRepository {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, options: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
  }

  search(enterpriseId: string, query: string, page: { offset: number; limit: number }): DirectoryPage {
    const match = matchClause(query);
    const where = `WHERE enterprise_id = ?${match.sql}`;
    const total = (
      this.#db
        .prepare(`SELECT count(*) AS n FROM directory_entries ${where}`)
        .get(enterpriseId, ...match.params) as {
        n: number;
      }
    ).n;
    const rows = this.#db
      .prepare(`SELECT * FROM directory_entries ${where} ORDER BY search_text, number LIMIT ? OFFSET ?`)
      .all(enterpriseId, ...match.params, page.limit, page.offset) as EntryRow[];
    return { items: rows.map(toEntry), total };
  }

  get(enterpriseId: string, id: string): DirectoryEntry | null {
    const row = this.#db
      .prepare('SELECT * FROM directory_entries WHERE enterprise_id = ? AND id = ?')
      .get(enterpriseId, id) as EntryRow | undefined;
    return row ? toEntry(row) : null;
  }

  findByNumber(enterpriseId: string, number: string): DirectoryEntry | null {
    const row = this.#db
      .prepare('SELECT * FROM directory_entries WHERE enterprise_id = ? AND number = ?')
      .get(enterpriseId, number) as EntryRow | undefined;
    return row ? toEntry(row) : null;
  }

  create(enterpriseId: string, input: DirectoryEntryInput): DirectoryEntry {
    this.#refuseTaken(enterpriseId, input.number, null);
    const at = this.#now().toISOString();
    const entry: DirectoryEntry = {
      id: randomUUID(),
      enterpriseId,
      name: input.name,
      number: input.number,
      company: input.company ?? null,
      department: input.department ?? null,
      notes: input.notes ?? null,
      createdAt: at,
      updatedAt: at,
    };
    this.#db
      .prepare(
        `INSERT INTO directory_entries (id, enterprise_id, name, number, company, department, notes,
           search_text, national_digits, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.id,
        enterpriseId,
        entry.name,
        entry.number,
        entry.company,
        entry.department,
        entry.notes,
        searchTextOf(entry),
        nationalDigits(entry.number),
        at,
        at,
      );
    return entry;
  }

  update(enterpriseId: string, id: string, patch: Partial<DirectoryEntryInput>): DirectoryEntry | null {
    const current = this.get(enterpriseId, id);
    if (!current) return null;
    const next: DirectoryEntry = {
      ...current,
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.number !== undefined ? { number: patch.number } : {}),
      ...(patch.company !== undefined ? { company: patch.company } : {}),
      ...(patch.department !== undefined ? { department: patch.department } : {}),
      ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
      updatedAt: this.#now().toISOString(),
    };
    if (next.number !== current.number) this.#refuseTaken(enterpriseId, next.number, id);
    this.#db
      .prepare(
        `UPDATE directory_entries SET name = ?, number = ?, company = ?, department = ?, notes = ?,
           search_text = ?, national_digits = ?, updated_at = ? WHERE enterprise_id = ? AND id = ?`,
      )
      .run(
        next.name,
        next.number,
        next.company,
        next.department,
        next.notes,
        searchTextOf(next),
        nationalDigits(next.number),
        next.updatedAt,
        enterpriseId,
        id,
      );
    return next;
  }

  delete(enterpriseId: string, id: string): boolean {
    return (
      this.#db
        .prepare('DELETE FROM directory_entries WHERE enterprise_id = ? AND id = ?')
        .run(enterpriseId, id).changes > 0
    );
  }

  upsertMany(
    enterpriseId: string,
    inputs: readonly DirectoryEntryInput[],
  ): { created: number; updated: number } {
    let created = 0;
    let updated = 0;
    this.#db.transaction(() => {
      for (const input of inputs) {
        const known = this.findByNumber(enterpriseId, input.number);
        if (known) {
          this.update(enterpriseId, known.id, input);
          updated++;
        } else {
          this.create(enterpriseId, input);
          created++;
        }
      }
    })();
    return { created, updated };
  }

  #refuseTaken(enterpriseId: string, number: string, self: string | null): void {
    const other = this.findByNumber(enterpriseId, number);
    if (other && other.id !== self)
      throw new EdgeError(
        'DIRECTORY_ENTRY_EXISTS',
        `${number} is already in the directory as "${other.name}": edit that entry instead.`,
      );
  }
}

interface ContactRow {
  id: string;
  user_id: string;
  name: string;
  number: string;
  created_at: string;
}

const toContact = (r: ContactRow): PersonalContact => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  number: r.number,
  createdAt: r.created_at,
});

export class SqliteContactRepository implements ContactRepository {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, options: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
  }

  list(userId: string): PersonalContact[] {
    return (
      this.#db
        .prepare('SELECT * FROM personal_contacts WHERE user_id = ? ORDER BY name COLLATE NOCASE, number')
        .all(userId) as ContactRow[]
    ).map(toContact);
  }

  add(userId: string, input: { name: string; number: string }): PersonalContact {
    return this.#db.transaction(() => {
      const same = this.#db
        .prepare('SELECT * FROM personal_contacts WHERE user_id = ? AND number = ?')
        .get(userId, input.number) as ContactRow | undefined;
      if (same)
        throw new EdgeError(
          'CONTACT_EXISTS',
          `${input.number} is already in your contacts as "${same.name}".`,
        );
      const count = (
        this.#db.prepare('SELECT count(*) AS n FROM personal_contacts WHERE user_id = ?').get(userId) as {
          n: number;
        }
      ).n;
      if (count >= DIRECTORY_LIMITS.contactsPerUser)
        throw new EdgeError(
          'CONTACTS_FULL',
          `You have ${DIRECTORY_LIMITS.contactsPerUser} contacts, the most a list holds: remove one first.`,
        );
      const contact: PersonalContact = {
        id: randomUUID(),
        userId,
        name: input.name,
        number: input.number,
        createdAt: this.#now().toISOString(),
      };
      this.#db
        .prepare(
          'INSERT INTO personal_contacts (id, user_id, name, number, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(contact.id, userId, contact.name, contact.number, contact.createdAt);
      return contact;
    })();
  }

  remove(userId: string, id: string): boolean {
    return (
      this.#db.prepare('DELETE FROM personal_contacts WHERE user_id = ? AND id = ?').run(userId, id).changes >
      0
    );
  }
}

/** Recent numbers read from the jobs the engine writes (no table of their own). */
export class SqliteRecentNumbers implements RecentNumbers {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  recent(owner: RecentOwner, limit: number): RecentNumber[] {
    const [column, value] = 'userId' in owner ? ['user_id', owner.userId] : ['device_id', owner.deviceId];
    // The enterprise too: a device paired again elsewhere does not carry its old numbers along.
    const rows = this.#db
      .prepare(
        `SELECT r.number AS number, max(j.seq) AS last_seq, max(j.created_at) AS last_at
           FROM jobs j JOIN job_recipients r ON r.job_id = j.id
          WHERE j.${column} = ? AND j.enterprise_id = ?
          GROUP BY r.number ORDER BY last_seq DESC LIMIT ?`,
      )
      .all(value, owner.enterpriseId, limit) as { number: string; last_at: string }[];
    return rows.map((r) => ({ number: r.number, lastSentAt: r.last_at }));
  }
}
