import assert from 'node:assert/strict';
import { formatReport, runBench } from '../../edge-service/bench/run-bench.ts';

describe('cli/bench (smoke: one page, no comparison tools, nothing timed is asserted)', function () {
  this.timeout(120_000);

  it('runs the benchmark code end to end and prints its table', async () => {
    const report = await runBench({ pages: 1, repeat: 1, noTools: true, install: false });
    const page = report.rows.find((row) => row.conversion === 'fax fine text-300');
    assert.ok(page, 'our fax fine row is there');
    assert.ok(page.msPerPage > 0 && (page.bytesPerPage ?? 0) > 1000);
    assert.ok(report.rows.some((row) => row.tool === 'mfp-edge buildArchivePdf'));
    assert.ok(report.notes.some((note) => /skipped/.test(note)));
    const table = formatReport(report);
    assert.match(table, /\| conversion +\| tool +\| ms\/page +\| CPU ms\/page/);
    const mix = report.rows.find((row) => row.tool === 'mfp-edge 2 in flight, 2 libvips thread(s)');
    assert.ok((mix?.cpuMsPerPage ?? 0) > 0, 'CPU time per page is measured');
    assert.ok(report.notes.some((note) => /event loop blocked at most \d+ ms/.test(note)));
    assert.match(table, /load average/);
  });
});
