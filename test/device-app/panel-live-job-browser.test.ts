import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openOnlinePanel, PANEL_SIZES, sizeName } from '../helpers/browser.ts';
import { resetSimulator, startStack, type Stack } from '../helpers/edge-and-simulator.ts';

interface ReceivedFax {
  to: string;
  pages: number;
  status: string;
}

/** Five single-page originals, so any tail of the stack can be put back by name. */
const STACK = ['form', 'skewed', 'photo', 'legal', 'blank'];

/*
 * The live-job screen in headless chromium at 800×480 and 1024×600 (one stack and browser for both,
 * the simulator reset before each test), against the edge and the simulator: a jam at page 3 of 5
 * shown with the sheets to put back, Resume, every page delivered once; and a reload mid-job that
 * brings the job view back with its thumbnails.
 */
describe('panel live job in a browser (800×480 and 1024×600): jam, Resume, reload', function () {
  this.timeout(360_000);
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

  // No fault, feeder or received fax left from the test before (faxes are counted per number).
  beforeEach(() => resetSimulator(stack));

  async function sim(path: string, method = 'GET', body?: unknown): Promise<unknown> {
    const response = await fetch(`${stack.simulator.url}/sim/api${path}`, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status}`);
    return response.json();
  }

  async function received(digits: string): Promise<ReceivedFax[]> {
    const faxes = (await sim('/faxes')) as ReceivedFax[];
    return faxes.filter((f) => f.to.replace(/\D/g, '').endsWith(digits));
  }

  async function openPanel(size: {
    width: number;
    height: number;
  }): Promise<{ page: Page; errors: string[] }> {
    const { page, errors } = await openOnlinePanel(browser, stack.panelUrl, size);
    return { page, errors };
  }

  async function sendTo(page: Page, number: string): Promise<void> {
    await page.getByRole('button', { name: 'Fax', exact: true }).click();
    for (const key of number) await page.getByRole('button', { name: `Key ${key}`, exact: true }).click();
    await page.getByRole('button', { name: 'Add number' }).click();
    await page
      .getByRole('list', { name: 'Recipients' })
      .getByRole('listitem')
      .first()
      .waitFor({ timeout: 10000 });
    await page.getByRole('radio', { name: 'Standard' }).check();
    await page.getByRole('button', { name: 'Send' }).click();
  }

  /** Every control of the job screen is a real touch target. */
  async function assertTouchTargets(page: Page, size: { height: number }): Promise<void> {
    for (const button of await page.getByRole('region', { name: 'Fax status' }).getByRole('button').all()) {
      const box = await button.boundingBox();
      assert.ok(
        box && box.height >= 44 && box.width >= 44,
        `${await button.textContent()}: ${JSON.stringify(box)}`,
      );
      assert.ok(box.y + box.height <= size.height, `${await button.textContent()} is on screen`);
    }
  }

  for (const size of PANEL_SIZES) {
    const at = sizeName(size);

    it(`at ${at}: a jam at page 3 of 5: the sheets to put back, Resume, delivered with all 5 pages received once`, async () => {
      await sim('/feeder', 'PUT', { originals: STACK, reload: false });
      await sim('/faults', 'POST', { fault: 'jam', atPage: 3 });
      const { page, errors } = await openPanel(size);
      await sendTo(page, '+12125550140');

      await page.locator('[data-state="needs-attention"]').waitFor({ timeout: 60000 });
      assert.equal(await page.getByRole('status', { name: 'Job state' }).textContent(), 'Paper jam');
      const action = page.getByRole('alert');
      assert.match(
        (await action.textContent()) ?? '',
        /Clear the jam, put pages 3 to the last back in the feeder, then press Resume\. Pages 1–2 are kept\./,
      );
      const pages = page.getByRole('list', { name: 'Pages' });
      for (const n of [1, 2]) {
        const thumbnail = pages.getByRole('img', { name: `Page ${n}`, exact: true });
        await thumbnail.waitFor({ timeout: 10000 });
        assert.match((await thumbnail.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
      }
      assert.equal(await pages.getByRole('img').count(), 2);
      await assertTouchTargets(page, size);
      assert.ok(await page.getByRole('button', { name: 'Cancel fax' }).isVisible());
      if (process.env.LIVE_JOB_SHOTS)
        await page.screenshot({ path: `${process.env.LIVE_JOB_SHOTS}/live-job-jam-${at}.png` });

      // The person clears the jam and puts pages 3–5 back (here: through the control API).
      await sim('/faults/jam', 'DELETE');
      await sim('/feeder', 'PUT', { originals: STACK.slice(2), reload: false });
      await page.getByRole('button', { name: 'Resume' }).click();

      await page.locator('[data-state="delivered"]').waitFor({ timeout: 120000 });
      for (const n of [1, 2, 3, 4, 5])
        await pages.getByRole('img', { name: `Page ${n}`, exact: true }).waitFor({ timeout: 10000 });
      assert.equal(await pages.getByRole('listitem', { name: /: sent$/ }).count(), 5);
      const recipients = page.getByRole('list', { name: 'Recipients' });
      assert.match((await recipients.textContent()) ?? '', /delivered/);
      const faxes = await received('2125550140');
      assert.equal(faxes.length, 1, JSON.stringify(faxes));
      assert.equal(faxes[0]!.pages, 5);
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Last fax' }).waitFor();
      assert.deepEqual(errors, []);
      await page.close();
    });

    it(`at ${at}: a reload mid-job brings the job view back with its thumbnails, still live`, async () => {
      await sim('/feeder', 'PUT', { originals: STACK.slice(0, 3), reload: false });
      await sim('/faults', 'POST', { fault: 'jam', atPage: 2 });
      const { page, errors } = await openPanel(size);
      await sendTo(page, '+12125550141');
      await page.locator('[data-state="needs-attention"]').waitFor({ timeout: 60000 });
      await page.getByRole('img', { name: 'Page 1', exact: true }).waitFor({ timeout: 10000 });

      await page.reload();
      await page.locator('[data-state="needs-attention"]').waitFor({ timeout: 15000 });
      const thumbnail = page
        .getByRole('list', { name: 'Pages' })
        .getByRole('img', { name: 'Page 1', exact: true });
      await thumbnail.waitFor({ timeout: 10000 });
      assert.match((await thumbnail.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
      assert.match((await page.getByRole('alert').textContent()) ?? '', /put pages 2 to the last back/);

      await sim('/faults/jam', 'DELETE');
      await sim('/feeder', 'PUT', { originals: STACK.slice(1, 3), reload: false });
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.locator('[data-state="delivered"]').waitFor({ timeout: 120000 });
      await page.getByRole('img', { name: 'Page 3', exact: true }).waitFor({ timeout: 10000 });
      assert.equal((await received('2125550141'))[0]?.pages, 3);

      // Done: the next reload opens home, not the finished job.
      await page.getByRole('button', { name: 'Done' }).click();
      await page.reload();
      await page.getByRole('button', { name: 'Last fax' }).waitFor({ timeout: 15000 });
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});
