import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { totpCode } from '../../../edge-service/src/auth/totp.ts';
import { download, type AdminLogin } from '../../helpers/console-browser.ts';
import { parseCsv, readXlsx } from '../../helpers/export-files.ts';
import { ConsoleHarness } from './console-harness.ts';

/* The users page in headless chromium: lockout and unlock, filters, creation, exports read back. */
describe('console users (browser, real edge)', function () {
  this.timeout(180_000);
  let h: ConsoleHarness;
  let admin: AdminLogin;
  let page: Page;
  let problems: string[];

  before(async () => {
    h = await new ConsoleHarness().start();
    admin = await h.admin();
    ({ page, problems } = await h.signedIn(admin));
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('table', { name: 'Users' }).waitFor();
  });
  after(() => h?.stop());

  const row = (email: string) => page.getByRole('row', { name: new RegExp(email.replace(/[.+]/g, '\\$&')) });

  it('an account locked by failed sign-ins is tagged Locked, filterable, and unlocked by the admin', async () => {
    const lou = await h.admin('lou@demo.example', 'Lou-Right-Pass-2025!');
    const other = await h.open();
    for (let i = 1; i <= 6; i++) {
      await other.page.getByLabel('Email', { exact: true }).fill(lou.email);
      await other.page.getByLabel('Password', { exact: true }).fill(`wrong-${i}`);
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      await other.page
        .getByRole('alert')
        .filter({ hasText: i < 6 ? 'wrong' : 'locked' })
        .waitFor();
    }
    await other.page.getByLabel('Password', { exact: true }).fill(lou.password);
    await other.page.getByRole('button', { name: 'Sign in' }).click();
    const locked = other.page.getByRole('alert').filter({ hasText: 'locked' });
    await locked.waitFor();
    assert.doesNotMatch(
      (await locked.textContent())!,
      /\d{4}-\d\d-\d\dT/,
      'the end of the lock in local time',
    );

    await page.getByLabel('Locked only').check();
    await row(lou.email).waitFor();
    assert.equal(
      await page.getByRole('table', { name: 'Users' }).getByRole('row').count(),
      2,
      'header and Lou',
    );
    assert.match((await row(lou.email).textContent())!, /Locked/);
    await page.getByRole('button', { name: `Unlock ${lou.email}` }).click();
    await page.getByText(`${lou.email} is unlocked.`).waitFor();
    await page.getByText('No users match.').waitFor();
    await page.getByLabel('Locked only').uncheck();
    await row(lou.email).waitFor();
    assert.doesNotMatch((await row(lou.email).textContent())!, /Locked/);

    await other.page.getByRole('button', { name: 'Sign in' }).click();
    await other.page
      .getByLabel('Code from your authenticator app')
      .fill(await totpCode(lou.totpSecret, new Date()));
    await other.page.getByRole('button', { name: 'Verify' }).click();
    await other.page.getByRole('navigation', { name: 'Console' }).waitFor();
    assert.deepEqual(problems, []);
  });

  it('creates a user with its settings, bulk-edits the selected ones, and exports the filtered list to CSV and Excel', async () => {
    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Email', { exact: true }).fill('zoe@demo.example');
    await form.getByLabel('Name', { exact: true }).fill('=HYPERLINK("x") Zoé');
    await form.getByLabel('Language', { exact: true }).selectOption('fr');
    await form.getByLabel('Time zone', { exact: true }).selectOption('Europe/Paris');
    await form.getByLabel('Password never expires').check();
    await form.getByLabel('Fax service', { exact: true }).uncheck();
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('zoe@demo.example is created and invited.').waitFor();
    const zoe = h.stack.edge.people.users.findByEmail(h.enterpriseId, 'zoe@demo.example')!;
    assert.equal(zoe.language, 'fr');
    assert.equal(zoe.timeZone, 'Europe/Paris');
    assert.equal(zoe.passwordNeverExpires, true);
    assert.equal(zoe.faxEnabled, false);
    await h.person('yann@demo.example', 'Yann-Pass-2025!x');

    await page.getByLabel('Search', { exact: true }).fill('demo.example');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('checkbox', { name: 'Select zoe@demo.example' }).check();
    await page.getByRole('checkbox', { name: 'Select yann@demo.example' }).check();
    await page.getByRole('button', { name: 'Change selected users' }).click();
    const bulk = page.getByRole('form', { name: 'Change the selected users' });
    await bulk.getByLabel('Language', { exact: true }).selectOption('de');
    await bulk.getByLabel('Fax service', { exact: true }).selectOption('true');
    await bulk.getByRole('button', { name: 'Apply to selected users' }).click();
    await page.getByText('2 users changed.').waitFor();
    for (const email of ['zoe@demo.example', 'yann@demo.example']) {
      const u = h.stack.edge.people.users.findByEmail(h.enterpriseId, email)!;
      assert.equal(u.language, 'de', email);
      assert.equal(u.faxEnabled, true, email);
    }

    // The export holds the filtered rows only: role user, search "o" (zoe, not yann, no admin).
    await page.getByLabel('Role', { exact: true }).selectOption('user');
    await page.getByLabel('Search', { exact: true }).fill('zoe');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await row('zoe@demo.example').waitFor();
    const csv = await download(page, 'Export users as CSV');
    assert.match(csv.name, /\.csv$/);
    const rows = parseCsv(csv.body);
    const header = rows[0]!;
    const emailAt = header.findIndex((c) => /email/i.test(c));
    assert.ok(emailAt >= 0, `an email column in ${header.join(',')}`);
    assert.deepEqual(
      rows.slice(1).map((r) => r[emailAt]),
      ['zoe@demo.example'],
    );
    assert.ok(
      rows[1]!.some((c) => c === `'=HYPERLINK("x") Zoé`),
      'the formula is neutralised',
    );

    const xlsx = await download(page, 'Export users as Excel');
    assert.match(xlsx.name, /\.xlsx$/);
    const sheet = await readXlsx(xlsx.body);
    assert.deepEqual(sheet[0], header, 'the same columns');
    assert.deepEqual(
      sheet.slice(1).map((r) => r[emailAt]),
      ['zoe@demo.example'],
    );
    assert.deepEqual(problems, []);
  });
});
