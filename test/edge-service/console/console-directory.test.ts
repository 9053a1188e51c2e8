import assert from 'node:assert/strict';
import { newTotpSecret } from '../../../edge-service/src/auth/totp.ts';
import { PanelClient } from '../../helpers/panel-client.ts';
import { ConsoleHarness } from './console-harness.ts';

/* The Directory page in headless chromium: add, search, edit, delete, import; read-only for support agents. */
describe('console directory (browser, real edge)', function () {
  this.timeout(180_000);
  let h: ConsoleHarness;

  before(async () => {
    h = await new ConsoleHarness().start();
  });
  after(() => h?.stop());

  it('adds, searches, edits and deletes entries (names shown as text), imports CSV; a panel finds what was added', async () => {
    const { page, problems } = await h.signedIn(await h.admin());
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Directory' }).click();
    await page.getByRole('heading', { name: 'Directory' }).waitFor();
    await page.getByText('No directory entries match.').waitFor();

    await page.getByRole('button', { name: 'New entry' }).click();
    const form = page.getByRole('form', { name: 'New directory entry' });
    await form.getByLabel('Name', { exact: true }).fill('<img src=x onerror=alert(1)> Élodie');
    await form.getByLabel('Fax number', { exact: true }).fill('12');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await form.getByText('not a valid phone number').waitFor();
    await form.getByLabel('Fax number', { exact: true }).fill('+33 1 42 68 53 00');
    await form.getByLabel('Company', { exact: true }).fill('Cabinet Durand');
    await form.getByRole('button', { name: 'Add entry' }).click();
    await page.getByText('is added.').waitFor();
    const table = page.getByRole('table', { name: 'Directory entries' });
    const row = table.getByRole('row', { name: /Élodie/ });
    await row.waitFor();
    assert.match((await row.textContent())!, /\+33 1 42 68 53 00.*France.*Cabinet Durand/);
    assert.equal(await page.locator('main img').count(), 0, 'the name is text, not markup');

    // Import two more (one updates the entry above by its number).
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const importing = page.getByRole('form', { name: 'Import the directory' });
    await importing
      .getByLabel('CSV rows')
      .fill('name,number,department\nBob Stone,+1 212 555 0111,Sales\nÉlodie M.,+33142685300,Legal\n');
    await importing.getByRole('button', { name: 'Import rows' }).click();
    await page.getByText('Imported: 1 added, 1 updated.').waitFor();
    await table.getByRole('row', { name: /Bob Stone/ }).waitFor();
    await table.getByRole('row', { name: /Élodie M\./ }).waitFor();

    await page.getByLabel('Search', { exact: true }).fill('sales');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('status', { name: 'Shown rows' }).filter({ hasText: '1–1 of 1' }).waitFor();

    await page.getByRole('button', { name: 'Edit Bob Stone' }).click();
    const edit = page.getByRole('form', { name: 'Edit Bob Stone' });
    await edit.getByLabel('Name', { exact: true }).fill('Robert Stone');
    await edit.getByLabel('Department', { exact: true }).fill('');
    await edit.getByRole('button', { name: 'Save entry' }).click();
    await page.getByText('Robert Stone (+1 212 555 0111) is saved.').waitFor();

    // A panel of the enterprise finds the entry (the shared-account demo device).
    const panel = await PanelClient.connect(h.stack.wsUrl);
    try {
      await panel.request('hello', {
        protocolVersions: [1],
        deviceToken: h.stack.token,
        app: { name: 't', version: '1' },
      });
      const found = await panel.request('directory.search', { query: 'rob' });
      assert.deepEqual(
        found.entries.map((e) => [e.name, e.e164, e.department]),
        [['Robert Stone', '+12125550111', null]],
      );
    } finally {
      panel.close();
    }

    await page.getByLabel('Search', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('button', { name: 'Delete Robert Stone' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete entry' }).click();
    await page.getByText('Robert Stone is deleted from the directory.').waitFor();
    await table.getByRole('row', { name: /Robert Stone/ }).waitFor({ state: 'detached' });
    const actions = h.stack.edge.audit
      .list({ enterpriseId: h.enterpriseId }, { offset: 0, limit: 20 })
      .items.map((e) => e.action)
      .filter((a) => a.startsWith('directory.'));
    assert.deepEqual(actions.sort(), [
      'directory.create',
      'directory.delete',
      'directory.import',
      'directory.update',
    ]);
    assert.deepEqual(problems, []);
  });

  it('a support agent reads the directory but is offered no change', async () => {
    const agent = {
      email: 'agent@demo.example',
      password: 'Support-Agent-2025!',
      totpSecret: newTotpSecret(),
    };
    await h.person(agent.email, agent.password, { role: 'support-agent', totpSecret: agent.totpSecret });
    const { page, problems } = await h.signedIn(agent);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Directory' }).click();
    await page
      .getByRole('table', { name: 'Directory entries' })
      .getByRole('row', { name: /Élodie/ })
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'New entry' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Delete / }).count(), 0);
    assert.deepEqual(problems, []);
  });
});
