import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AvahiNamespace, NamespacedScript } from '../helpers/avahi-namespace.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = fileURLToPath(new URL('../../bin/mfp-edge.js', import.meta.url));

type Message = Record<string, unknown>;

/*
 * Issue 10's "Done when": `mfp-edge start --no-simulator` plus the console pairs a simulator started
 * on its own (`mfp-edge simulator`), discovered over DNS-SD. Everything networked runs inside a
 * private network namespace (its own loopback, its own avahi): the mocha process sends no mDNS and
 * the edge and simulator use their default ports there. The script reports each step; the checks
 * are here. Needs root (unshare).
 */
describe('end to end: the console pairs a separately started simulator found over DNS-SD', function () {
  this.timeout(300_000);
  const namespace = new AvahiNamespace();
  const data = tempDir('mfp-edge-dnssd-');
  const simulatorData = tempDir('mfp-sim-dnssd-');
  let script: NamespacedScript;
  let failure: Message | null = null;

  before(async () => {
    await namespace.start();
    script = new NamespacedScript(namespace, 'pairing', 'test/e2e/pairing-over-dns-sd-inside.ts', [
      data.path,
      simulatorData.path,
    ]);
    // The script stops its edge and simulator itself once done (or failed): wait for that.
    await script.message('stopped', 240_000);
    failure = await script.message('failed', 0).catch(() => null);
  });

  after(async () => {
    // Long enough for the script's own orderly stop (edge, simulator, browser: SIGTERM, then SIGKILL).
    await script?.stop(45_000);
    await namespace.stop();
    data.remove();
    simulatorData.remove();
  });

  /** The message of one step; a step that did not come says which step failed and why. */
  async function step(event: string): Promise<Message> {
    try {
      return await script.message(event, 0);
    } catch (error) {
      if (failure) throw new Error(`step "${failure.step}" failed: ${String(failure.message)}`);
      throw error;
    }
  }

  it('runs every step to the end', async () => {
    assert.equal(failure, null, failure ? `step "${failure.step}" failed: ${String(failure.message)}` : '');
    await step('done');
  });

  it('starts the simulator on its own with DNS-SD, and the edge without a simulator', async () => {
    const simulator = await step('simulator');
    assert.equal(simulator.scannerUrl, 'http://127.0.0.1:8090/eSCL');
    assert.equal(simulator.faxUrl, 'ipp://127.0.0.1:8090/ipp/faxout');
    const edge = await step('edge');
    assert.equal(edge.url, 'http://127.0.0.1:8080');
    assert.doesNotMatch(
      String(edge.output),
      /simulator console|demo device/i,
      'no built-in simulator, no demo',
    );
    assert.doesNotMatch(String(edge.output), /no administrator yet/, 'the CLI-made admin is seen');
  });

  it('makes the enterprise and its admin with the operator CLI', async () => {
    assert.equal((await step('enterprise')).slug, 'acme');
    assert.match(String((await step('admin')).output), /created admin admin@acme\.test in "Acme"/);
  });

  it('signs the admin in to the console API through the 2FA enrolment admins must do', async () => {
    const signedIn = await step('signed-in');
    assert.equal(signedIn.role, 'admin');
    assert.equal(signedIn.enterprise, 'acme');
    assert.equal(signedIn.enrolled, true, 'the enrolment step gave a TOTP secret');
    assert.ok(Number(signedIn.recoveryCodes) > 0, 'recovery codes after the enrolment');
  });

  it("discovers the simulator's eSCL scanner and IPP FaxOut over DNS-SD", async () => {
    const simulator = await step('simulator');
    const { device, answer } = (await step('discovered')) as {
      device: { name: string; host: string; scannerUrl: string; faxUrl: string };
      answer: { enabled: boolean; devices: unknown[] };
    };
    assert.equal(answer.enabled, true);
    assert.equal(device.name, 'mfp-edge Virtual MFP');
    assert.equal(device.host, '127.0.0.1');
    assert.equal(device.scannerUrl, simulator.scannerUrl);
    assert.equal(device.faxUrl, simulator.faxUrl);
    assert.equal(
      answer.devices.length,
      1,
      `only the simulator is on this network: ${JSON.stringify(answer)}`,
    );
  });

  it('the probe of the discovered URLs finds a scanner and a fax', async () => {
    const { status, result } = (await step('probed')) as {
      status: number;
      result: {
        scanner: { ok: boolean; makeAndModel?: string; sources?: { kind: string }[] };
        fax: { ok: boolean; faxOut?: boolean };
      };
    };
    assert.equal(status, 200);
    assert.equal(result.scanner.ok, true, JSON.stringify(result.scanner));
    assert.equal(result.scanner.makeAndModel, 'mfp-edge Virtual MFP');
    assert.ok(
      result.scanner.sources!.some((s) => s.kind === 'adf'),
      'the ADF is found',
    );
    assert.equal(result.fax.ok, true, JSON.stringify(result.fax));
    assert.equal(result.fax.faxOut, true);
  });

  it('approves the code as a user-prompt device with the discovered URLs; the panel pairs and says hello', async () => {
    const begun = await step('pairing-begun');
    assert.match(String(begun.userCode), /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(
      begun.approveUrl,
      `http://127.0.0.1:8080/admin/#/pair?code=${String(begun.userCode).replace('-', '')}`,
    );
    const simulator = await step('simulator');
    const { status, device } = (await step('approved')) as {
      status: number;
      device: {
        id: string;
        name: string;
        authMode: string;
        scannerUrl: string;
        faxUrl: string;
        sharedUser: unknown;
      };
    };
    assert.equal(status, 201);
    assert.equal(device.authMode, 'user-prompt');
    assert.equal(device.sharedUser, null);
    assert.equal(device.scannerUrl, simulator.scannerUrl);
    assert.equal(device.faxUrl, simulator.faxUrl);

    const claimed = await step('claimed');
    assert.deepEqual(claimed.approvedEvent, { deviceName: 'Reception MFP' });
    assert.ok(Number(claimed.tokenLength) >= 16);
    for (const event of ['hello', 'second-hello']) {
      const hello = await step(event);
      assert.deepEqual(
        hello.device,
        { id: device.id, name: 'Reception MFP', authMode: 'user-prompt' },
        event,
      );
      assert.equal(hello.user, null, `${event}: a user-prompt panel acts for nobody until someone signs in`);
    }
  });

  it('the console lists the device online, and never its credential', async () => {
    const { status, body } = (await step('console-devices')) as {
      status: number;
      body: { devices: { name: string; panelOnline: boolean }[] };
    };
    assert.equal(status, 200);
    assert.deepEqual(
      body.devices.map((d) => [d.name, d.panelOnline]),
      [['Reception MFP', true]],
    );
    assert.doesNotMatch(JSON.stringify(body), /token|hash|password/i);
  });

  it('pairs a second panel through the console in headless chromium: enrolment, the discovered printer, test, approve', async () => {
    const simulator = await step('simulator');
    assert.ok(Number((await step('browser-signed-in')).keyLength) >= 16, 'the enrolment showed a key');
    const discovered = await step('browser-discovered');
    assert.equal(discovered.option, 'mfp-edge Virtual MFP (127.0.0.1)');
    assert.equal(discovered.name, 'mfp-edge Virtual MFP', 'the name is offered from the discovery');
    assert.equal(discovered.scannerUrl, simulator.scannerUrl);
    assert.equal(discovered.faxUrl, simulator.faxUrl);
    const lines = (await step('browser-probed')).lines as string[];
    assert.match(lines.join('\n'), /^Scanner: mfp-edge Virtual MFP.*feeder/m, lines.join('\n'));
    assert.match(lines.join('\n'), /^Fax: .*FaxOut ready/m, lines.join('\n'));
    const approved = await step('browser-approved');
    assert.deepEqual(approved.approvedEvent, { deviceName: 'Back Office MFP' });
    assert.equal((approved.device as { authMode: string }).authMode, 'user-prompt');
    assert.equal(approved.user, null);
    assert.deepEqual(approved.problems, [], 'no script errors or CSP violations in the console');
  });

  it('mfp-edge admin device list --json lists the paired devices', async () => {
    const approved = (await step('approved')) as { device: { id: string } };
    const inConsole = (await step('browser-approved')) as { device: { id: string } };
    const { code, stdout, stderr } = await runCli(['admin', '--data', data.path, 'device', 'list', '--json']);
    assert.equal(code, 0, stderr);
    const devices = JSON.parse(stdout) as {
      id: string;
      name: string;
      authMode: string;
      scannerUrl: string | null;
      faxUrl: string | null;
      revokedAt: string | null;
    }[];
    const simulator = await step('simulator');
    assert.deepEqual(
      devices
        .map((d) => [d.id, d.name, d.authMode, d.scannerUrl, d.faxUrl, d.revokedAt])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      [
        [inConsole.device.id, 'Back Office MFP', 'user-prompt', simulator.scannerUrl, simulator.faxUrl, null],
        [approved.device.id, 'Reception MFP', 'user-prompt', simulator.scannerUrl, simulator.faxUrl, null],
      ],
      stdout,
    );
    assert.doesNotMatch(stdout, /tokenHash|credential"/i, 'no secret in the listing');
  });
});

/** The CLI on the data folder, outside the namespace: it only opens the SQLite file, no network. */
async function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, MFP_EDGE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
