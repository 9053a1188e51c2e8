import assert from 'node:assert/strict';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { SqliteDirectoryRepository } from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { newBrowserBinding, SsoRequests } from '../../../edge-service/src/sso/sso-requests.ts';

describe('sso stored requests (migration 15)', () => {
  let db: Db;
  let now = new Date('2026-12-01T10:00:00Z');
  let requests: SsoRequests;
  let enterpriseId: string;
  const identity = { email: 'a@acme.test', subject: 'a', logoutHint: null };

  beforeEach(() => {
    db = openDatabase(':memory:');
    enterpriseId = new SqliteDirectoryRepository(db).createEnterprise('Acme', 'acme').id;
    now = new Date('2026-12-01T10:00:00Z');
    requests = new SsoRequests(db, () => now);
  });
  afterEach(() => db.close());

  const create = (binding: string) =>
    requests.create({
      enterpriseId,
      protocol: 'saml',
      purpose: 'account',
      returnPath: '/account/',
      browserBinding: binding,
    });

  it('is answered once and used once, by the browser that started it', () => {
    const binding = newBrowserBinding();
    const request = create(binding);
    assert.match(request.id, /^_[0-9a-f]{40}$/);
    assert.equal(requests.pending(request.id, enterpriseId, 'saml')?.id, request.id);
    assert.equal(requests.pending(request.id, enterpriseId, 'oidc'), null, 'another protocol');
    assert.equal(requests.pending(request.id, 'other', 'saml'), null, 'another enterprise');
    requests.answer(request.id, identity);
    assert.throws(() => requests.pending(request.id, enterpriseId, 'saml'), { code: 'SSO_REQUEST_USED' });
    assert.throws(() => requests.answer(request.id, identity), { code: 'SSO_REQUEST_USED' });
    assert.throws(() => requests.take(request.id, enterpriseId, newBrowserBinding()), {
      code: 'SSO_BROWSER_MISMATCH',
    });
    assert.throws(() => requests.take(request.id, enterpriseId, undefined), { code: 'SSO_BROWSER_MISMATCH' });
    assert.deepEqual(requests.take(request.id, enterpriseId, binding).identity, identity);
    assert.throws(() => requests.take(request.id, enterpriseId, binding), { code: 'SSO_REQUEST_USED' });
  });

  it('refuses unknown, unanswered and expired requests, and stores only the binding’s hash', () => {
    const binding = newBrowserBinding();
    const request = create(binding);
    assert.throws(() => requests.take(request.id, enterpriseId, binding), { code: 'SSO_REQUEST_UNKNOWN' });
    assert.throws(() => requests.take('_nope', enterpriseId, binding), { code: 'SSO_REQUEST_UNKNOWN' });
    assert.ok(!JSON.stringify(db.prepare('SELECT * FROM sso_requests').all()).includes(binding));
    now = new Date(now.getTime() + 10 * 60_000);
    assert.throws(() => requests.pending(request.id, enterpriseId, 'saml'), { code: 'SSO_REQUEST_EXPIRED' });
    assert.throws(() => requests.answer(request.id, identity), { code: 'SSO_REQUEST_USED' });
  });

  it('purges rows a day past their expiry', () => {
    create(newBrowserBinding());
    now = new Date(now.getTime() + 25 * 3_600_000);
    create(newBrowserBinding());
    assert.equal((db.prepare('SELECT count(*) AS n FROM sso_requests').get() as { n: number }).n, 1);
  });
});
