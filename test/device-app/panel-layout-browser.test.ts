import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';

/*
 * The panel at both panel sizes and in each language, against the real edge: every control is at
 * least 44 px square and has an accessible name (read from chromium's accessibility tree), and no
 * screen or button overflows sideways. Screenshots are kept under .tmp/test-artifacts/panel-layout/.
 */

const SIZES = [
  { width: 800, height: 480 },
  { width: 1024, height: 600 },
];
/** The device's language comes from the panel browser's (navigator.language). */
const LOCALES = { en: 'en-US', fr: 'fr-FR', de: 'de-DE' } as const;
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
      it(`${language} at ${size.width}×${size.height}: home, composer, recent jobs, sign-in and waiting screens`, async () => {
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
