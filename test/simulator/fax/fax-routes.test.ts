import assert from 'node:assert/strict';
import { startFaxTestServer, type FaxTestServer } from './fax-test-server.ts';

describe('simulator/fax/fax-routes (/sim/api faxes and line)', () => {
  let server: FaxTestServer;
  beforeEach(async () => {
    server = await startFaxTestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const put = (number: string, body: unknown, raw?: string) =>
    fetch(`${server.baseUrl}/sim/api/line/${encodeURIComponent(number)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body),
    });

  it('sets and lists line behaviours; answer resets a number', async () => {
    assert.equal((await put('+1 555 0100', { behavior: 'busy' })).status, 200);
    assert.equal((await put('5550101', { behavior: 'drop-at-page', page: 3 })).status, 200);
    const slow = await put('5550102', { behavior: 'slow' });
    assert.deepEqual(await slow.json(), { number: '5550102', behavior: 'slow', bitRate: 9600 });
    assert.deepEqual(await (await fetch(`${server.baseUrl}/sim/api/line`)).json(), {
      '+15550100': { behavior: 'busy' },
      '5550101': { behavior: 'drop-at-page', page: 3 },
      '5550102': { behavior: 'slow', bitRate: 9600 },
    });
    assert.deepEqual(server.remotes.behaviorFor('+1-555-0100'), { behavior: 'busy' });
    await put('+15550100', { behavior: 'answer' });
    assert.equal(Object.keys(await (await fetch(`${server.baseUrl}/sim/api/line`)).json()).length, 2);
  });

  it('rejects bad input with 400 and a stable error code', async () => {
    const cases: [string, unknown, string, string?][] = [
      ['5550100', { behavior: 'explode' }, 'INVALID_LINE_BEHAVIOR'],
      ['5550100', { behavior: 'drop-at-page' }, 'INVALID_LINE_BEHAVIOR'],
      ['5550100', { behavior: 'drop-at-page', page: 0 }, 'INVALID_LINE_BEHAVIOR'],
      ['not-a-number', { behavior: 'busy' }, 'INVALID_NUMBER'],
      ['5550100', undefined, 'INVALID_BODY', '{"behavior":'],
    ];
    for (const [number, body, code, raw] of cases) {
      const res = await put(number, body, raw);
      assert.equal(res.status, 400, JSON.stringify([number, body, raw]));
      const json = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(json.error.code, code, JSON.stringify([number, body, raw]));
      assert.ok(json.error.message.length > 0);
    }
  });

  it('lists received faxes and serves their pages; 404 JSON for what is absent', async () => {
    assert.deepEqual(await (await fetch(`${server.baseUrl}/sim/api/faxes`)).json(), []);
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const fax = server.remotes.receive({ to: '+1 555 0100', pageImages: [png], status: 'received' });
    const list = (await (await fetch(`${server.baseUrl}/sim/api/faxes`)).json()) as {
      id: string;
      to: string;
    }[];
    assert.deepEqual(list, [fax]);
    assert.equal(list[0]?.to, '+15550100');
    const page = await fetch(`${server.baseUrl}/sim/api/faxes/${fax.id}/pages/1`);
    assert.equal(page.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await page.arrayBuffer()), png);
    for (const [path, code] of [
      [`${fax.id}/pages/2`, 'PAGE_NOT_FOUND'],
      [`nope/pages/1`, 'FAX_NOT_FOUND'],
    ]) {
      const res = await fetch(`${server.baseUrl}/sim/api/faxes/${path}`);
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, code);
    }
    assert.equal((await fetch(`${server.baseUrl}/sim/api/faxes/${fax.id}/pages/0`)).status, 400);
  });

  it('keeps only the newest faxes', () => {
    for (let i = 0; i < 105; i++)
      server.remotes.receive({ to: String(5550000 + i), pageImages: [], status: 'received' });
    const list = server.remotes.list();
    assert.equal(list.length, 100);
    assert.equal(list[0]?.to, '5550005');
  });
});
