import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { eventually, markPage, openBarePanel, type AdminLogin } from '../../helpers/console-browser.ts';
import { ConsoleHarness } from './console-harness.ts';

/*
 * Devices and pairing in the console, end to end: a fresh panel (its own browser context, no
 * credential) shows a code; the admin pairs it from the console as a user-prompt device on the
 * simulator; the panel reaches its sign-in screen without a reload; 2FA made mandatory in the
 * console reaches the panel's next sign-in; revoking the device drops the panel to pairing at once.
 */
describe('console devices and pairing (browser, real edge and simulator)', function () {
  this.timeout(180_000);
  let h: ConsoleHarness;
  let admin: AdminLogin;
  let consolePage: Page;
  let problems: string[];
  let panel: Page;
  let panelProblems: string[];
  const DEVICE = 'Lobby <MFP> & "Co"';

  before(async () => {
    h = await new ConsoleHarness().start();
    admin = await h.admin();
    ({ page: consolePage, problems } = await h.signedIn(admin));
    ({ page: panel, problems: panelProblems } = await openBarePanel(h.browser, h.edgeUrl));
  });
  after(() => h?.stop());

  const row = () =>
    consolePage.getByRole('row', { name: new RegExp(DEVICE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });

  it('pairs a fresh panel by its code as a user-prompt device; the panel reaches sign-in without a reload', async () => {
    await panel.getByRole('heading', { name: 'Pair this printer' }).waitFor({ timeout: 15_000 });
    const code = (await panel.getByLabel('Pairing code').textContent())!.trim();
    assert.match(code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    const notReloaded = await markPage(panel);

    await consolePage.getByRole('link', { name: 'Pair a printer' }).click();
    await consolePage.getByRole('heading', { name: 'Pair a printer' }).waitFor();
    await consolePage.getByLabel('Pairing code').fill(code.toLowerCase().replace('-', ''));
    await consolePage.getByLabel('Device name').click(); // the code is checked when it loses focus
    await consolePage.getByText('A printer is waiting with this code.').waitFor();
    await consolePage.getByLabel('Device name').fill(DEVICE);
    await consolePage.getByLabel('Auth mode').selectOption('user-prompt');
    const { scannerUrl, faxUrl } = h.stack.simulator.deviceUrls;
    await consolePage.getByLabel('Scanner URL (eSCL)').fill(scannerUrl);
    await consolePage.getByLabel('Fax URL (IPP FaxOut)').fill(faxUrl);
    await consolePage.getByRole('button', { name: 'Test connection' }).click();
    const result = consolePage.getByRole('list', { name: 'Connection test result' });
    await result.waitFor({ timeout: 15_000 });
    assert.match((await result.textContent())!, /Scanner: .*Fax: .*FaxOut ready/s);

    const approved = Date.now();
    await consolePage.getByRole('button', { name: 'Approve' }).click();
    await consolePage.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    await row().waitFor();
    await panel.getByRole('heading', { name: 'Sign in to fax' }).waitFor({ timeout: 5000 });
    assert.ok(Date.now() - approved < 3000, `panel at sign-in ${Date.now() - approved} ms after Approve`);
    assert.ok(await notReloaded(), 'the panel was not reloaded');
    // Escaped, not markup: the name reads as typed.
    assert.equal(await row().getByRole('rowheader').textContent(), DEVICE);
  });

  it('shows the device live: panel online, scanner, fax line and feeder, without reloading the console', async () => {
    const notReloaded = await markPage(consolePage);
    await eventually('panel online', async () => /online/.test((await row().textContent()) ?? ''), 15_000);
    await eventually('scanner state', async () => /idle/.test((await row().textContent()) ?? ''), 15_000);
    await eventually('feeder loaded', async () => /loaded/.test((await row().textContent()) ?? ''), 15_000);
    // The simulator's feeder starts loaded; a feeder-empty fault empties it, and the row follows.
    const fault = await fetch(`${h.stack.simulator.url}/sim/api/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: 'feeder-empty' }),
    });
    assert.ok(fault.ok, `fault: ${fault.status} ${await fault.text()}`);
    await eventually('feeder empty', async () => /empty/.test((await row().textContent()) ?? ''), 15_000);
    await fetch(`${h.stack.simulator.url}/sim/api/faults/feeder-empty`, { method: 'DELETE' });
    assert.ok(await notReloaded(), 'updated in place');
  });

  it('makes 2FA mandatory in the settings, and the panel’s next sign-in asks for enrolment', async () => {
    await h.person('nia@demo.example', 'Panel-Person-2025!');
    await consolePage
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Enterprise settings' })
      .click();
    await consolePage.getByRole('heading', { name: 'Enterprise settings' }).waitFor();
    const version = consolePage.getByRole('status', { name: 'Policy version' });
    await version.waitFor();
    assert.match((await version.textContent())!, /Version 0/);
    await consolePage.getByLabel('Two-factor authentication').selectOption('mandatory');
    await consolePage.getByRole('button', { name: 'Save settings' }).click();
    await consolePage.getByText(/Settings saved/).waitFor();
    assert.match((await version.textContent())!, /Version 1, last changed by/);
    assert.equal(h.stack.edge.people.policies.get(h.enterpriseId).document.twoFactor, 'mandatory');

    await panel.getByRole('textbox', { name: 'Email' }).fill('nia@demo.example');
    await panel.getByLabel('Password', { exact: true }).fill('Panel-Person-2025!');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    await panel.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor({ timeout: 10_000 });
  });

  it('warns in the settings while email-to-fax is on without an allow-list or SPF check', async () => {
    await consolePage.getByLabel('Fax domain').fill('fax.demo.test');
    await consolePage.getByLabel('Email-to-fax', { exact: true }).check();
    await consolePage.getByRole('button', { name: 'Save settings' }).click();
    const warning = consolePage
      .getByRole('alert')
      .filter({ hasText: /without an IP allow-list or an SPF check/ });
    await warning.waitFor();
    await consolePage.getByLabel('SPF check').check();
    await consolePage.getByRole('button', { name: 'Save settings' }).click();
    await warning.waitFor({ state: 'detached' });
    assert.equal(h.stack.edge.people.policies.get(h.enterpriseId).document.emailToFax.spfCheck, true);
  });

  it('revokes the device with a confirmation, and the panel shows the pairing screen within a second', async () => {
    await consolePage
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Devices' })
      .click();
    await row().waitFor();
    await consolePage.getByRole('button', { name: `Revoke ${DEVICE}` }).click();
    const dialog = consolePage.getByRole('dialog', { name: `Revoke ${DEVICE}?` });
    await dialog.waitFor();
    const revoked = Date.now();
    await dialog.getByRole('button', { name: 'Revoke device' }).click();
    await panel.getByRole('heading', { name: 'Pair this printer' }).waitFor({ timeout: 5000 });
    assert.ok(Date.now() - revoked < 1000, `pairing screen ${Date.now() - revoked} ms after the revocation`);
    await consolePage.getByText(`${DEVICE} is revoked.`).waitFor();
    assert.equal(await row().count(), 0, 'gone from the list');
    assert.deepEqual(problems, [], 'no script error or CSP violation in the console');
    assert.deepEqual(panelProblems, []);
  });
});
