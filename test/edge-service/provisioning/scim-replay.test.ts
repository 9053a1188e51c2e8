import assert from 'node:assert/strict';
import {
  ApiClient,
  createAccount,
  ensureEnterprise,
  startApiEdge,
  type ApiEdge,
} from '../../helpers/api-client.ts';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import * as entra from './fixtures/scim-entra-id.ts';
import * as okta from './fixtures/scim-okta.ts';

/** SCIM requests of Entra ID and Okta, from their documentation, over real HTTP to a real edge. */
describe('SCIM 2.0: Entra ID and Okta provisioning cycles', function () {
  this.timeout(30_000);
  let api: ApiEdge;
  let acme: EnterpriseRecord;
  let token: string;
  let base: string;

  const scim = async (method: string, path: string, body?: unknown, bearer = token) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: text ? (JSON.parse(text) as any) : null, // eslint-disable-line @typescript-eslint/no-explicit-any
    };
  };

  before(async () => {
    api = await startApiEdge();
    acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    const admin = await createAccount(api.edge, { enterprise: acme, email: 'admin@acme.test' });
    const client = new ApiClient(api.url);
    const { token: apiToken } = api.edge.api.tokens.create(
      admin.user.id,
      'test',
      new Date(Date.now() + 86_400_000),
    );
    client.bearer = apiToken;
    const made = await client.request('POST', '/enterprises/acme/scim/tokens', { name: 'Entra ID' });
    assert.equal(made.status, 201);
    token = made.body.token;
    base = `${api.url}/scim/v2/acme`;
  });
  after(async () => api?.stop());

  it('answers discovery documents and refuses unknown or revoked tokens with SCIM errors', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    assert.equal(config.status, 200);
    assert.match(config.type!, /^application\/scim\+json/);
    assert.equal(config.body.patch.supported, true);
    const types = await scim('GET', '/ResourceTypes');
    assert.deepEqual(
      types.body.Resources.map((r: { id: string }) => r.id),
      ['User', 'Group'],
    );
    const schemas = await scim('GET', '/Schemas');
    assert.equal(schemas.body.totalResults, 2);
    const refused = await scim('GET', '/Users', undefined, 'mfps_' + 'x'.repeat(43));
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    assert.equal(refused.body.status, '401');
    const other = ensureEnterprise(api.edge, 'Other', 'other');
    const { token: otherToken } = api.edge.provisioning.scimTokens.create(other.id, 'o', 'test');
    assert.equal(
      (await scim('GET', '/Users', undefined, otherToken)).status,
      401,
      'a token of another enterprise',
    );
    const bad = await scim('GET', `/Users?filter=${encodeURIComponent('userName co "x"')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.scimType, 'invalidFilter');
  });

  it('replays an Entra ID cycle: query, create, PATCH attributes, deactivate ("False"), delete', async () => {
    const query = await scim('GET', `/Users?filter=${encodeURIComponent(entra.entraQueryUser)}`);
    assert.equal(query.body.totalResults, 0);
    const created = await scim('POST', '/Users', entra.entraCreateUser);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.equal(created.body.userName, entra.entraCreateUser.userName);
    assert.equal(created.body.externalId, entra.entraCreateUser.externalId);
    assert.equal(created.body.active, true);
    const user = api.edge.repositories.users.get(id)!;
    assert.equal(user.email, entra.entraCreateUser.emails[0]!.value);
    assert.equal(user.displayName, 'givenName familyName');
    // Entra ID looks the user up again by userName (a non-email UPN here) and must find them.
    const again = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(entra.entraQueryUser)}&startIndex=1&count=10`,
    );
    assert.equal(again.body.totalResults, 1);
    assert.equal(again.body.Resources[0].id, id);
    const duplicate = await scim('POST', '/Users', entra.entraCreateUser);
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.scimType, 'uniqueness');

    const patched = await scim('PATCH', `/Users/${id}`, entra.entraPatchMultiValued);
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(api.edge.repositories.users.get(id)!.email, 'updatedEmail@microsoft.com');
    const renamed = await scim('PATCH', `/Users/${id}`, entra.entraPatchSingleValued);
    assert.equal(renamed.body.userName, '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
    await scim('PATCH', `/Users/${id}`, entra.entraPatchNoPath);
    const now = api.edge.repositories.users.get(id)!;
    assert.equal(now.displayName, 'Ana Lópes');
    assert.equal(now.language, 'fr');

    // Sessions of the person: a panel session and a console session, ended by the deactivation.
    const device = api.edge.repositories.devices.create({
      enterpriseId: acme.id,
      name: 'Front desk',
      authMode: 'user-prompt',
      sharedUserId: null,
      scannerUrl: null,
      faxUrl: null,
      tokenHash: 'h-front',
    });
    const panel = await api.edge.people.sessions.create({
      userId: id,
      deviceId: device.id,
      enterpriseId: acme.id,
    });
    const consoleSession = api.edge.api.consoleSessions.create(id, '127.0.0.1');
    const ended: string[] = [];
    api.edge.people.sessions.on('revoked', (s) => ended.push(...s.map((r) => r.id)));

    const disabled = await scim('PATCH', `/Users/${id}`, entra.entraDisableUser);
    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.active, false);
    assert.deepEqual(ended, [panel.sessionId], 'the panel socket is told at once');
    await assert.rejects(api.edge.people.sessions.verify(panel.token, device.id), {
      code: 'SESSION_REVOKED',
    });
    assert.throws(() => api.edge.api.consoleSessions.verify(consoleSession.token), {
      code: 'SESSION_REVOKED',
    });
    assert.notEqual(
      api.edge.repositories.users.get(id)!.disabledAt,
      null,
      'sign-in refuses a disabled account',
    );

    const deleted = await scim('DELETE', `/Users/${id}`);
    assert.equal(deleted.status, 204);
    assert.equal((await scim('GET', `/Users/${id}`)).status, 404);
    assert.notEqual(api.edge.repositories.users.get(id)!.deletedAt, null, 'the row stays for the history');
  });

  it('replays an Okta cycle: create, PUT replace, groups mapped to admin, deactivate', async () => {
    assert.equal(
      (await scim('GET', `/Users?filter=${encodeURIComponent(okta.oktaQueryUser)}&startIndex=1&count=100`))
        .body.totalResults,
      0,
    );
    const created = await scim('POST', '/Users', okta.oktaCreateUser);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    let user = api.edge.repositories.users.get(id)!;
    assert.equal(user.email, 'test.user@okta.local');
    assert.equal(user.passwordHash, null, 'a pushed password is not taken');
    const replaced = await scim('PUT', `/Users/${id}`, okta.oktaReplaceUser(id));
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    user = api.edge.repositories.users.get(id)!;
    assert.equal(user.displayName, 'Another User');
    assert.equal(user.language, 'de');

    const group = await scim('POST', '/Groups', okta.oktaCreateGroup);
    assert.equal(group.status, 201);
    const gid = group.body.id as string;
    assert.equal((await scim('PATCH', `/Groups/${gid}`, okta.oktaRenameGroup(gid))).status, 204);
    assert.equal((await scim('PATCH', `/Groups/${gid}`, okta.oktaAddMember(id))).status, 204);
    assert.equal(
      api.edge.repositories.users.get(id)!.role,
      'user',
      'a group is no role until an admin maps it',
    );
    const client = new ApiClient(api.url);
    const admin = api.edge.repositories.users.findByEmail(acme.id, 'admin@acme.test')!;
    client.bearer = api.edge.api.tokens.create(admin.id, 't', new Date(Date.now() + 86_400_000)).token;
    const mapped = await client.request('PATCH', `/enterprises/acme/scim/groups/${gid}`, { role: 'admin' });
    assert.equal(mapped.status, 200, JSON.stringify(mapped.body));
    assert.equal(api.edge.repositories.users.get(id)!.role, 'admin');
    const fetched = await scim('GET', `/Groups/${gid}`);
    assert.equal(fetched.body.displayName, 'Printer admins');
    assert.deepEqual(
      fetched.body.members.map((m: { value: string }) => m.value),
      [id],
    );
    assert.equal((await scim('PATCH', `/Groups/${gid}`, okta.oktaRemoveMember(id))).status, 204);
    assert.equal(api.edge.repositories.users.get(id)!.role, 'user');

    const deactivated = await scim('PATCH', `/Users/${id}`, okta.oktaDeactivateUser);
    assert.equal(deactivated.body.active, false);
    assert.notEqual(api.edge.repositories.users.get(id)!.disabledAt, null);
    const list = await scim('GET', '/Users?startIndex=1&count=1');
    assert.equal(list.body.itemsPerPage, 1);
    assert.ok(list.body.totalResults >= 2);
  });

  it('adds and removes Entra ID group members; refuses read-only and bad values', async () => {
    const u = await scim('POST', '/Users', {
      ...okta.oktaCreateUser,
      userName: 'g@acme.test',
      emails: [],
      externalId: 'g',
    });
    const g = await scim('POST', '/Groups', entra.entraCreateGroup);
    assert.equal((await scim('PATCH', `/Groups/${g.body.id}`, entra.entraAddMember(u.body.id))).status, 204);
    assert.equal((await scim('GET', `/Groups/${g.body.id}`)).body.members.length, 1);
    assert.equal(
      (await scim('PATCH', `/Groups/${g.body.id}`, entra.entraRemoveMember(u.body.id))).status,
      204,
    );
    assert.equal((await scim('GET', `/Groups/${g.body.id}`)).body.members.length, 0);
    const readOnly = await scim('PATCH', `/Users/${u.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'id', value: 'x' }],
    });
    assert.equal(readOnly.body.scimType, 'mutability');
    const badTz = await scim('PATCH', `/Users/${u.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'timezone', value: 'Mars/Olympus' }],
    });
    assert.equal(badTz.status, 400);
    assert.equal(badTz.body.scimType, 'invalidValue');
    assert.equal(badTz.body.status, '400');
  });
});

