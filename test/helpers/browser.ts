import { chromium, type Browser, type Page } from 'playwright-core';

/** The two panel sizes issue 11's browser tests run at (a 7" and a 10" MFP panel). */
export const PANEL_SIZES = [
  { width: 800, height: 480 },
  { width: 1024, height: 600 },
] as const;

/** "800×480", for test titles. */
export function sizeName(size: { width: number; height: number }): string {
  return `${size.width}×${size.height}`;
}

/** Debian's chromium, headless, with nothing that reaches the network on its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    timeout: 30000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A panel page at `size` opened on `url` and connected (its badge says Online), with its script errors. */
export async function openOnlinePanel(
  browser: Browser,
  url: string,
  size: { width: number; height: number },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: size });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page
    .getByRole('status', { name: 'Connection' })
    .filter({ hasText: 'Online' })
    .waitFor({ timeout: 15000 });
  return { page, errors };
}
