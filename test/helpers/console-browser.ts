import type { Browser, BrowserContext, Page } from 'playwright-core';
import { totpCode } from '../../edge-service/src/auth/totp.ts';

/**
 * The admin console in headless chromium, driven by accessible names (what the console's browser
 * tests share). Every page records script errors and CSP violations in `problems`, which a test
 * expects empty at its end.
 */
export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  problems: string[];
  close(): Promise<void>;
}

/** A fresh browser context (own cookies) on `url`, at a desktop size unless told (tablet: 1024×768). */
export async function openConsole(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 800 },
): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx the console shows as a message is expected; CSP violations and script errors are not.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { context, page, problems, close: () => context.close() };
}

export interface AdminLogin {
  email: string;
  password: string;
  /** Base32 TOTP secret of the admin. */
  totpSecret: string;
}

/**
 * Signs in at the console's sign-in form with email, password and a TOTP code from the secret. The
 * code is taken for the current time step; a test that signs in twice within 30 s must wait for the
 * next step (codes are single-use), which `freshTotp` does.
 */
export async function signInAtConsole(page: Page, admin: AdminLogin): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByLabel('Code from your authenticator app')
    .fill(await totpCode(admin.totpSecret, new Date()));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
}

/** Waits until `check` holds, polling; throws with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A panel browser context with no credential on `<edge>/panel/`, at the panel size. */
export async function openBarePanel(browser: Browser, edgeUrl: string): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 800, height: 480 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(`${edgeUrl}/panel/`);
  return { context, page, problems, close: () => context.close() };
}

/** Marks the page so a later check sees whether it was reloaded (a reload loses the mark). */
export async function markPage(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => ((window as unknown as { consoleTestMark: number }).consoleTestMark = 42));
  return async () =>
    (await page.evaluate(() => (window as unknown as { consoleTestMark?: number }).consoleTestMark)) === 42;
}

/** Clicks a download link and returns the file's bytes and suggested name. */
export async function download(page: Page, linkName: string): Promise<{ name: string; body: Buffer }> {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 15_000 }),
    page.getByRole('link', { name: linkName }).click(),
  ]);
  const stream = await file.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { name: file.suggestedFilename(), body: Buffer.concat(chunks) };
}
