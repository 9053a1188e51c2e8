/**
 * Run inside an AvahiNamespace by pairing-over-dns-sd.test.ts (never directly): the operator's
 * path to a first device, with every piece its own process as in production. A simulator started
 * on its own (`mfp-edge simulator --dns-sd`), an edge without its built-in simulator
 * (`mfp-edge start --no-simulator --dns-sd`), an admin made with the operator CLI, the console API
 * over HTTP and a panel over the WebSocket. The edge finds the simulator over DNS-SD only: nobody
 * tells it the simulator's address.
 *
 * Arguments: the edge's data folder, the simulator's data folder. Messages (one per step, each
 * with what the test checks): simulator, enterprise, admin, edge, signed-in, pairing-begun,
 * discovered, probed, approved, claimed, hello, second-hello, console-devices; `done` at the end,
 * or `failed` {step, message}. Every process it started is stopped before `stopped`, also on a
 * failure or when the test goes away.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onParentGone, sendMessage } from '../helpers/avahi-namespace.ts';
import { ApiClient, TEST_PASSWORD } from '../helpers/api-client.ts';
import { CliProcess } from '../helpers/cli-process.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { openConsole } from '../helpers/console-browser.ts';
import { totpCode } from '../../edge-service/src/auth/totp.ts';
import type { Browser } from 'playwright-core';
import { PROTOCOL_VERSION } from '../../protocol/index.ts';

const [dataDir, simulatorDataDir] = process.argv.slice(2);
if (!dataDir || !simulatorDataDir) throw new Error('usage: pairing-over-dns-sd-inside.ts EDGE_DATA SIM_DATA');

const BIN = fileURLToPath(new URL('../../bin/mfp-edge.js', import.meta.url));
const APP = { name: 'dns-sd-e2e-panel', version: '1.0.0' };
const ADMIN = { email: 'admin@acme.test', password: TEST_PASSWORD, totpSecret: null as string | null };
const DISCOVERY_TIMEOUT_MS = 20_000;

/** A second admin, who enrols and pairs in the console itself (headless chromium). */
const BROWSER_ADMIN = { email: 'it@acme.test', password: TEST_PASSWORD };

const processes: CliProcess[] = [];
const panels: PanelClient[] = [];
let browser: Browser | null = null;
let step = 'start';
let stopped = false;

