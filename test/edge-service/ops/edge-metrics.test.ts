import assert from 'node:assert/strict';
import type { Request, Response } from 'express';
import { openDatabase } from '../../../edge-service/src/db/database.ts';
import { EdgeMetrics } from '../../../edge-service/src/ops/edge-metrics.ts';
import { startStack, type Stack } from '../../helpers/edge-and-simulator.ts';
import { PanelClient } from '../../helpers/panel-client.ts';

/** The value of one sample line of the Prometheus text, e.g. `mfp_edge_jobs{state="delivered"}`. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('metrics at /metrics', function () {
  this.timeout(120_000);
  let stack: Stack;
  let panel: PanelClient;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    panel?.close();
    await stack?.stop();
  });

  it('report a delivered fax, its pages and line time, the pipeline per page, panels, and sign-in failures', async () => {
    panel = await PanelClient.connect(stack.wsUrl);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: stack.token,
      app: { name: 'metrics', version: '1' },
    });
    const { job } = await panel.request('fax.send', { recipients: ['+12125550100'] });
    const done = await panel.waitForJob((j) => j.id === job.id && j.state === 'delivered', 90_000);
    const refused = await fetch(`${stack.edge.url}/api/v1/session/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.edge.url },
      body: JSON.stringify({ email: 'nobody@demo.example', password: 'wrong password here' }),
    });
    assert.equal(refused.status, 401);

    const response = await fetch(`${stack.edge.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.equal(sample(text, 'mfp_edge_jobs{state="delivered"}'), 1);
    assert.equal(sample(text, 'mfp_edge_pages{stage="sent"}'), done.pagesSent);
    assert.ok(sample(text, 'mfp_edge_fax_line_seconds')! > 0, 'line time is counted');
    const pipelined = [...text.matchAll(/^mfp_edge_pipeline_page_seconds_count\{resolution="\w+"\} (\d+)/gm)];
    assert.equal(
      pipelined.reduce((sum, m) => sum + Number(m[1]), 0),
      done.totalPages,
      'one observation per page',
    );
    assert.equal(sample(text, 'mfp_edge_panel_connections'), 1);
    assert.ok(
      (sample(text, 'mfp_edge_sign_in_failures_total{channel="console",code="INVALID_CREDENTIALS"}') ?? 0) >=
        1,
      text.match(/sign_in_failures.*$/m)?.[0],
    );
    assert.match(text, /^mfp_edge_process_resident_memory_bytes \d+/m, 'process metrics too');
    assert.doesNotMatch(text, /nobody@demo\.example|wrong password/, 'no email or secret in a label');
  });
});

describe('metrics access', () => {
  const db = openDatabase(':memory:');
  const metrics = new EdgeMetrics({ db, panelConnections: () => 0, defaultMetrics: false });
  after(() => db.close());

  // A request from beyond loopback cannot be made on a loopback-only test machine: its address is faked.
  async function ask(remoteAddress: string, authorization?: string, token?: string) {
    let status = 200;
    let body = '';
    let passed = false;
    const req = {
      socket: { remoteAddress },
      headers: authorization ? { authorization } : {},
    } as unknown as Request;
    const res = {
      setHeader: () => undefined,
      send: (text: string) => (body = text),
      status: (s: number) => ((status = s), res),
    } as unknown as Response;
    await metrics.handler(token)(req, res, () => (passed = true));
    return { status, body, passed };
  }

  it('answers loopback, and beyond it only the right bearer token', async () => {
    assert.match((await ask('127.0.0.1')).body, /mfp_edge_jobs/);
    assert.match((await ask('::ffff:127.0.0.1')).body, /mfp_edge_jobs/);
    assert.equal((await ask('192.0.2.7')).passed, true, 'no token configured: not found');
    assert.equal((await ask('192.0.2.7', 'Bearer 0123456789abcdef', '0123456789abcdef')).passed, false);
    assert.equal((await ask('192.0.2.7', 'Bearer 0123456789abcdeX', '0123456789abcdef')).passed, true);
    assert.equal((await ask('192.0.2.7', 'Bearer short', '0123456789abcdef')).passed, true);
  });
});
