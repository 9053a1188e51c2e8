import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createAccount, ensureEnterprise, startApiEdge, type ApiEdge } from '../../helpers/api-client.ts';
import { launchBrowser } from '../../helpers/browser.ts';
import { openConsole } from '../../helpers/console-browser.ts';
import { SimpleSamlIdp } from '../../helpers/simplesamlphp-idp.ts';

/** Issue 12's Done-when for SAML: a real browser, the real IdP, the account page and the console. */
describe('sso: SAML 2.0 in the browser through simplesamlphp', function () {
  this.timeout(90_000);
  let api: ApiEdge;
  let idp: SimpleSamlIdp;
  let browser: Browser;

  before(async () => {
    api = await startApiEdge();
    const enterprise = ensureEnterprise(api.edge, 'Acme', 'acme');
    const base = `${api.url}/auth/acme`;
    idp = new SimpleSamlIdp({
      users: [
        { username: 'carol', password: 'carol-pw', mail: 'carol@acme.test' },
        { username: 'admin', password: 'admin-pw', mail: 'Admin@Acme.test' },
      ],
      saml: [{ entityId: `${base}/saml`, acsUrl: `${base}/saml/acs`, sloUrl: `${base}/saml/slo` }],
    });
    await idp.start();
    api.edge.people.users.create({
      enterpriseId: enterprise.id,
      email: 'carol@acme.test',
      displayName: 'Carol',
      role: 'user',
      builtinPasswordDisabled: true,
    });
    await createAccount(api.edge, { enterprise, email: 'admin@acme.test', role: 'admin' });
    api.edge.sso.settings.set(enterprise, { protocol: 'saml', metadataUrl: idp.metadataUrl }, 'system');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await idp?.stop();
    await api?.stop();
  });

  async function signInAtIdp(page: Page, username: string, password: string) {
    await page.waitForURL((url) => url.href.startsWith(idp.baseUrl), { timeout: 15_000 });
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.locator('input[name="password"]').press('Enter');
  }

  it('signs an SSO-only user in to the account page', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(
        `${api.url}/auth/acme/sso/start?purpose=account&return=${encodeURIComponent('/account/')}`,
      );
      await signInAtIdp(page, 'carol', 'carol-pw');
      await page.waitForURL(`${api.url}/account/`, { timeout: 15_000 });
      const cookies = await context.cookies(api.url);
      const account = cookies.find((c) => c.name === 'mfp-account');
      assert.ok(account, JSON.stringify(cookies));
      assert.equal(account.httpOnly, true);
      assert.ok(!cookies.some((c) => c.name === 'mfp-console'));
      await page.goto(`${api.url}/auth/account-session`);
      const who = JSON.parse(await page.locator('body').innerText()) as {
        audience: string;
        user: { email: string };
      };
      assert.deepEqual([who.audience, who.user.email], ['account', 'carol@acme.test']);
    } finally {
      await context.close();
    }
  });

  it('signs an admin in to the console with "Sign in with your company"', async () => {
    const console_ = await openConsole(browser, `${api.url}/admin/`);
    try {
      const { page } = console_;
      await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
      await page.getByRole('link', { name: 'Sign in with your company' }).click();
      await signInAtIdp(page, 'admin', 'admin-pw');
      await page.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 15_000 });
      assert.equal(new URL(page.url()).pathname, '/admin/');
      const cookie = (await console_.context.cookies(api.url)).find((c) => c.name === 'mfp-console');
      assert.equal(cookie?.sameSite, 'Strict');
      assert.deepEqual(console_.problems, []);
    } finally {
      await console_.close();
    }
  });
});
