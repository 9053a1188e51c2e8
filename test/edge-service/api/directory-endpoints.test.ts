import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  createAccount,
  ensureEnterprise,
  sessionClient,
  startApiEdge,
  type ApiClient,
  type ApiEdge,
} from '../../helpers/api-client.ts';
import { importRows, parseCsv } from '../../../edge-service/src/api/directory-endpoints.ts';

describe('api/enterprise fax directory over HTTP (validation, roles, audit, import)', function () {
  this.timeout(120_000);
  let api: ApiEdge;
  let admin: ApiClient;
  let support: ApiClient;
  let reseller: ApiClient;
  let otherAdmin: ApiClient;
  let acmeId: string;
  const base = '/enterprises/acme/directory';

  before(async () => {
    // National numbers are read as French here.
    api = await startApiEdge({ config: { defaultCountry: 'FR' } });
    const acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    const vendor = ensureEnterprise(api.edge, 'Vendor', 'vendor');
    const other = ensureEnterprise(api.edge, 'Other', 'other');
    acmeId = acme.id;
    admin = sessionClient(
      api.edge,
      await createAccount(api.edge, { enterprise: acme, email: 'admin@acme.test' }),
    );
    support = sessionClient(
      api.edge,
      await createAccount(api.edge, {
        enterprise: vendor,
        email: 'agent@vendor.test',
        role: 'support-agent',
      }),
    );
    reseller = sessionClient(
      api.edge,
      await createAccount(api.edge, {
        enterprise: vendor,
        email: 'reseller@vendor.test',
        role: 'reseller-admin',
      }),
    );
    otherAdmin = sessionClient(
      api.edge,
      await createAccount(api.edge, { enterprise: other, email: 'a@other.test' }),
    );
  });
  after(async () => api?.stop());

  const audit = (action: string) =>
    api.edge.audit.list({ enterpriseId: acmeId, action }, { offset: 0, limit: 10 }).items;

  it('creates an entry from a national number, stored E.164 with its country (201), audited', async () => {
    const created = await admin.request('POST', base, {
      name: '  Élodie <b>Martin</b> ',
      number: '01 42 68 53 00',
      company: 'Cabinet Durand',
      department: '',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.name, 'Élodie <b>Martin</b>', 'trimmed, kept as text (escaped where shown)');
    assert.equal(created.body.number, '+33142685300');
    assert.equal(created.body.display, '+33 1 42 68 53 00');
    assert.deepEqual(created.body.country, { code: 'FR', name: 'France' });
    assert.equal(created.body.department, null, 'an empty optional field is null');
    const [entry] = audit('directory.create');
    assert.equal(entry!.target, created.body.id);
    assert.deepEqual(entry!.details, { name: 'Élodie <b>Martin</b>', number: '+33142685300' });
    assert.match(entry!.actor, /^user:/);
  });

  it('refuses invalid fields (400 naming them), an invalid number (400 INVALID_NUMBER) and a duplicate (409)', async () => {
    const invalid = await admin.request('POST', base, {
      name: '',
      number: '',
      colour: 'red',
      notes: 'x'.repeat(501),
    });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'VALIDATION_FAILED');
    for (const field of ['body.name', 'body.number', 'body.notes', 'colour'])
      assert.ok(invalid.body.error.message.includes(field), `${field} in ${invalid.body.error.message}`);
    const badNumber = await admin.request('POST', base, { name: 'Nobody', number: '12' });
    assert.equal(badNumber.status, 400);
    assert.equal(badNumber.body.error.code, 'INVALID_NUMBER');
    const duplicate = await admin.request('POST', base, {
      name: 'Someone else',
      number: '+33 1 42 68 53 00',
    });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.error.code, 'DIRECTORY_ENTRY_EXISTS');
    assert.match(duplicate.body.error.message, /Élodie/);
  });

  it('lists by name with search and pagination', async () => {
    for (const [name, number] of [
      ['Bob Stone', '+12125550100'],
      ['Carol King', '+12125550111'],
      ['Dan Brown', '+442079460958'],
    ])
      assert.equal((await admin.request('POST', base, { name, number })).status, 201);
    const first = await admin.request('GET', `${base}?pageSize=2`);
    assert.equal(first.status, 200);
    assert.equal(first.body.total, 4);
    assert.deepEqual(
      first.body.items.map((e: { name: string }) => e.name),
      ['Bob Stone', 'Carol King'],
    );
    const second = await admin.request('GET', `${base}?pageSize=2&page=2`);
    assert.deepEqual(
      second.body.items.map((e: { name: string }) => e.name),
      ['Dan Brown', 'Élodie <b>Martin</b>'],
    );
    const byNumber = await admin.request('GET', `${base}?q=${encodeURIComponent('+44 20 7946')}`);
    assert.deepEqual(
      byNumber.body.items.map((e: { name: string }) => e.name),
      ['Dan Brown'],
    );
    const byCompany = await admin.request('GET', `${base}?q=durand`);
    assert.equal(byCompany.body.total, 1);
    const badPage = await admin.request('GET', `${base}?pageSize=0&sort=name`);
    assert.equal(badPage.status, 400);
    assert.equal(badPage.body.error.code, 'VALIDATION_FAILED');
  });

  it('updates (changes audited) and deletes (204, audited); an unknown id is 404 DIRECTORY_ENTRY_NOT_FOUND', async () => {
    const bob = (await admin.request('GET', `${base}?q=bob`)).body.items[0];
    const patched = await admin.request('PATCH', `${base}/${bob.id}`, {
      number: '+1 212 555 0199',
      department: 'Sales',
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.number, '+12125550199');
    assert.equal(patched.body.department, 'Sales');
    assert.equal(patched.body.name, 'Bob Stone');
    assert.deepEqual(audit('directory.update')[0]!.details.changes, [
      { key: 'number', from: '+12125550100', to: '+12125550199' },
      { key: 'department', from: null, to: 'Sales' },
    ]);
    const cleared = await admin.request('PATCH', `${base}/${bob.id}`, { department: null });
    assert.equal(cleared.body.department, null);
    const empty = await admin.request('PATCH', `${base}/${bob.id}`, {});
    assert.equal(empty.status, 400);
    const taken = await admin.request('PATCH', `${base}/${bob.id}`, { number: '+12125550111' });
    assert.equal(taken.status, 409);
    const gone = await admin.request('DELETE', `${base}/${bob.id}`);
    assert.equal(gone.status, 204);
    assert.equal(audit('directory.delete')[0]!.target, bob.id);
    const again = await admin.request('DELETE', `${base}/${bob.id}`);
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'DIRECTORY_ENTRY_NOT_FOUND');
    const unknown = await admin.request('GET', `${base}/${randomUUID()}`);
    assert.equal(unknown.status, 404);
    const notUuid = await admin.request('GET', `${base}/not-a-uuid`);
    assert.equal(notUuid.status, 400);
  });

  it('support agents read but may not write; reseller admins write; another enterprise gets 404', async () => {
    assert.equal((await support.request('GET', base)).status, 200);
    const refused = await support.request('POST', base, { name: 'Agent', number: '+12125550155' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'FORBIDDEN');
    const byReseller = await reseller.request('POST', base, { name: 'Reseller', number: '+12125550156' });
    assert.equal(byReseller.status, 201);
    const stranger = await otherAdmin.request('GET', base);
    assert.equal(stranger.status, 404);
    assert.equal(stranger.body.error.code, 'ENTERPRISE_NOT_FOUND');
    // Restricted access shuts vendors out (and the refusal is audited by the router).
    api.edge.people.policies.update(acmeId, { restrictedAccess: true }, 'test');
    try {
      const restricted = await support.request('GET', base);
      assert.equal(restricted.status, 403);
      assert.equal(restricted.body.error.code, 'RESTRICTED_ACCESS');
    } finally {
      api.edge.people.policies.update(acmeId, { restrictedAccess: false }, 'test');
    }
  });

  it('imports CSV (created and updated by number, all or nothing, every wrong row named) and exports it back', async () => {
    const csv =
      '\uFEFFname;number;company\r\n' +
      '"Dupont; Marie";01 45 00 00 01;"Le ""Bureau"""\r\n' +
      'Carol King (new);+1 212 555 0111;\r\n';
    const imported = await admin.request('POST', `${base}/import`, { csv });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.deepEqual(imported.body, { created: 1, updated: 1 });
    assert.deepEqual(audit('directory.import')[0]!.details, { rows: 2, created: 1, updated: 1 });
    const marie = (await admin.request('GET', `${base}?q=dupont`)).body.items[0];
    assert.equal(marie.name, 'Dupont; Marie');
    assert.equal(marie.company, 'Le "Bureau"');
    assert.equal(marie.number, '+33145000001');
    const before = (await admin.request('GET', base)).body.total;
    const wrong = await admin.request('POST', `${base}/import`, {
      csv: 'name,number\nGood,+12125550177\n,+12125550178\nBad number,12\nTwice,+12125550177\n',
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.code, 'DIRECTORY_IMPORT_INVALID');
    for (const row of ['row 3', 'row 4', 'row 5']) assert.ok(wrong.body.error.message.includes(row), row);
    assert.equal((await admin.request('GET', base)).body.total, before, 'nothing imported');
    const noHeader = await admin.request('POST', `${base}/import`, { csv: 'Bob,+12125550100\n' });
    assert.equal(noHeader.body.error.code, 'DIRECTORY_IMPORT_INVALID');
    // The export is what import reads (numbers kept from spreadsheet formulas with a ', undone on import).
    const exported = await admin.request('GET', `${base}/export`);
    assert.equal(exported.status, 200);
    assert.match(String(exported.headers.get('content-type')), /text\/csv/);
    const text = String(exported.body);
    // (fetch drops the BOM when it decodes the text.)
    assert.match(text, /^\uFEFF?name,number,company,department,notes\r\n/);
    const rows = importRows(text, (n) => n);
    assert.equal(rows.length, before);
    assert.ok(rows.every((r) => r.number.startsWith('+')));
    assert.equal(audit('directory.export')[0]!.details.rows, before);
  });

  it('parses RFC 4180 CSV: quotes, doubled quotes, newlines in cells, LF or CRLF', () => {
    assert.deepEqual(parseCsv('a,"b ""c""",d\r\n"x\ny",,z\n'), [
      ['a', 'b "c"', 'd'],
      ['x\ny', '', 'z'],
    ]);
  });
});