/** An `mfp-edge admin` command run to its end, the password (if any) on its standard input. */
async function admin(args: string[], stdin = ''): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BIN, 'admin', '--data', dataDir!, ...args], {
    env: { ...process.env, MFP_EDGE_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      output += `spawn failed: ${error.message}\n`;
      resolve(null);
    });
    child.on('close', (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  if (code !== 0) throw new Error(`mfp-edge admin ${args.join(' ')} exited ${code}:\n${output}`);
  return { code, output };
}

function started(args: string[]): CliProcess {
  const child = new CliProcess(args);
  processes.push(child);
  return child;
}

/** Stops the panels, then the edge and the simulator (SIGTERM, SIGKILL if ignored), newest first. */
async function stopAll(): Promise<void> {
  if (stopped) return;
  stopped = true;
  for (const panel of panels.splice(0)) panel.close();
  // Bounded: a browser that does not close in time is killed by playwright when this script exits.
  await Promise.race([
    browser?.close().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
  ]);
  browser = null;
  for (const child of processes.splice(0).reverse()) {
    await child.kill('SIGTERM', 10_000).catch(() => child.kill('SIGKILL'));
  }
  sendMessage('stopped');
}

async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await attempt();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function run(): Promise<void> {
  // 1. The simulator on its own, on its default port: this namespace's loopback is empty.
  step = 'simulator';
  const simulator = started(['simulator', '--dns-sd', '--data', simulatorDataDir!]);
  await simulator.waitFor(/DNS-SD:/, 60_000);
  sendMessage('simulator', {
    output: simulator.output,
    scannerUrl: /eSCL:\s+(\S+)/.exec(simulator.output)?.[1],
    faxUrl: /FaxOut:\s+(\S+)/.exec(simulator.output)?.[1],
  });

  // 2. The operator makes the enterprise and its first admin with the CLI, before the first start.
  step = 'enterprise';
  const enterprise = await admin(['enterprise', 'add', 'Acme']);
  const slug = /identifier (\S+),/.exec(enterprise.output)?.[1];
  sendMessage('enterprise', { output: enterprise.output, slug });
  step = 'admin';
  const created = await admin(
    ['user', 'add', '--email', ADMIN.email, '--name', 'Admin', '--role', 'admin', '--password-stdin'],
    ADMIN.password,
  );
  sendMessage('admin', { output: created.output });

  // 3. The edge without the built-in simulator, its console's discovery browsing DNS-SD.
  step = 'edge';
  const edge = started(['start', '--no-simulator', '--dns-sd', '--data', dataDir!]);
  await edge.waitFor(/mfp-edge is running/, 90_000);
  const edgeUrl = (await edge.waitFor(/edge:\s+(http\S+?)\/\s/, 5000))[1]!;
  sendMessage('edge', { output: edge.output, url: edgeUrl });

  // 4. The admin signs in to the console API: password, then the 2FA enrolment admins must do.
  step = 'signed-in';
  const api = new ApiClient(edgeUrl);
  const signedIn = await api.signIn(ADMIN);
  sendMessage('signed-in', {
    role: signedIn.user?.role,
    enterprise: signedIn.enterprise?.slug,
    enrolled: ADMIN.totpSecret !== null,
    recoveryCodes: Array.isArray(signedIn.recoveryCodes) ? signedIn.recoveryCodes.length : 0,
  });

  // 5. A panel with no credential asks for a pairing code (the Origin check lets a non-browser in).
  step = 'pairing-begun';
  const wsUrl = `${edgeUrl.replace(/^http/, 'ws')}/ws`;
  const panel = await PanelClient.connect(wsUrl);
  panels.push(panel);
  const begun = await panel.request('pairing.begin', { app: APP, screen: { width: 800, height: 480 } });
  sendMessage('pairing-begun', { userCode: begun.userCode, approveUrl: begun.approveUrl });

  // 6. The console's discovery lists the simulator it found over DNS-SD; the admin probes, approves.
  step = 'discovered';
  const base = `/enterprises/${slug}`;
  let lastDiscovery: unknown = null;
  const found = await until(
    'the simulator was not discovered with a scanner and a fax URL',
    DISCOVERY_TIMEOUT_MS,
    async () => {
      const answer = await api.request('GET', `${base}/discovery`);
      lastDiscovery = answer.body;
      if (answer.status !== 200)
        throw new Error(`discovery: ${answer.status} ${JSON.stringify(answer.body)}`);
      const devices = answer.body.devices as {
        name: string;
        scannerUrl: string | null;
        faxUrl: string | null;
      }[];
      return devices.find((d) => d.scannerUrl && d.faxUrl);
    },
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last answer ${JSON.stringify(lastDiscovery)}`);
  });
  sendMessage('discovered', { device: found, answer: lastDiscovery });

  step = 'probed';
  const probe = await api.request('POST', `${base}/device-probe`, {
    scannerUrl: found.scannerUrl,
    faxUrl: found.faxUrl,
  });
  sendMessage('probed', { status: probe.status, result: probe.body });

  step = 'approved';
  const approved = await api.request('POST', `${base}/pairings/${begun.userCode}/approve`, {
    name: 'Reception MFP',
    authMode: 'user-prompt',
    scannerUrl: found.scannerUrl,
    faxUrl: found.faxUrl,
  });
  if (approved.status !== 201)
    throw new Error(`approve: ${approved.status} ${JSON.stringify(approved.body)}`);
  sendMessage('approved', { status: approved.status, device: approved.body });

  // 7. The panel hears the approval, claims its credential, and says hello with it.
  step = 'claimed';
  const heard = await panel.waitForEvent('pairing.approved', () => true, 5000);
  const { deviceToken } = await panel.request('pairing.claim', { deviceCode: begun.deviceCode });
  sendMessage('claimed', { approvedEvent: heard, tokenLength: deviceToken.length });

  step = 'hello';
  const hello = await panel.request('hello', { protocolVersions: [PROTOCOL_VERSION], deviceToken, app: APP });
  sendMessage('hello', { device: hello.device, user: hello.user });

  // The credential is the panel's from now on: a new connection (a reloaded panel) says hello too.
  step = 'second-hello';
  const reloaded = await PanelClient.connect(wsUrl);
  panels.push(reloaded);
  const again = await reloaded.request('hello', {
    protocolVersions: [PROTOCOL_VERSION],
    deviceToken,
    app: APP,
  });
  sendMessage('second-hello', { device: again.device, user: again.user });

  step = 'console-devices';
  const listed = await api.request('GET', `${base}/devices`);
  sendMessage('console-devices', { status: listed.status, body: listed.body });

  await pairInTheConsole(edgeUrl, wsUrl);
}

/**
 * The same again through the console's pages in headless chromium (inside this namespace too): a
 * second admin made with the CLI enrols 2FA at the sign-in, then pairs a second panel choosing the
 * printer the discovery found, tests the connection and approves.
 */
async function pairInTheConsole(edgeUrl: string, wsUrl: string): Promise<void> {
  step = 'browser-admin';
  await admin(
    ['user', 'add', '--email', BROWSER_ADMIN.email, '--name', 'IT', '--role', 'admin', '--password-stdin'],
    BROWSER_ADMIN.password,
  );
  step = 'browser-signed-in';
  browser = await launchBrowser();
  const { page, problems } = await openConsole(browser, `${edgeUrl}/admin/`);
  page.setDefaultTimeout(15_000);
  await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
  await page.getByLabel('Email').fill(BROWSER_ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(BROWSER_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
  // What an authenticator app does with the key the page shows.
  const key = (await page.getByRole('note', { name: 'Key for your authenticator app' }).textContent()) ?? '';
  await page
    .getByLabel('Code from your authenticator app')
    .fill(await totpCode(key.replace(/\s/g, ''), new Date()));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
  sendMessage('browser-signed-in', { keyLength: key.replace(/\s/g, '').length });

  step = 'browser-pairing-begun';
  const panel = await PanelClient.connect(wsUrl);
  panels.push(panel);
  const begun = await panel.request('pairing.begin', { app: APP });
  sendMessage('browser-pairing-begun', { userCode: begun.userCode });

  step = 'browser-discovered';
  // The panel's QR code opens this address: the code is filled in.
  await page.goto(begun.approveUrl);
  await page.getByRole('heading', { name: 'Pair a printer' }).waitFor();
  await page.getByText('A printer is waiting with this code.').waitFor();
  const found = page.getByLabel('Printers found on the network');
  const option = found.getByRole('option', { name: /mfp-edge Virtual MFP/ });
  await option.waitFor({ state: 'attached' });
  const optionText = (await option.textContent()) ?? '';
  await found.selectOption({ label: optionText });
  sendMessage('browser-discovered', {
    option: optionText,
    name: await page.getByLabel('Device name').inputValue(),
    scannerUrl: await page.getByLabel('Scanner URL (eSCL)').inputValue(),
    faxUrl: await page.getByLabel('Fax URL (IPP FaxOut)').inputValue(),
  });

  step = 'browser-probed';
  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByRole('list', { name: 'Connection test result' });
  await result.waitFor();
  sendMessage('browser-probed', { lines: await result.getByRole('listitem').allTextContents() });

  step = 'browser-approved';
  await page.getByLabel('Device name').fill('Back Office MFP');
  await page.getByLabel('Auth mode').selectOption('user-prompt');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
  await page.getByRole('row', { name: /Back Office MFP/ }).waitFor();
  const heard = await panel.waitForEvent('pairing.approved', () => true, 5000);
  const { deviceToken } = await panel.request('pairing.claim', { deviceCode: begun.deviceCode });
  const hello = await panel.request('hello', { protocolVersions: [PROTOCOL_VERSION], deviceToken, app: APP });
  sendMessage('browser-approved', { approvedEvent: heard, device: hello.device, user: hello.user, problems });
}

onParentGone(async () => {
  await stopAll();
});

try {
  await run();
  sendMessage('done');
} catch (error) {
  sendMessage('failed', { step, message: error instanceof Error ? error.message : String(error) });
}
// The test runs its own checks on the data folder after this: nothing of ours runs any more.
await stopAll();
