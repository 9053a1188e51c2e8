import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Simulator } from '../../../../simulator/src/simulator.ts';
import { createLogger as createSimulatorLogger } from '../../../../simulator/src/logger.ts';
import type { DevicePerson } from '../../../../edge-service/src/domain/device-identity.ts';
import { DeviceLoginClient } from '../../../../edge-service/src/drivers/device-login/device-login-client.ts';
import {
  DeviceLoginIdentity,
  type DeviceLoginTimings,
} from '../../../../edge-service/src/drivers/device-login/device-login-identity.ts';
import { NetworkDeviceDrivers } from '../../../../edge-service/src/services/device-drivers.ts';
import { SecretBox } from '../../../../edge-service/src/auth/secret-box.ts';
import { openDatabase } from '../../../../edge-service/src/db/database.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../../../edge-service/src/storage/sqlite-device-repository.ts';
import { captureLogs } from '../../mail/log-capture.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const PASSWORD = 'x-device-admin-secret';
const FAST: Partial<DeviceLoginTimings> = {
  reconnectFirstMs: 100,
  reconnectMaxMs: 300,
  pollIntervalMs: 200,
  rejectedRetryMs: 60_000,
};

/** Every request the driver makes, counted, passed on to the real fetch. */
function countingFetch(): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (input, init) => {
      calls.push(String(input));
      return fetch(input, init);
    },
  };
}

