import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ConsoleHarness } from './console-harness.ts';

/* The console's provisioning page in headless chromium: a SCIM token shown once, the LDAP settings. */
describe('console provisioning page (browser, real edge)', function () {
  this.timeout(120_000);
  let h: ConsoleHarness;
  let page: Page;

  before(async () => {
    h = await new ConsoleHarness().start();
    ({ page } = await h.signedIn(await h.admin()));
  });
  after(() => h?.stop());

  it('creates a SCIM token the identity provider can use, and revokes it', async () => {
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Provisioning' })
      .click();
    await page.getByLabel('Token name').fill('Entra ID');
    await page.getByRole('button', { name: 'Create SCIM token' }).click();
    const token = (await page.getByLabel('New SCIM token value').textContent())!;
    const call = () =>
      fetch(`${h.edgeUrl}/scim/v2/demo/ServiceProviderConfig`, {
        headers: { authorization: `Bearer ${token}` },
      });
    assert.equal((await call()).status, 200);
    await page.getByRole('button', { name: 'Revoke Entra ID' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke Entra ID?' })
      .getByRole('button', { name: 'Revoke token' })
      .click();
    await page.getByText('Entra ID is revoked.').waitFor();
    assert.equal((await call()).status, 401);
  });

  it('saves the directory sync settings, warning when certificate checks are off', async () => {
    await page.getByLabel('Server URL').fill('ldaps://127.0.0.1:1');
    await page.getByLabel('Bind DN').fill('cn=svc,dc=example,dc=com');
    await page.getByLabel('Bind password').fill('s3cret');
    await page.getByLabel('Base DN').fill('ou=People,dc=example,dc=com');
    await page.getByLabel('Check the server certificate').uncheck();
    await page.getByRole('button', { name: 'Save directory sync' }).click();
    await page.getByText(/validation is off/).waitFor();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText(/failed\. 0 entries/).waitFor();
    await page.getByText(/could not be reached/).waitFor();
  });
});
