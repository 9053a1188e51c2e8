import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';

/* The real panel app in headless chromium at a real panel size, against the edge and simulator. */
describe('panel app in a browser (800×480)', function () {
  this.timeout(120000);
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('pairs from the URL, refuses a bad number, sends a fax and shows it delivered', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 480 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(stack.panelUrl);
    await page
      .getByRole('status', { name: 'Connection' })
      .filter({ hasText: 'Online' })
      .waitFor({ timeout: 15000 });
    assert.equal(
      await page.evaluate(() => location.hash),
      '',
      'the credential is removed from the address bar',
    );

    await page.getByRole('button', { name: 'Fax' }).click();
    const number = page.getByRole('textbox', { name: 'Fax number' });
    await number.fill('12');
    await page.getByRole('button', { name: 'Add number' }).click();
    await page.getByRole('alert').filter({ hasText: 'not a valid fax number' }).waitFor({ timeout: 10000 });

    await number.fill('');
    for (const key of '+12125550100')
      await page.getByRole('button', { name: `Key ${key}`, exact: true }).click();
    await page.getByRole('button', { name: 'Add number' }).click();
    await page
      .getByRole('list', { name: 'Recipients' })
      .getByText('+1 212 555 0100')
      .waitFor({ timeout: 10000 });
    await page.getByRole('radio', { name: 'Standard' }).check();
    await page.getByRole('button', { name: 'Send' }).click();

    const state = page.getByRole('status', { name: 'Job state' });
    await state.waitFor({ timeout: 10000 });
    await page.locator('[data-state="delivered"]').waitFor({ timeout: 90000 });
    assert.equal(await state.textContent(), 'Delivered');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Last fax' }).waitFor();
    assert.deepEqual(errors, []);
  });
});
