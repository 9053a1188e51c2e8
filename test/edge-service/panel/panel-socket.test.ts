import assert from 'node:assert/strict';
import sinon from 'sinon';
import { EdgeService } from '../../../edge-service/src/edge-service.ts';
import { ensureDemoEnterprise } from '../../../edge-service/src/demo-enterprise.ts';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import type { DeviceDrivers } from '../../../edge-service/src/services/device-drivers.ts';
import { FakeScanner } from '../services/fake-drivers.ts';
import type { FaxLine, FaxJobStatus } from '../../../edge-service/src/domain/fax-line.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { CLOSE_CODES, MAX_FAX_RECIPIENTS, MAX_MESSAGE_BYTES } from '../../../protocol/index.ts';
import { PanelClient, errorCode } from '../../helpers/panel-client.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { textPageJpeg } from '../../helpers/sample-page.ts';
import { hashDeviceToken, newDeviceToken } from '../../../edge-service/src/services/device-credentials.ts';

/*
 * Service tests: the real edge (SQLite, spool, pipeline, WebSocket) with sinon fakes in place of the
 * device drivers, so every scanner and modem outcome can be staged exactly.
 */

class FakeFaxLine implements FaxLine {
  /** Statuses returned by successive polls; the last one repeats. */
  script: ((pages: number) => FaxJobStatus)[] = [];
  submitted: { contentType: string; pages: number; destinations: string[] }[] = [];
  #polls = 0;
  readonly cancel = sinon.spy(async () => undefined);
  async capabilities() {
    return { makeAndModel: 'Fake modem', documentFormats: ['application/pdf'], multipleDestinations: true };
  }
  async submit(document: { contentType: string; pages: number }, destinations: string[]) {
    this.submitted.push({ contentType: document.contentType, pages: document.pages, destinations });
    return 42;
  }
  async status() {
    const step = this.script[Math.min(this.#polls++, this.script.length - 1)]!;
    return step(this.submitted.at(-1)?.pages ?? 0);
  }
}

const delivered = (pages: number): FaxJobStatus => ({
  jobId: 42,
  state: 'completed',
  pagesCompleted: pages,
  destinations: [{ uri: 'tel:+12125550100', state: 'delivered', pagesSent: pages }],
});
const sending = (pages: number): FaxJobStatus => ({
  jobId: 42,
  state: 'processing',
  pagesCompleted: 1,
  destinations: [{ uri: 'tel:+12125550100', state: 'sending', pagesSent: Math.min(1, pages) }],
});

describe('edge panel socket (service, fake drivers)', function () {
  this.timeout(30000);
  let dir: ReturnType<typeof tempDir>;
  let edge: EdgeService;
  let scanner: FakeScanner;
  let faxLine: FakeFaxLine;
  let token: string;
  let wsUrl: string;
  const clients: PanelClient[] = [];
  let page: Buffer;

  before(async () => {
    page = await textPageJpeg(150);
  });

  beforeEach(async () => {
    dir = tempDir();
    scanner = new FakeScanner();
    faxLine = new FakeFaxLine();
    const drivers: DeviceDrivers = { scanner: () => scanner, faxLine: () => faxLine };
    edge = new EdgeService({
      // One attempt: retries have their own tests (test/edge-service/services/).
      config: { port: 0, smtpIntakePort: 'off', dataDir: dir.path, faxPollMs: 50, faxRetryAttempts: 1 },
      drivers,
      logger: createLogger({ level: 'silent' }),
    });
    await edge.start();
    const demo = await ensureDemoEnterprise(edge, {
      scannerUrl: 'http://scanner.invalid/eSCL',
      faxUrl: 'ipp://fax.invalid/ipp/faxout',
    });
    token = /device-token=([\w-]+)/.exec(demo.panelUrl)![1]!;
    wsUrl = edge.url.replace(/^http/, 'ws') + '/ws';
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await edge.stop();
    dir.remove();
  });

  async function connect(hello = true): Promise<PanelClient> {
    const client = await PanelClient.connect(wsUrl);
    clients.push(client);
    if (hello)
      await client.request('hello', {
        protocolVersions: [1],
        deviceToken: token,
        app: { name: 'test', version: '1' },
      });
    return client;
  }

  it('greets a paired panel with its device and shared user', async () => {
    const client = await connect(false);
    const reply = await client.request('hello', {
      protocolVersions: [1, 7],
      deviceToken: token,
      app: { name: 't', version: '1' },
    });
    assert.equal(reply.protocolVersion, 1);
    assert.equal(reply.device.authMode, 'shared-account');
    assert.equal(reply.user?.email, 'front-desk@demo.example');
  });

  it('refuses an unknown credential and closes with 4401', async () => {
    const client = await connect(false);
    await assert.rejects(
      client.request('hello', {
        protocolVersions: [1],
        deviceToken: 'y'.repeat(43),
        app: { name: 't', version: '1' },
      }),
      { code: 'DEVICE_UNAUTHORIZED' },
    );
    assert.equal((await client.waitForClose()).code, CLOSE_CODES.DEVICE_UNAUTHORIZED);
  });

  it('closes with 4426 when no protocol version is shared', async () => {
    const client = await connect(false);
    await assert.rejects(
      client.request('hello', {
        protocolVersions: [99],
        deviceToken: token,
        app: { name: 't', version: '1' },
      }),
      {
        code: 'UNSUPPORTED_VERSION',
      },
    );
    assert.equal((await client.waitForClose()).code, CLOSE_CODES.UNSUPPORTED_VERSION);
  });

  it('answers requests before hello with HELLO_REQUIRED', async () => {
    const client = await connect(false);
    await assert.rejects(client.request('jobs.list', { limit: 5 }), { code: 'HELLO_REQUIRED' });
  });

  it('answers malformed and unknown frames with codes and stays open', async () => {
    const client = await connect();
    assert.equal(errorCode(await client.sendRaw('not json', null)), 'BAD_MESSAGE');
    assert.equal(
      errorCode(await client.sendRaw(JSON.stringify({ type: 'fax.explode', id: 'u1' }), 'u1')),
      'UNKNOWN_TYPE',
    );
    assert.equal(errorCode(await client.sendRaw(Buffer.from([1, 2, 3]), null)), 'BAD_MESSAGE');
    const list = await client.request('jobs.list', { limit: 5 });
    assert.deepEqual(list.jobs, []);
  });

  it('closes with 1009 on a frame over the size limit', async () => {
    const client = await connect();
    client.socket.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    assert.equal((await client.waitForClose()).code, CLOSE_CODES.MESSAGE_TOO_BIG);
  });

  it('closes a flood of bad frames with 4400', async () => {
    const client = await connect();
    for (let i = 0; i < 25; i++) client.socket.send('{');
    assert.equal((await client.waitForClose()).code, CLOSE_CODES.BAD_MESSAGE);
  });

  it('refuses an invalid number before anything is scanned', async () => {
    const client = await connect();
    await assert.rejects(client.request('fax.send', { recipients: ['+1 212 555 0100', '12'] }), {
      code: 'INVALID_NUMBER',
    });
    await assert.rejects(client.request('fax.send', { recipients: [] }), { code: 'NO_RECIPIENTS' });
    const many = Array.from(
      { length: MAX_FAX_RECIPIENTS + 1 },
      (_, i) => `+1212555${String(100 + i).padStart(4, '0')}`,
    );
    await assert.rejects(client.request('fax.send', { recipients: many }), { code: 'TOO_MANY_RECIPIENTS' });
    assert.equal(scanner.scan.callCount, 0);
    assert.deepEqual((await client.request('jobs.list', { limit: 5 })).jobs, []);
  });

  it('tells the country of a number', async () => {
    const client = await connect();
    const number = await client.request('fax.checkNumber', { number: '+44 20 7946 0958' });
    assert.deepEqual(number, {
      e164: '+442079460958',
      country: 'GB',
      countryName: 'United Kingdom',
      display: '+44 20 7946 0958',
      national: '020 7946 0958',
      numberType: 'FIXED_LINE',
      allowed: true,
    });
  });

  it('runs a fax through every stage to delivered and keeps the record', async () => {
    scanner.pages = [page, page, page];
    faxLine.script = [sending, sending, delivered];
    const client = await connect();
    const { job } = await client.request('fax.send', { recipients: ['(212) 555-0100'], resolution: 'fine' });
    assert.equal(job.state, 'accepted');
    const done = await client.waitForJob((j) => j.id === job.id && j.state === 'delivered');
    assert.equal(done.totalPages, 3);
    assert.equal(done.pagesSent, 3);
    const states = client.events
      .filter((e) => e.event === 'job.updated')
      .map((e) => (e.payload as { job: { state: string } }).job.state);
    for (const state of ['scanning', 'converting', 'dialing', 'sending', 'delivered'])
      assert.ok(states.includes(state), `saw ${state}`);
    // Each page once, with its thumbnail, as it was scanned; its state follows in job.updated.
    const pages = client.events
      .filter((e) => e.event === 'job.page')
      .map(
        (e) => e.payload as { jobId: string; page: { number: number; state: string; thumbnail?: string } },
      );
    assert.deepEqual(
      pages.map((p) => [p.jobId, p.page.number, p.page.state]),
      [1, 2, 3].map((n) => [job.id, n, 'scanned']),
    );
    for (const p of pages) assert.match(p.page.thumbnail ?? '', /^data:image\/png;base64,/);
    assert.deepEqual(
      done.pages,
      [1, 2, 3].map((number) => ({ number, state: 'sent', sentTo: 1 })),
    );
    assert.deepEqual(faxLine.submitted, [
      { contentType: 'application/pdf', pages: 3, destinations: ['tel:+12125550100'] },
    ]);
    const stored = edge.repositories.jobs.get(job.id)!;
    assert.equal(stored.state, 'delivered');
    assert.equal(edge.repositories.jobs.pages(job.id).length, 3);
  });

  it('reports a scanner jam before the first page as a readable failure and keeps the job', async () => {
    scanner.pages = [page, page];
    scanner.failAfter = { pages: 0, error: new EdgeError('SCANNER_JAM', 'Paper is jammed in the feeder.') };
    const client = await connect();
    const { job } = await client.request('fax.send', { recipients: ['+12125550100'] });
    const failed = await client.waitForJob((j) => j.id === job.id && j.state === 'failed');
    assert.equal(failed.error?.code, 'SCANNER_JAM');
    assert.equal(failed.pagesScanned, 0);
    assert.equal(edge.repositories.jobs.get(job.id)?.error?.code, 'SCANNER_JAM');
    assert.equal(faxLine.submitted.length, 0);
  });

  it('a jam after a page keeps it: needs-attention, job.get, job.resume, delivered with every page', async () => {
    scanner.pages = [page, page];
    scanner.failAfter = { pages: 1, error: new EdgeError('SCANNER_JAM', 'Paper is jammed in the feeder.') };
    faxLine.script = [delivered];
    const client = await connect();
    const { job } = await client.request('fax.send', { recipients: ['+12125550100'] });
    const waiting = await client.waitForJob((j) => j.id === job.id && j.state === 'needs-attention');
    assert.equal(waiting.error?.code, 'SCANNER_JAM');
    assert.deepEqual(waiting.attention && { ...waiting.attention, until: 'x' }, {
      pagesKept: 1,
      fromPage: 2,
      fromSheet: 2,
      duplex: false,
      until: 'x',
    });
    const got = await client.request('job.get', { jobId: job.id });
    assert.equal(got.job.state, 'needs-attention');
    assert.deepEqual(
      got.thumbnails.map((t) => [t.number, t.state]),
      [[1, 'compressed']],
    );
    scanner.failAfter = null;
    scanner.pages = [page];
    const { job: resumed } = await client.request('job.resume', { jobId: job.id });
    assert.equal(resumed.state, 'scanning');
    const done = await client.waitForJob((j) => j.id === job.id && j.state === 'delivered');
    assert.equal(done.totalPages, 2);
    assert.equal(faxLine.submitted[0]?.pages, 2);
  });

  it('reports a busy line per recipient', async () => {
    scanner.pages = [page];
    faxLine.script = [
      () => ({
        jobId: 42,
        state: 'aborted',
        pagesCompleted: 0,
        destinations: [
          {
            uri: 'tel:+12125550100',
            state: 'failed',
            pagesSent: 0,
            errorCode: 'FAX_BUSY',
            errorMessage: 'The line was busy.',
          },
        ],
      }),
    ];
    const client = await connect();
    const { job } = await client.request('fax.send', { recipients: ['+12125550100'] });
    const failed = await client.waitForJob((j) => j.id === job.id && j.state === 'failed');
    assert.equal(failed.error?.code, 'FAX_BUSY');
    assert.equal(failed.recipients[0]?.error?.code, 'FAX_BUSY');
  });

  it('cancels a running fax at the modem', async () => {
    scanner.pages = [page];
    faxLine.script = [sending];
    const client = await connect();
    const { job } = await client.request('fax.send', { recipients: ['+12125550100'] });
    await client.waitForJob((j) => j.id === job.id && j.state === 'sending');
    const cancelled = await client.request('job.cancel', { jobId: job.id });
    assert.equal(cancelled.job.state, 'cancelled');
    assert.equal(faxLine.cancel.callCount, 1);
    await assert.rejects(client.request('job.cancel', { jobId: job.id }), { code: 'JOB_FINISHED' });
    await assert.rejects(client.request('job.cancel', { jobId: 'nope' }), { code: 'JOB_NOT_FOUND' });
  });

  it('serves health and the panel app', async () => {
    const health = (await (await fetch(`${edge.url}/healthz`)).json()) as Record<string, unknown>;
    // Anonymous callers learn only that it runs and its version: the device list is behind the API.
    assert.deepEqual(Object.keys(health).sort(), ['status', 'version']);
    assert.equal(health.status, 'ok');
    const html = await fetch(`${edge.url}/panel/`);
    assert.match(html.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(await html.text(), /app\.js/);
    const js = await fetch(`${edge.url}/panel/app.js`);
    assert.equal(js.status, 200);
    assert.ok((await js.text()).length > 1000);
  });

  describe('fails closed without a signed-in person', () => {
    for (const authMode of ['device-login', 'user-prompt'] as const) {
      it(`${authMode}: fax.send, jobs.list and job.cancel before sign-in → AUTH_REQUIRED, nothing scanned`, async () => {
        const { devices, directory } = edge.repositories;
        const enterprise = directory.findEnterpriseByName('Demo Enterprise')!;
        const deviceToken = newDeviceToken();
        devices.create({
          enterpriseId: enterprise.id,
          name: `panel ${authMode}`,
          authMode,
          sharedUserId: null,
          scannerUrl: 'http://scanner.invalid/eSCL',
          faxUrl: 'ipp://fax.invalid/ipp/faxout',
          tokenHash: hashDeviceToken(deviceToken),
        });
        const client = await PanelClient.connect(wsUrl);
        clients.push(client);
        const hello = await client.request('hello', {
          protocolVersions: [1],
          deviceToken,
          app: { name: 't', version: '1' },
        });
        assert.equal(hello.device.authMode, authMode);
        assert.equal(hello.user, null);
        await assert.rejects(client.request('fax.send', { recipients: ['+12125550100'] }), {
          code: 'AUTH_REQUIRED',
        });
        await assert.rejects(client.request('jobs.list', {}), { code: 'AUTH_REQUIRED' });
        await assert.rejects(client.request('job.cancel', { jobId: 'x' }), { code: 'AUTH_REQUIRED' });
        // Checking a number shows nobody's data.
        assert.equal(
          (await client.request('fax.checkNumber', { number: '+12125550100' })).e164,
          '+12125550100',
        );
        assert.equal(scanner.scan.callCount, 0);
        assert.equal(edge.repositories.jobs.listUnfinished().length, 0);
      });
    }
  });
});
