import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { PanelClient } from '../../helpers/panel-client.ts';
import { download } from '../../helpers/console-browser.ts';
import { parseCsv, readXlsx } from '../../helpers/export-files.ts';
import { ConsoleHarness } from './console-harness.ts';

/*
 * Jobs and usage in headless chromium: faxes sent from the demo panel (real engine, simulator
 * line) listed with destinations and countries, exported to CSV and Excel (read back with exceljs),
 * the pages-per-day chart with its table of figures.
 */
describe('console jobs and usage (browser, real edge and simulator)', function () {
  this.timeout(240_000);
  let h: ConsoleHarness;
  let page: Page;
  let problems: string[];
  let pagesPerFax: number;

  before(async () => {
    h = await new ConsoleHarness().start();
    const panel = await PanelClient.connect(h.stack.wsUrl);
    try {
      await panel.request('hello', {
        protocolVersions: [1],
        deviceToken: h.stack.token,
        app: { name: 'test', version: '1' },
      });
      for (const number of ['+1 212 555 0100', '+33 1 42 68 53 00']) {
        const { job } = await panel.request('fax.send', { recipients: [number] });
        const done = await panel.waitForJob(
          (j) => j.id === job.id && ['delivered', 'failed', 'cancelled'].includes(j.state),
          120_000,
        );
        assert.equal(done.state, 'delivered', JSON.stringify(done.error));
        pagesPerFax = done.totalPages!;
      }
    } finally {
      panel.close();
    }
    ({ page, problems } = await h.signedIn(await h.admin()));
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Jobs and usage' })
      .click();
    await page.getByRole('table', { name: 'Jobs' }).waitFor();
  });
  after(() => h?.stop());

  it('lists each fax with who, device, pages, destinations with country, result, duration and line time', async () => {
    const rows = page.getByRole('table', { name: 'Jobs' }).getByRole('row');
    assert.equal(await rows.count(), 3, 'header and two faxes');
    const text = (await page.getByRole('table', { name: 'Jobs' }).textContent())!;
    assert.match(text, /Front desk/);
    assert.match(text, /\(United States, US\)/);
    assert.match(text, /\(France, FR\)/);
    assert.match(text, /delivered/);
    assert.doesNotMatch(text, /NaN|undefined/);
  });

  it('exports the filtered jobs to CSV and Excel with the right rows', async () => {
    const csv = parseCsv((await download(page, 'Export jobs as CSV')).body);
    const header = csv[0]!;
    const col = (name: string) => header.indexOf(name);
    assert.ok(col('Destinations') >= 0 && col('Countries') >= 0 && col('Pages') >= 0, header.join(','));
    const data = csv.slice(1);
    assert.equal(data.length, 2);
    assert.deepEqual(data.map((r) => r[col('Countries')]).sort(), ['FR', 'US']);
    assert.deepEqual(
      data.map((r) => r[col('Result')]),
      ['delivered', 'delivered'],
    );
    assert.deepEqual(
      data.map((r) => r[col('Pages')]),
      [String(pagesPerFax), String(pagesPerFax)],
    );

    const sheet = await readXlsx((await download(page, 'Export jobs as Excel')).body);
    assert.deepEqual(sheet[0], header);
    assert.equal(sheet.length, 3);
    assert.equal(typeof sheet[1]![col('Pages')], 'number', 'typed cells');
    assert.ok(sheet[1]![col('Created (UTC)')] instanceof Date, 'dates as dates');

    // Another device's jobs: none, in the page and in the export.
    await page
      .getByLabel('Device', { exact: true })
      .selectOption({ label: 'Virtual MFP (simulator), user prompt' });
    await page.getByText('No jobs match.').waitFor();
    const none = parseCsv((await download(page, 'Export jobs as CSV')).body);
    assert.equal(none.length, 1, 'the header only');
    await page.getByLabel('Device', { exact: true }).selectOption('');
    await page.getByRole('table', { name: 'Jobs' }).waitFor();
  });

  it('draws pages per day and per result, with the figures as a table', async () => {
    await page.getByRole('img', { name: /Pages per day and per result/ }).waitFor();
    await page.getByText('Show the figures').click();
    const figures = page.getByRole('table', { name: 'Pages per day and per result' });
    const today = figures.getByRole('row').last();
    assert.match((await today.textContent())!, new RegExp(`${2 * pagesPerFax}$`));
    assert.deepEqual(problems, []);
  });
});
