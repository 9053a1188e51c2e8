import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../../edge-service/src/auth/totp.ts';
import { launchBrowser } from '../../helpers/browser.ts';
import { AccountHarness } from './account-harness.ts';

/* The invitation page in headless chromium, driven by accessible names, under the page's real CSP. */
describe('account page in a browser', function () {
  this.timeout(120_000);
  let h: AccountHarness;
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    h = await new AccountHarness().start();
  });
  afterEach(() => h.stop());

  async function open(url: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(url);
    return { page, problems };
  }

  const rule = (page: Page, text: string) =>
    page.getByRole('list', { name: 'Your password needs' }).getByRole('listitem').filter({ hasText: text });

  it('sets a password with the rules updating as one types, then enrols 2FA with a code from the key', async () => {
    h.policies.update(h.enterpriseId, { twoFactor: 'mandatory', passwordMinLength: 10 }, 'test');
    const ann = await h.user('ann@acme.test', null, { displayName: 'Ann <b>Archer</b>' });
    const url = await h.invite(ann.id);
    const { page, problems } = await open(url);

    await page.getByRole('heading', { name: 'Set up your account' }).waitFor();
    const password = page.getByLabel('New password', { exact: true });
    await password.waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => location.hash), '', 'the token left the address bar');
    assert.equal(
      await page.locator('#greeting').textContent(),
      'Welcome, Ann <b>Archer</b>. Choose the password you will use at the office printers of Acme Corp.',
      'the name is text, not markup',
    );
    assert.equal(await page.locator('#greeting b').count(), 0);
    assert.equal(await page.getByLabel('Email address').inputValue(), 'ann@acme.test');

    const length = rule(page, 'At least 10 characters');
    assert.equal(await length.getAttribute('data-ok'), 'false');
    await password.pressSequentially('Fresh-Lan', { delay: 20 });
    await page.waitForFunction(
      () => document.querySelector('[data-rule="not-common"]')?.getAttribute('data-ok') === 'true',
    );
    assert.equal(await length.getAttribute('data-ok'), 'false');
    assert.match((await length.textContent())!, /^Not met: /);
    await password.pressSequentially('tern-77', { delay: 20 });
    await page.waitForFunction(
      () => document.querySelector('[data-rule="min-length"]')?.getAttribute('data-ok') === 'true',
    );
    assert.match((await length.textContent())!, /^Met: /);

    const confirm = page.getByLabel('Repeat the new password');
    await confirm.fill('Fresh-Lantern-7');
    await page.getByText('The passwords are not the same yet.').waitFor();
    await confirm.fill('Fresh-Lantern-77');
    await page.getByText('The passwords match.').waitFor();
    await page.getByRole('button', { name: 'Set password' }).click();

    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    assert.ok(
      await page.getByRole('img', { name: 'QR code to scan with your authenticator app' }).isVisible(),
    );
    const key = (await page.getByLabel('Key for your authenticator app').textContent())!.replace(/\s/g, '');
    assert.match(key, /^[A-Z2-7]{32}$/);
    await page.getByLabel('Code from your authenticator app').fill(await totpCode(key, h.clock.now()));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();

    await page.getByRole('heading', { name: 'Your account is ready' }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count(), 10);
    assert.ok(h.users.get(ann.id)!.totpSecret, 'enrolled');
    assert.deepEqual(problems, [], 'no script error and no CSP violation');
    await page.close();
  });

  it('shows a refused link as a page to act on, and a weak password as the rules not met', async () => {
    const bo = await h.user('bo@acme.test', null);
    const url = await h.invite(bo.id);
    const first = await open(url);
    await first.page.getByLabel('New password', { exact: true }).fill('password1234');
    await first.page.getByLabel('Repeat the new password').fill('password1234');
    await first.page.getByRole('button', { name: 'Set password' }).click();
    await first.page.getByRole('alert').filter({ hasText: 'does not meet these rules' }).waitFor();
    const common = rule(first.page, 'Not a common or previously breached password');
    assert.equal(await common.getAttribute('data-ok'), 'false');
    assert.equal(
      (await common.textContent())!.replace(/\s+/g, ' ').trim(),
      'Not met: Not a common or previously breached password',
    );
    await first.page.getByLabel('New password', { exact: true }).fill('Fresh-Lantern-77');
    await first.page.getByLabel('Repeat the new password').fill('Fresh-Lantern-77');
    await first.page.getByRole('button', { name: 'Set password' }).click();
    await first.page.getByRole('heading', { name: 'Your account is ready' }).waitFor();
    await first.page.close();

    const again = await open(url);
    await again.page.getByRole('heading', { name: 'This invitation was already used' }).waitFor();
    assert.match(
      (await again.page.getByRole('alert').textContent())!,
      /ask your administrator for a new invitation/,
    );
    assert.equal(await again.page.getByLabel('New password', { exact: true }).isVisible(), false);
    await again.page.close();
  });
});
