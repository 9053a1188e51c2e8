import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { adminCommand } from '../../bin/cli/admin-command.ts';
import { totpCode } from '../../edge-service/src/auth/totp.ts';
import { hashDeviceToken, newDeviceToken } from '../../edge-service/src/services/device-credentials.ts';
import type { AuthMode } from '../../protocol/index.ts';
import { formatLocalTime } from '../../device-app/src/sign-in-text.ts';

/*
 * The people path at the panel, end to end: the real panel app in headless chromium at 800×480,
 * the real edge and the simulator, users made with `mfp-edge admin` (in-process, the same code).
 */

/** `mfp-edge admin …` on the stack's data folder; the password, if any, on standard input. */
async function admin(stack: Stack, args: string[], stdin = ''): Promise<string> {
  let out = '';
  let err = '';
  const code = await adminCommand(['--data', stack.edge.dataDir, ...args], {
    stdin: Readable.from(stdin ? [stdin] : []),
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
  });
  assert.equal(code, 0, `mfp-edge admin ${args.join(' ')}: ${err}`);
  return out;
}

/** A device of the demo enterprise in `mode`, on the simulator: its id and panel URL. */
function addDevice(stack: Stack, name: string, mode: AuthMode): { id: string; url: string } {
  const { devices, directory } = stack.edge.repositories;
  const enterprise = directory.findEnterpriseByName('Demo Enterprise')!;
  const token = newDeviceToken();
  const device = devices.create({
    enterpriseId: enterprise.id,
    name,
    authMode: mode,
    sharedUserId: null,
    ...stack.simulator.deviceUrls,
    tokenHash: hashDeviceToken(token),
  });
  return { id: device.id, url: `${stack.edge.url}/panel/#device-token=${token}` };
}

async function simApi(stack: Stack, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.simulator.url}/sim/api/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

