import assert from 'node:assert/strict';
import { totpCode } from '../../../edge-service/src/auth/totp.ts';
import { ConsoleHarness } from './console-harness.ts';

/* Signing in to the console in headless chromium, by accessible names, under the console's CSP. */
describe('console sign-in (browser)', function () {
  this.timeout(120_000);
  let h: ConsoleHarness;

  before(async () => {
    h = await new ConsoleHarness().start();
  });
  after(() => h?.stop());

  it('an admin signs in with password and TOTP, sees the console, and signs out', async () => {
    const admin = await h.admin();
    const { page, problems } = await h.open();
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'email or password is wrong' }).waitFor();

    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await page
      .getByLabel('Code from your authenticator app')
      .fill(await totpCode(admin.totpSecret, new Date()));
    await page.getByRole('button', { name: 'Verify' }).click();

    const nav = page.getByRole('navigation', { name: 'Console' });
    for (const name of [
      'Devices',
      'Users',
      'Jobs and usage',
      'Enterprise settings',
      'Audit log',
      'Outbox',
      'API tokens',
    ])
      await nav.getByRole('link', { name }).waitFor();
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    assert.deepEqual(problems, [], 'no script error and no CSP violation');
  });

  it('an admin without 2FA enrols at first sign-in: QR code, key, code, recovery codes shown once', async () => {
    await h.person('new-admin@demo.example', 'Console-Admin-2025!', { role: 'admin' });
    const { page, problems } = await h.open();
    await page.getByLabel('Email').fill('new-admin@demo.example');
    await page.getByLabel('Password', { exact: true }).fill('Console-Admin-2025!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    assert.ok(
      await page.getByRole('img', { name: 'QR code to scan with your authenticator app' }).isVisible(),
    );
    const key = (await page.getByLabel('Key for your authenticator app').textContent())!.replace(/\s/g, '');
    assert.match(key, /^[A-Z2-7]{16,}$/);
    await page.getByLabel('Code from your authenticator app').fill(await totpCode(key, new Date()));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count(), 10);
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    assert.deepEqual(problems, []);
  });

  it('a user who is not an administrator is told the console is not for them', async () => {
    await h.person('worker@demo.example', 'Worker-Pass-2025!');
    const { page } = await h.open();
    await page.getByLabel('Email').fill('worker@demo.example');
    await page.getByLabel('Password', { exact: true }).fill('Worker-Pass-2025!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'administrators' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Console' }).isVisible(), false);
  });

  it('opens the pairing form from a panel QR URL after sign-in, with the code filled in', async () => {
    const admin = await h.admin('qr-admin@demo.example');
    const { page, problems } = await h.signedIn(admin, `${h.consoleUrl}#/pair?code=WDJBMJHT`);
    await page.getByRole('heading', { name: 'Pair a printer' }).waitFor();
    assert.equal(await page.getByLabel('Pairing code').inputValue(), 'WDJB-MJHT');
    assert.deepEqual(
      problems.filter((p) => !/PAIRING_CODE_INVALID/.test(p)),
      [],
    );
  });
});
