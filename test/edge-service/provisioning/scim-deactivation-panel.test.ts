import assert from 'node:assert/strict';
import { PASSWORD, PeopleEdge } from '../panel/people-harness.ts';
import { entraDisableUser } from './fixtures/scim-entra-id.ts';
import { oktaCreateUser } from './fixtures/scim-okta.ts';

/* A SCIM deactivation over real HTTP ends the person's panel session over the real WebSocket at once. */
describe('SCIM deactivation and the panel', function () {
  this.timeout(30_000);
  let t: PeopleEdge;

  before(async () => {
    t = await new PeopleEdge({ sessionCheckMs: 3_600_000 }).start();
  });
  after(async () => t?.stop());

  it('a signed-in panel is signed out at once and the person cannot sign in again', async () => {
    const enterprise = t.edge.repositories.directory.getEnterprise(t.enterpriseId)!;
    const { token } = t.edge.provisioning.scimTokens.create(enterprise.id, 'Entra ID', 'test');
    const scim = (method: string, path: string, body: unknown) =>
      fetch(`${t.edge.url}/scim/v2/${enterprise.slug}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(body),
      });
    const created = await scim('POST', '/Users', oktaCreateUser);
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    // As if they had set a password through an invitation.
    t.edge.people.users.setPasswordHash(id, await t.edge.people.hasher.hash(PASSWORD), new Date());

    const { client } = await t.connect(t.device('user-prompt').token);
    await t.signIn(client, oktaCreateUser.userName);
    // The periodic check is an hour away: only the revocation event can sign the panel out in time.
    const patched = await scim('PATCH', `/Users/${id}`, entraDisableUser);
    assert.equal(patched.status, 200);
    const changed = await client.waitForEvent('session.changed', (p) => p.user === null, 2000);
    assert.equal(changed.reason, 'disabled');
    await assert.rejects(
      client.request('auth.password', { email: oktaCreateUser.userName, password: PASSWORD }),
      {
        code: 'ACCOUNT_DISABLED',
      },
    );
  });
});
