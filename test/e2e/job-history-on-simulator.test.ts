import assert from 'node:assert/strict';
import { join } from 'node:path';
import { jobEndpoints } from '../../edge-service/src/api/job-endpoints.ts';
import { openDatabase, type Db } from '../../edge-service/src/db/database.ts';
import { DEMO_ADMIN } from '../../edge-service/src/demo-enterprise.ts';
import { SqliteJobHistory } from '../../edge-service/src/storage/sqlite-job-history.ts';
import { actorOf, call, RecordedAudit } from '../edge-service/api/endpoint-context.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { PanelClient } from '../helpers/panel-client.ts';

interface Detail {
  result: string;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  lineMs: number;
  pages: number;
  device: { name: string };
  recipients: {
    number: string;
    country: { code: string } | null;
    state: string;
    dialStartedAt: string | null;
    dialEndedAt: string | null;
    lineMs: number;
  }[];
}

/*
 * A real fax from a panel through the engine to the simulator's remote machines: what the console's
 * job record shows for it afterwards (finish time, each destination's country, line time), read
 * from the edge's database by the job endpoints.
 */
describe('end to end: a sent fax in the job history', function () {
  this.timeout(120000);
  let stack: Stack;
  let panel: PanelClient | undefined;
  let db: Db | undefined;

  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    panel?.close();
    db?.close();
    await stack?.stop();
  });

  it('records finish time, countries and line time of every destination', async () => {
    panel = await PanelClient.connect(stack.wsUrl);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: stack.token,
      app: { name: 'e2e', version: '1' },
    });
    const { job } = await panel.request('fax.send', {
      recipients: ['+33 1 42 68 53 00', '+1 212 555 0100'],
      resolution: 'standard',
    });
    const done = await panel.waitForJob(
      (j) => j.id === job.id && ['delivered', 'failed', 'cancelled'].includes(j.state),
      100000,
    );
    assert.equal(done.state, 'delivered', JSON.stringify(done.error));

    // A second connection to the edge's database, as the API will read it (WAL: no lock on the edge).
    db = openDatabase(join(stack.edge.dataDir, 'edge.db'));
    const enterprise = stack.edge.repositories.directory.findEnterpriseBySlug('demo')!;
    const admin = stack.edge.repositories.users.findByEmail(enterprise.id, DEMO_ADMIN.email)!;
    const endpoints = jobEndpoints({ history: new SqliteJobHistory(db), audit: new RecordedAudit() });
    const detail = (await call(endpoints, 'getJob', {
      enterprise,
      actor: actorOf(admin),
      params: { id: job.id },
    })) as Detail;

    assert.equal(detail.result, 'delivered');
    assert.ok(detail.pages > 1);
    assert.ok(detail.finishedAt, 'finish time recorded');
    assert.ok(detail.durationMs! > 0);
    assert.deepEqual(
      detail.recipients.map((r) => [r.number, r.country?.code, r.state]),
      [
        ['+33142685300', 'FR', 'delivered'],
        ['+12125550100', 'US', 'delivered'],
      ],
    );
    const created = Date.parse(detail.createdAt);
    const finished = Date.parse(detail.finishedAt!);
    for (const r of detail.recipients) {
      // The simulator (time factor 0.02) dials for 80 ms and handshakes for 60 ms before any page.
      assert.ok(r.lineMs >= 100, `${r.number}: ${r.lineMs} ms on the line`);
      const start = Date.parse(r.dialStartedAt!);
      const end = Date.parse(r.dialEndedAt!);
      assert.ok(created <= start && start < end && end <= finished, JSON.stringify(r));
    }
    assert.equal(
      detail.lineMs,
      detail.recipients.reduce((sum, r) => sum + r.lineMs, 0),
    );
    assert.ok(detail.lineMs <= detail.durationMs!, 'one line: never longer than the job');

    const page = (await call(endpoints, 'listJobs', {
      enterprise,
      actor: actorOf(admin),
      query: { result: 'delivered' },
    })) as { items: { id: string }[] };
    assert.ok(page.items.some((j) => j.id === job.id));
  });
});
