import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, openOnlinePanel, PANEL_SIZES, sizeName } from '../helpers/browser.ts';
import { resetSimulator, startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { coverOfStoredJob, receivedFaxes, receivedPage } from '../helpers/fax-cover.ts';
import { disagreement } from '../edge-service/pipeline/pipeline-helpers.ts';

/** Two scanned sheets that look nothing like a cover page. */
const ORIGINALS = ['form', 'photo'];

/*
 * Issue 11's Done-when "a cover page received as the first page", in headless chromium at both
 * panel sizes: the composer driven by accessible names with a cover page (subject, note), sent,
 * Delivered; then at the simulator (its control API, as any tester would look) the received fax
 * has the scanned pages plus one, and page 1 is, pel for pel, the cover the edge draws for the
 * stored job (test/helpers/fax-cover.ts).
 */
describe('panel cover page in a browser (800×480 and 1024×600): received as the first page', function () {
  this.timeout(240_000);
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  beforeEach(async () => {
    resetSimulator(stack);
    const response = await fetch(`${stack.simulator.url}/sim/api/feeder`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ originals: ORIGINALS, reload: true }),
    });
    assert.equal(response.status, 200);
  });

  for (const [i, size] of PANEL_SIZES.entries()) {
    it(`at ${sizeName(size)}: the composer's cover page (subject, note) is page 1 of the received fax`, async () => {
      const digits = `212555015${i}`;
      const { page, errors } = await openOnlinePanel(browser, stack.panelUrl, size);
      await page.getByRole('button', { name: 'Fax', exact: true }).click();
      await page.getByRole('textbox', { name: 'Fax number' }).fill(`+1 ${digits}`);
      await page.getByRole('button', { name: 'Add number' }).click();
      await page
        .getByRole('list', { name: 'Recipients' })
        .getByRole('listitem')
        .first()
        .waitFor({ timeout: 10000 });
      const options = page.getByRole('group', { name: 'Options' });
      await options.getByRole('checkbox', { name: 'Add a cover page' }).check();
      const subject = `Quarterly report (${sizeName(size)})`;
      const note = 'Two pages follow.\nCall me with any question.';
      await options.getByRole('textbox', { name: 'Cover page subject' }).fill(subject);
      await options.getByRole('textbox', { name: 'Cover page note' }).fill(note);
      await page.getByRole('button', { name: 'Send' }).click();
      await page
        .getByRole('status', { name: 'Job state' })
        .filter({ hasText: 'Delivered' })
        .waitFor({ timeout: 120000 });

      const deviceId = stack.panels.find((p) => p.mode === 'shared-account')!.deviceId;
      const [job] = stack.edge.repositories.jobs.listByDevice(deviceId, 1);
      assert.equal(job?.state, 'delivered');
      assert.equal(job.options.cover?.subject, subject);
      assert.equal(job.options.cover?.note, note);
      assert.equal(job.pagesScanned, ORIGINALS.length);

      const faxes = await receivedFaxes(stack.simulator.url, digits);
      assert.equal(faxes.length, 1, JSON.stringify(faxes));
      const fax = faxes[0]!;
      assert.equal(fax.pages, ORIGINALS.length + 1, 'the scanned pages plus the cover');
      const first = await receivedPage(stack.simulator.url, fax.id, 1);
      const expected = await coverOfStoredJob(job);
      assert.deepEqual([first.width, first.height], [expected.width, expected.height]);
      // Fax coding is lossless, so every pel agrees (one letter of the subject changed is ~0.004%).
      const off = disagreement(first, expected);
      assert.equal(off, 0, `page 1 differs from the job's cover page in ${(off * 100).toFixed(4)}% of pels`);
      // The cover is there once: page 2 is the first scanned sheet.
      assert.ok(disagreement(await receivedPage(stack.simulator.url, fax.id, 2), expected) > 0.01);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
