import assert from 'node:assert/strict';
import { AuthHarness } from './auth-harness.ts';

describe('auth/account-links', function () {
  this.timeout(30_000);
  let h: AuthHarness;
  beforeEach(() => (h = new AuthHarness()));
  afterEach(() => h.close());

  it('an invitation sets the first password once; it expires per policy', async () => {
    const ann = await h.user('ann@acme.test', null);
    const { token, link } = h.links.create(ann.id, 'invitation');
    assert.equal(Date.parse(link.expiresAt) - h.clock.ms, 7 * 86_400_000);
    assert.ok(
      !JSON.stringify(h.db.prepare('SELECT * FROM account_links').all()).includes(token),
      'stored hashed',
    );
    await assert.rejects(h.links.redeem(token, 'password'), { code: 'PASSWORD_POLICY' });
    await h.links.redeem(token, 'Fresh-Lantern-77', { kind: 'invitation', email: 'ANN@acme.test' });
    assert.ok(h.users.get(ann.id)?.passwordHash);
    await assert.rejects(h.links.redeem(token, 'Other-Lantern-77'), { code: 'LINK_USED' });
    const late = h.links.create(ann.id, 'invitation');
    h.clock.advance(7 * 86_400_000);
    await assert.rejects(h.links.redeem(late.token, 'Other-Lantern-77'), { code: 'LINK_EXPIRED' });
  });

  it('a reset link is for its user only, replaces older links, unlocks; none for SSO-only users', async () => {
    h.policies.update(h.enterpriseId, { resetLinkValidityHours: 2 }, 'test');
    const ann = await h.user('ann@acme.test', 'Blue-Harbour-41');
    await h.user('bob@acme.test', 'Blue-Harbour-41');
    h.users.recordFailure(ann.id, h.clock.now(), { maxAttempts: 1, lockUntil: null });
    const older = h.links.create(ann.id, 'reset');
    const { token, link } = h.links.create(ann.id, 'reset');
    assert.equal(Date.parse(link.expiresAt) - h.clock.ms, 2 * 3_600_000);
    await assert.rejects(h.links.redeem(older.token, 'Fresh-Lantern-77'), { code: 'LINK_EXPIRED' });
    await assert.rejects(h.links.redeem(token, 'Fresh-Lantern-77', { email: 'bob@acme.test' }), {
      code: 'LINK_INVALID',
    });
    await assert.rejects(h.links.redeem(token, 'Fresh-Lantern-77', { kind: 'invitation' }), {
      code: 'LINK_INVALID',
    });
    await assert.rejects(h.links.redeem('made-up', 'Fresh-Lantern-77'), { code: 'LINK_INVALID' });
    await h.links.redeem(token, 'Fresh-Lantern-77', { email: 'ann@acme.test' });
    assert.equal(h.users.get(ann.id)?.lockedAt, null);
    const sso = await h.user('sso@acme.test', null, { builtinPasswordDisabled: true });
    assert.throws(() => h.links.create(sso.id, 'reset'), { code: 'BUILTIN_PASSWORD_DISABLED' });
  });

  it('of two redemptions at once, one wins', async () => {
    const ann = await h.user('ann@acme.test', null);
    const { token } = h.links.create(ann.id, 'invitation');
    const results = await Promise.allSettled([
      h.links.redeem(token, 'Fresh-Lantern-77'),
      h.links.redeem(token, 'Other-Lantern-88'),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.equal(
      (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code,
      'LINK_USED',
    );
  });
});
