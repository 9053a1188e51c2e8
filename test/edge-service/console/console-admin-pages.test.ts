import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { AdminLogin } from '../../helpers/console-browser.ts';
import { ConsoleHarness } from './console-harness.ts';

/* API tokens, the audit log and the outbox in headless chromium, by accessible names. */
describe('console tokens, audit log and outbox (browser, real edge)', function () {
  this.timeout(120_000);
  let h: ConsoleHarness;
  let admin: AdminLogin;
  let page: Page;
  let problems: string[];
  const go = (name: string) =>
    page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name }).click();

  before(async () => {
    h = await new ConsoleHarness().start();
    admin = await h.admin();
    ({ page, problems } = await h.signedIn(admin));
  });
  after(() => h?.stop());

  it('creates an API token shown once, which works as a bearer token until revoked', async () => {
    await go('API tokens');
    await page.getByLabel('Token name').fill('nightly <sync>');
    await page.getByLabel('Expires after (days)').fill('7');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByLabel('New API token value').textContent())!;
    assert.ok(token.length > 20);
    await page
      .getByRole('table', { name: 'Your API tokens' })
      .getByRole('rowheader', { name: 'nightly <sync>' })
      .waitFor();
    const call = () =>
      fetch(`${h.edgeUrl}/api/v1/session`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await call()).status, 200);

    await page.reload();
    await page.getByRole('table', { name: 'Your API tokens' }).waitFor();
    assert.equal(await page.getByText(token).count(), 0, 'shown once');
    await page.getByRole('button', { name: 'Revoke nightly <sync>' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke nightly <sync>?' })
      .getByRole('button', { name: 'Revoke token' })
      .click();
    await page.getByText('nightly <sync> is revoked.').waitFor();
    assert.equal((await call()).status, 401);
  });

  it('shows the audit log, filtered by action', async () => {
    await go('Audit log');
    const table = page.getByRole('table', { name: 'Audit entries' });
    await table.waitFor();
    assert.match((await table.textContent())!, /token/);
    await page.getByLabel('Action').fill('token.');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('link', { name: 'Export the audit log as CSV' }).waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('table tbody tr')].every((r) => /token\./.test(r.textContent ?? '')),
    );
    assert.ok((await table.getByRole('row').count()) >= 3, 'created and revoked');
  });

  it('reads a notification mail of the outbox as text', async () => {
    const { users } = h.stack.edge.people;
    const enterpriseId = h.enterpriseId;
    // An invitation from the users page: its mail lands in the outbox (no SMTP in tests).
    await go('Users');
    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Email', { exact: true }).fill('mail-reader@demo.example');
    await form.getByLabel('Name', { exact: true }).fill('Mail <Reader>');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('mail-reader@demo.example is created and invited.').waitFor();
    assert.ok(users.findByEmail(enterpriseId, 'mail-reader@demo.example'));

    await go('Outbox');
    const table = page.getByRole('table', { name: 'Messages' });
    await table.waitFor({ timeout: 15_000 });
    await page
      .getByRole('button', { name: /^Read .* to mail-reader@demo\.example$/ })
      .first()
      .click();
    const reader = page.getByRole('region', { name: 'Message' });
    await reader.getByRole('heading').waitFor();
    const body = (await reader.textContent())!;
    assert.match(body, /mail-reader@demo\.example/);
    assert.deepEqual(problems, []);
  });
});
