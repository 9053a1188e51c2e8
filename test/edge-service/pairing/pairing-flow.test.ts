import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { CLOSE_CODES, PROTOCOL_VERSION } from '../../../protocol/index.ts';
import type { ApiActor } from '../../../edge-service/src/api/endpoint.ts';
import { consoleEventsRoute } from '../../../edge-service/src/api/console-events-route.ts';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import { DEMO_ADMIN, DEMO_SHARED_USER } from '../../../edge-service/src/demo-enterprise.ts';
import { PanelClient } from '../../helpers/panel-client.ts';
import { CliProcess } from '../../helpers/cli-process.ts';
import { startStack, type Stack } from '../../helpers/edge-and-simulator.ts';
import { callEndpoint } from './call-endpoint.ts';

const APP = { name: 'test-panel', version: '1.0.0' };

/*
 * End to end on the real edge and simulator: a panel over a real WebSocket pairs, an admin
 * approves through the device endpoints, revocations and changes reach the panel at once.
 */
describe('pairing and devices (edge + simulator)', function () {
  this.timeout(60000);
  let stack: Stack;
  let enterprise: EnterpriseRecord;
  let actor: ApiActor;
  let frontDeskId: string;
  const panels: PanelClient[] = [];

  before(async () => {
    stack = await startStack();
    const { directory, users } = stack.edge.repositories;
    enterprise = directory.findEnterpriseBySlug('demo')!;
    const admin = users.findByEmail(enterprise.id, DEMO_ADMIN.email)!;
    actor = { via: 'session', user: admin, credentialId: 'test-session' };
    frontDeskId = directory.findUserByEmail(enterprise.id, DEMO_SHARED_USER.email)!.id;
  });
  after(async () => {
    for (const p of panels) p.close();
    await CliProcess.killAll();
    await stack?.stop();
  });

  const call = (operationId: string, input: { params?: object; query?: object; body?: unknown } = {}) =>
    callEndpoint(stack.edge.devices.endpoints, operationId, input, { actor, enterprise });

  async function panel(): Promise<PanelClient> {
    const client = await PanelClient.connect(stack.wsUrl);
    panels.push(client);
    return client;
  }

  const hello = (client: PanelClient, deviceToken: string) =>
    client.request('hello', { protocolVersions: [PROTOCOL_VERSION], deviceToken, app: APP });

  let counter = 0;
  /** Pairs a fresh panel as a new device; returns it said hello. */
  async function pairNew(body: Record<string, unknown> = {}) {
    const client = await panel();
    const begun = await client.request('pairing.begin', { app: APP, screen: { width: 800, height: 480 } });
    const device = (await call('approvePairing', {
      params: { code: begun.userCode },
      body: {
        name: `Test MFP ${++counter}`,
        authMode: 'shared-account',
        sharedUserId: frontDeskId,
        ...stack.simulator.deviceUrls,
        ...body,
      },
    })) as { id: string; name: string; authMode: string };
    await client.waitForEvent('pairing.approved', () => true, 2000);
    const { deviceToken } = await client.request('pairing.claim', { deviceCode: begun.deviceCode });
    const reply = await hello(client, deviceToken);
    return { client, begun, device, deviceToken, reply };
  }

  it('pairs a panel with no credential: begin, approve by the code, pairing.approved, claim, hello', async () => {
    const client = await panel();
    const begun = await client.request('pairing.begin', { app: APP, screen: { width: 800, height: 480 } });
    assert.match(begun.userCode, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(begun.approveUrl, `${stack.edge.url}/admin/#/pair?code=${begun.userCode.replace('-', '')}`);
    assert.match(begun.qrPng, /^data:image\/png;base64,/);
    const left = Date.parse(begun.expiresAt) - Date.now();
    assert.ok(left > 9.9 * 60_000 && left <= 10 * 60_000, `expires in ${left} ms`);

    // Before the approval the claim is pending.
    await assert.rejects(client.request('pairing.claim', { deviceCode: begun.deviceCode }), {
      code: 'PAIRING_PENDING',
    });
    // The console looks the code up as typed (case, dash, spaces).
    const pending = (await call('getPairing', {
      params: { code: begun.userCode.toLowerCase().replace('-', ' ') },
    })) as {
      code: string;
      panel: { screen: { width: number } };
    };
    assert.equal(pending.code, begun.userCode);
    assert.equal(pending.panel.screen.width, 800);

    const started = Date.now();
    const device = (await call('approvePairing', {
      params: { code: begun.userCode },
      body: {
        name: 'Reception MFP',
        authMode: 'shared-account',
        sharedUserId: frontDeskId,
        ...stack.simulator.deviceUrls,
      },
    })) as { id: string; name: string };
    const approved = await client.waitForEvent('pairing.approved', () => true, 1000);
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(approved, { deviceName: 'Reception MFP' });
    assert.ok(!JSON.stringify(client.events).includes('deviceToken'), 'no secret is pushed');

    const { deviceToken } = await client.request('pairing.claim', { deviceCode: begun.deviceCode });
    const reply = await hello(client, deviceToken);
    assert.equal(reply.device.id, device.id);
    assert.equal(reply.user?.displayName, DEMO_SHARED_USER.displayName);
    // Single use.
    const other = await panel();
    await assert.rejects(other.request('pairing.claim', { deviceCode: begun.deviceCode }), {
      code: 'PAIRING_CODE_INVALID',
    });
    await assert.rejects(call('getPairing', { params: { code: begun.userCode } }), {
      code: 'PAIRING_CODE_INVALID',
    });
  });

  it('lets an unpaired connection do nothing but hello and pairing; a paired one cannot pair', async () => {
    const client = await panel();
    for (const [type, payload] of [
      ['fax.checkNumber', { number: '+12125550100' }],
      ['jobs.list', { limit: 1 }],
      ['auth.password', { email: 'a@b.c', password: 'x' }],
    ] as const)
      await assert.rejects(client.request(type, payload as never), { code: 'HELLO_REQUIRED' }, type);
    const { client: paired } = await pairNew();
    await assert.rejects(paired.request('pairing.begin', { app: APP }), { code: 'BAD_MESSAGE' });
  });

  it('revoking through the API closes the panel with 4403 at once; the old credential is refused', async () => {
    const { client, device, deviceToken } = await pairNew();
    const started = Date.now();
    await call('revokeDevice', { params: { id: device.id } });
    const closed = await client.waitForClose(1000);
    assert.equal(closed.code, CLOSE_CODES.DEVICE_REVOKED);
    assert.ok(Date.now() - started < 1000);
    const again = await panel();
    await assert.rejects(hello(again, deviceToken), { code: 'DEVICE_UNAUTHORIZED' });
    assert.equal((await again.waitForClose(2000)).code, CLOSE_CODES.DEVICE_UNAUTHORIZED);
    const listed = (await call('listDevices', { query: { revoked: 'true' } })) as {
      devices: { id: string; revokedAt: string | null }[];
    };
    assert.ok(listed.devices.find((d) => d.id === device.id)?.revokedAt);
  });

  it('a revocation by the admin CLI in another process reaches the panel within a second', async () => {
    const { client, device } = await pairNew();
    const cli = new CliProcess(['admin', '--data', stack.edge.dataDir, 'device', 'revoke', device.id]);
    const { code } = await cli.exited;
    assert.equal(code, 0, cli.output);
    const done = Date.now();
    const closed = await client.waitForClose(1500);
    assert.equal(closed.code, CLOSE_CODES.DEVICE_REVOKED);
    assert.ok(Date.now() - done < 1000, `${Date.now() - done} ms after the CLI exited`);
  });

  it('a mode change ends the sessions and the panel says hello again with the new mode', async () => {
    const { client, device, deviceToken } = await pairNew();
    await call('updateDevice', { params: { id: device.id }, body: { authMode: 'user-prompt' } });
    assert.equal((await client.waitForClose(1000)).code, CLOSE_CODES.DEVICE_CHANGED);
    const again = await panel();
    const reply = await hello(again, deviceToken);
    assert.equal(reply.device.authMode, 'user-prompt');
    assert.equal(reply.user, null);
    await call('updateDevice', { params: { id: device.id }, body: { name: 'Renamed MFP' } });
    assert.equal((await again.waitForClose(1000)).code, CLOSE_CODES.DEVICE_CHANGED);
    const third = await panel();
    assert.equal((await hello(third, deviceToken)).device.name, 'Renamed MFP');
    await assert.rejects(
      call('updateDevice', { params: { id: device.id }, body: { scannerUrl: 'ftp://x/eSCL' } }),
      { code: 'VALIDATION_FAILED' },
    );
    await assert.rejects(call('updateDevice', { params: { id: device.id }, body: { token: 'x' } }), {
      code: 'VALIDATION_FAILED',
    });
  });

  it('re-pairs a device: same record, a new credential, the old panel dropped and refused', async () => {
    const { client: old, device, deviceToken: oldToken } = await pairNew();
    const fresh = await panel();
    const begun = await fresh.request('pairing.begin', { app: APP });
    const again = (await call('approvePairing', {
      params: { code: begun.userCode },
      body: {
        name: device.name,
        authMode: 'user-prompt',
        deviceId: device.id,
        ...stack.simulator.deviceUrls,
      },
    })) as { id: string };
    assert.equal(again.id, device.id);
    assert.equal((await old.waitForClose(1000)).code, CLOSE_CODES.DEVICE_REVOKED);
    await fresh.waitForEvent('pairing.approved', () => true, 1000);
    const { deviceToken } = await fresh.request('pairing.claim', { deviceCode: begun.deviceCode });
    assert.equal((await hello(fresh, deviceToken)).device.id, device.id);
    const stale = await panel();
    await assert.rejects(hello(stale, oldToken), { code: 'DEVICE_UNAUTHORIZED' });
  });

  it('lists devices with live status and never a credential', async () => {
    const { device, deviceToken } = await pairNew();
    const one = (await call('getDevice', { params: { id: device.id } })) as Record<string, unknown> & {
      panelOnline: boolean;
      scanner: { state: string; adfLoaded: boolean | null };
      faxLine: { state: string };
    };
    assert.equal(one.panelOnline, true);
    assert.equal(one.scanner.state, 'idle');
    assert.equal(typeof one.scanner.adfLoaded, 'boolean');
    assert.equal(one.faxLine.state, 'idle');
    const list = (await call('listDevices')) as { devices: unknown[] };
    const text = JSON.stringify(list);
    assert.ok(!text.includes(deviceToken));
    assert.ok(!text.includes(stack.token), 'not the demo device token either');
    assert.ok(!text.includes(stack.simulator.adminCredentials.password), 'nor the device admin password');
    await assert.rejects(call('getDevice', { params: { id: 'no-such-device' } }), {
      code: 'DEVICE_NOT_FOUND',
    });
  });

  it('probes the simulator (eSCL capabilities, IPP FaxOut), fails on a closed port, refuses other schemes', async () => {
    const found = (await call('probeDevice', { body: stack.simulator.deviceUrls })) as {
      scanner: { ok: true; makeAndModel: string; sources: { kind: string; resolutions: number[] }[] };
      fax: { ok: true; makeAndModel: string; faxOut: boolean; state: string };
    };
    assert.equal(found.scanner.ok, true);
    assert.ok(found.scanner.makeAndModel.length > 0);
    assert.ok(found.scanner.sources.some((s) => s.kind === 'adf' && s.resolutions.length > 0));
    assert.equal(found.fax.ok, true);
    assert.equal(found.fax.faxOut, true);
    assert.equal(found.fax.state, 'idle');

    const closed = await new Promise<number>((resolve) => {
      const server: Server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const failed = (await call('probeDevice', {
      body: { scannerUrl: `http://127.0.0.1:${closed}/eSCL`, faxUrl: `ipp://127.0.0.1:${closed}/ipp/faxout` },
    })) as { scanner: { ok: false; code: string; message: string }; fax: { ok: false; code: string } };
    assert.equal(failed.scanner.ok, false);
    assert.equal(failed.scanner.code, 'DEVICE_PROBE_FAILED');
    assert.match(failed.scanner.message, new RegExp(String(closed)));
    assert.equal(failed.fax.code, 'DEVICE_PROBE_FAILED');
    await assert.rejects(call('probeDevice', { body: { scannerUrl: 'file:///etc/passwd' } }), {
      code: 'VALIDATION_FAILED',
    });
    await assert.rejects(call('probeDevice', { body: { faxUrl: 'gopher://x/' } }), {
      code: 'VALIDATION_FAILED',
    });
  });

  it('streams live changes to the console (Server-Sent Events)', async () => {
    const app = express();
    app.get(
      '/api/v1/enterprises/:enterprise/events',
      consoleEventsRoute({
        status: stack.edge.devices.status,
        pairing: stack.edge.devices.pairing,
        policies: stack.edge.people.policies,
        authorize: (_req, slug) => stack.edge.repositories.directory.findEnterpriseBySlug(slug)!,
      }),
    );
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const abort = new AbortController();
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/enterprises/demo/events`, {
        signal: abort.signal,
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
      const reader = response.body!.getReader();
      let text = '';
      // One read outstanding at a time: a read that loses the race to the timer is kept, not dropped.
      let pending: ReturnType<typeof reader.read> | null = null;
      const waitFor = async (pattern: RegExp, timeoutMs = 5000) => {
        const deadline = Date.now() + timeoutMs;
        while (!pattern.test(text)) {
          if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${text.slice(-3000)}`);
          pending ??= reader.read();
          const chunk = await Promise.race([
            pending,
            new Promise<null>((r) => setTimeout(() => r(null), 200)),
          ]);
          if (chunk === null) continue;
          pending = null;
          if (!chunk.done) text += Buffer.from(chunk.value).toString('utf8');
        }
      };
      await waitFor(/event: ready/);
      const { device } = await pairNew();
      await waitFor(/event: pairing\.pending/);
      await waitFor(new RegExp(`event: pairing\\.approved\\ndata: .*${device.id}`));
      await waitFor(/event: pairing\.claimed/);
      await waitFor(new RegExp(`event: device\\ndata: \\{"id":"${device.id}".*"panelOnline":true`));
      stack.edge.people.policies.update(enterprise.id, { panelInactivitySeconds: 90 }, 'test');
      await waitFor(/event: policy\ndata: \{"version":/);
    } finally {
      abort.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the simulator console page holds no device token; its frame pairs once with a one-time code', async () => {
    const page = await (await fetch(`${stack.simulator.url}/`)).text();
    assert.ok(!page.includes('device-token'), 'no device-token fragment');
    for (const p of stack.panels) {
      const token = /device-token=([\w-]+)/.exec(p.panelUrl)![1]!;
      assert.ok(!page.includes(token), `no ${p.mode} token`);
    }
    const code = /pairing-code=([\w-]+)/.exec(page)?.[1];
    assert.ok(code, 'the frame carries a one-time pairing code');
    const first = await panel();
    const { deviceToken } = await first.request('pairing.claim', { deviceCode: code });
    assert.equal((await hello(first, deviceToken)).device.id, stack.panels[0]!.deviceId);
    const second = await panel();
    await assert.rejects(second.request('pairing.claim', { deviceCode: code }), {
      code: 'PAIRING_CODE_INVALID',
    });
    // The printed terminal URL's credential still works beside it.
    const printed = await panel();
    assert.equal((await hello(printed, stack.token)).device.id, stack.panels[0]!.deviceId);
  });
});
