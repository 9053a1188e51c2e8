import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DevicePerson } from '../../../../edge-service/src/domain/device-identity.ts';
import { DeviceLoginClient } from '../../../../edge-service/src/drivers/device-login/device-login-client.ts';
import { DeviceLoginIdentity } from '../../../../edge-service/src/drivers/device-login/device-login-identity.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A scripted device web server on loopback: each test says how it misbehaves. */
class FakeDevice {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  handler: Handler = (_req, res) => res.end();
  requests: string[] = [];
  /** Bytes the server managed to write before the client hung up, per response. */
  written: number[] = [];

  constructor() {
    this.#server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      this.handler(req, res);
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/device/api/v1`;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Writes `chunk` as long as the client reads, up to `limit` bytes; records how far it got. */
  flood(res: ServerResponse, chunk: string, limit: number): void {
    let sent = 0;
    const index = this.written.push(0) - 1;
    const pump = () => {
      while (sent < limit && !res.destroyed) {
        sent += chunk.length;
        this.written[index] = sent;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    res.on('close', () => (this.written[index] = sent));
    pump();
  }
}

const session = (person: DevicePerson | null) =>
  JSON.stringify({
    signedIn: person !== null,
    user: person,
    since: person ? new Date().toISOString() : null,
  });

async function eventually(test: () => boolean, ms: number, what: string): Promise<void> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/* A device that misbehaves: every answer ends in a coded error, and nothing grows without bound. */
describe('device login driver against a hostile device', function () {
  this.timeout(20_000);
  let device: FakeDevice;
  let baseUrl: string;
  const stops: (() => void)[] = [];
  const client = (timeouts: { requestMs?: number; streamIdleMs?: number } = {}) =>
    new DeviceLoginClient({
      baseUrl,
      credential: { username: 'admin', password: 'pw' },
      timeouts,
      limits: { maxSessionBytes: 16 * 1024, maxEventBytes: 16 * 1024 },
    });
  const unavailable = (pattern: RegExp) => (error: { code?: string; message?: string }) =>
    error.code === 'DEVICE_LOGIN_UNAVAILABLE' && pattern.test(error.message ?? '');

  beforeEach(async () => {
    device = new FakeDevice();
    baseUrl = await device.start();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await device.stop();
  });

  it('garbage JSON, an HTML page with 200, a wrong shape: DEVICE_LOGIN_UNAVAILABLE', async () => {
    for (const body of [
      '{"signedIn": tr',
      '<html><body>Login</body></html>',
      '{"signedIn":true,"user":null}',
    ]) {
      device.handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      await assert.rejects(client().session(), unavailable(/does not understand/), body);
    }
  });

  it('a huge body, announced or streamed: refused at the cap, the connection dropped', async () => {
    device.handler = (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 30) }).end();
    await assert.rejects(client().session(), unavailable(/more than the 16 KiB/));

    device.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      device.flood(res, `{"signedIn":true,"pad":"${'x'.repeat(64 * 1024)}`, 512 * 1024 * 1024);
    };
    const before = process.memoryUsage().rss;
    await assert.rejects(client().session(), unavailable(/more than the 16 KiB/));
    await eventually(() => device.written.length === 1, 1000, 'the flood started');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The server could push only what the socket buffers hold before the client hung up.
    assert.ok(device.written[0]! < 16 * 1024 * 1024, `${device.written[0]} bytes written`);
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024);
  });

  it('an event stream that never ends a line: a coded error to the watcher, the stream dropped, bounded', async () => {
    let streams = 0;
    device.handler = (req, res) => {
      if (req.url?.endsWith('/events')) {
        streams++;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: session\ndata: ');
        device.flood(res, 'y'.repeat(8192), 512 * 1024 * 1024);
      } else res.writeHead(200, { 'content-type': 'application/json' }).end(session(null));
    };
    const id = new DeviceLoginIdentity({
      client: client(),
      timings: { reconnectFirstMs: 200, reconnectMaxMs: 200, pollIntervalMs: 10_000 },
    });
    const errors: { code?: string; message?: string }[] = [];
    stops.push(
      id.watch(
        () => {},
        (error) => errors.push(error as never),
      ),
    );
    await eventually(() => errors.length >= 2, 3000, 'two failed streams');
    assert.ok(
      unavailable(/event stream sent a line longer than 16384 characters/)(errors[0]!),
      errors[0]!.message,
    );
    assert.ok(
      device.written.every((bytes) => bytes < 16 * 1024 * 1024),
      String(device.written),
    );
    // Backoff: a few reconnects, not a tight loop.
    assert.ok(streams <= 6, `${streams} streams`);
  });

  it('an endless event in short lines, and garbage in a session event: coded errors', async () => {
    device.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      device.flood(res, 'data: 0123456789abcdef\n', 64 * 1024 * 1024);
    };
    const events = client().events();
    await assert.rejects(events.next(), unavailable(/event stream sent an event larger than/));

    device.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: session\ndata: {"nope"\n\n');
    };
    await assert.rejects(client().events().next(), unavailable(/does not understand/));
  });

  it('a device that accepts and says nothing: timed out, on the request and on an open stream', async () => {
    device.handler = () => {}; // never answers
    await assert.rejects(client({ requestMs: 200 }).session(), unavailable(/did not answer for 200 ms/));
    device.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: session\ndata: ${session({ name: 'A', email: null })}\n\n`);
    };
    const events = client({ streamIdleMs: 300 }).events();
    assert.deepEqual((await events.next()).value, { name: 'A', email: null });
    const started = Date.now();
    await assert.rejects(events.next(), unavailable(/did not answer/));
    assert.ok(Date.now() - started < 2000);
  });

  it('not an event stream, a 404, a 500, a redirect: coded errors', async () => {
    device.handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html/>');
    await assert.rejects(client().events().next(), unavailable(/not an event stream/));
    device.handler = (_req, res) => res.writeHead(404).end();
    await assert.rejects(client().session(), unavailable(/no device-login API/));
    device.handler = (_req, res) => res.writeHead(500).end('boom');
    await assert.rejects(client().session(), unavailable(/HTTP 500/));
    device.handler = (_req, res) => res.writeHead(302, { location: 'http://elsewhere.invalid/' }).end();
    await assert.rejects(client().session(), unavailable(/HTTP 302/));
  });

  it('a 429 lockout: DEVICE_LOGIN_LOCKED_OUT, and no new attempt before its Retry-After', async () => {
    device.handler = (_req, res) => res.writeHead(429, { 'retry-after': '30' }).end('{}');
    const id = new DeviceLoginIdentity({ client: client() });
    await assert.rejects(id.current(), (error: { code?: string; retryAfterMs?: number }) => {
      assert.equal(error.code, 'DEVICE_LOGIN_LOCKED_OUT');
      assert.equal(error.retryAfterMs, 30_000);
      return true;
    });
    await assert.rejects(id.current(), { code: 'DEVICE_LOGIN_LOCKED_OUT' });
    assert.equal(device.requests.length, 1);
  });

  it('an event stream that is refused while GET /session works: the periodic re-check still follows sign-ins', async () => {
    let person: DevicePerson | null = null;
    device.handler = (req, res) => {
      if (req.url?.endsWith('/events')) res.writeHead(503).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(session(person));
    };
    const id = new DeviceLoginIdentity({
      client: client(),
      timings: { reconnectFirstMs: 1000, reconnectMaxMs: 5000, pollIntervalMs: 100 },
    });
    const seen: (DevicePerson | null)[] = [];
    stops.push(id.watch((p) => seen.push(p)));
    await eventually(() => seen.length === 1, 1000, 'the state by polling');
    person = { name: 'Polly', email: 'polly@example.test' };
    await eventually(() => seen.length === 2, 1000, 'a sign-in by polling');
    assert.deepEqual(seen, [null, person]);
  });
});
