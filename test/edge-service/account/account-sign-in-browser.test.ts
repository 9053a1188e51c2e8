import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../../edge-service/src/auth/totp.ts';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import { createAccount, ensureEnterprise, startApiEdge, type ApiEdge } from '../../helpers/api-client.ts';
import { launchBrowser } from '../../helpers/browser.ts';

/** The account page's web sign-in in a real browser: the steps the policy asks for, then who you are. */
describe('account page: web sign-in in the browser (chromium)', function () {
  this.timeout(60000);
  let api: ApiEdge;
  let browser: Browser;
  let enterprise: EnterpriseRecord;

  before(async () => {
    api = await startApiEdge();
    enterprise = ensureEnterprise(api.edge, 'Acme', 'acme');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await api?.stop();
  });

  async function open(path: string): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // A CSP violation or a script error; a refused form's own 4xx status is not one.
    page.on(
      'console',
      (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && problems.push(m.text()),
    );
    await page.goto(`${api.url}${path}`);
    return { page, problems, close: () => context.close() };
  }

  async function password(page: Page, email: string, secret: string) {
    await page.getByRole('textbox', { name: 'Email address' }).fill(email);
    await page.getByLabel('Password').fill(secret);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  it('mandatory 2FA: enrols after the password, shows the recovery codes once, then who you are; signs out', async () => {
    api.edge.people.policies.update(enterprise.id, { twoFactor: 'mandatory' }, 'test');
    const account = await createAccount(api.edge, {
      enterprise,
      email: 'erin@acme.test',
      role: 'user',
      displayName: 'Erin Example',
      totp: false,
    });
    const { page, problems, close } = await open('/account/sign-in');
    try {
      await password(page, account.email, account.password);
      await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
      await page.getByRole('img', { name: /QR code to scan/ }).waitFor();
      const key = (await page.getByLabel('Key for your authenticator app').textContent())!.replace(/\s/g, '');
      await page
        .getByRole('textbox', { name: 'Code from your authenticator app' })
        .fill(await totpCode(key, new Date()));
      await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
      await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
      assert.equal(
        await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count(),
        10,
      );
      await page.getByRole('link', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      await page.getByText('Erin Example').waitFor();
      await page.getByText('Acme', { exact: true }).waitFor();
      const cookie = (await page.context().cookies(api.url)).find((c) => c.name === 'mfp-account');
      assert.ok(cookie);
      assert.deepEqual([cookie.httpOnly, cookie.sameSite, cookie.path], [true, 'Lax', '/']);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
      await page.goto(`${api.url}/account/`);
      assert.equal(await page.getByRole('heading', { name: 'Your account' }).count(), 0);
      assert.deepEqual(problems, []);
    } finally {
      await close();
      api.edge.people.policies.update(enterprise.id, { twoFactor: 'optional' }, 'test');
    }
  });

  it('a password to change first: the rules, the new password, then back to the return path', async () => {
    const account = await createAccount(api.edge, {
      enterprise,
      email: 'finn@acme.test',
      role: 'user',
      displayName: 'Finn Example',
      totp: false,
    });
    api.edge.people.users.update(account.user.id, { mustChangePassword: true });
    const { page, problems, close } = await open(
      `/account/sign-in?return=${encodeURIComponent('/account/')}`,
    );
    try {
      await password(page, account.email, account.password);
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await page.getByLabel('New password', { exact: true }).fill('a-new-password-5678');
      await page.getByLabel('Repeat the new password').fill('a-different-one-5678');
      await page.getByRole('button', { name: 'Save new password' }).click();
      await page.getByRole('alert').getByText('The two passwords are not the same.').waitFor();
      await page.getByLabel('New password', { exact: true }).fill('a-new-password-5678');
      await page.getByLabel('Repeat the new password').fill('a-new-password-5678');
      await page.getByRole('button', { name: 'Save new password' }).click();
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/account/');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});
