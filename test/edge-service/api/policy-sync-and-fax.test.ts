import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { hashDeviceToken, newDeviceToken } from '../../../edge-service/src/services/device-credentials.ts';
import { PanelClient } from '../../helpers/panel-client.ts';
import {
  createAccount,
  ensureEnterprise,
  sessionClient,
  startApiEdge,
  type ApiClient,
  type ApiEdge,
  type TestAccount,
} from '../../helpers/api-client.ts';

const CLI = resolve(import.meta.dirname, '../../../bin/mfp-edge.js');

function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'admin', ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe('api/policy sync to panels and the per-user fax service', function () {
  this.timeout(120_000);
  let api: ApiEdge;
  let admin: ApiClient;
  let shared: TestAccount;
  let deviceToken: string;
  const panels: PanelClient[] = [];

  const connect = async () => {
    const client = await PanelClient.connect(`${api.url.replace(/^http/, 'ws')}/ws`);
    panels.push(client);
    const hello = await client.request('hello', {
      protocolVersions: [1],
      deviceToken,
      app: { name: 'test', version: '1' },
    });
    return { client, hello };
  };

  before(async () => {
    api = await startApiEdge();
    const acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    admin = sessionClient(
      api.edge,
      await createAccount(api.edge, { enterprise: acme, email: 'admin@acme.test' }),
    );
    shared = await createAccount(api.edge, { enterprise: acme, email: 'frontdesk@acme.test', role: 'user' });
    deviceToken = newDeviceToken();
    api.edge.repositories.devices.create({
      enterpriseId: acme.id,
      name: 'Front desk',
      authMode: 'shared-account',
      sharedUserId: shared.user.id,
      scannerUrl: 'http://127.0.0.1:9/eSCL',
      faxUrl: 'ipp://127.0.0.1:9/ipp/faxout',
      tokenHash: hashDeviceToken(deviceToken),
    });
  });
  after(async () => {
    for (const p of panels) p.close();
    await api?.stop();
  });

  it('a change through the API reaches a connected panel within one second', async () => {
    const { client, hello } = await connect();
    const started = Date.now();
    const patch = await admin.request('PATCH', '/enterprises/acme/policy', { panelInactivitySeconds: 90 });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    const pushed = await client.waitForEvent(
      'policy.updated',
      (p) => p.policy.panelInactivitySeconds === 90,
      1000,
    );
    assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
    assert.equal(pushed.policy.version, patch.body.version);
    assert.ok(pushed.policy.version > hello.policy!.version);
  });

  it('a change by the admin CLI (another process) reaches it within one second, audited as cli:<user>', async () => {
    const { client } = await connect();
    const set = await cli(['--data', api.dataDir, 'policy', 'set', 'panelInactivitySeconds=120']);
    const exited = Date.now();
    assert.equal(set.code, 0, set.output);
    await client.waitForEvent('policy.updated', (p) => p.policy.panelInactivitySeconds === 120, 1000);
    assert.ok(Date.now() - exited < 1000, `${Date.now() - exited} ms`);
    const audit = await admin.request('GET', '/enterprises/acme/audit?action=policy.update&pageSize=1');
    assert.match(audit.body.items[0].actor, /^cli:/);
    assert.deepEqual(audit.body.items[0].details.changes, [
      { key: 'panelInactivitySeconds', from: 90, to: 120 },
    ]);
    const policy = await admin.request('GET', '/enterprises/acme/policy');
    assert.match(policy.body.updatedBy, /^cli:/);
  });

  it('a panel (re)connecting gets the current version in hello', async () => {
    const current = await admin.request('GET', '/enterprises/acme/policy');
    const { hello } = await connect();
    assert.equal(hello.policy!.version, current.body.version);
    assert.equal(hello.policy!.panelInactivitySeconds, 120);
  });

  it('refuses fax.send with FAX_SERVICE_DISABLED once an admin turns the fax service off, at the next send', async () => {
    const { client } = await connect();
    const off = await admin.request('PATCH', `/enterprises/acme/users/${shared.user.id}`, {
      faxEnabled: false,
    });
    assert.equal(off.status, 200);
    assert.equal(off.body.faxEnabled, false);
    await assert.rejects(client.request('fax.send', { recipients: ['+12125550100'] }), {
      code: 'FAX_SERVICE_DISABLED',
    });
    const listed = await admin.request('GET', '/enterprises/acme/users?service=no-fax');
    assert.deepEqual(
      listed.body.items.map((u: { email: string }) => u.email),
      ['frontdesk@acme.test'],
    );
    await admin.request('POST', '/enterprises/acme/users/bulk', {
      ids: [shared.user.id],
      set: { faxEnabled: true },
    });
    const sent = await client
      .request('fax.send', { recipients: ['+12125550100'] })
      .catch((e: { code: string }) => e);
    assert.notEqual((sent as { code?: string }).code, 'FAX_SERVICE_DISABLED');
  });
});
