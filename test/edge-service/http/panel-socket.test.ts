import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import WebSocket from 'ws';
import { CLOSE_CODES } from '../../../protocol/index.ts';
import { PanelSocket } from '../../../edge-service/src/http/panel-socket.ts';
import type { PanelHandlers } from '../../../edge-service/src/panel/panel-handlers.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { PanelClient, errorCode } from '../../helpers/panel-client.ts';

/* The WebSocket adapter alone, with the handlers stubbed: timers, heartbeats and back-pressure. */
describe('PanelSocket adapter', () => {
  let server: Server;
  let socket: PanelSocket;
  let handle: sinon.SinonStub;
  let url: string;
  const clients: { close(): void }[] = [];

  beforeEach(async () => {
    handle = sinon.stub();
    const lifecycle = { connected: sinon.stub(), disconnected: sinon.stub() };
    socket = new PanelSocket(
      { handle, ...lifecycle } as unknown as PanelHandlers,
      createLogger({ level: 'silent' }),
      {
        helloTimeoutMs: 1000,
        heartbeatMs: 50,
        extraOrigins: ['http://127.0.0.1:8090'],
      },
    );
    server = createServer();
    socket.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await socket.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("refuses a browser page of another origin, and lets the edge's own and the simulator console's in", async () => {
    const open = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const raw = new WebSocket(url, { origin });
        clients.push({ close: () => raw.terminate() });
        const timer = setTimeout(() => reject(new Error('no answer to the upgrade')), 5000);
        raw.on('open', () => {
          clearTimeout(timer);
          resolve(101);
        });
        raw.on('unexpected-response', (_req, res) => {
          clearTimeout(timer);
          resolve(res.statusCode ?? 0);
        });
        raw.on('error', () => undefined);
      });
    assert.equal(await open('https://evil.example'), 403);
    assert.equal(await open(new URL(url).origin.replace('ws:', 'https:')), 403, 'the wrong scheme');
    assert.equal(await open(new URL(url).origin.replace('ws:', 'http:')), 101);
    assert.equal(await open('http://127.0.0.1:8090'), 101);
  });

  it('closes a connection that never says hello with 4408', async () => {
    const client = await PanelClient.connect(url);
    clients.push(client);
    assert.equal((await client.waitForClose()).code, CLOSE_CODES.HELLO_TIMEOUT);
  });

  it('keeps a connection that began a pairing past the hello timeout while its code is valid, and closes it after the code expires', async () => {
    const ttlMs = 1500;
    // What pairing.begin does to the session (pairing/panel-pairing.ts): the pairing with its expiry,
    // cleared when the code runs out unapproved (the panel then hears pairing.expired).
    handle.callsFake((peer: { session: { pairing: unknown } }, request: { type: string }) => {
      assert.equal(request.type, 'pairing.begin');
      peer.session.pairing = { id: 'p1', expiresAt: Date.now() + ttlMs };
      setTimeout(() => (peer.session.pairing = null), ttlMs).unref();
      return {};
    });
    const client = await PanelClient.connect(url);
    clients.push(client);
    const begun = Date.now();
    await client.request('pairing.begin', { app: { name: 't', version: '1' } });
    let closedAt = 0;
    client.socket.once('close', () => (closedAt = Date.now()));

    // Past the 1 s hello timeout, inside the code's 1.5 s: the panel is waiting for the admin.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    assert.equal(client.closed, null, 'closed while its pairing code was valid');

    // After the expiry it has one more hello timeout to begin anew, then it is closed.
    assert.equal((await client.waitForClose(5000)).code, CLOSE_CODES.HELLO_TIMEOUT);
    const after = closedAt - begun;
    assert.ok(after >= ttlMs, `closed ${after} ms after begin, before the code expired`);
    assert.ok(after < ttlMs + 1000 + 1000, `closed ${after} ms after begin: too late`);
  });

  it('drops a half-open connection that stops answering pings', async () => {
    const raw = new WebSocket(url, { autoPong: false });
    clients.push({ close: () => raw.terminate() });
    const code = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not dropped')), 5000);
      raw.on('close', (closeCode) => {
        clearTimeout(timer);
        resolve(closeCode);
      });
    });
    assert.equal(code, 1006, 'terminated, not closed politely');
  });

  it('keeps a connection that answers pings', async () => {
    // What a successful hello does to the session.
    handle.callsFake((peer: { session: { device: unknown } }) => {
      peer.session.device = { id: 'd' };
      return {};
    });
    const client = await PanelClient.connect(url);
    clients.push(client);
    await client.request('hello', {
      protocolVersions: [1],
      deviceToken: 'x'.repeat(43),
      app: { name: 't', version: '1' },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(client.closed, null);
  });

  it('limits the requests one panel may have unanswered', async () => {
    handle.returns(new Promise(() => undefined));
    const client = await PanelClient.connect(url);
    clients.push(client);
    for (let i = 1; i <= 8; i++)
      client.socket.send(JSON.stringify({ type: 'jobs.list', id: `r${i}`, payload: {} }));
    const reply = await client.sendRaw(JSON.stringify({ type: 'jobs.list', id: 'r9', payload: {} }), 'r9');
    assert.equal(errorCode(reply), 'RATE_LIMITED');
    assert.equal(handle.callCount, 8);
  });
});
