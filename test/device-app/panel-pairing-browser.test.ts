import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { EnterpriseRecord } from '../../edge-service/src/domain/device.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';

/* The panel's pairing screen in headless chromium at 800×480, against the real edge and simulator. */
describe('panel pairing in a browser (800×480)', function () {
  this.timeout(120000);
  let stack: Stack;
  let browser: Browser;
  let enterprise: EnterpriseRecord;
  const admin = { actor: 'user:test-admin', source: '127.0.0.1' };

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    enterprise = stack.edge.repositories.directory.findEnterpriseBySlug('demo')!;
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows a code, reaches sign-in without reload once approved, and drops back to pairing when revoked', async () => {
    const context = await browser.newContext({ viewport: { width: 800, height: 480 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${stack.edge.url}/panel/`);
    await page.getByRole('heading', { name: 'Pair this printer' }).waitFor({ timeout: 15000 });
    const codeText = (await page.getByLabel('Pairing code').textContent())!;
    assert.match(codeText, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    assert.match(
      (await page.getByRole('timer', { name: 'Code expires in' }).textContent()) ?? '',
      /(10:00|9:\d\d)/,
    );
    await page.getByText('Ask your administrator to open the admin console and enter this code').waitFor();

    // A reload marker: a full page load would lose it.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const started = Date.now();
    const device = stack.edge.devices.pairing.approve(
      codeText.toLowerCase(),
      enterprise.id,
      { name: 'Browser MFP', authMode: 'user-prompt', ...stack.simulator.deviceUrls },
      admin,
    );
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 5000 });
    assert.ok(Date.now() - started < 1000, `sign-in shown ${Date.now() - started} ms after the approval`);
    assert.equal(
      await page.evaluate(() => (window as unknown as { marker?: number }).marker),
      42,
      'no reload',
    );
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Online' }).waitFor();

    const revoked = Date.now();
    stack.edge.devices.admin.revoke(enterprise.id, device.id, admin);
    await page.getByRole('heading', { name: 'Pair this printer' }).waitFor({ timeout: 5000 });
    assert.ok(Date.now() - revoked < 1000, `pairing screen ${Date.now() - revoked} ms after the revocation`);
    const fresh = (await page.getByLabel('Pairing code').textContent())!;
    assert.notEqual(fresh, codeText, 'a new code');
    assert.equal(
      await page.evaluate(() => localStorage.getItem('mfp-edge.device-token')),
      null,
      'the dead credential is forgotten',
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('claims a #pairing-code= once (the simulator console frame) and a second browser gets a pairing screen', async () => {
    const page = await (await browser.newContext({ viewport: { width: 800, height: 480 } })).newPage();
    await page.goto(stack.consolePanelUrl);
    await page.getByRole('button', { name: 'Fax' }).waitFor({ timeout: 15000 });
    assert.equal(await page.evaluate(() => location.hash), '', 'the code is removed from the address bar');
    const other = await (await browser.newContext({ viewport: { width: 800, height: 480 } })).newPage();
    await other.goto(stack.consolePanelUrl);
    await other.getByRole('heading', { name: 'Pair this printer' }).waitFor({ timeout: 15000 });
    await page.context().close();
    await other.context().close();
  });
});
