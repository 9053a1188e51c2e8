import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { Simulator } from '../../../simulator/src/simulator.ts';
import { createLogger } from '../../../simulator/src/logger.ts';
import { launchBrowser } from '../../helpers/browser.ts';
import { nextDocument, postJob, scanSettingsXml } from './scanner-test-server.ts';
import { twoPageLetter } from './test-pdf.ts';

/* A tester drops a PDF into the console's feeder (headless chromium), then a client scans it. */
describe('simulator console: PDF originals in the feeder', function () {
  this.timeout(120000);
  let simulator: Simulator;
  let browser: Browser;
  let page: Page;

  before(async () => {
    simulator = new Simulator({ port: 0, timeFactor: 0.001, logger: createLogger({ level: 'silent' }) });
    await simulator.start();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${simulator.url}/`);
    await page.getByRole('status', { name: 'Console connection' }).filter({ hasText: 'Live' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await simulator?.stop();
  });

  it('uploads a PDF from the file picker, lists its pages and scans them', async () => {
    const contents = page.getByRole('list', { name: 'Feeder contents' });
    await page.getByLabel('Upload an original').setInputFiles({
      name: 'freight report.pdf',
      mimeType: 'application/pdf',
      buffer: await twoPageLetter(),
    });
    await contents.getByText('freight report.pdf — 2 pages', { exact: true }).waitFor({ timeout: 20000 });
    assert.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 0, 'no error shown');

    const job = (await postJob(simulator.url, scanSettingsXml({ resolution: 75 }))).headers.get('location');
    const sizes: number[][] = [];
    for (;;) {
      const res = await nextDocument(job ?? '');
      if (res.status !== 200) break;
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      sizes.push([meta.width ?? 0, meta.height ?? 0]);
    }
    assert.deepEqual(sizes, [
      [638, 825],
      [638, 825],
    ]);
  });

  it('shows why a broken PDF was refused and keeps the feeder as it was', async () => {
    await page.getByLabel('Upload an original').setInputFiles({
      name: 'broken.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\nnot much of a PDF\n'),
    });
    await page
      .getByRole('alert')
      .filter({ hasText: /PDF cannot be read.*\(INVALID_ORIGINAL\)/ })
      .waitFor({ timeout: 20000 });
    const contents = page.getByRole('list', { name: 'Feeder contents' });
    await contents.getByText('freight report.pdf — 2 pages', { exact: true }).waitFor();
  });
});
