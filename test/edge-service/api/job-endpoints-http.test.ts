import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import {
  createAccount,
  ensureEnterprise,
  sessionClient,
  startApiEdge,
  type ApiEdge,
  type TestAccount,
} from '../../helpers/api-client.ts';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';

/*
 * The jobs and outbox endpoints mounted in a real edge, over real HTTP: the router's roles, its
 * validation and error shape, downloads, the audit log, the OpenAPI document; answers checked
 * against their response schemas (validateApiResponses).
 */
describe('jobs and outbox over HTTP', function () {
  this.timeout(60_000);
  let api: ApiEdge;
  let acme: EnterpriseRecord;
  let admin: TestAccount;
  let agent: TestAccount;
  let worker: TestAccount;
  let jobId: string;

  before(async () => {
    api = await startApiEdge();
    acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    admin = await createAccount(api.edge, { enterprise: acme, email: 'admin@acme.test', displayName: 'Ada' });
    agent = await createAccount(api.edge, {
      enterprise: acme,
      email: 'agent@acme.test',
      role: 'support-agent',
    });
    worker = await createAccount(api.edge, { enterprise: acme, email: 'worker@acme.test', role: 'user' });
    const { devices, jobs } = api.edge.repositories;
    const device = devices.create({
      enterpriseId: acme.id,
      name: 'Front desk',
      authMode: 'user-prompt',
      sharedUserId: null,
      scannerUrl: null,
      faxUrl: null,
      tokenHash: 'h-front',
    });
    const job = jobs.create({
      deviceId: device.id,
      userId: admin.user.id,
      options: { resolution: 'fine', source: 'adf', duplex: false },
      recipients: ['+33142685300'],
    });
    jobs.beginAttempt(job.id, { number: 1, tag: 't', positions: [0] });
    jobs.update(job.id, { totalPages: 2, pagesScanned: 2, handedOverAt: new Date().toISOString() });
    jobs.updateRecipient(job.id, 0, { state: 'dialing' });
    jobs.updateRecipient(job.id, 0, { state: 'delivered', pagesSent: 2 });
    jobs.update(job.id, { state: 'delivered', pagesSent: 2 });
    jobId = job.id;
  });
  after(async () => api?.stop());

  it('lists, details and charts jobs for admins and support agents; refuses users', async () => {
    const client = sessionClient(api.edge, admin);
    const list = await client.request('GET', '/enterprises/acme/jobs?result=delivered&pageSize=10');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.equal(list.body.total, 1);
    assert.equal(list.body.items[0].destinations[0].country.code, 'FR');
    const detail = await client.request('GET', `/enterprises/acme/jobs/${jobId}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.recipients[0].state, 'delivered');
    const usage = await client.request('GET', '/enterprises/acme/jobs/usage');
    assert.equal(usage.status, 200);
    assert.equal(usage.body.totals.delivered, 2);

    assert.equal((await sessionClient(api.edge, agent).request('GET', '/enterprises/acme/jobs')).status, 200);
    const refused = await sessionClient(api.edge, worker).request('GET', '/enterprises/acme/jobs');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'FORBIDDEN');
    const outbox = await sessionClient(api.edge, worker).request('GET', '/enterprises/acme/outbox');
    assert.equal(outbox.status, 403);
  });

  it('answers bad input with 400 VALIDATION_FAILED and unknown jobs with 404', async () => {
    const client = sessionClient(api.edge, admin);
    for (const query of [
      'result=lost',
      'from=yesterday',
      'timeZone=Mars%2FOlympus',
      'pageSize=1000',
      'from=2026-12-03&to=2026-12-01',
    ]) {
      const answer = await client.request('GET', `/enterprises/acme/jobs?${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.error.code, 'VALIDATION_FAILED', query);
    }
    const missing = await client.request('GET', '/enterprises/acme/jobs/no-such-job');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'JOB_NOT_FOUND');
  });

  it('downloads the Excel export and audits it', async () => {
    const client = sessionClient(api.edge, admin);
    const answer = await client.request('GET', '/enterprises/acme/jobs/export?format=xlsx&result=delivered');
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /spreadsheetml/);
    assert.match(
      answer.headers.get('content-disposition') ?? '',
      /attachment; filename="jobs-acme-\d{8}\.xlsx"/,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(answer.body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Jobs')!;
    assert.equal(sheet.rowCount, 2);
    assert.equal(sheet.getRow(2).getCell(7).value, 2, 'Pages, a number');
    const csv = await client.request('GET', '/enterprises/acme/jobs/export?format=csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const audit = api.edge.audit.list({ enterpriseId: acme.id, action: 'jobs.export' } as never, {
      offset: 0,
      limit: 10,
    });
    assert.equal(audit.items.length, 2);
    assert.deepEqual(audit.items.map((e) => e.details.format).sort(), ['csv', 'xlsx']);
    assert.ok(audit.items.every((e) => e.actor === `user:${admin.user.id}`));
  });

  it('shows the outbox and documents every route in the OpenAPI document', async () => {
    const client = sessionClient(api.edge, admin);
    const outbox = await client.request('GET', '/enterprises/acme/outbox');
    assert.equal(outbox.status, 200, JSON.stringify(outbox.body));
    const missing = await client.request('GET', '/enterprises/acme/outbox/nope');
    assert.equal(missing.status, 404);
    const doc = await client.request('GET', '/openapi.json');
    const paths = Object.keys(doc.body.paths);
    for (const path of [
      '/enterprises/{enterprise}/jobs',
      '/enterprises/{enterprise}/jobs/{id}',
      '/enterprises/{enterprise}/jobs/export',
      '/enterprises/{enterprise}/jobs/usage',
      '/enterprises/{enterprise}/outbox',
      '/enterprises/{enterprise}/outbox/{id}',
    ])
      assert.ok(paths.includes(path), path);
  });
});
