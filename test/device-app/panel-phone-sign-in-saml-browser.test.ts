import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, openOnlinePanel } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { addDevice } from '../helpers/phone-sign-in.ts';
import { SimpleSamlIdp } from '../helpers/simplesamlphp-idp.ts';

/*
 * Issue 12's Done-when, "sign in with your phone" through the company's IdP: the demo enterprise
 * signs in with SAML 2.0 (Debian's simplesamlphp on php -S), its person has no built-in password.
 * The panel of a user-prompt device opens the phone sign-in by itself (the phone is the first
 * choice there); a second browser context opens the QR's URL, goes through the account page's
 * "Sign in with your company" to the IdP and back, confirms; the panel starts and faxes.
 */
describe('panel and phone: sign in with your phone through the SAML IdP (simplesamlphp, chromium)', function () {
  this.timeout(180000);
  let stack: Stack;
  let idp: SimpleSamlIdp;
  let browser: Browser;
  let phoneContext: BrowserContext;
  let panel: Page;
  let panelErrors: string[];
  let deviceId: string;
  let personId: string;

  before(async () => {
    stack = await startStack();
    const base = `${stack.edge.url}/auth/demo`;
    idp = new SimpleSamlIdp({
      users: [{ username: 'dana', password: 'dana-idp-pw', mail: 'Dana.Idp@Demo.Example' }],
      saml: [{ entityId: `${base}/saml`, acsUrl: `${base}/saml/acs`, sloUrl: `${base}/saml/slo` }],
    });
    await idp.start();
    const enterprise = stack.edge.repositories.directory.findEnterpriseByName('Demo Enterprise')!;
    personId = stack.edge.people.users.create({
      enterpriseId: enterprise.id,
      email: 'dana.idp@demo.example',
      displayName: 'Dana Idp',
      builtinPasswordDisabled: true,
    }).id;
    stack.edge.sso.settings.set(enterprise, { protocol: 'saml', metadataUrl: idp.metadataUrl }, 'system');
    browser = await launchBrowser();
    const device = addDevice(stack.edge, 'Fifth floor copier', 'user-prompt', stack.simulator.deviceUrls);
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
    await idp?.stop();
    await stack?.stop();
  });

  it('the phone signs in through the IdP and confirms; the panel starts and a fax is sent as that person', async () => {
    // An SSO enterprise: the phone sign-in is on screen without a touch.
    const qr = panel.getByRole('img', { name: /QR code of the page where you confirm/ });
    await qr.waitFor({ timeout: 10000 });
    const code = (await panel.getByLabel('Sign-in code').textContent())!.trim();
    const phone = await phoneContext.newPage();
    await phone.goto(`${stack.edge.url}/auth/demo/device?user_code=${code}`);
    await phone.getByRole('link', { name: 'Sign in with your company' }).click();
    await phone.waitForURL((url) => url.href.startsWith(idp.baseUrl), { timeout: 15000 });
    await phone.locator('input[name="username"]').fill('dana');
    await phone.locator('input[name="password"]').fill('dana-idp-pw');
    await phone.locator('input[name="password"]').press('Enter');
    await phone.getByRole('heading', { name: 'Sign in at the printer?' }).waitFor({ timeout: 15000 });
    assert.equal(await phone.locator('#device-name').textContent(), 'Fifth floor copier');
    assert.equal(await phone.locator('#user-code').textContent(), code);
    await phone.getByRole('button', { name: 'Confirm' }).click();
    await phone.getByRole('heading', { name: 'You are signed in at the printer' }).waitFor();
    await panel.getByRole('region', { name: 'Home' }).getByText('Dana Idp').waitFor({ timeout: 3000 });
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
    const jobs = stack.edge.repositories.jobs.listByDevice(deviceId, 5, personId);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.userId, personId);
    const signIns = stack.edge.audit.list(
      { enterpriseId: jobs[0]!.enterpriseId, action: 'auth.sign-in' },
      { offset: 0, limit: 50 },
    ).items;
    assert.ok(signIns.some((e) => e.target === personId && e.details.channel === 'phone'));
    assert.deepEqual(panelErrors, []);
  });

  it('a typed password is refused for this person, and the panel says to use the phone', async () => {
    await panel.getByRole('button', { name: 'Done' }).click();
    await panel.getByRole('button', { name: 'Sign out' }).click();
    // Signed out: the sign-in screen says so, with the phone offered first.
    await panel.getByText('You are signed out.').waitFor({ timeout: 10000 });
    await panel.getByRole('button', { name: 'Sign in with your phone' }).waitFor();
    await panel.getByRole('textbox', { name: 'Email' }).fill('dana.idp@demo.example');
    await panel.getByLabel('Password').fill('anything-typed');
    await panel.getByRole('button', { name: 'Sign in', exact: true }).click();
    await panel
      .getByRole('alert', { name: 'No password on this printer' })
      .getByText(/Sign in with your phone/)
      .waitFor();
    assert.deepEqual(panelErrors, []);
  });
});
