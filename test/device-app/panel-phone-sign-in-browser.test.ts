import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { totpCode } from '../../edge-service/src/auth/totp.ts';
import { launchBrowser, openOnlinePanel } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { addDevice, userWithTotp } from '../helpers/phone-sign-in.ts';

/*
 * Issue 12's Done-when, "sign in with your phone", without SSO: the real panel of a user-prompt
 * device in headless chromium at 800×480, and a phone as a second browser context (its own
 * cookies) at a phone's size, against the real edge and simulator. The phone signs in on the
 * account page with password + TOTP and confirms; the panel session starts and a fax is sent as
 * that person. A denial and an expired code each show their screen on the panel.
 */
describe('panel and phone: sign in with your phone (real edge and simulator, chromium)', function () {
  this.timeout(240000);
  let stack: Stack;
  let browser: Browser;
  let phoneContext: BrowserContext;
  let panel: Page;
  let panelErrors: string[];
  let deviceId: string;
  let person: { id: string; secret: string };
  const email = 'walk.up@demo.example';
  const password = 'walk-up-pass-1234';

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    person = await userWithTotp(stack.edge, email, password);
    const device = addDevice(stack.edge, 'Third floor copier', 'user-prompt', stack.simulator.deviceUrls);
    deviceId = device.id;
    ({ page: panel, errors: panelErrors } = await openOnlinePanel(browser, device.url, {
      width: 800,
      height: 480,
    }));
    phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  });
  after(async () => {
    await phoneContext?.close();
    await browser?.close();
    await stack?.stop();
  });
  afterEach(() => assert.deepEqual(panelErrors, []));

  /** The panel shows the QR and the code: the URL the QR holds (the code in it). */
  async function panelShowsCode(): Promise<string> {
    await panel.getByRole('button', { name: 'Sign in with your phone' }).click();
    const qr = panel.getByRole('img', { name: /QR code of the page where you confirm/ });
    await qr.waitFor({ timeout: 10000 });
    assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    const code = (await panel.getByLabel('Sign-in code').textContent())!.trim();
    assert.match(code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    await panel.getByRole('timer', { name: 'Code expires in' }).waitFor();
    return `${stack.edge.url}/auth/demo/device?user_code=${code}`;
  }

  it('the phone signs in with password + TOTP and confirms; the panel starts and faxes as that person', async () => {
    const url = await panelShowsCode();
    const phone = await phoneContext.newPage();
    await phone.goto(url);
    // Not signed in on the phone: the account page's sign-in first, then back to the code.
    await phone.getByRole('heading', { name: 'Sign in' }).waitFor();
    await phone.getByRole('textbox', { name: 'Email address' }).fill(email);
    await phone.getByLabel('Password').fill(password);
    await phone.getByRole('button', { name: 'Sign in', exact: true }).click();
    await phone
      .getByRole('textbox', { name: /Code from your authenticator app/ })
      .fill(await totpCode(person.secret, new Date()));
    await phone.getByRole('button', { name: 'Continue' }).click();
    await phone.getByRole('heading', { name: 'Sign in at the printer?' }).waitFor();
    assert.equal(await phone.locator('#device-name').textContent(), 'Third floor copier');
    const confirmedAt = Date.now();
    await phone.getByRole('button', { name: 'Confirm' }).click();
    await phone.getByRole('heading', { name: 'You are signed in at the printer' }).waitFor();
    // The panel starts within a second, with nothing polled.
    await panel.getByRole('region', { name: 'Home' }).getByText(`Person ${email}`).waitFor({ timeout: 3000 });
    assert.ok(Date.now() - confirmedAt < 3000);
    await phone.close();

    await panel.getByRole('button', { name: 'Fax', exact: true }).click();
    await panel.getByRole('textbox', { name: 'Fax number' }).fill('+33142685300');
    await panel.getByRole('button', { name: 'Add number' }).click();
    await panel
      .getByRole('list', { name: 'Recipients' })
      .getByRole('listitem')
      .first()
      .waitFor({ timeout: 10000 });
    await panel.getByRole('radio', { name: 'Standard' }).check();
    await panel.getByRole('button', { name: 'Send' }).click();
    await panel
      .getByRole('status', { name: 'Job state' })
      .filter({ hasText: 'Delivered' })
      .waitFor({ timeout: 120000 });
    const jobs = stack.edge.repositories.jobs.listByDevice(deviceId, 5, person.id);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.userId, person.id);
    await panel.getByRole('button', { name: 'Done' }).click();
    await panel.getByRole('button', { name: 'Sign out' }).click();
    await panel.getByRole('textbox', { name: 'Email' }).waitFor({ timeout: 10000 });
  });

  it('a denial on the phone shows its screen on the panel, with what to do next', async () => {
    const url = await panelShowsCode();
    const phone = await phoneContext.newPage();
    // Still signed in on the phone's browser (the account session): straight to the confirmation.
    await phone.goto(url);
    await phone.getByRole('button', { name: 'Deny' }).click();
    await phone.getByRole('heading', { name: 'Sign-in denied' }).waitFor();
    await phone.close();
    const screen = panel.getByRole('alert', { name: 'Sign-in denied on the phone' });
    await screen.waitFor({ timeout: 3000 });
    await screen.getByRole('button', { name: 'Get a new code' }).waitFor();
    await screen.getByRole('button', { name: 'Use a password instead' }).click();
    await panel.getByRole('textbox', { name: 'Email' }).waitFor();
  });

  it('an expired code shows its screen on the panel; the phone is told the code cannot be used; the token endpoint says expired_token', async () => {
    const enterprise = stack.edge.repositories.directory.findEnterpriseByName('Demo Enterprise')!;
    stack.edge.people.policies.update(enterprise.id, { phoneSignInMinutes: 1 }, 'test');
    const url = await panelShowsCode();
    // A device-flow client's code begun at the same time expires with it: expired_token (RFC 8628 §3.5).
    const client = addDevice(stack.edge, 'Device-flow client', 'user-prompt');
    const tokenEndpoint = (path: string, body: Record<string, string>) =>
      fetch(`${stack.edge.url}/auth/demo/${path}`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.id}:${client.token}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(body).toString(),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const begun = await tokenEndpoint('device_authorization', {});
    assert.equal(begun.body.expires_in, 60);
    const screen = panel.getByRole('alert', { name: 'The code expired' });
    await screen.waitFor({ timeout: 75000 });
    // The client's code was begun a moment after the panel's.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const expired = await tokenEndpoint('token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: String(begun.body.device_code),
    });
    assert.deepEqual([expired.status, expired.body.error], [400, 'expired_token']);
    await screen.getByRole('button', { name: 'Get a new code' }).waitFor();
    const phone = await phoneContext.newPage();
    const response = await phone.goto(url);
    assert.equal(response?.status(), 404);
    await phone.getByRole('heading', { name: 'This code cannot be used' }).waitFor();
    await phone.close();
    // A new code works again.
    await screen.getByRole('button', { name: 'Get a new code' }).click();
    await panel.getByLabel('Sign-in code').waitFor({ timeout: 10000 });
  });
});
