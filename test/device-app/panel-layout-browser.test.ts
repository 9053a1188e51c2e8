import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { catalogs, type MessageKey } from '../../device-app/src/i18n/index.ts';
import { DEMO_DEVICE_LOGIN_PEOPLE } from '../../edge-service/src/demo-enterprise.ts';

/*
 * The panel at both panel sizes and in each language, against the real edge: every control is at
 * least 44 px square and has an accessible name (read from chromium's accessibility tree), and no
 * screen, button or line of text overflows sideways. The composer is checked with its options open
 * (cover page fields shown) and on each of the recipient picker's tabs, Contacts included (a person
 * signed in at the printer), with their names in the screen's language, then the fax it sends on the
 * live-job screen. Screenshots are kept under
 * .tmp/test-artifacts/panel-layout/.
 */

const SIZES = [
  { width: 800, height: 480 },
  { width: 1024, height: 600 },
];
/** The device's language comes from the panel browser's (navigator.language). */
const LOCALES = { en: 'en-US', fr: 'fr-FR', de: 'de-DE' } as const;
/** The simulator's own control API (a person signing in at the MFP). */
async function simApi(stack: Stack, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${stack.simulator.url}/sim/api/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.text()}`);
}
const ARTIFACTS = join(process.cwd(), '.tmp', 'test-artifacts', 'panel-layout');
const INTERACTIVE_ROLES = [
  'button',
  'textbox',
  'radio',
  'checkbox',
  'link',
  'combobox',
  'spinbutton',
  'slider',
  'switch',
];

interface Problem {
  what: string;
}

/** Controls smaller than 44×44 px, and sideways overflow of the screen or of any button. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    var problems = [];
    var controls = document.querySelectorAll('button, input, select, textarea, a[href], [role="button"], [tabindex]');
    for (var i = 0; i < controls.length; i++) {
      var el = controls[i];
      // A radio or check box inside its label: the label is what the finger touches.
      var target = (el.type === 'radio' || el.type === 'checkbox') && el.closest('label') ? el.closest('label') : el;
      var box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // hidden
      var name = el.getAttribute('aria-label') || el.textContent.trim() || el.id || el.tagName;
      if (box.width < 44 || box.height < 44)
        problems.push('small ' + el.tagName.toLowerCase() + ' "' + name + '": ' + Math.round(box.width) + '×' + Math.round(box.height));
      if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1)
        problems.push('overflowing button "' + name + '": ' + el.scrollWidth + ' > ' + el.clientWidth);
    }
    // Text wider than its box (a long French or German word in a label, legend, tab or note).
    var texts = document.querySelectorAll('#screen label, #screen legend, #screen p, #screen h1, #screen li, #screen [role="tab"]');
    for (var j = 0; j < texts.length; j++) {
      var t = texts[j];
      if (t.clientWidth > 0 && t.scrollWidth > t.clientWidth + 1)
        problems.push('overflowing ' + t.tagName.toLowerCase() + ' "' + t.textContent.trim().slice(0, 40) + '": ' + t.scrollWidth + ' > ' + t.clientWidth);
    }
    // A word split across two lines (a German compound in a narrow button reads as "Hinzufüg / en").
    var worded = document.querySelectorAll('#screen button, #screen label, #screen legend, #screen [role="tab"]');
    for (var k = 0; k < worded.length; k++) {
      var walker = document.createTreeWalker(worded[k], NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var re = /\\S+/g, m;
        while ((m = re.exec(node.data))) {
          var range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          var lines = {};
          var rects = range.getClientRects();
          for (var r = 0; r < rects.length; r++) if (rects[r].width > 0) lines[Math.round(rects[r].top)] = true;
          if (Object.keys(lines).length > 1) problems.push('word broken across lines: "' + m[0] + '"');
        }
      }
    }
    // A text field squeezed by a long button beside it.
    var fields = document.querySelectorAll('#screen input[type="text"], #screen input[type="tel"], #screen input[type="search"], #screen input[type="email"], #screen input[type="password"]');
    for (var f = 0; f < fields.length; f++) {
      var fw = fields[f].getBoundingClientRect().width;
      if (fw > 0 && fw < 120)
        problems.push('squeezed field "' + (fields[f].getAttribute('aria-label') || fields[f].id) + '": ' + Math.round(fw) + ' px wide');
    }
    var screen = document.getElementById('screen');
    if (screen.scrollWidth > screen.clientWidth + 1)
      problems.push('screen overflows sideways: ' + screen.scrollWidth + ' > ' + screen.clientWidth);
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1)
      problems.push('page overflows sideways');
    return problems;
  })()`);
}

/** Interactive nodes of chromium's accessibility tree that have no name. */
async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[];
  };
  await cdp.detach();
  return nodes
    .filter((n) => !n.ignored && n.role && INTERACTIVE_ROLES.includes(n.role.value))
    .filter((n) => !n.name || !String(n.name.value).trim())
    .map((n) => n.role!.value);
}

