import assert from 'node:assert/strict';
import { runLoad, type LoadReport } from '../../bin/cli/load/run-load.ts';
import { parseMetrics, summarize } from '../../bin/cli/load/load-stats.ts';

/*
 * `npm run load` in small: the same code path (an edge in its own process, panels on real
 * WebSockets, faxes on in-process simulators, SIGKILL restarts for the soak), asserting only
 * correctness — every panel signed in, every reply arrived, every accepted fax ended exactly once at
 * the remote machines — never a time.
 */
describe('npm run load (small)', function () {
  this.timeout(180_000);
  let controller: AbortController;
  let running: Promise<LoadReport> | null = null;

  beforeEach(() => {
    controller = new AbortController();
  });

  // A failed or timed-out run still stops its edge, simulators and panels (runLoad's finally).
  afterEach(async () => {
    controller.abort();
    await Promise.race([running?.catch(() => null), new Promise((resolve) => setTimeout(resolve, 30_000))]);
    running = null;
  });

  function assertSound(report: LoadReport): void {
    assert.deepEqual(report.problems, [], JSON.stringify(report, null, 2));
    assert.equal(report.panelsSignedIn, report.panels);
    assert.deepEqual(report.errors, {});
    assert.ok(report.latency['hello']!.count >= report.panels);
    assert.ok(report.promptPanels >= 1, 'a user-prompt panel signs in with a password');
    assert.equal(report.latency['auth.password']!.count, report.promptPanels);
    assert.ok(report.latency['fax.checkNumber']!.count > 0);
    assert.ok(report.latency['jobs.list']!.count > 0);
    assert.ok(report.jobs.accepted >= 2, 'each fax panel had a fax accepted');
    assert.deepEqual(report.jobs.lost, []);
    assert.deepEqual(report.jobs.duplicates, []);
    assert.deepEqual(report.jobs.unexpected, []);
  }

  it('20 panels and 2 faxes: every reply arrives, every fax is delivered once', async () => {
    running = runLoad({
      panels: 20,
      seconds: 4,
      faxes: 2,
      checkEveryMs: 500,
      listEveryMs: 1500,
      seed: 1,
      signal: controller.signal,
    });
    const report = await running;
    assertSound(report);
    assert.ok(report.jobs.byState['delivered']! >= 2);
    assert.equal(report.jobs.accepted, report.jobs.byState['delivered']);
    assert.equal(report.edge!.metrics['mfp_edge_panel_connections'], 20);
    assert.ok(report.edge!.connected.rssBytes > 0);
  });

  it('the soak: after a SIGKILL restart the panels come back and every accepted fax ended once', async () => {
    running = runLoad({
      panels: 20,
      seconds: 6,
      faxes: 2,
      soak: true,
      restarts: 1,
      checkEveryMs: 500,
      listEveryMs: 1500,
      seed: 2,
      signal: controller.signal,
    });
    const report = await running;
    assertSound(report);
    assert.equal(report.restarts.length, 1);
    assert.ok(report.latency['hello']!.count >= 2 * report.panels, 'every panel said hello again');
    // (assertSound: auth.password ran once per person: after the restart their sessions resumed.)
    // Only a scan the kill interrupted may fail; everything else is delivered.
    assert.equal(
      report.jobs.accepted,
      (report.jobs.byState['delivered'] ?? 0) + (report.jobs.byState['failed'] ?? 0),
    );
  });
});

describe('load figures', () => {
  it('nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(summarize(values), { count: 100, p50: 50, p99: 99, max: 100 });
    assert.deepEqual(summarize([]), { count: 0, p50: 0, p99: 0, max: 0 });
  });

  it('reads samples of the metrics text format', () => {
    const m = parseMetrics(
      '# HELP x y\n# TYPE x gauge\nmfp_edge_jobs{state="delivered"} 3\nmfp_edge_up 1.5\n',
    );
    assert.equal(m.get('mfp_edge_jobs{state="delivered"}'), 3);
    assert.equal(m.get('mfp_edge_up'), 1.5);
  });
});
