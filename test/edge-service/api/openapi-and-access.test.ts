import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  ApiClient,
  createAccount,
  ensureEnterprise,
  sessionClient,
  startApiEdge,
  type ApiEdge,
} from '../../helpers/api-client.ts';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; tags: string[]; responses: object }>>;
};

/** A concrete URL of a templated path: the enterprise's slug, and a random id for every other parameter. */
const fill = (path: string, slug: string) =>
  path.replace('{enterprise}', slug).replace(/\{\w+\}/g, () => randomUUID());

describe('api/OpenAPI document, roles and restricted access (route by route from the document)', function () {
  this.timeout(120_000);
  let api: ApiEdge;
  let doc: Doc;
  const clients: Record<string, ApiClient> = {};

  before(async () => {
    api = await startApiEdge();
    const { edge } = api;
    const vendor = ensureEnterprise(edge, 'Vendor', 'vendor');
    const customer = ensureEnterprise(edge, 'Customer', 'customer');
    const other = ensureEnterprise(edge, 'Other', 'other');
    edge.people.policies.update(customer.id, { restrictedAccess: true }, 'test');
    const accounts = {
      support: await createAccount(edge, {
        enterprise: vendor,
        email: 'agent@vendor.test',
        role: 'support-agent',
      }),
      reseller: await createAccount(edge, {
        enterprise: vendor,
        email: 'reseller@vendor.test',
        role: 'reseller-admin',
      }),
      user: await createAccount(edge, { enterprise: customer, email: 'person@customer.test', role: 'user' }),
      customerAdmin: await createAccount(edge, { enterprise: customer, email: 'admin@customer.test' }),
      otherAdmin: await createAccount(edge, { enterprise: other, email: 'admin@other.test' }),
    };
    for (const [name, account] of Object.entries(accounts)) clients[name] = sessionClient(edge, account);
    const answer = await new ApiClient(api.url).request('GET', '/openapi.json');
    assert.equal(answer.status, 200);
    doc = answer.body as Doc;
  });
  after(async () => api?.stop());

  it('is OpenAPI 3.1.0 with unique operationIds, error responses and both security schemes', () => {
    assert.equal(doc.openapi, '3.1.0');
    const ids = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).map((op) => op.operationId),
    );
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    for (const methods of Object.values(doc.paths))
      for (const op of Object.values(methods)) {
        assert.ok(op.tags.length === 1, op.operationId);
        assert.ok('4XX' in op.responses, op.operationId);
      }
    const schemes = (doc as unknown as { components: { securitySchemes: object } }).components
      .securitySchemes;
    assert.deepEqual(Object.keys(schemes).sort(), ['apiToken', 'consoleSession']);
  });

  it('documents every mounted endpoint, and every documented operation is mounted (both directions)', async () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`)),
    );
    const mounted = new Set(api.edge.api.endpoints.map((e) => `${e.method} ${e.path}`));
    assert.deepEqual(
      [...mounted].filter((k) => !documented.has(k)),
      [],
      'mounted but not documented',
    );
    assert.deepEqual(
      [...documented].filter((k) => !mounted.has(k)),
      [],
      'documented but not mounted',
    );
    // And over HTTP: no documented operation answers 404 NOT_FOUND or 405 to an anonymous caller.
    const anonymous = new ApiClient(api.url);
    for (const key of documented) {
      const [method, path] = key.split(' ') as [string, string];
      const answer = await anonymous.request(
        method.toUpperCase(),
        fill(path, 'customer'),
        method === 'get' ? undefined : {},
      );
      assert.ok(
        ![404, 405].includes(answer.status) || answer.body?.error?.code === 'ENTERPRISE_NOT_FOUND',
        `${key}: ${answer.status}`,
      );
      if (!['/openapi.json'].includes(path) && !path.startsWith('/session/'))
        assert.equal(answer.status, 401, `${key} needs a credential`);
    }
  });

  it('refuses vendor roles on every {enterprise} route of a restricted enterprise with 403 RESTRICTED_ACCESS, before validation, audited', async () => {
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.includes('{enterprise}'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method, path })));
    assert.ok(routes.length >= 15, `only ${routes.length} enterprise routes`);
    const customer = api.edge.repositories.directory.findEnterpriseBySlug('customer')!;
    const before = api.edge.audit.list(
      { enterpriseId: customer.id, action: 'access.restricted-refused' },
      { offset: 0, limit: 1 },
    ).total;
    for (const { method, path } of routes) {
      for (const role of ['support', 'reseller'] as const) {
        // An empty body and made-up ids: invalid input, so only a check before validation gives this code.
        const answer = await clients[role]!.request(
          method.toUpperCase(),
          fill(path, 'customer'),
          method === 'get' ? undefined : {},
        );
        assert.equal(
          answer.status,
          403,
          `${role} ${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`,
        );
        assert.equal(answer.body.error.code, 'RESTRICTED_ACCESS', `${role} ${method} ${path}`);
      }
    }
    const after = api.edge.audit.list(
      { enterpriseId: customer.id, action: 'access.restricted-refused' },
      { offset: 0, limit: 1 },
    );
    assert.equal(after.total - before, routes.length * 2);
    assert.equal(after.items[0]!.details.role, 'reseller-admin');
  });

  it('refuses a `user` on every {enterprise} route with 403 FORBIDDEN, and an admin of another enterprise with 404', async () => {
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.includes('{enterprise}'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method, path })));
    for (const { method, path } of routes) {
      const url = fill(path, 'customer');
      const body = method === 'get' ? undefined : {};
      const user = await clients.user!.request(method.toUpperCase(), url, body);
      assert.equal(user.status, 403, `user ${method} ${path}`);
      assert.equal(user.body.error.code, 'FORBIDDEN', `user ${method} ${path}`);
      const stranger = await clients.otherAdmin!.request(method.toUpperCase(), url, body);
      assert.equal(stranger.status, 404, `other admin ${method} ${path}`);
      assert.equal(stranger.body.error.code, 'ENTERPRISE_NOT_FOUND', `other admin ${method} ${path}`);
    }
  });

  it('lets vendor roles into an unrestricted enterprise: support-agent reads, reseller-admin writes; support-agent may not write', async () => {
    const read = await clients.support!.request('GET', '/enterprises/other/users');
    assert.equal(read.status, 200);
    const write = await clients.support!.request('PATCH', '/enterprises/other/policy', {
      lockoutAttempts: 5,
    });
    assert.equal(write.status, 403);
    assert.equal(write.body.error.code, 'FORBIDDEN');
    const reseller = await clients.reseller!.request('PATCH', '/enterprises/other/policy', {
      lockoutAttempts: 5,
    });
    assert.equal(reseller.status, 200, JSON.stringify(reseller.body));
  });

  it('GET /enterprises lists what the caller may see', async () => {
    const own = await clients.customerAdmin!.request('GET', '/enterprises');
    assert.deepEqual(
      own.body.items.map((e: { slug: string }) => e.slug),
      ['customer'],
    );
    const vendor = await clients.reseller!.request('GET', '/enterprises');
    const bySlug = Object.fromEntries(
      vendor.body.items.map((e: { slug: string; restricted: boolean }) => [e.slug, e.restricted]),
    );
    assert.deepEqual(bySlug, { vendor: false, customer: true, other: false });
    const user = await clients.user!.request('GET', '/enterprises');
    assert.equal(user.status, 403);
  });

  it('the customer admin turns restrictedAccess off (audited with before and after) and the vendor gets in', async () => {
    const off = await clients.customerAdmin!.request('PATCH', '/enterprises/customer/policy', {
      restrictedAccess: false,
    });
    assert.equal(off.status, 200);
    assert.equal(off.body.updatedBy, 'admin@customer.test');
    const customer = api.edge.repositories.directory.findEnterpriseBySlug('customer')!;
    const [entry] = api.edge.audit.list(
      { enterpriseId: customer.id, action: 'policy.update' },
      { offset: 0, limit: 1 },
    ).items;
    assert.deepEqual(entry!.details.changes, [{ key: 'restrictedAccess', from: true, to: false }]);
    const inside = await clients.support!.request('GET', '/enterprises/customer/policy');
    assert.equal(inside.status, 200);
    await clients.customerAdmin!.request('PATCH', '/enterprises/customer/policy', { restrictedAccess: true });
  });
});
