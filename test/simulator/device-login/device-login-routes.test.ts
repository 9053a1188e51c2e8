import assert from 'node:assert/strict';
import { Simulator } from '../../../simulator/src/simulator.ts';
import { createLogger } from '../../../simulator/src/logger.ts';
import type { DeviceSession } from '../../../simulator/src/device-login/device-login.ts';

interface LoginState extends DeviceSession {
  users: { name: string; email: string; card: string; pin: string }[];
}

/* The control API a tester's script (and the console) uses to badge people in and out. */
describe('control API /sim/api/device-login', () => {
  let simulator: Simulator;
  let url: string;

  before(async () => {
    simulator = new Simulator({ port: 0, timeFactor: 0, logger: createLogger({ level: 'silent' }) });
    await simulator.start();
    url = `${simulator.url}/sim/api/device-login`;
  });

  after(async () => {
    await simulator?.stop();
  });

  afterEach(() => {
    simulator.deviceLogin.signOut();
  });

  const put = (body: string, contentType = 'application/json') =>
    fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body });

  it('GET shows no one signed in and the enrolled people', async () => {
    const response = await fetch(url);
    assert.equal(response.status, 200);
    const state = (await response.json()) as LoginState;
    assert.equal(state.signedIn, false);
    assert.equal(state.user, null);
    assert.equal(state.since, null);
    assert.ok(state.users.length >= 4);
    for (const user of state.users) {
      assert.ok(user.name && user.email.includes('@') && user.card && user.pin, JSON.stringify(user));
    }
  });

  it('PUT {email} (any case) signs that person in; GET shows them; the emitter reports it', async () => {
    const seen: DeviceSession[] = [];
    simulator.deviceLogin.on('change', (session) => seen.push(session));
    const response = await put(JSON.stringify({ email: 'alice.MARTIN@demo.example' }));
    assert.equal(response.status, 200);
    const session = (await response.json()) as DeviceSession;
    assert.deepEqual(session.user, { name: 'Alice Martin', email: 'Alice.Martin@Demo.Example' });
    assert.ok(!Number.isNaN(Date.parse(session.since ?? '')));
    const state = (await (await fetch(url)).json()) as LoginState;
    assert.equal(state.signedIn, true);
    assert.equal(state.user?.email, 'Alice.Martin@Demo.Example');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.user?.name, 'Alice Martin');
  });

  it('PUT {card} and PUT {pin} sign in the badge’s and the PIN’s owner', async () => {
    const { users } = (await (await fetch(url)).json()) as LoginState;
    const [, second, third] = users;
    const byCard = (await (await put(JSON.stringify({ card: second!.card }))).json()) as DeviceSession;
    assert.equal(byCard.user?.email, second!.email);
    const byPin = (await (await put(JSON.stringify({ pin: third!.pin }))).json()) as DeviceSession;
    assert.equal(byPin.user?.email, third!.email);
  });

  it('DELETE signs out', async () => {
    await put(JSON.stringify({ pin: '1111' }));
    const response = await fetch(url, { method: 'DELETE' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { signedIn: false, user: null, since: null });
    assert.equal(simulator.deviceLogin.session().signedIn, false);
  });

  it('refuses an unknown person with a JSON UNKNOWN_USER error and changes nothing', async () => {
    await put(JSON.stringify({ pin: '1111' }));
    for (const body of [{ email: 'mallory@demo.example' }, { card: 'FFFFFFFF' }, { pin: '9999' }]) {
      const response = await put(JSON.stringify(body));
      assert.equal(response.status, 404, JSON.stringify(body));
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'UNKNOWN_USER');
      assert.ok(error.message.length > 0);
    }
    assert.equal(simulator.deviceLogin.session().user?.name, 'Alice Martin');
  });

  it('refuses malformed bodies with 400 and a stable code', async () => {
    const cases: [string, string, string][] = [
      ['{}', 'application/json', 'INVALID_SIGN_IN'],
      [JSON.stringify({ email: 'a@b.c', pin: '1111' }), 'application/json', 'INVALID_SIGN_IN'],
      [JSON.stringify({ pin: 1111 }), 'application/json', 'INVALID_SIGN_IN'],
      [JSON.stringify({ email: '   ' }), 'application/json', 'INVALID_SIGN_IN'],
      ['{not json', 'application/json', 'INVALID_BODY'],
      ['pin=1111', 'application/x-www-form-urlencoded', 'INVALID_SIGN_IN'],
    ];
    for (const [body, contentType, code] of cases) {
      const response = await put(body, contentType);
      assert.equal(response.status, 400, body);
      const { error } = (await response.json()) as { error: { code: string } };
      assert.equal(error.code, code, body);
    }
    assert.equal(simulator.deviceLogin.session().signedIn, false);
  });
});
