import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { EdgeService } from '../../edge-service/src/edge-service.ts';
import { ensureDemoEnterprise } from '../../edge-service/src/demo-enterprise.ts';
import { createLogger as createEdgeLogger } from '../../edge-service/src/logger.ts';
import { Simulator } from '../../simulator/src/simulator.ts';
import { createLogger as createSimLogger } from '../../simulator/src/logger.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The panel's budgets (issue 11), measured against a real edge serving the real bundle to Debian's
 * headless chromium with the CPU throttled 6× (CDP Emulation.setCPUThrottlingRate), as a slow
 * panel CPU. Figures with their budget beside them: a report, never a timed assertion.
 */

export const PANEL_BUDGETS = {
  /** Everything the panel downloads for first use, gzip. */
  downloadBytes: 60 * 1024,
  /** First contentful paint after navigation. */
  firstPaintMs: 500,
  /** A keypad press to the first frame showing its change (see KEYPAD_PROBE): one frame at 60 Hz. */
  keypadMs: 1000 / 60,
} as const;

export interface PanelBenchReport {
  files: { name: string; bytes: number; gzipBytes: number }[];
  gzipTotal: number;
  /** Median and worst of the runs, ms. */
  firstPaint: { median: number; max: number; runs: number };
  keypad: { median: number; max: number; presses: number };
  cpuThrottling: number;
}

const THROTTLING = 6;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function throttledPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 800, height: 480 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLING });
  return page;
}

/** First contentful paint of one cold load (fresh context: nothing cached), ms after navigation start. */
async function firstPaint(browser: Browser, url: string): Promise<number> {
  const page = await throttledPage(browser);
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    const fcp = await page.waitForFunction(
      () => {
        const entry = performance.getEntriesByName('first-contentful-paint')[0];
        return entry ? entry.startTime : null;
      },
      undefined,
      { timeout: 10000 },
    );
    return (await fcp.jsonValue()) as number;
  } finally {
    await page.context().close();
  }
}

/*
 * What the keypad budget means: a press is reflected on screen within one frame when the change it
 * makes (the number field or any node of the screen) is in the first frame the page begins after
 * the browser took the press. The figure is the time from the press (the click event's timeStamp:
 * when the browser received the release, so waiting behind the page's other work counts) to the
 * start of the first animation frame in which the change is present; a frame lasts 16.7 ms at 60 Hz.
 * An update the app defers (a timer, a reply awaited) is measured to the frame it finally shows in;
 * a press that changes nothing within a second counts as never (Infinity).
 *
 * Presses are raw CDP mouse events at the key's centre (no script in the page, no mouse move
 * first, as a finger's tap). Playwright's locator.click would run its actionability and
 * hit-target scripts in the page (elementsFromPoint, listeners on every pointer event) and move
 * the mouse just before the press, on the same main thread under the same 6× throttling: 5–10 ms
 * of the test driver's work per press on a busy machine, counted as the app's (seen in a CDP
 * trace). Even an app doing nothing waits for the next vsync: the figure includes that phase (0
 * to one frame, half on average), the app's handler and any wait behind the page's own tasks.
 */

/** In the page: records, per press, the press → first frame showing its change. */
const KEYPAD_PROBE = `(() => {
  window.__latencies = [];
  var field = function () { return document.querySelector('main input[type="tel"], main input'); };
  var valueOf = function () { var f = field(); return f ? f.value : ''; };
  var changed = false;
  new MutationObserver(function () { changed = true; }).observe(document.getElementById('screen'), {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
  // Capturing on document: runs before the key's own handler, so any change after it counts.
  document.addEventListener('click', function (event) {
    var pressed = event.timeStamp;
    var before = valueOf();
    changed = false;
    var frame = function () {
      if (changed || valueOf() !== before) return window.__latencies.push(performance.now() - pressed);
      if (performance.now() - pressed > 1000) return window.__latencies.push(Infinity);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, true);
})()`;

