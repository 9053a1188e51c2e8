import assert from 'node:assert/strict';
import { DeviceLogin, type DeviceSession } from '../../../simulator/src/device-login/device-login.ts';
import { SimulatorError } from '../../../simulator/src/control-api/http-errors.ts';
import { DEMO_DEVICE_USERS } from '../../../simulator/src/device-login/device-users.ts';

describe('DeviceLogin (the MFP’s own sign-in)', () => {
  const at = new Date('2026-01-02T03:04:05.000Z');
  let login: DeviceLogin;
  let changes: DeviceSession[];

  beforeEach(() => {
    login = new DeviceLogin({ now: () => at });
    changes = [];
    login.on('change', (session) => changes.push(session));
  });

  it('has demo people with mixed-case emails, distinct cards and PINs', () => {
    const users = login.users();
    assert.ok(users.length >= 4);
    assert.ok(users.some((u) => u.email !== u.email.toLowerCase()));
    assert.equal(new Set(users.map((u) => u.card)).size, users.length);
    assert.equal(new Set(users.map((u) => u.pin)).size, users.length);
  });

  it('starts signed out', () => {
    assert.deepEqual(login.session(), { signedIn: false, user: null, since: null });
  });

  it('signs in by email case-insensitively and reports the directory spelling', () => {
    const session = login.signIn({ email: '  ALICE.martin@demo.EXAMPLE ' });
    assert.deepEqual(session, {
      signedIn: true,
      user: { name: 'Alice Martin', email: 'Alice.Martin@Demo.Example' },
      since: at.toISOString(),
    });
    assert.deepEqual(changes, [session]);
  });

  it('signs in by card (any hex case) and by PIN, one person at a time', () => {
    const second = DEMO_DEVICE_USERS[1]!;
    const third = DEMO_DEVICE_USERS[2]!;
    assert.equal(login.signIn({ card: second.card.toLowerCase() }).user?.name, second.name);
    assert.equal(login.signIn({ pin: third.pin }).user?.name, third.name);
    assert.deepEqual(
      changes.map((c) => c.user?.email),
      [second.email, third.email],
    );
  });

  it('does not emit when the same person badges again, and emits once on sign-out', () => {
    const user = DEMO_DEVICE_USERS[0]!;
    login.signIn({ card: user.card });
    login.signIn({ pin: user.pin });
    assert.equal(changes.length, 1);
    assert.deepEqual(login.signOut(), { signedIn: false, user: null, since: null });
    login.signOut();
    assert.equal(changes.length, 2);
    assert.equal(changes[1]!.signedIn, false);
  });

  it('refuses an unknown person with UNKNOWN_USER and keeps whoever was signed in', () => {
    login.signIn({ pin: DEMO_DEVICE_USERS[0]!.pin });
    assert.throws(
      () => login.signIn({ email: 'nobody@demo.example' }),
      (error: unknown) =>
        error instanceof SimulatorError && error.code === 'UNKNOWN_USER' && error.httpStatus === 404,
    );
    assert.throws(() => login.signIn({ pin: '0000' }), SimulatorError);
    assert.equal(login.session().user?.name, DEMO_DEVICE_USERS[0]!.name);
  });

  it('hands out copies of its user list', () => {
    login.users()[0]!.email = 'changed@example.com';
    assert.equal(login.users()[0]!.email, DEMO_DEVICE_USERS[0]!.email);
  });
});
