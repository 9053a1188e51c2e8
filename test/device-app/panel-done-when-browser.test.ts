import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openOnlinePanel } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { DEMO_PROMPT_USER } from '../../edge-service/src/demo-enterprise.ts';

/*
 * Issue 11's Done-when, shell part: the real panel in headless chromium at both panel sizes, driven
 * by accessible names, against the real edge and simulator: a complete fax in each auth mode
 * reaching "Delivered", and two recipients, one busy then retried and delivered.
 */

const SIZES = [
  { width: 800, height: 480 },
  { width: 1024, height: 600 },
];

async function simApi(stack: Stack, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${stack.simulator.url}/sim/api/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.text()}`);
}

describe('panel Done-when: a fax in each auth mode, and a busy line retried (800×480 and 1024×600)', function () {
  this.timeout(400000);
  let stack: Stack;
  let browser: Browser;
  let promptPassword: string;

  before(async () => {
    stack = await startStack({ faxRetryIntervalSeconds: 2 });
    browser = await launchBrowser();
    promptPassword = stack.promptPassword!;
    assert.ok(promptPassword, 'the demo prompt user has an initial password');
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const open = (url: string, size: { width: number; height: number }) => openOnlinePanel(browser, url, size);

  async function compose(page: Page, numbers: string[]): Promise<void> {
    await page.getByRole('button', { name: 'Fax', exact: true }).click();
    const field = page.getByRole('textbox', { name: 'Fax number' });
    for (const number of numbers) {
      await field.fill(number);
      await page.getByRole('button', { name: 'Add number' }).click();
      await page
        .getByRole('list', { name: 'Recipients' })
        .getByRole('listitem')
        .nth(numbers.indexOf(number))
        .waitFor({ timeout: 10000 });
    }
    await page.getByRole('radio', { name: 'Standard' }).check();
    await page.getByRole('button', { name: 'Send' }).click();
  }

  async function delivered(page: Page): Promise<void> {
    const state = page.getByRole('status', { name: 'Job state' });
    await state.filter({ hasText: 'Delivered' }).waitFor({ timeout: 120000 });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'My recent jobs' }).click();
    await page
      .getByRole('button', { name: /Delivered$/ })
      .first()
      .waitFor({ timeout: 10000 });
  }

  for (const size of SIZES) {
    const at = `${size.width}×${size.height}`;

    it(`shared account at ${at}: a fax reaches Delivered and is in My recent jobs`, async () => {
      const panel = stack.panels.find((p) => p.mode === 'shared-account')!;
      const { page, errors } = await open(panel.panelUrl, size);
      await compose(page, ['+1 212 555 0100']);
      await delivered(page);
      assert.deepEqual(errors, []);
      await page.close();
    });

    it(`device-login at ${at}: the person signed in at the MFP faxes, Delivered`, async () => {
      const panel = stack.panels.find((p) => p.mode === 'device-login')!;
      await simApi(stack, 'DELETE', 'device-login');
      const { page, errors } = await open(panel.panelUrl, size);
      await page.getByRole('heading', { name: 'Sign in at the printer (card, PIN…)' }).waitFor();
      await simApi(stack, 'PUT', 'device-login', { pin: '1111' });
      await page.getByRole('region', { name: 'Home' }).getByText('Alice Martin').waitFor({ timeout: 10000 });
      await compose(page, ['+1 212 555 0101']);
      await delivered(page);
      await simApi(stack, 'DELETE', 'device-login');
      await page
        .getByRole('heading', { name: 'Sign in at the printer (card, PIN…)' })
        .waitFor({ timeout: 10000 });
      assert.deepEqual(errors, []);
      await page.close();
    });

    it(`user-prompt at ${at}: the demo user signs in (changing the first password), faxes, Delivered`, async () => {
      const panel = stack.panels.find((p) => p.mode === 'user-prompt')!;
      const { page, errors } = await open(panel.panelUrl, size);
      await page.getByRole('textbox', { name: 'Email' }).fill(DEMO_PROMPT_USER.email);
      await page.getByLabel('Password', { exact: true }).fill(promptPassword);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const home = page.getByRole('region', { name: 'Home' });
      const change = page.getByRole('region', { name: 'Choose a new password' });
      await Promise.race([home.waitFor({ timeout: 15000 }), change.waitFor({ timeout: 15000 })]);
      if (await change.isVisible()) {
        const next = `Panel-${size.width}-new-passw0rd`;
        await page.getByLabel('New password', { exact: true }).pressSequentially(next, { delay: 5 });
        await page.getByLabel('Confirm new password').fill(next);
        const submit = page.getByRole('button', { name: 'Change password' });
        await page.waitForFunction(
          () =>
            !(document.querySelector('.change-password button[type="submit"]') as HTMLButtonElement).disabled,
          undefined,
          { timeout: 10000 },
        );
        await submit.click();
        promptPassword = next;
      }
      await home.getByText(DEMO_PROMPT_USER.displayName).waitFor({ timeout: 15000 });
      await compose(page, ['+1 212 555 0102']);
      await delivered(page);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('textbox', { name: 'Email' }).waitFor({ timeout: 10000 });
      assert.deepEqual(errors, []);
      await page.close();
    });

    it(`two recipients at ${at}: one busy, shown waiting to retry, then answered and delivered`, async () => {
      const busy = size.width === 800 ? '+12125550170' : '+12125550171';
      await simApi(stack, 'PUT', `line/${encodeURIComponent(busy)}`, { behavior: 'busy' });
      const panel = stack.panels.find((p) => p.mode === 'shared-account')!;
      const { page, errors } = await open(panel.panelUrl, size);
      try {
        await compose(page, ['+1 212 555 0103', busy]);
        const state = page.getByRole('status', { name: 'Job state' });
        await state.filter({ hasText: 'Waiting to retry' }).waitFor({ timeout: 120000 });
        await page.getByText(/busy/).first().waitFor();
        await simApi(stack, 'PUT', `line/${encodeURIComponent(busy)}`, { behavior: 'answer' });
        await delivered(page);
      } finally {
        await simApi(stack, 'PUT', `line/${encodeURIComponent(busy)}`, { behavior: 'answer' });
      }
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