describe('people at the panel (real edge and simulator, 800×480)', function () {
  this.timeout(180000);
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });
  afterEach(async () => {
    await page?.close();
    assert.deepEqual(errors, []);
  });

  async function open(url: string): Promise<void> {
    page = await browser.newPage({ viewport: { width: 800, height: 480 } });
    errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page
      .getByRole('status', { name: 'Connection' })
      .filter({ hasText: 'Online' })
      .waitFor({ timeout: 15000 });
  }

  async function signIn(email: string, password: string): Promise<void> {
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  async function sendFax(number: string): Promise<void> {
    await page.getByRole('button', { name: 'Fax' }).click();
    await page.getByRole('textbox', { name: 'Fax number' }).fill(number);
    await page.getByRole('button', { name: 'Add number' }).click();
    await page.getByRole('list', { name: 'Recipients' }).getByRole('listitem').first().waitFor();
    await page.getByRole('radio', { name: 'Standard' }).check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-state="delivered"]').waitFor({ timeout: 90000 });
    await page.getByRole('button', { name: 'Done' }).click();
  }

  async function faxesTo(e164: string): Promise<number> {
    const faxes = (await simApi(stack, 'GET', 'faxes')) as { to: string }[];
    return faxes.filter((f) => f.to.replace(/[^\d+]/g, '') === e164).length;
  }

  it('user-prompt: a new user changes the password, enrols TOTP, signs out, signs in with a code and faxes', async () => {
    const { url } = addDevice(stack, 'Lobby (user-prompt)', 'user-prompt');
    await admin(stack, ['policy', 'set', 'twoFactor=mandatory']);
    await admin(
      stack,
      [
        'user',
        'add',
        '--email',
        'nia@demo.example',
        '--name',
        'Nia Newcomer',
        '--password-stdin',
        '--must-change',
      ],
      'first-Passw0rd-given',
    );
    await open(url);
    await signIn('nia@demo.example', 'first-Passw0rd-given');

    await page.getByRole('region', { name: 'Choose a new password' }).waitFor();
    await page.getByText('You must choose a new password').waitFor();
    const rules = page.getByRole('list', { name: 'Password rules' });
    assert.ok((await rules.getByRole('listitem').count()) >= 1, 'the rules are shown');
    const submit = page.getByRole('button', { name: 'Change password' });
    assert.equal(await submit.isDisabled(), true);
    const password = page.getByLabel('New password', { exact: true });
    await password.pressSequentially('short', { delay: 15 });
    await rules.locator('[data-ok="false"]').first().waitFor();
    await password.fill('');
    await password.pressSequentially('a-Longer-new-passw0rd', { delay: 10 });
    await page.getByLabel('Confirm new password').fill('a-Longer-new-passw0rd');
    await page.waitForFunction(
      () =>
        !(
          [...document.querySelectorAll('button')].find(
            (b) => b.textContent === 'Change password',
          ) as HTMLButtonElement
        ).disabled,
      undefined,
      { timeout: 10000 },
    );
    assert.equal(await rules.locator('[data-ok="false"]').count(), 0);
    await submit.click();

    await page.getByRole('region', { name: 'Set up two-factor sign-in' }).waitFor();
    const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    assert.ok(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'QR shown');
    const key = ((await page.getByLabel('Key for manual entry').textContent()) ?? '').replace(/\s/g, '');
    assert.match(key, /^[A-Z2-7]{16,}$/);
    await page.getByRole('textbox', { name: 'Code from the app' }).fill(await totpCode(key, new Date()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' });
    await codes.waitFor();
    assert.equal(await codes.getByRole('listitem').count(), 10);
    await page.getByRole('button', { name: 'I have written them down' }).click();
    await page.getByRole('region', { name: 'Home' }).getByText('Nia Newcomer').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('region', { name: 'Sign in' }).getByText('You are signed out.').waitFor();
    await signIn('nia@demo.example', 'a-Longer-new-passw0rd');
    // The enrolment used this 30 s step's code: the next step's is accepted (one step of drift), this one is not.
    await page
      .getByRole('textbox', { name: 'Code from your authenticator app' })
      .fill(await totpCode(key, new Date(Date.now() + 30000)));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('region', { name: 'Home' }).getByText('Nia Newcomer').waitFor();

    const before = await faxesTo('+12125550142');
    await sendFax('+1 212 555 0142');
    assert.equal(await faxesTo('+12125550142'), before + 1, 'the fax arrived at the simulator');
  });

  it('user-prompt: six wrong passwords lock the account until a time; mfp-edge admin unlocks it', async () => {
    const { url } = addDevice(stack, 'Mail room (user-prompt)', 'user-prompt');
    await admin(stack, [
      'policy',
      'set',
      'twoFactor=optional',
      'lockoutAttempts=6',
      'lockoutAutoUnlockMinutes=30',
    ]);
    await admin(
      stack,
      ['user', 'add', '--email', 'lou@demo.example', '--name', 'Lou Locked', '--password-stdin'],
      'the-right-Passw0rd',
    );
    await open(url);
    for (let attempt = 1; attempt <= 5; attempt++) {
      await signIn('lou@demo.example', `wrong-${attempt}`);
      await page.getByRole('alert', { name: 'Wrong email or password' }).waitFor();
      await page.getByRole('button', { name: 'Back to sign-in' }).click();
    }
    const started = Date.now();
    await signIn('lou@demo.example', 'wrong-6');
    const locked = page.getByRole('alert', { name: 'Account locked' });
    await locked.waitFor();
    const text = (await locked.textContent()) ?? '';
    const expected = [0, 1].map((m) => formatLocalTime(new Date(started + (30 + m) * 60000).toISOString()));
    assert.ok(
      expected.some((at) => text.includes(`Your account is locked until ${at}`)),
      `${text} (expected ${expected.join(' or ')})`,
    );
    await page.getByRole('button', { name: 'Back to sign-in' }).click();
    await signIn('lou@demo.example', 'the-right-Passw0rd');
    await page.getByRole('alert', { name: 'Account locked' }).waitFor();
    await page.getByRole('button', { name: 'Back to sign-in' }).click();

    await admin(stack, ['user', 'unlock', '--email', 'lou@demo.example']);
    await signIn('lou@demo.example', 'the-right-Passw0rd');
    await page.getByRole('region', { name: 'Home' }).getByText('Lou Locked').waitFor();
  });

  it('device-login: the person signed in at the simulator sees their name, faxes under it, and is signed out with the MFP', async () => {
    const panel = stack.panels.find((p) => p.mode === 'device-login')!;
    await simApi(stack, 'DELETE', 'device-login');
    await open(panel.panelUrl);
    await page.getByRole('heading', { name: 'Sign in at the printer (card, PIN…)' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).isHidden(), true);

    await simApi(stack, 'PUT', 'device-login', { pin: '1111' });
    await page.getByRole('region', { name: 'Home' }).getByText('Alice Martin').waitFor({ timeout: 10000 });
    await page.locator('#user-name').filter({ hasText: 'Alice Martin' }).waitFor();

    await sendFax('+1 212 555 0177');
    const [job] = stack.edge.repositories.jobs.listByDevice(panel.deviceId, 1);
    assert.ok(job?.userId, 'the job names a user');
    assert.equal(stack.edge.repositories.users.get(job.userId)?.displayName, 'Alice Martin');
    assert.ok((await faxesTo('+12125550177')) >= 1, 'the fax arrived at the simulator');

    await simApi(stack, 'DELETE', 'device-login');
    await page
      .getByRole('region', { name: 'Sign in at the printer' })
      .getByText('The printer signed you out.')
      .waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#user-name').textContent(), '');
  });

  it('shared-account: the demo device faxes with no sign-in', async () => {
    await open(stack.panelUrl);
    await page.getByRole('region', { name: 'Home' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Email' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).isHidden(), true);
    const before = await faxesTo('+12125550188');
    await sendFax('+1 212 555 0188');
    assert.equal(await faxesTo('+12125550188'), before + 1);
  });
});
