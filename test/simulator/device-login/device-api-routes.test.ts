import assert from 'node:assert/strict';
import http from 'node:http';
import { Simulator } from '../../../simulator/src/simulator.ts';
import { createLogger } from '../../../simulator/src/logger.ts';
import type { DeviceSession } from '../../../simulator/src/device-login/device-login.ts';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/* The authenticated device API a paired edge reads to learn who is signed in at the MFP. */
describe('device API /device/api/v1/session', () => {
  let simulator: Simulator;
  let url: string;
  let auth: string;

  // A fresh device per test: the failed-attempt counter is per device.
  beforeEach(async () => {
    simulator = new Simulator({ port: 0, timeFactor: 0, logger: createLogger({ level: 'silent' }) });
    await simulator.start();
    url = `${simulator.url}/device/api/v1/session`;
    auth = basic(simulator.adminCredentials.username, simulator.adminCredentials.password);
  });

  afterEach(async () => {
    await simulator?.stop();
  });

  it('has a random admin password per device unless one is given', () => {
    const other = new Simulator({ port: 0 });
    assert.equal(simulator.adminCredentials.username, 'admin');
    assert.ok(simulator.adminCredentials.password.length >= 16);
    assert.notEqual(other.adminCredentials.password, simulator.adminCredentials.password);
    assert.equal(new Simulator({ adminPassword: 'chosen' }).adminCredentials.password, 'chosen');
  });

  it('answers who is signed in to the admin credential, and nothing more than name and email', async () => {
    let response = await fetch(url, { headers: { authorization: auth } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), { signedIn: false, user: null, since: null });

    simulator.deviceLogin.signIn({ email: 'alice.martin@demo.example' });
    response = await fetch(url, { headers: { authorization: auth } });
    const session = (await response.json()) as DeviceSession;
    assert.equal(session.signedIn, true);
    assert.deepEqual(session.user, { name: 'Alice Martin', email: 'Alice.Martin@Demo.Example' });
    assert.equal(session.since, simulator.deviceLogin.session().since);
  });

  it('requires authentication: 401 with a Basic challenge, and no session data', async () => {
    simulator.deviceLogin.signIn({ pin: '1111' });
    const response = await fetch(url);
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm="[^"]+"/);
    const body = (await response.json()) as { error: { code: string }; user?: unknown };
    assert.equal(body.error.code, 'UNAUTHORIZED');
    assert.equal(body.user, undefined);
  });

  it('refuses a wrong password, a wrong user, and another scheme with 401', async () => {
    const { password } = simulator.adminCredentials;
    for (const header of [basic('admin', `${password}x`), basic('root', password), `Bearer ${password}`]) {
      const response = await fetch(url, { headers: { authorization: header } });
      assert.equal(response.status, 401, header);
      assert.ok(response.headers.get('www-authenticate'));
    }
  });

  it('rate-limits failed attempts: after 5 wrong passwords even the right one gets 429', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await fetch(url, { headers: { authorization: basic('admin', `guess-${i}`) } });
      assert.equal(response.status, 401, `attempt ${i + 1}`);
    }
    const locked = await fetch(url, { headers: { authorization: auth } });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.equal(((await locked.json()) as { error: { code: string } }).error.code, 'TOO_MANY_ATTEMPTS');
  });

  it('does not lock out after fewer failures, and a success resets the count', async () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) {
        const response = await fetch(url, { headers: { authorization: basic('admin', 'wrong') } });
        assert.equal(response.status, 401);
      }
      const response = await fetch(url, { headers: { authorization: auth } });
      assert.equal(response.status, 200, `round ${round + 1}`);
    }
  });

  it('streams session changes as server-sent events', async () => {
    const events: DeviceSession[] = [];
    const request = http.get(`${url}/events`, { headers: { authorization: auth } });
    try {
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        request.once('response', resolve);
        request.once('error', reject);
      });
      assert.equal(response.statusCode, 200);
      assert.match(response.headers['content-type'] ?? '', /^text\/event-stream/);
      const arrived = (count: number) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`only ${events.length} events`)), 5000);
          const check = () => {
            if (events.length < count) return;
            clearTimeout(timer);
            response.off('data', check);
            resolve();
          };
          response.on('data', check);
          check();
        });
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block);
          if (/^event: session$/m.test(block) && data) events.push(JSON.parse(data[1]!) as DeviceSession);
        }
      });
      await arrived(1);
      assert.equal(events[0]!.signedIn, false);
      simulator.deviceLogin.signIn({ pin: '2222' });
      simulator.deviceLogin.signOut();
      await arrived(3);
      assert.equal(events[1]!.user?.name, 'Bruno Okafor');
      assert.equal(events[2]!.signedIn, false);
    } finally {
      request.destroy();
    }
  });

  it('refuses the event stream without credentials', async () => {
    const response = await fetch(`${url}/events`);
    assert.equal(response.status, 401);
  });
});