describe('panel layouts, touch targets, names and languages (real edge, 800×480 and 1024×600)', function () {
  this.timeout(300000);
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function check(page: Page, label: string, problems: Problem[]): Promise<void> {
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(ARTIFACTS, `${label}.png`) });
    for (const what of await layoutProblems(page)) problems.push({ what: `${label}: ${what}` });
    for (const role of await unnamedControls(page))
      problems.push({ what: `${label}: a ${role} has no name` });
  }

  for (const [language, locale] of Object.entries(LOCALES)) {
    for (const size of SIZES) {
      it(`${language} at ${size.width}×${size.height}: home, composer with options and each recipient tab, live job, recent jobs, sign-in and waiting screens`, async () => {
        const context = await browser.newContext({ viewport: size, locale });
        const errors: string[] = [];
        const problems: Problem[] = [];
        const prefix = `${language}-${size.width}x${size.height}`;
        try {
          const shared = stack.panels.find((p) => p.mode === 'shared-account')!;
          const page = await context.newPage();
          page.on('pageerror', (error) => errors.push(error.message));
          await page.goto(shared.panelUrl);
          await page.locator('.connection.online').waitFor({ timeout: 15000 });
          assert.equal(await page.evaluate(() => document.documentElement.lang), language);
          await check(page, `${prefix}-home`, problems);

          await page.locator('.home-buttons button.primary').click();
          await page.locator('#fax-number').waitFor();
          await page.locator('#fax-number').fill('+12125550100');
          await page.locator('.entry button').click();
          await page.locator('.recipients li').first().waitFor({ timeout: 10000 });
          await check(page, `${prefix}-fax`, problems);

          // The options in this language, the cover page fields open.
          const words = (key: MessageKey) => catalogs[language as keyof typeof LOCALES][key];
          const options = page.getByRole('group', { name: words('options.title'), exact: true });
          await options.getByRole('checkbox', { name: words('options.cover') }).check();
          const subject = options.getByRole('textbox', { name: words('options.coverSubject') });
          await subject.waitFor();
          await subject.scrollIntoViewIfNeeded(); // for the screenshot
          await check(page, `${prefix}-fax-options`, problems);

          // The picker's sources, each tab by its name in this language.
          const tabs = page.getByRole('tablist', { name: words('picker.sources') }).getByRole('tab');
          assert.deepEqual(await tabs.allTextContents(), [
            words('picker.tab.keypad'),
            words('picker.tab.recent'),
            words('picker.tab.directory'),
          ]);
          for (const tab of ['recent', 'directory'] as const) {
            await page.getByRole('tab', { name: words(`picker.tab.${tab}`) }).click();
            await page
              .locator('.picker-panel .picker-note, .picker-panel ul')
              .first()
              .waitFor({ timeout: 10000 });
            await check(page, `${prefix}-fax-${tab}`, problems);
          }

          // The live job in this language: its pages, each recipient's result, Done.
          await options.getByRole('checkbox', { name: words('options.cover') }).uncheck();
          await page.getByRole('button', { name: words('fax.send'), exact: true }).click();
          const job = page.getByRole('region', { name: words('job.label') });
          await job.locator('.state[data-state="delivered"]').waitFor({ timeout: 60000 });
          await job
            .getByRole('list', { name: words('job.pages') })
            .getByRole('img')
            .first()
            .waitFor({ timeout: 10000 });
          await job.getByRole('button', { name: words('common.done') }).waitFor();
          await check(page, `${prefix}-job`, problems);
          // Done: the job is no longer watched, so the reload below opens on Home, not on this job.
          await job.getByRole('button', { name: words('common.done') }).click();
          await page.locator('.home-buttons').waitFor();

          await page.goto(`${stack.edge.url}/panel/`);
          await page.locator('.connection.online').waitFor({ timeout: 15000 });
          await page.locator('.home-buttons button').last().click();
          await page.locator('.jobs').waitFor();
          await check(page, `${prefix}-jobs`, problems);
          await page.close();

          for (const mode of ['user-prompt', 'device-login'] as const) {
            const panel = stack.panels.find((p) => p.mode === mode)!;
            const other = await context.newPage();
            other.on('pageerror', (error) => errors.push(error.message));
            await other.evaluate(() => undefined);
            await other.goto(panel.panelUrl);
            await other.locator(mode === 'user-prompt' ? '.sign-in' : '.waiting').waitFor({ timeout: 15000 });
            await check(other, `${prefix}-${mode}`, problems);
            if (mode === 'device-login') {
              // A person signed in at the printer has personal contacts: the picker's fourth tab.
              const words = (key: MessageKey) => catalogs[language as keyof typeof LOCALES][key];
              // The signed-in person's own language wins over the device's: Alice's is set to this one.
              const demo = stack.edge.repositories.directory.findEnterpriseBySlug('demo')!;
              const alice = stack.edge.repositories.users.findByEmail(
                demo.id,
                DEMO_DEVICE_LOGIN_PEOPLE[0]!.email,
              )!;
              stack.edge.repositories.users.update(alice.id, { language: language as keyof typeof LOCALES });
              await simApi(stack, 'PUT', 'device-login', { pin: DEMO_DEVICE_LOGIN_PEOPLE[0]!.pin });
              try {
                await other.locator('.home-buttons button.primary').click({ timeout: 15000 });
                await other.getByRole('tab', { name: words('picker.tab.contacts') }).click();
                await other
                  .getByRole('textbox', { name: words('picker.contactName') })
                  .waitFor({ timeout: 10000 });
                await other
                  .locator('.picker-panel .picker-note, .picker-panel ul')
                  .first()
                  .waitFor({ timeout: 10000 });
                assert.equal(await other.getByRole('tab').count(), 4);
                await check(other, `${prefix}-fax-contacts`, problems);
              } finally {
                await simApi(stack, 'DELETE', 'device-login');
              }
            }
            await other.close();
          }
        } finally {
          await context.close();
        }
        assert.deepEqual(
          problems.map((p) => p.what),
          [],
        );
        assert.deepEqual(errors, []);
      });
    }
  }
});
