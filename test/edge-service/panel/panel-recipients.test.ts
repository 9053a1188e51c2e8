import assert from 'node:assert/strict';
import { textPageJpeg } from '../../helpers/sample-page.ts';
import { PeopleEdge } from './people-harness.ts';

/* The composer's recipient sources over the real panel WebSocket of a real edge (SQLite, fake drivers). */
describe('panel recipients: directory.search, contacts.*, recipients.recent (service)', function () {
  this.timeout(60_000);
  let t: PeopleEdge;
  let page: Buffer;

  before(async () => {
    page = await textPageJpeg(150);
  });

  beforeEach(async () => {
    t = await new PeopleEdge().start();
    t.scanner.pages = [page];
  });

  afterEach(async () => {
    await t.stop();
  });

  const signedIn = async (email: string, language: 'en' | 'fr' = 'en') => {
    await t.user({ email, displayName: email.split('@')[0]!, language });
    const device = t.device('user-prompt');
    const { client } = await t.connect(device.token);
    await t.signIn(client, email);
    return { client, device };
  };

  const send = async (client: Awaited<ReturnType<typeof signedIn>>['client'], recipients: string[]) => {
    const { job } = await client.request('fax.send', { recipients });
    await client.waitForJob((j) => j.id === job.id && j.state === 'delivered');
  };

  it("contacts are the signed-in person's own: add, list, remove; nobody else sees or removes them", async () => {
    const ann = await signedIn('ann@acme.test');
    const ben = await signedIn('ben@acme.test');
    const { contact } = await ann.client.request('contacts.add', {
      name: ' Mum <3 ',
      number: '+33 1 42 68 53 00',
    });
    assert.equal(contact.name, 'Mum <3');
    assert.equal(contact.e164, '+33142685300');
    assert.equal(contact.display, '+33 1 42 68 53 00');
    assert.equal(contact.national, '01 42 68 53 00');
    assert.equal(contact.country, 'FR');
    assert.equal(contact.countryName, 'France');
    await ann.client.request('contacts.add', { name: 'Bank', number: '(212) 555-0100' });
    assert.deepEqual(
      (await ann.client.request('contacts.list', {})).contacts.map((c) => [c.name, c.e164]),
      [
        ['Bank', '+12125550100'],
        ['Mum <3', '+33142685300'],
      ],
    );
    await assert.rejects(ann.client.request('contacts.add', { name: 'Again', number: '+33142685300' }), {
      code: 'CONTACT_EXISTS',
    });
    await assert.rejects(ann.client.request('contacts.add', { name: 'Nope', number: '12' }), {
      code: 'INVALID_NUMBER',
    });
    await assert.rejects(ann.client.request('contacts.add', { name: '  ', number: '+12125550100' }), {
      code: 'BAD_MESSAGE',
    });
    assert.deepEqual((await ben.client.request('contacts.list', {})).contacts, []);
    await assert.rejects(ben.client.request('contacts.remove', { id: contact.id }), {
      code: 'CONTACT_NOT_FOUND',
    });
    assert.deepEqual(await ann.client.request('contacts.remove', { id: contact.id }), {});
    assert.equal((await ann.client.request('contacts.list', {})).contacts.length, 1);
    // After sign-out the panel has nobody's contacts.
    await ann.client.request('auth.signOut', {});
    await assert.rejects(ann.client.request('contacts.list', {}), { code: 'AUTH_REQUIRED' });
  });

  it("recent numbers are the person's (from any printer), distinct, latest first, named from contacts or the directory", async () => {
    t.edge.repositories.faxDirectory.create(t.enterpriseId, { name: 'Front desk', number: '+12125550111' });
    const ann = await signedIn('ann@acme.test');
    await ann.client.request('contacts.add', { name: 'Mum', number: '+33142685300' });
    await send(ann.client, ['+12125550100', '+12125550111']);
    await send(ann.client, ['+33142685300']);
    await send(ann.client, ['+12125550100']);
    const { numbers } = await ann.client.request('recipients.recent', { limit: 10 });
    assert.deepEqual(
      numbers.map((n) => [n.e164, n.name]),
      [
        ['+12125550100', null],
        ['+33142685300', 'Mum'],
        ['+12125550111', 'Front desk'],
      ],
    );
    assert.ok(numbers[0]!.lastSentAt >= numbers[1]!.lastSentAt);
    assert.equal((await ann.client.request('recipients.recent', { limit: 1 })).numbers.length, 1);
    // On another printer, the same person's recent numbers; another person has none.
    const { client: again } = await t.connect(t.device('user-prompt').token);
    await t.signIn(again, 'ann@acme.test');
    assert.equal((await again.request('recipients.recent', {})).numbers.length, 3);
    const ben = await signedIn('ben@acme.test');
    assert.deepEqual((await ben.client.request('recipients.recent', {})).numbers, []);
  });

  it("shared-account devices: no personal contacts (CONTACTS_UNAVAILABLE); recent numbers are the device's", async () => {
    const shared = await t.user({ email: 'desk@acme.test', displayName: 'Front desk' }, null);
    const deskA = t.device('shared-account', { sharedUserId: shared.id });
    const deskB = t.device('shared-account', { sharedUserId: shared.id });
    const a = await t.connect(deskA.token);
    const b = await t.connect(deskB.token);
    await assert.rejects(a.client.request('contacts.list', {}), { code: 'CONTACTS_UNAVAILABLE' });
    await assert.rejects(a.client.request('contacts.add', { name: 'x', number: '+12125550100' }), {
      code: 'CONTACTS_UNAVAILABLE',
    });
    await send(a.client, ['+12125550100']);
    assert.deepEqual(
      (await a.client.request('recipients.recent', {})).numbers.map((n) => n.e164),
      ['+12125550100'],
    );
    assert.deepEqual((await b.client.request('recipients.recent', {})).numbers, [], 'another desk, its own');
  });

  it("directory.search finds the enterprise's entries by name or number, never another enterprise's; names the country in the person's language", async () => {
    const { faxDirectory, directory } = t.edge.repositories;
    const other = directory.createEnterprise('Other', 'other');
    faxDirectory.create(t.enterpriseId, { name: 'Élodie Martin', number: '+33142685300', company: 'Durand' });
    faxDirectory.create(t.enterpriseId, { name: 'Bob Stone', number: '+12125550100', department: 'Sales' });
    faxDirectory.create(other.id, { name: 'Bob Outsider', number: '+12125550101' });
    const ann = await signedIn('ann@acme.test', 'fr');
    const byName = await ann.client.request('directory.search', { query: 'bob' });
    assert.deepEqual(
      byName.entries.map((e) => e.name),
      ['Bob Stone'],
    );
    assert.equal(byName.total, 1);
    assert.equal(byName.entries[0]!.department, 'Sales');
    assert.equal(byName.entries[0]!.countryName, 'États-Unis');
    const byNumber = await ann.client.request('directory.search', { query: '+33 1 42' });
    assert.deepEqual(
      byNumber.entries.map((e) => [e.name, e.e164, e.company]),
      [['Élodie Martin', '+33142685300', 'Durand']],
    );
    const all = await ann.client.request('directory.search', { limit: 1 });
    assert.equal(all.entries.length, 1);
    assert.equal(all.total, 2);
    await assert.rejects(ann.client.request('directory.search', { query: 'x'.repeat(101) }), {
      code: 'BAD_MESSAGE',
    });
    // fax.checkNumber names the country in the person's language too, with the national format.
    const checked = await ann.client.request('fax.checkNumber', { number: '+1 212 555 0100' });
    assert.equal(checked.national, '(212) 555-0100');
    assert.equal(checked.countryName, 'États-Unis');
    // Nobody signed in: no directory (device-login and user-prompt panels show it after sign-in).
    const { client: anonymous } = await t.connect(t.device('user-prompt').token);
    await assert.rejects(anonymous.request('directory.search', { query: 'bob' }), { code: 'AUTH_REQUIRED' });
  });
});
