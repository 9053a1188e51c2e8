import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, openOnlinePanel, PANEL_SIZES, sizeName } from '../helpers/browser.ts';
import { resetSimulator, startStack, type Stack } from '../helpers/edge-and-simulator.ts';

/*
 * The composer's options part in headless chromium at 800×480 and 1024×600 (one stack and browser
 * for both, the simulator reset between them), driven by accessible names: a premium-rate number
 * refused with the rule named, the options chosen and a cover page reaching the edge's job, and the
 * glass preview.
 */
describe('panel composer options in a browser (800×480 and 1024×600)', function () {
  this.timeout(300000);
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

  beforeEach(() => resetSimulator(stack));

  for (const size of PANEL_SIZES)
    it(`at ${sizeName(size)}: refuses a premium-rate number, sends with the chosen options and a cover page, previews the glass`, async () => {
      const { page, errors } = await openOnlinePanel(browser, stack.panelUrl, size);
      await page.getByRole('button', { name: 'Fax', exact: true }).click();

      const number = page.getByRole('textbox', { name: 'Fax number' });
      await number.fill('+1 900 555 0123');
      await page.getByRole('button', { name: 'Add number' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: "Premium-rate numbers are blocked by your company's fax policy" })
        .waitFor({ timeout: 10000 });
      // Only the picker's "no recipients yet" line is in the list.
      assert.equal(await page.getByRole('list', { name: 'Recipients' }).locator('li:not(.empty)').count(), 0);

      await number.fill('+1 212 555 0142');
      await page.getByRole('button', { name: 'Add number' }).click();
      await page
        .getByRole('list', { name: 'Recipients' })
        .getByText('+1 212 555 0142')
        .waitFor({ timeout: 10000 });

      const options = page.getByRole('group', { name: 'Options' });
      await options
        .getByRole('radiogroup', { name: 'Original size' })
        .getByRole('radio', { name: 'Letter' })
        .check();
      await options.getByRole('radio', { name: 'Photo' }).check();
      await options.getByRole('checkbox', { name: 'Skip blank pages' }).check();
      await options.getByRole('checkbox', { name: 'Add a cover page' }).check();
      await options.getByRole('textbox', { name: 'Cover page subject' }).fill('Signed contract');
      await options.getByRole('textbox', { name: 'Cover page note' }).fill('<b>two</b> pages & a cover');
      // Touch targets: every option control's label is at least 44 px high.
      const heights = await options
        .locator('label')
        .evaluateAll((labels) => labels.map((l) => (l as HTMLElement).getBoundingClientRect().height));
      assert.ok(heights.length >= 10 && heights.every((h) => h >= 44), `label heights ${heights.join(', ')}`);
      assert.equal(await page.locator('.fax [style]').count(), 0, 'no inline style');

      // The feeder cannot preview; the glass can.
      assert.equal(await options.getByRole('button', { name: 'Preview first page' }).isDisabled(), true);
      await page.getByRole('radio', { name: 'Glass' }).check();
      await page
        .getByRole('group', { name: 'Options' })
        .getByRole('button', { name: 'Preview first page' })
        .click();
      await page
        .getByRole('img', { name: 'Preview of the first page as it will be faxed' })
        .waitFor({ timeout: 20000 });
      await page.getByRole('radio', { name: 'Feeder' }).check();

      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('[data-state="delivered"]').waitFor({ timeout: 90000 });
      const [job] = stack.edge.repositories.jobs.listByDevice(
        stack.edge.repositories.devices.list().find((d) => d.authMode === 'shared-account')!.id,
        1,
      );
      assert.equal(job?.options.originalSize, 'letter');
      assert.equal(job?.options.contentType, 'photo');
      assert.equal(job?.options.skipBlankPages, true);
      assert.equal(job?.options.cover?.subject, 'Signed contract');
      assert.equal(job?.options.cover?.note, '<b>two</b> pages & a cover');
      assert.equal(job?.totalPages, (job?.pagesScanned ?? 0) - (job?.pagesSkipped ?? 0) + 1);
      assert.deepEqual(errors, []);
      await page.close();
    });
});