describe('SCIM: provisioned users get the enterprise policies', function () {
  this.timeout(30_000);
  let api: ApiEdge;
  const sent: { to: unknown; subject: unknown }[] = [];

  before(async () => {
    api = await startApiEdge({
      mailTransport: {
        description: 'test',
        send: async (m) => void sent.push({ to: m.options.to, subject: m.options.subject }),
        close: () => undefined,
      },
    });
  });
  after(async () => api?.stop());

  it('with company sign-in set, a SCIM user has no built-in password and gets the welcome mail', async () => {
    const acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    api.edge.people.policies.update(
      acme.id,
      {
        welcomeEmail: true,
        sso: { protocol: 'oidc', issuer: 'https://idp.example', clientId: 'mfp' },
      } as never,
      'test',
    );
    const { token } = api.edge.provisioning.scimTokens.create(acme.id, 'okta', 'test');
    const response = await fetch(`${api.url}/scim/v2/acme/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(okta.oktaCreateUser),
    });
    assert.equal(response.status, 201);
    const { id } = (await response.json()) as { id: string };
    assert.equal(api.edge.repositories.users.get(id)!.builtinPasswordDisabled, true);
    const deadline = Date.now() + 10_000;
    while (!sent.some((m) => JSON.stringify(m.to).includes('test.user@okta.local')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      sent.some((m) => JSON.stringify(m.to).includes('test.user@okta.local')),
      JSON.stringify(sent),
    );
  });
});
