/**
 * Fuzz: the REST API, route by route from its own OpenAPI document (/api/v1/openapi.json), with a
 * valid admin console session: random path parameters, queries and bodies (random JSON, objects
 * with the schema's property names and hostile values, bodies that are not JSON, wrong content
 * types, huge bodies). The contract: never a 5xx, and every error body is
 * `{"error":{"code","message"}}` with a stable UPPER_SNAKE code. The edge stays up.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ApiClient,
  createAccount,
  ensureEnterprise,
  sessionClient,
  startApiEdge,
  type ApiEdge,
  type TestAccount,
} from '../helpers/api-client.ts';
import { LONG_RUN, assertHeapBounded, fuzzParameters, heapAfterGc, printTally } from './fuzz-support.ts';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
};
type Operation = {
  operationId: string;
  parameters?: { name: string; in: 'path' | 'query'; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
};
type Doc = { paths: Record<string, Record<string, Operation>> };

interface Route {
  method: string;
  path: string;
  operation: Operation;
}

const hostileString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '../../etc/passwd',
    '%00',
    '%',
    '%zz',
    '\u0000',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    'NaN',
    '-1',
    '1e309',
    '9999999999999999999999',
    'vendor',
    'customer',
    'tel:+15551234567',
    'a@b.c',
    '\uD800',
  ),
  fc.uuid(),
  fc.string({ minLength: 300, maxLength: 5000 }),
);

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A value loosely of the schema's type, or anything at all. */
function valueFor(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  const typed =
    schema?.enum !== undefined && schema.enum.length > 0
      ? fc.constantFrom(...schema.enum)
      : type === 'string'
        ? hostileString
        : type === 'integer' || type === 'number'
          ? fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 1e308))
          : type === 'boolean'
            ? fc.boolean()
            : type === 'array'
              ? fc.array(valueFor(schema?.items), { maxLength: 4 })
              : type === 'object' && schema?.properties
                ? objectFor(schema)
                : anyValue;
  return fc.oneof({ weight: 3, arbitrary: typed }, { weight: 1, arbitrary: anyValue });
}

function objectFor(schema: Schema | undefined): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema?.properties ?? {};
  const names = Object.keys(properties);
  if (names.length === 0) return fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 4 });
  return fc.record(Object.fromEntries(names.map((name) => [name, valueFor(properties[name])])), {
    requiredKeys: [],
  });
}

type Body = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; type: string };

function bodyFor(operation: Operation): fc.Arbitrary<Body> {
  const schema = operation.requestBody?.content['application/json']?.schema;
  return fc.oneof(
    { weight: 4, arbitrary: objectFor(schema).map((value): Body => ({ kind: 'json', value })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value): Body => ({ kind: 'json', value })) },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: 'none' }) },
    {
      weight: 1,
      arbitrary: fc
        .record({
          text: fc.oneof(
            fc.string({ maxLength: 200 }),
            fc.constantFrom('{', '{"a":', '[1,2', 'null', '"x"', '{"__proto__":{"admin":true}}'),
            fc.integer({ min: 1, max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
            fc.constant(`{"x":"${'y'.repeat(2 * 1024 * 1024)}"}`),
          ),
          type: fc.constantFrom(
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/xml',
          ),
        })
        .map(({ text, type }): Body => ({ kind: 'raw', text, type })),
    },
  );
}

function requestFor(route: Route) {
  const params = route.operation.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  return fc.record({
    route: fc.constant(route),
    path: fc.tuple(...pathParams.map(() => fc.oneof(fc.constantFrom('vendor', 'customer'), hostileString))),
    query: fc.record(
      Object.fromEntries(
        [...queryParams.map((p) => p.name), 'extra'].map((name) => [
          name,
          fc.oneof(hostileString, fc.array(hostileString, { minLength: 2, maxLength: 3 })),
        ]),
      ),
      { requiredKeys: [] },
    ),
    body: bodyFor(route.operation),
  });
}

function url(route: Route, path: string[], query: Record<string, string | string[] | undefined>): string {
  let i = 0;
  // encodeURIComponent throws on a lone surrogate (a URL cannot carry one); send U+FFFD instead.
  const wellFormed = (text: string) => text.replace(/[\uD800-\uDFFF]/g, '\uFFFD');
  const filled = route.path.replace(/\{\w+\}/g, () => encodeURIComponent(wellFormed(path[i++] ?? 'x')));
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) search.append(name, v);
  const text = search.toString();
  return text ? `${filled}?${text}` : filled;
}

describe('fuzz: REST API inputs (every route of the OpenAPI document)', function () {
  this.timeout(600_000);
  let api: ApiEdge;
  let admin: TestAccount;
  let client: ApiClient;
  let routes: Route[];

  before(async () => {
    api = await startApiEdge();
    const customer = ensureEnterprise(api.edge, 'Customer', 'customer');
    ensureEnterprise(api.edge, 'Vendor', 'vendor');
    admin = await createAccount(api.edge, { enterprise: customer, email: 'admin@customer.test' });
    client = sessionClient(api.edge, admin);
    const answer = await new ApiClient(api.url).request('GET', '/openapi.json');
    assert.equal(answer.status, 200);
    const doc = answer.body as Doc;
    routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation }))
        // The live event stream never ends; it is a stream, not an input parser.
        .filter((route) => !/events/.test(route.path)),
    );
    assert.ok(routes.length > 10, `${routes.length} routes`);
  });
  after(async () => {
    await api?.stop();
    printTally();
  });

  it('random paths, queries and bodies → never a 5xx; every error is {"error":{"code","message"}}', async () => {
    const before = heapAfterGc();
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => fc.constantFrom(...routes).chain(requestFor)),
        async ({ route, path, query, body: generated }) => {
          let body = generated;
          const target = url(route, path, query);
          // fetch refuses a body on GET and HEAD; those get their query only.
          if (route.method === 'GET' || route.method === 'HEAD') body = { kind: 'none' };
          const options =
            body.kind === 'raw' ? { rawBody: body.text, headers: { 'content-type': body.type } } : {};
          const answer = await client.request(
            route.method,
            target,
            body.kind === 'json' ? body.value : undefined,
            options,
          );
          const key = `${Math.floor(answer.status / 100)}xx`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          assert.ok(
            answer.status < 500,
            `${route.method} ${target} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`,
          );
          if (answer.status >= 400) {
            const error = (answer.body as { error?: { code?: unknown; message?: unknown } }).error;
            assert.ok(error, `${route.method} ${target} ${answer.status} without an error body`);
            assert.match(String(error.code), /^[A-Z][A-Z0-9_]*$/, `${route.method} ${target}`);
            assert.equal(typeof error.message, 'string');
          }
          // A random input that signed the session out (or revoked it) leaves the rest unfuzzed.
          if (answer.status === 401) client = sessionClient(api.edge, admin);
        },
      ),
      fuzzParameters('rest api', 60),
    );
    if (LONG_RUN) console.log(`      rest api answers: ${JSON.stringify(Object.fromEntries(seen))}`);
    assertHeapBounded(before, 128e6, 'REST API');
    const health = await client.request('GET', '/openapi.json');
    assert.equal(health.status, 200, 'the edge stays up');
  });
});
