import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import { createAccount, ensureEnterprise, startApiEdge, type ApiEdge } from '../../helpers/api-client.ts';
import { launchBrowser } from '../../helpers/browser.ts';
import { openConsole } from '../../helpers/console-browser.ts';
import { startOidcIdp, type OidcIdp } from '../../helpers/oidc-idp.ts';
import { SimpleSamlIdp } from '../../helpers/simplesamlphp-idp.ts';

/**
 * Issue 12's Done-when for OpenID Connect and WS-Federation: a real browser signs an SSO-only user
 * in to the account page and an admin in to the console, through the real oidc-provider (enterprise
 * Acme) and the real simplesamlphp adfs IdP (enterprise Globex), both beside one edge.
 */
describe('sso: OpenID Connect and WS-Federation in the browser through real IdPs', function () {
  this.timeout(120_000);
  let api: ApiEdge;
  let oidc: OidcIdp;
  let adfs: SimpleSamlIdp;
  let browser: Browser;

  async function people(enterprise: EnterpriseRecord, domain: string) {
    api.edge.people.users.create({
      enterpriseId: enterprise.id,
      email: `carol@${domain}`,
      displayName: 'Carol',
      role: 'user',
      builtinPasswordDisabled: true,
    });
    await createAccount(api.edge, { enterprise, email: `admin@${domain}`, role: 'admin' });
  }

  before(async () => {
    api = await startApiEdge();
    const acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    const globex = ensureEnterprise(api.edge, 'Globex', 'globex');
    await people(acme, 'acme.test');
    await people(globex, 'globex.test');

    oidc = await startOidcIdp({
      redirectUri: `${api.url}/auth/acme/oidc/callback`,
      accounts: {
        carol: { email: 'Carol@Acme.test', email_verified: true },
        admin: { email: 'admin@acme.test', email_verified: true },
      },
    });
    api.edge.sso.settings.set(
      acme,
      { protocol: 'oidc', issuer: oidc.issuer, clientId: oidc.clientId, clientSecret: oidc.clientSecret },
      'system',
    );

    const globexBase = `${api.url}/auth/globex`;
    adfs = new SimpleSamlIdp({
      users: [
        { username: 'carol', password: 'carol-pw', mail: 'carol@globex.test' },
        { username: 'admin', password: 'admin-pw', mail: 'Admin@Globex.test' },
      ],
      wsfed: [{ realm: `${globexBase}/wsfed`, replyUrl: `${globexBase}/wsfed` }],
    });
    await adfs.start();
    api.edge.sso.settings.set(globex, { protocol: 'wsfed', metadataUrl: adfs.wsfedMetadataUrl }, 'system');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await adfs?.stop();
    await oidc?.stop();
    await api?.stop();
  });

  /** Nothing leaves the machine (the provider's page links a web font). */
  async function loopbackOnly(context: BrowserContext) {
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  }

  async function signInAtOidc(page: Page, login: string) {
    await page.waitForURL((url) => url.href.startsWith(oidc.issuer), { timeout: 15_000 });
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any');
    await page.locator('input[name="password"]').press('Enter');
  }

  async function signInAtAdfs(page: Page, username: string, password: string) {
    await page.waitForURL((url) => url.href.startsWith(adfs.baseUrl), { timeout: 15_000 });
    await page.locator('input[name="username"]').fill(username);
    await page.locator('input[name="password"]').fill(password);
    await page.locator('input[name="password"]').press('Enter');
  }

  async function accountSignIn(slug: string, atIdp: (page: Page) => Promise<void>, email: string) {
    const context = await browser.newContext();
    try {
      await loopbackOnly(context);
      const page = await context.newPage();
      await page.goto(
        `${api.url}/auth/${slug}/sso/start?purpose=account&return=${encodeURIComponent('/account/')}`,
      );
      await atIdp(page);
      await page.waitForURL(`${api.url}/account/`, { timeout: 15_000 });
      const cookies = await context.cookies(api.url);
      assert.equal(cookies.find((c) => c.name === 'mfp-account')?.httpOnly, true, JSON.stringify(cookies));
      assert.ok(!cookies.some((c) => c.name === 'mfp-console'));
      await page.goto(`${api.url}/auth/account-session`);
      const who = JSON.parse(await page.locator('body').innerText()) as {
        audience: string;
        user: { email: string };
      };
      assert.deepEqual([who.audience, who.user.email], ['account', email]);
    } finally {
      await context.close();
    }
  }

  async function consoleSignIn(enterpriseName: string, atIdp: (page: Page) => Promise<void>) {
    const console_ = await openConsole(browser, `${api.url}/admin/`);
    try {
      const { page } = console_;
      await loopbackOnly(console_.context);
      await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
      await page.getByRole('link', { name: `Sign in with your company (${enterpriseName})` }).click();
      await atIdp(page);
      await page.getByRole('navigation', { name: 'Console' }).waitFor({ timeout: 15_000 });
      assert.equal(new URL(page.url()).pathname, '/admin/');
      const cookie = (await console_.context.cookies(api.url)).find((c) => c.name === 'mfp-console');
      assert.equal(cookie?.sameSite, 'Strict');
      assert.deepEqual(console_.problems, []);
    } finally {
      await console_.close();
    }
  }

  it('OIDC: signs an SSO-only user in to the account page', async () => {
    await accountSignIn('acme', (page) => signInAtOidc(page, 'carol'), 'carol@acme.test');
  });

  it('OIDC: signs an admin in to the console with "Sign in with your company"', async () => {
    await consoleSignIn('Acme', (page) => signInAtOidc(page, 'admin'));
  });

  it('WS-Fed: signs an SSO-only user in to the account page', async () => {
    await accountSignIn('globex', (page) => signInAtAdfs(page, 'carol', 'carol-pw'), 'carol@globex.test');
  });

  it('WS-Fed: signs an admin in to the console with "Sign in with your company"', async () => {
    await consoleSignIn('Globex', (page) => signInAtAdfs(page, 'admin', 'admin-pw'));
  });
});