/** Resolves once `test` holds, checking every 10 ms; fails after `ms`. */
async function eventually(test: () => boolean, ms: number, what: string): Promise<number> {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

/* The device-login driver against the virtual MFP's real device API, in-process on port 0. */
describe('device login driver on the simulator', function () {
  this.timeout(20_000);
  let simulator: Simulator;
  const stops: (() => void)[] = [];

  const start = async (port = 0) => {
    simulator = new Simulator({
      port,
      adminPassword: PASSWORD,
      logger: createSimulatorLogger({ level: 'silent' }),
    });
    await simulator.start();
    return simulator;
  };
  const control = (method: string, body?: object) =>
    fetch(`${simulator.url}/sim/api/device-login`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const identity = (
    options: {
      password?: string;
      fetch?: typeof fetch;
      logger?: ReturnType<typeof captureLogs>['logger'];
    } = {},
  ) =>
    new DeviceLoginIdentity({
      client: new DeviceLoginClient({
        baseUrl: `${simulator.url}/device/api/v1`,
        credential: { username: 'admin', password: options.password ?? PASSWORD },
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      }),
      ...(options.logger ? { logger: options.logger } : {}),
      timings: FAST,
    });

  beforeEach(() => start());
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await simulator.stop();
  });

  it('current(): nobody, then the person signed in by PIN, then nobody after sign-out', async () => {
    const id = identity();
    assert.equal(await id.current(), null);
    const people = (await (await control('GET')).json()) as unknown;
    assert.ok(JSON.stringify(people).includes('Alice Martin'));
    assert.equal((await control('PUT', { pin: '1111' })).status, 200);
    assert.deepEqual(await id.current(), { name: 'Alice Martin', email: 'Alice.Martin@Demo.Example' });
    assert.equal((await control('DELETE')).status, 200);
    assert.equal(await id.current(), null);
  });

  it('watch(): hears the state at start, then a sign-in and a sign-out each within a second', async () => {
    const id = identity();
    const seen: (DevicePerson | null)[] = [];
    const errors: unknown[] = [];
    stops.push(
      id.watch(
        (person) => seen.push(person),
        (error) => errors.push(error),
      ),
    );
    await eventually(() => seen.length === 1, 1000, 'the initial state');
    assert.equal(seen[0], null);
    await control('PUT', { pin: '2222' });
    assert.ok((await eventually(() => seen.length === 2, 1000, 'the sign-in')) < 1000);
    assert.deepEqual(seen[1], { name: 'Bruno Okafor', email: 'bruno.okafor@demo.example' });
    await control('DELETE');
    await eventually(() => seen.length === 3, 1000, 'the sign-out');
    assert.equal(seen[2], null);
    // A second watcher shares the connection and hears the last known state at once.
    const late: (DevicePerson | null)[] = [];
    stops.push(id.watch((person) => late.push(person)));
    await eventually(() => late.length === 1, 200, 'the state for a late watcher');
    assert.equal(late[0], null);
    assert.deepEqual(errors, []);
  });

  it('a wrong password: DEVICE_CREDENTIAL_REJECTED, one or two attempts in all, the device never locks out', async () => {
    const counted = countingFetch();
    const logs = captureLogs();
    const id = identity({ password: 'wrong-password', fetch: counted.fetch, logger: logs.logger });
    const errors: { code?: string }[] = [];
    stops.push(
      id.watch(
        () => assert.fail('no person from a rejected credential'),
        (error) => errors.push(error as never),
      ),
    );
    await eventually(() => errors.length >= 1, 2000, 'the error');
    for (let i = 0; i < 10; i++) await assert.rejects(id.current(), { code: 'DEVICE_CREDENTIAL_REJECTED' });
    await new Promise((resolve) => setTimeout(resolve, 1200)); // several reconnect and poll periods
    assert.equal(errors[0]!.code, 'DEVICE_CREDENTIAL_REJECTED');
    assert.ok(counted.calls.length <= 2, `${counted.calls.length} attempts`);
    // The right credential still gets in: the device counted fewer than 5 failures.
    const ok = await identity().current();
    assert.equal(ok, null);
    assert.ok(!logs.text().includes('wrong-password'));
    assert.ok(!/basic\s+[a-z0-9+/=]{8,}/i.test(logs.text()), 'no Authorization header in the logs');
  });

  it('watch() recovers when the device is switched off and on again on the same port', async () => {
    const port = Number(new URL(simulator.url).port);
    const id = identity();
    const seen: (DevicePerson | null)[] = [];
    const errors: { code?: string }[] = [];
    stops.push(
      id.watch(
        (person) => seen.push(person),
        (error) => errors.push(error as never),
      ),
    );
    await eventually(() => seen.length === 1, 1000, 'the initial state');
    await control('PUT', { pin: '1111' });
    await eventually(() => seen.length === 2, 1000, 'the first sign-in');
    await simulator.stop();
    await eventually(() => errors.length >= 1, 2000, 'the lost connection');
    assert.equal(errors[0]!.code, 'DEVICE_LOGIN_UNAVAILABLE');
    await new Promise((resolve) => setTimeout(resolve, 500)); // a few failed reconnects
    await start(port);
    // The new device has nobody signed in: the watch reconnects and hears it.
    await eventually(() => seen.length === 3, 3000, 'the state after the restart');
    assert.equal(seen[2], null);
    await control('PUT', { pin: '3333' });
    await eventually(() => seen.length === 4, 1000, 'a sign-in after the restart');
    assert.equal(seen[3]?.name, 'Chloé Dubois');
  });

  it('NetworkDeviceDrivers: an identity from the stored (encrypted) credential, one per device, none without one', async () => {
    const dir = tempDir('device-login-drivers-');
    const db = openDatabase(join(dir.path, 'edge.db'));
    try {
      const devices = new SqliteDeviceRepository(db, { secretBox: new SecretBox(randomBytes(32)) });
      const enterprise = new SqliteDirectoryRepository(db).createEnterprise('Demo');
      let device = devices.create({
        enterpriseId: enterprise.id,
        name: 'Sim',
        authMode: 'device-login',
        sharedUserId: null,
        scannerUrl: `${simulator.url}/eSCL`,
        faxUrl: null,
        tokenHash: 'hash',
      });
      const drivers = new NetworkDeviceDrivers(createLogger(), {
        adminCredentials: devices,
        deviceLogin: { timings: FAST },
      });
      assert.equal(drivers.identity(device), null);
      devices.setAdminCredential(device.id, simulator.adminCredentials);
      const id = drivers.identity(device)!;
      assert.equal(drivers.identity(device), id);
      await control('PUT', { pin: '4444' });
      assert.equal((await id.current())?.name, 'Dmitri Ivanov');

      const ended: { code?: string; closed?: boolean }[] = [];
      stops.push(
        id.watch(
          () => {},
          (error) => ended.push(error as never),
        ),
      );
      devices.setAdminCredential(device.id, { username: 'admin', password: 'changed' });
      const replaced = drivers.identity(device)!;
      assert.notEqual(replaced, id);
      assert.equal(ended.at(-1)?.closed, true);
      await assert.rejects(replaced.current(), { code: 'DEVICE_CREDENTIAL_REJECTED' });

      devices.setDeviceApiUrl(device.id, `${simulator.url}/device/api/v1`);
      devices.setAdminCredential(device.id, simulator.adminCredentials);
      device = devices.get(device.id)!;
      assert.equal((await drivers.identity(device)!.current())?.name, 'Dmitri Ivanov');
      devices.setAdminCredential(device.id, null);
      assert.equal(drivers.identity(device), null);
      assert.equal(new NetworkDeviceDrivers(createLogger()).identity(device), null);
      drivers.close();
    } finally {
      db.close();
      dir.remove();
    }
  });
});

function createLogger() {
  return captureLogs().logger;
}
