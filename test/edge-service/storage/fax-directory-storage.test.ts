import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { DIRECTORY_LIMITS, numberPrefixes } from '../../../edge-service/src/domain/fax-directory.ts';
import { SqliteDirectoryRepository } from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import {
  SqliteContactRepository,
  SqliteFaxDirectoryRepository,
  SqliteRecentNumbers,
} from '../../../edge-service/src/storage/sqlite-fax-directory.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('storage/fax directory, contacts and recent numbers (migration 12, real SQLite)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let acme: string;
  let other: string;
  let entries: SqliteFaxDirectoryRepository;
  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(join(dir.path, 'edge.db'));
    const enterprises = new SqliteDirectoryRepository(db);
    acme = enterprises.createEnterprise('Acme').id;
    other = enterprises.createEnterprise('Other').id;
    entries = new SqliteFaxDirectoryRepository(db);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const page = { offset: 0, limit: 50 };

  it('searches by word prefix of name, company or department (case and accents folded) and by number prefix', () => {
    entries.create(acme, { name: 'Élodie Martin', number: '+33142685300', company: 'Cabinet Durand' });
    entries.create(acme, { name: 'Bob Stone', number: '+12125550100', department: 'Accounts payable' });
    entries.create(acme, { name: 'Zed 100%_ltd', number: '+441632960961' });
    entries.create(other, { name: 'Bob Other', number: '+12125550101' });
    const names = (q: string) => entries.search(acme, q, page).items.map((e) => e.name);
    assert.deepEqual(names(''), ['Bob Stone', 'Élodie Martin', 'Zed 100%_ltd']);
    assert.deepEqual(names('elo'), ['Élodie Martin']);
    assert.deepEqual(names('MART'), ['Élodie Martin']);
    assert.deepEqual(names('durand'), ['Élodie Martin']);
    assert.deepEqual(names('payable'), ['Bob Stone']);
    assert.deepEqual(names('bob'), ['Bob Stone'], 'never another enterprise');
    assert.deepEqual(names('artin'), [], 'word starts only');
    assert.deepEqual(names('+33 1 42'), ['Élodie Martin']);
    assert.deepEqual(names('0033142'), ['Élodie Martin']);
    assert.deepEqual(names('01 42 68'), ['Élodie Martin'], 'national digits, trunk 0 dropped');
    assert.deepEqual(names('212555'), ['Bob Stone']);
    assert.deepEqual(names('100%_'), ['Zed 100%_ltd'], '% and _ are literal');
    assert.deepEqual(names('%'), []);
    const firstTwo = entries.search(acme, '', { offset: 0, limit: 2 });
    assert.equal(firstTwo.total, 3);
    assert.equal(firstTwo.items.length, 2);
    assert.deepEqual(numberPrefixes('Bob'), null);
  });

  it('keeps one entry per number and enterprise; update re-derives the search columns', () => {
    const bob = entries.create(acme, { name: 'Bob', number: '+12125550100' });
    assert.throws(() => entries.create(acme, { name: 'Robert', number: '+12125550100' }), {
      code: 'DIRECTORY_ENTRY_EXISTS',
    });
    entries.create(other, { name: 'Bob', number: '+12125550100' });
    const alice = entries.create(acme, { name: 'Alice', number: '+12125550111' });
    assert.throws(() => entries.update(acme, alice.id, { number: '+12125550100' }), {
      code: 'DIRECTORY_ENTRY_EXISTS',
    });
    const renamed = entries.update(acme, bob.id, { name: 'Roberta', company: 'Stone & Co', notes: null })!;
    assert.equal(renamed.name, 'Roberta');
    assert.equal(renamed.number, '+12125550100');
    assert.deepEqual(
      entries.search(acme, 'stone', page).items.map((e) => e.id),
      [bob.id],
    );
    assert.equal(entries.search(acme, 'bob', page).total, 0);
    assert.equal(entries.update(other, bob.id, { name: 'x' }), null, "another enterprise's id");
    assert.equal(entries.delete(other, bob.id), false);
    assert.equal(entries.delete(acme, bob.id), true);
    assert.equal(entries.get(acme, bob.id), null);
  });

  it('upsertMany creates and updates by number, all or nothing', () => {
    entries.create(acme, { name: 'Old name', number: '+12125550100' });
    const result = entries.upsertMany(acme, [
      { name: 'New name', number: '+12125550100', company: 'Co' },
      { name: 'Fresh', number: '+12125550111' },
    ]);
    assert.deepEqual(result, { created: 1, updated: 1 });
    assert.equal(entries.findByNumber(acme, '+12125550100')!.name, 'New name');
    // A row the database refuses (name too long) rolls the whole import back.
    assert.throws(() =>
      entries.upsertMany(acme, [
        { name: 'Third', number: '+12125550122' },
        { name: 'x'.repeat(DIRECTORY_LIMITS.name + 1), number: '+12125550133' },
      ]),
    );
    assert.equal(entries.findByNumber(acme, '+12125550122'), null);
  });

  it("contacts are the owner's only, one per number, at most the limit", () => {
    const users = new SqliteDirectoryRepository(db);
    const ann = users.createUser({ enterpriseId: acme, email: 'ann@acme.test', displayName: 'Ann' });
    const ben = users.createUser({ enterpriseId: acme, email: 'ben@acme.test', displayName: 'Ben' });
    const contacts = new SqliteContactRepository(db);
    const mum = contacts.add(ann.id, { name: 'Mum', number: '+33142685300' });
    contacts.add(ann.id, { name: 'bank', number: '+12125550100' });
    assert.throws(() => contacts.add(ann.id, { name: 'Again', number: '+33142685300' }), {
      code: 'CONTACT_EXISTS',
    });
    assert.deepEqual(
      contacts.list(ann.id).map((c) => c.name),
      ['bank', 'Mum'],
    );
    assert.deepEqual(contacts.list(ben.id), []);
    assert.equal(contacts.remove(ben.id, mum.id), false, "Ben cannot remove Ann's contact");
    assert.equal(contacts.remove(ann.id, mum.id), true);
    for (let i = contacts.list(ann.id).length; i < DIRECTORY_LIMITS.contactsPerUser; i++)
      contacts.add(ann.id, { name: `c${i}`, number: `+1212555${String(1000 + i).padStart(4, '0')}` });
    assert.throws(() => contacts.add(ann.id, { name: 'one more', number: '+12125559999' }), {
      code: 'CONTACTS_FULL',
    });
  });

  it('recent numbers: distinct, latest first, by person or by device, inside the enterprise', () => {
    const people = new SqliteDirectoryRepository(db);
    const ann = people.createUser({ enterpriseId: acme, email: 'ann@acme.test', displayName: 'Ann' });
    const insertDevice = db.prepare(
      "INSERT INTO devices (id, enterprise_id, name, auth_mode, created_at) VALUES (?, ?, ?, 'user-prompt', '2026-01-01')",
    );
    insertDevice.run('d1', acme, 'Desk 1');
    insertDevice.run('d2', acme, 'Desk 2');
    let n = 0;
    const job = (device: string, user: string | null, numbers: string[], enterprise = acme) => {
      const id = `job-${++n}`;
      db.prepare(
        `INSERT INTO jobs (id, enterprise_id, device_id, user_id, state, options, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'delivered', '{}', ?, ?)`,
      ).run(id, enterprise, device, user, `2026-01-01T00:00:0${n}.000Z`, `2026-01-01T00:00:0${n}.000Z`);
      numbers.forEach((number, position) =>
        db
          .prepare(
            "INSERT INTO job_recipients (job_id, position, number, state) VALUES (?, ?, ?, 'delivered')",
          )
          .run(id, position, number),
      );
    };
    job('d1', ann.id, ['+111', '+222']);
    job('d2', ann.id, ['+333']);
    job('d1', null, ['+444']);
    job('d1', ann.id, ['+111']);
    job('d1', ann.id, ['+555'], other);
    const recent = new SqliteRecentNumbers(db);
    assert.deepEqual(
      recent.recent({ userId: ann.id, enterpriseId: acme }, 10).map((r) => r.number),
      ['+111', '+333', '+222'],
    );
    assert.equal(
      recent.recent({ userId: ann.id, enterpriseId: acme }, 10)[0]!.lastSentAt,
      '2026-01-01T00:00:04.000Z',
    );
    assert.deepEqual(
      recent.recent({ deviceId: 'd1', enterpriseId: acme }, 2).map((r) => r.number),
      ['+111', '+444'],
    );
  });
});