/** Keypad latency (defined above), ms, one figure per press. */
async function keypadLatencies(browser: Browser, url: string, presses: number): Promise<number[]> {
  const page = await throttledPage(browser);
  try {
    const cdp = await page.context().newCDPSession(page);
    await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    await page.getByRole('button', { name: 'Fax', exact: true }).click({ timeout: 20000 });
    const field = page.getByRole('textbox', { name: 'Fax number' });
    await field.waitFor({ timeout: 10000 });
    const keys = [];
    for (let k = 1; k <= 9; k++)
      keys.push(await page.getByRole('button', { name: `Key ${k}`, exact: true }).elementHandle());
    // As a string: the test runner's transpiler would wrap named functions in a helper the page lacks.
    await page.evaluate(KEYPAD_PROBE);
    for (let i = 0; i < presses; i++) {
      // The key's box from the browser (DOM.getBoxModel; no script in the page): the check line
      // above the keypad may have grown since the last press.
      const box = await keys[i % 9]!.boundingBox();
      if (!box) throw new Error(`Key ${(i % 9) + 1} is not on screen`);
      const at = {
        x: box.x + box.width / 2,
        y: box.y + box.height / 2,
        button: 'left' as const,
        clickCount: 1,
      };
      await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...at });
      await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...at });
      await page.waitForTimeout(50);
    }
    await page.waitForFunction(
      (n) => (window as unknown as { __latencies: number[] }).__latencies.length >= n,
      presses,
      {
        timeout: 10000,
      },
    );
    return (await page.evaluate(
      () => (window as unknown as { __latencies: number[] }).__latencies,
    )) as number[];
  } finally {
    await page.context().close();
  }
}

export async function runPanelBench(
  options: { runs?: number; presses?: number; log?: (line: string) => void } = {},
): Promise<PanelBenchReport> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'mfp-edge-panel-bench-'));
  const simulator = new Simulator({
    port: 0,
    timeFactor: 0.02,
    logger: createSimLogger({ level: 'silent' }),
  });
  await simulator.start();
  const edge = new EdgeService({
    config: { port: 0, smtpIntakePort: 'off', dataDir: dir, faxPollMs: 200 },
    logger: createEdgeLogger({ level: 'silent' }),
  });
  let browser: Browser | null = null;
  try {
    await edge.start();
    const demo = await ensureDemoEnterprise(edge, simulator.deviceUrls);
    const base = `${edge.url}/panel/`;
    log('panel bench: downloading the panel as a browser does');
    const files = [];
    for (const name of ['', 'app.js', 'app.css']) {
      const response = await fetch(base + name);
      const bytes = Buffer.from(await response.arrayBuffer());
      files.push({
        name: name || 'index.html',
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes, { level: 9 }).length,
      });
    }
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    const runs = options.runs ?? 5;
    const paints: number[] = [];
    for (let i = 0; i < runs; i++) {
      log(`panel bench: cold load ${i + 1}/${runs} at ${THROTTLING}× CPU throttling`);
      paints.push(await firstPaint(browser, demo.panelUrl));
    }
    log('panel bench: keypad presses');
    const latencies = await keypadLatencies(browser, demo.panelUrl, options.presses ?? 20);
    return {
      files,
      gzipTotal: files.reduce((sum, f) => sum + f.gzipBytes, 0),
      firstPaint: { median: median(paints), max: Math.max(...paints), runs },
      keypad: { median: median(latencies), max: Math.max(...latencies), presses: latencies.length },
      cpuThrottling: THROTTLING,
    };
  } finally {
    await browser?.close();
    await edge.stop();
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatPanelReport(report: PanelBenchReport): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const verdict = (value: number, budget: number) => (value <= budget ? 'within' : 'OVER');
  const { downloadBytes, firstPaintMs, keypadMs } = PANEL_BUDGETS;
  return [
    `panel (headless chromium, ${report.cpuThrottling}× CPU throttling, 800×480):`,
    `| figure | value | budget | |`,
    `| --- | --- | --- | --- |`,
    ...report.files.map((f) => `| download ${f.name} (gzip) | ${kb(f.gzipBytes)} (${kb(f.bytes)} raw) | | |`),
    `| first-use download, gzip total | ${kb(report.gzipTotal)} | ${kb(downloadBytes)} | ${verdict(report.gzipTotal, downloadBytes)} |`,
    `| first contentful paint, median of ${report.firstPaint.runs} (worst) | ${report.firstPaint.median.toFixed(0)} ms (${report.firstPaint.max.toFixed(0)} ms) | ${firstPaintMs} ms | ${verdict(report.firstPaint.median, firstPaintMs)} |`,
    `| keypad press to first frame showing it, median of ${report.keypad.presses} (worst) | ${report.keypad.median.toFixed(1)} ms (${report.keypad.max.toFixed(1)} ms) | ${keypadMs.toFixed(1)} ms | ${verdict(report.keypad.median, keypadMs)} |`,
  ].join('\n');
}
