import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../helpers/api-client.ts';
import { CliProcess } from '../helpers/cli-process.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = join(import.meta.dirname, '../../bin/mfp-edge.js');

/*
 * SIGKILL in the middle of what people do (issue 14): a panel sign-in, a pairing approval, a policy
 * change. After the restart nothing is half done — the sign-in can simply be repeated, the pairing
 * is approved or still waiting (never a device without its credential), the policy is the old or
 * the new one, whole — and the audit chain still verifies.
 */
describe('the edge killed during a sign-in, a pairing approval and a policy change', function () {
  this.timeout(240_000);
  const dir = tempDir('mfp-kill-people-');
  const panels: PanelClient[] = [];
  let edge: CliProcess;
  let url = '';
  let promptToken = '';
  let promptPassword = '';
  let promptEmail = '';
  const adminPassword = 'correct horse battery staple 7';
  let api: ApiClient;
  const admin = { email: 'ops@demo.example', password: adminPassword, totpSecret: null as string | null };

  after(async () => {
    for (const panel of panels) panel.close();
    await CliProcess.killAll();
    dir.remove();
  });

  async function start(): Promise<void> {
    edge = new CliProcess(['start', '--port', '0', '--data', dir.path, '--simulator-port', '0']);
    const line = (await edge.waitFor(
      /user-prompt panel:\s+(\S+)\s+\(user-prompt: (\S+), ([^\n]*)\)/,
      30_000,
    ))!;
    const panelUrl = new URL(line[1]!);
    url = `http://${panelUrl.host}`;
    promptToken = /device-token=([\w-]+)/.exec(panelUrl.hash)![1]!;
    promptEmail = line[2]!;
    promptPassword ||= /initial password (\S+),/.exec(line[3]!)![1]!;
  }

  async function panel(token: string | null): Promise<PanelClient> {
    const client = await PanelClient.connect(`${url.replace('http', 'ws')}/ws`);
    panels.push(client);
    if (token)
      await client.request('hello', {
        protocolVersions: [1],
        deviceToken: token,
        app: { name: 'kill', version: '1' },
      });
    return client;
  }

  /** `mfp-edge admin …` as an operator runs it, `input` on its standard input. */
  function cli(args: string[], input = ''): Promise<{ code: number | null; output: string }> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [BIN, 'admin', '--data', dir.path, ...args], {
        env: { ...process.env, MFP_EDGE_LOG_LEVEL: 'warn' },
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('error', fail);
      child.on('exit', (code) => done({ code, output }));
      child.stdin.end(input);
    });
  }

  async function killAndRestart(): Promise<void> {
    await edge.kill('SIGKILL');
    await start();
  }

  before(async () => {
    await start();
  });

  it('a panel sign-in: repeated after the restart, as if it never began', async () => {
    const first = await panel(promptToken);
    // Sent, not awaited: the kill lands while the password is being checked.
    void first
      .request('auth.password', { email: promptEmail, password: promptPassword })
      .catch(() => undefined);
    await sleep(30);
    await killAndRestart();
    const again = await panel(promptToken);
    const step = await again.request('auth.password', {
      email: promptEmail,
      password: promptPassword,
    });
    assert.equal(step.step, 'change-password', JSON.stringify(step));
  });

  /** A console session (it lives in the database, so it outlasts every restart), signed in once. */
  async function console(): Promise<ApiClient> {
    if (!api) {
      const added = await cli(
        ['user', 'add', '--email', admin.email, '--name', 'Ops', '--role', 'admin', '--password-stdin'],
        `${adminPassword}\n`,
      );
      assert.equal(added.code, 0, added.output);
      api = new ApiClient(url);
      api.origin = url;
      await api.signIn(admin);
    }
    api.baseUrl = `${url}/api/v1`;
    api.origin = url;
    return api;
  }

  /** Sends the request, then kills the edge: `mid` a moment after sending, else right after the answer. */
  async function killDuring(
    request: () => Promise<{ status: number }>,
    mid: boolean,
  ): Promise<number | null> {
    const answer = request().then(
      (a) => a.status,
      () => null,
    );
    if (mid) await sleep(10);
    const status = mid ? null : await answer;
    await killAndRestart();
    return status;
  }

  for (const mid of [true, false]) {
    it(`a pairing approval, killed ${mid ? 'mid-request' : 'right after its answer'}: approved whole or still waiting`, async () => {
      const client = await console();
      const users = JSON.parse((await cli(['user', 'list', '--json'])).output) as {
        id: string;
        email: string;
      }[];
      const frontDesk = users.find((u) => u.email === 'front-desk@demo.example')!.id;
      const name = `Reception ${mid ? 'A' : 'B'}`;
      const begun = await (
        await panel(null)
      ).request('pairing.begin', { app: { name: 'kill', version: '1' } });
      const approve = () =>
        client.request('POST', `/enterprises/demo/pairings/${begun.userCode.replace('-', '')}/approve`, {
          name,
          authMode: 'shared-account',
          sharedUserId: frontDesk,
        });
      const status = await killDuring(approve, mid);
      await console(); // pointed at the restarted edge
      if (!mid) assert.equal(status, 201, 'approved before the kill');

      const devices = JSON.parse((await cli(['device', 'list', '--json'])).output) as { name: string }[];
      const recorded = devices.filter((d) => d.name === name).length;
      assert.ok(recorded <= 1, 'one device at most');
      if (!mid) assert.equal(recorded, 1, 'an approval that was answered is kept');
      // Not approved before the kill: the code still waits, and approving now works.
      if (recorded === 0) assert.equal((await approve()).status, 201);
      const claimed = await (await panel(null)).request('pairing.claim', { deviceCode: begun.deviceCode });
      // hello with the credential (panel() fails the test if it is refused), then a request as the device.
      const device = await panel(claimed.deviceToken);
      assert.ok(Array.isArray((await device.request('jobs.list', { limit: 1 })).jobs));
      process.stdout.write(`      killed ${recorded ? 'after' : 'before'} the approval was recorded\n`);
    });
  }

  for (const mid of [true, false]) {
    it(`a policy change, killed ${mid ? 'mid-request' : 'right after its answer'}: old or new, whole; the audit chain verifies`, async () => {
      const client = await console();
      type Shown = { version: number; document: Record<string, number> };
      const before = JSON.parse((await cli(['policy', 'show', '--json'])).output) as Shown;
      const wanted = {
        lockoutAttempts: before.document.lockoutAttempts! + 1,
        passwordMinLength: before.document.passwordMinLength! + 1,
      };
      const status = await killDuring(() => client.request('PATCH', '/enterprises/demo/policy', wanted), mid);
      const after = JSON.parse((await cli(['policy', 'show', '--json'])).output) as Shown;
      const old =
        after.version === before.version &&
        after.document.lockoutAttempts === before.document.lockoutAttempts;
      const changed =
        after.version === before.version + 1 &&
        after.document.lockoutAttempts === wanted.lockoutAttempts &&
        after.document.passwordMinLength === wanted.passwordMinLength;
      assert.ok(old || changed, JSON.stringify({ before, after }));
      if (!mid) {
        assert.equal(status, 200, 'changed before the kill');
        assert.ok(changed, 'a change that was answered is kept');
      }
      const verified = await cli(['audit', 'verify']);
      assert.equal(verified.code, 0, verified.output);
      process.stdout.write(`      the ${changed ? 'new' : 'old'} policy after the restart\n`);
    });
  }
});
