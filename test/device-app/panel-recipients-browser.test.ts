import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, openOnlinePanel, PANEL_SIZES, sizeName } from '../helpers/browser.ts';
import { resetSimulator, startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { PanelClient } from '../helpers/panel-client.ts';

/*
 * The recipient picker in headless chromium at 800×480 and 1024×600 (one stack and browser for both,
 * the simulator reset between them), on the demo's shared-account device.
 */
describe('panel recipient picker in a browser (800×480 and 1024×600)', function () {
  this.timeout(300_000);
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    const demo = stack.edge.repositories.directory.findEnterpriseBySlug('demo')!;
    stack.edge.repositories.faxDirectory.create(demo.id, {
      name: 'Élodie <i>Martin</i>',
      number: '+33142685300',
      company: 'Cabinet Durand',
    });
    stack.edge.repositories.faxDirectory.create(demo.id, { name: 'Bob Stone', number: '+12125550111' });
    // A fax sent from this device before: its number is in Recent.
    const panel = await PanelClient.connect(stack.wsUrl);
    try {
      await panel.request('hello', {
        protocolVersions: [1],
        deviceToken: stack.token,
        app: { name: 'test', version: '1' },
      });
      const { job } = await panel.request('fax.send', { recipients: ['+12125550100'] });
      await panel.waitForJob((j) => j.id === job.id && ['delivered', 'failed'].includes(j.state), 90_000);
    } finally {
      panel.close();
    }
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  beforeEach(() => resetSimulator(stack));

  for (const size of PANEL_SIZES)
    it(`at ${sizeName(size)}: shows the country as the number is typed on the keyboard, picks a directory entry and a recent number, removes one, sends to both`, async () => {
      const { page, errors } = await openOnlinePanel(browser, stack.panelUrl, size);
      await page.getByRole('button', { name: 'Fax', exact: true }).click();

      // The panel's keyboard, with focus on a keypad key: the digits still go into the number.
      await page.getByRole('button', { name: 'Key 1', exact: true }).focus();
      await page.keyboard.type('+4420794609');
      await page.keyboard.type('58');
      const check = page.getByRole('status', { name: 'Number check' });
      await check.filter({ hasText: 'United Kingdom (GB)' }).waitFor({ timeout: 10000 });
      assert.match((await check.textContent())!, /\+44 20 7946 0958.*020 7946 0958/);
      await page.getByRole('button', { name: 'Clear number' }).click();
      assert.equal(await page.getByRole('textbox', { name: 'Fax number' }).inputValue(), '');

      // No personal contacts on a shared-account device: three sources only.
      const tabs = page.getByRole('tablist', { name: 'Find a recipient' }).getByRole('tab');
      assert.deepEqual(await tabs.allTextContents(), ['Keypad', 'Recent', 'Directory']);

      await page.getByRole('tab', { name: 'Directory' }).click();
      assert.equal(await page.getByRole('tab', { name: 'Directory' }).getAttribute('aria-selected'), 'true');
      await page.getByRole('searchbox', { name: 'Search the directory' }).fill('elo');
      const entries = page.getByRole('list', { name: 'Directory entries' });
      await entries.getByRole('listitem').filter({ hasText: 'Cabinet Durand' }).waitFor({ timeout: 10000 });
      // The list opened from A first; the search then leaves the one match.
      await entries
        .getByRole('listitem')
        .filter({ hasText: 'Bob Stone' })
        .waitFor({ state: 'detached', timeout: 10000 });
      assert.equal(await entries.getByRole('listitem').count(), 1, 'only the match');
      // The name is text, never markup.
      assert.equal(await page.locator('.picker-panel i').count(), 0);
      await page.getByRole('button', { name: 'Add Élodie <i>Martin</i> +33 1 42 68 53 00' }).click();
      const recipients = page.getByRole('list', { name: 'Recipients' });
      await recipients
        .getByRole('listitem', { name: 'Élodie <i>Martin</i> +33 1 42 68 53 00' })
        .waitFor({ timeout: 10000 });

      await page.getByRole('tab', { name: 'Recent' }).click();
      const recent = page.getByRole('list', { name: 'Recent numbers' });
      await recent.getByRole('button', { name: /^Add \+1 212 555 0100/ }).click({ timeout: 10000 });
      await recipients.getByText('+1 212 555 0100').waitFor({ timeout: 10000 });

      // Picking the same number again is refused with a reason; a third is removed again.
      await recent.getByRole('button', { name: /^Add \+1 212 555 0100/ }).click();
      await page.getByRole('alert').filter({ hasText: 'already in the list' }).waitFor({ timeout: 10000 });
      await page.getByRole('tab', { name: 'Directory' }).click();
      await page.getByRole('searchbox', { name: 'Search the directory' }).fill('bob');
      await page.getByRole('button', { name: 'Add Bob Stone +1 212 555 0111' }).click({ timeout: 10000 });
      await recipients
        .getByRole('listitem', { name: 'Bob Stone +1 212 555 0111' })
        .waitFor({ timeout: 10000 });
      await page.getByRole('button', { name: 'Remove Bob Stone +1 212 555 0111' }).click();
      assert.equal(await recipients.getByRole('listitem').count(), 2);

      // Every control of the picker is at least 44 px high (touch targets).
      const small = await page.evaluate(() =>
        Array.from(
          document.querySelectorAll('.fax button, .fax input[type="tel"], .fax input[type="search"]'),
        )
          .map((el) => ({
            name: el.getAttribute('aria-label') ?? el.textContent,
            height: el.getBoundingClientRect().height,
          }))
          .filter((b) => b.height > 0 && b.height < 44),
      );
      assert.deepEqual(small, []);
      assert.equal(await page.locator('.fax [style]').count(), 0, 'no inline style');

      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByRole('status', { name: 'Job state' }).waitFor({ timeout: 10000 });
      const jobs = stack.edge.repositories.jobs.listByDevice(
        stack.panels.find((p) => p.mode === 'shared-account')!.deviceId,
        1,
      );
      assert.deepEqual(
        jobs[0]!.recipients.map((r) => r.number),
        ['+33142685300', '+12125550100'],
      );
      // The job ends before the next size's run (so the scanner and the line are free for it).
      await page.locator('[data-state="delivered"]').waitFor({ timeout: 90_000 });
      assert.deepEqual(errors, []);
      await page.close();
    });
});
