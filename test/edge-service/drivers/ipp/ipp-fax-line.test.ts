import assert from 'node:assert/strict';
import { EdgeError } from '../../../../edge-service/src/edge-error.ts';
import type { FaxDocument } from '../../../../edge-service/src/domain/fax-line.ts';
import { isLaterBoot } from '../../../../edge-service/src/domain/fax-line.ts';
import { IppFaxLine } from '../../../../edge-service/src/drivers/ipp/ipp-fax-line.ts';
import type { IppAttributes, IppDecodedRequest } from '../../../../edge-service/src/drivers/ipp/node-ipp.ts';
import { FakeIppServer, type FakeAnswer } from './fake-ipp-server.ts';
import { Simulator } from '../../../../simulator/src/simulator.ts';
import { createLogger as createSimLogger } from '../../../../simulator/src/logger.ts';
import { buildFaxPdf } from '../../../../edge-service/src/pipeline/fax-pdf.ts';
import { renderFaxPage } from '../../../../edge-service/src/pipeline/fax-page.ts';
import { buildFaxTiff } from '../../../../edge-service/src/pipeline/fax-tiff.ts';
import { buildPwgRaster } from '../../../../edge-service/src/pipeline/pwg-raster.ts';
import { textPageJpeg } from '../../../helpers/sample-page.ts';
import { decodeGrey, disagreement } from '../../pipeline/pipeline-helpers.ts';

const FAXOUT_PRINTER: IppAttributes = {
  'printer-make-and-model': { lang: 'en', value: 'Virtual MFP FaxOut' },
  'ipp-features-supported': ['faxout'],
  'destination-uri-schemes-supported': ['tel'],
  'document-format-supported': ['application/pdf', 'image/tiff'],
  'multiple-destination-uris-supported': true,
  'operations-supported': [
    'Create-Job',
    'Send-Document',
    'Cancel-Job',
    'Get-Job-Attributes',
    'Get-Printer-Attributes',
  ],
};

const DOCUMENT: FaxDocument = {
  contentType: 'application/pdf',
  data: Buffer.from('%PDF-1.4\n\u00ff binary \u0000 bytes\n%%EOF'),
  pages: 2,
  name: 'fax-42.pdf',
};

function ops(req: IppDecodedRequest): IppAttributes {
  return req.groups.find((g) => g.name === 'operation-attributes-tag')!.attributes;
}

function jobAnswer(job: IppAttributes): FakeAnswer {
  return { status: 'successful-ok', jobAttributes: { 'job-id': 17, ...job } };
}

describe('IppFaxLine', () => {
  let server: FakeIppServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function faxLine(script: (req: IppDecodedRequest) => FakeAnswer): Promise<IppFaxLine> {
    server = new FakeIppServer(script);
    const url = await server.start();
    return new IppFaxLine({ url, timeouts: { requestMs: 2000, sendDocumentMs: 2000 } });
  }

  describe('capabilities()', () => {
    it('accepts a FaxOut printer and reports its formats', async () => {
      const line = await faxLine(() => ({ status: 'successful-ok', printerAttributes: FAXOUT_PRINTER }));
      assert.deepEqual(await line.capabilities(), {
        makeAndModel: 'Virtual MFP FaxOut',
        documentFormats: ['application/pdf', 'image/tiff'],
        multipleDestinations: true,
      });
      assert.equal(server!.requests[0]!.operation, 'Get-Printer-Attributes');
    });

    const refused: [string, IppAttributes][] = [
      [
        'no faxout feature (a print service)',
        { ...FAXOUT_PRINTER, 'ipp-features-supported': ['airprint-1.7'] },
      ],
      ['no tel: scheme', { ...FAXOUT_PRINTER, 'destination-uri-schemes-supported': ['mailto'] }],
      [
        'no Send-Document',
        { ...FAXOUT_PRINTER, 'operations-supported': ['Print-Job', 'Get-Printer-Attributes'] },
      ],
    ];
    for (const [what, printer] of refused) {
      it(`refuses a printer with ${what} as FAX_UNSUPPORTED`, async () => {
        const line = await faxLine(() => ({ status: 'successful-ok', printerAttributes: printer }));
        await assert.rejects(
          line.capabilities(),
          (e: unknown) => e instanceof EdgeError && e.code === 'FAX_UNSUPPORTED',
        );
      });
    }

    it('turns a device that does not answer into FAX_UNREACHABLE with the reason', async () => {
      server = new FakeIppServer(() => ({ hang: true }));
      const line = new IppFaxLine({ url: await server.start(), timeouts: { requestMs: 200 } });
      await assert.rejects(
        line.capabilities(),
        (e: unknown) => e instanceof EdgeError && e.code === 'FAX_UNREACHABLE' && /no answer/.test(e.message),
      );
    });
  });

  describe('submit()', () => {
    it('creates the job with one destination-uris entry per recipient, then sends the document', async () => {
      const line = await faxLine((req) =>
        req.operation === 'Create-Job'
          ? jobAnswer({ 'job-state': 'pending-held' })
          : jobAnswer({ 'job-state': 'pending' }),
      );
      const jobId = await line.submit(DOCUMENT, ['tel:+15551234', '+15559876'], { jobName: 'Fax to 2' });
      assert.equal(jobId, 17);
      const [create, send] = server!.requests;
      assert.equal(create!.operation, 'Create-Job');
      assert.equal(ops(create!)['job-name'], 'Fax to 2');
      assert.deepEqual(
        create!.groups.find((g) => g.name === 'job-attributes-tag')!.attributes['destination-uris'],
        [{ 'destination-uri': 'tel:+15551234' }, { 'destination-uri': 'tel:+15559876' }],
      );
      assert.equal(send!.operation, 'Send-Document');
      assert.equal(ops(send!)['job-id'], 17);
      assert.equal(ops(send!)['document-format'], 'application/pdf');
      assert.equal(ops(send!)['last-document'], true);
      assert.deepEqual(send!.data, DOCUMENT.data);
    });

    it('puts the pre-dial string in every destination-uris entry (PWG 5100.15), as text', async () => {
      server = new FakeIppServer(() => jobAnswer({ 'job-state': 'pending' }));
      const bodies: Buffer[] = [];
      const line = new IppFaxLine({
        url: await server.start(),
        fetch: async (input, init) => {
          bodies.push(Buffer.from(init!.body as Uint8Array));
          return fetch(input, init);
        },
      });
      await line.submit(DOCUMENT, ['tel:+15551234', '+15559876'], { jobName: 'x', preDialString: '9,' });
      const create = server.requests[0]!;
      assert.deepEqual(
        create.groups.find((g) => g.name === 'job-attributes-tag')!.attributes['destination-uris'],
        [
          { 'destination-uri': 'tel:+15551234', 'pre-dial-string': '9,' },
          { 'destination-uri': 'tel:+15559876', 'pre-dial-string': '9,' },
        ],
      );
      // value-tag textWithoutLanguage (0x41) right after the member name, not a keyword or name.
      const body = bodies[0]!;
      const member = body.indexOf('pre-dial-string', 0, 'latin1');
      assert.ok(member > 0);
      assert.equal(body[member + 'pre-dial-string'.length], 0x41);
    });

    it('sends no pre-dial-string member when the pre-dial string is empty', async () => {
      const line = await faxLine(() => jobAnswer({ 'job-state': 'pending' }));
      await line.submit(DOCUMENT, ['tel:+15551234'], { preDialString: '' });
      assert.deepEqual(
        server!.requests[0]!.groups.find((g) => g.name === 'job-attributes-tag')!.attributes[
          'destination-uris'
        ],
        [{ 'destination-uri': 'tel:+15551234' }],
      );
    });

    it('cancels the job when Send-Document fails, and reports FAX_ERROR', async () => {
      const line = await faxLine((req) =>
        req.operation === 'Send-Document'
          ? { status: 'client-error-document-format-not-supported' }
          : jobAnswer({ 'job-state': 'pending' }),
      );
      await assert.rejects(
        line.submit(DOCUMENT, ['tel:+15551234']),
        (e: unknown) =>
          e instanceof EdgeError && e.code === 'FAX_ERROR' && /document-format-not-supported/.test(e.message),
      );
      assert.deepEqual(
        server!.requests.map((r) => r.operation),
        ['Create-Job', 'Send-Document', 'Cancel-Job'],
      );
    });

    it('maps a refused destination scheme to FAX_UNSUPPORTED', async () => {
      const line = await faxLine(() => ({ status: 'client-error-uri-scheme-not-supported' }));
      await assert.rejects(
        line.submit(DOCUMENT, ['tel:+1555']),
        (e: unknown) => e instanceof EdgeError && e.code === 'FAX_UNSUPPORTED',
      );
    });

    it('refuses no recipients before talking to the device', async () => {
      const line = await faxLine(() => jobAnswer({}));
      await assert.rejects(
        line.submit(DOCUMENT, []),
        (e: unknown) => e instanceof EdgeError && e.code === 'NO_RECIPIENTS',
      );
      assert.equal(server!.requests.length, 0);
    });
  });

  describe('status()', () => {
    it('follows a job in progress per destination', async () => {
      const line = await faxLine(() =>
        jobAnswer({
          'job-state': 'processing',
          'job-state-reasons': ['job-printing'],
          'job-impressions-completed': 1,
          'destination-statuses': [
            {
              'destination-uri': 'tel:+15551234',
              'images-completed': 1,
              'transmission-status': 'processing',
            },
            { 'destination-uri': 'tel:+15559876', 'images-completed': 0, 'transmission-status': 'pending' },
          ],
        }),
      );
      assert.deepEqual(await line.status(17), {
        jobId: 17,
        state: 'processing',
        pagesCompleted: 1,
        destinations: [
          { uri: 'tel:+15551234', state: 'sending', pagesSent: 1 },
          { uri: 'tel:+15559876', state: 'pending', pagesSent: 0 },
        ],
      });
      assert.equal(server!.requests[0]!.operation, 'Get-Job-Attributes');
      assert.equal(ops(server!.requests[0]!)['job-id'], 17);
    });

    it('reports a completed job as delivered', async () => {
      const line = await faxLine(() =>
        jobAnswer({
          'job-state': 'completed',
          'job-state-reasons': ['job-completed-successfully'],
          'destination-statuses': [
            { 'destination-uri': 'tel:+1555', 'images-completed': 3, 'transmission-status': 'completed' },
          ],
        }),
      );
      const status = await line.status(17);
      assert.equal(status.state, 'completed');
      assert.equal(status.pagesCompleted, 3);
      assert.deepEqual(status.destinations, [{ uri: 'tel:+1555', state: 'delivered', pagesSent: 3 }]);
    });

    for (const [reason, code] of [
      ['fax-busy', 'FAX_BUSY'],
      ['fax-no-answer', 'FAX_NO_ANSWER'],
      ['fax-dropped', 'FAX_DROPPED'],
      ['fax-modem-line-down', 'FAX_LINE_DOWN'],
      ['destination-uri-failed', 'FAX_ERROR'],
    ] as const) {
      it(`maps an aborted job with ${reason} to ${code}`, async () => {
        const line = await faxLine(() =>
          jobAnswer({
            'job-state': 'aborted',
            'job-state-reasons': [reason],
            'destination-statuses': [
              { 'destination-uri': 'tel:+1555', 'images-completed': 0, 'transmission-status': 'aborted' },
            ],
          }),
        );
        const status = await line.status(17);
        assert.equal(status.state, 'aborted');
        assert.equal(status.destinations[0]!.state, 'failed');
        assert.equal(status.destinations[0]!.errorCode, code);
      });
    }

    it('settles destinations a finished job left open, and keeps the job-state-message', async () => {
      const line = await faxLine(() =>
        jobAnswer({
          'job-state': 'aborted',
          'job-state-reasons': ['fax-dropped'],
          'job-state-message': 'Call dropped at page 2',
          'destination-statuses': [
            { 'destination-uri': 'tel:+1555', 'images-completed': 1, 'transmission-status': 'processing' },
          ],
        }),
      );
      assert.deepEqual((await line.status(17)).destinations, [
        {
          uri: 'tel:+1555',
          state: 'failed',
          pagesSent: 1,
          errorCode: 'FAX_DROPPED',
          errorMessage: 'Call dropped at page 2',
        },
      ]);
    });

    it('reports a cancelled job', async () => {
      const line = await faxLine(() =>
        jobAnswer({
          'job-state': 'canceled',
          'job-state-reasons': ['job-canceled-by-user'],
          'destination-statuses': [
            { 'destination-uri': 'tel:+1555', 'images-completed': 0, 'transmission-status': 'canceled' },
          ],
        }),
      );
      const status = await line.status(17);
      assert.equal(status.state, 'cancelled');
      assert.equal(status.destinations[0]!.state, 'failed');
      assert.equal(status.destinations[0]!.errorCode, undefined);
    });

    it('maps an unknown job to JOB_NOT_FOUND', async () => {
      const line = await faxLine(() => ({ status: 'client-error-not-found' }));
      await assert.rejects(
        line.status(99),
        (e: unknown) => e instanceof EdgeError && e.code === 'JOB_NOT_FOUND',
      );
    });
  });

  describe('cancel()', () => {
    it('sends Cancel-Job for the job id', async () => {
      const line = await faxLine(() => ({ status: 'successful-ok' }));
      await line.cancel(17);
      assert.equal(server!.requests[0]!.operation, 'Cancel-Job');
      assert.equal(ops(server!.requests[0]!)['job-id'], 17);
    });

    it('maps a finished job to JOB_FINISHED', async () => {
      const line = await faxLine(() => ({ status: 'client-error-not-possible' }));
      await assert.rejects(
        line.cancel(17),
        (e: unknown) => e instanceof EdgeError && e.code === 'JOB_FINISHED',
      );
    });
  });

  describe('findJobs()', () => {
    it('finds jobs of any state by job-name in the simulator’s job list (Get-Jobs which-jobs=all)', async function () {
      this.timeout(15000);
      const simulator = new Simulator({
        port: 0,
        timeFactor: 0.001,
        logger: createSimLogger({ level: 'silent' }),
      });
      await simulator.start();
      try {
        const line = new IppFaxLine({ url: simulator.deviceUrls.faxUrl });
        const pdf = { ...DOCUMENT, pages: 1, data: await onePagePdf() };
        const first = await line.submit(pdf, ['tel:+12125550100'], { jobName: 'mfp-edge:job-a:1' });
        await line.submit(pdf, ['tel:+12125550101'], { jobName: 'mfp-edge:job-b:1' });
        const deadline = Date.now() + 10000;
        while ((await line.status(first)).state !== 'completed' && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 20));
        const found = await line.findJobs('mfp-edge:job-a:1');
        assert.equal(found.length, 1);
        assert.equal(found[0]!.jobId, first);
        assert.equal(found[0]!.name, 'mfp-edge:job-a:1');
        assert.equal(found[0]!.documents, 1);
        assert.equal(found[0]!.state, 'completed');
        assert.deepEqual(await line.findJobs('mfp-edge:job-c:1'), []);
      } finally {
        await simulator.stop();
      }
    });

    it('asks for completed and not-completed jobs when the device refuses which-jobs=all', async () => {
      const line = await faxLine((req) => {
        const which = ops(req)['which-jobs'];
        if (which === 'all') return { status: 'client-error-attributes-or-values-not-supported' };
        return which === 'completed'
          ? jobAnswer({
              'job-id': 9,
              'job-name': 'mfp-edge:x:2',
              'job-state': 'completed',
              'number-of-documents': 1,
            })
          : jobAnswer({ 'job-id': 12, 'job-name': 'someone else', 'job-state': 'processing' });
      });
      const found = await line.findJobs('mfp-edge:x:2');
      assert.deepEqual(
        server!.requests.map((r) => [r.operation, ops(r)['which-jobs']]),
        [
          ['Get-Jobs', 'all'],
          ['Get-Jobs', 'not-completed'],
          ['Get-Jobs', 'completed'],
        ],
      );
      assert.deepEqual(
        found.map((j) => [j.jobId, j.state, j.documents]),
        [[9, 'completed', 1]],
      );
      assert.ok((ops(server!.requests[0]!)['requested-attributes'] as string[]).includes('job-name'));
    });
  });
});

describe('IppFaxLine on the simulator: PWG raster and a pre-dial string', function () {
  this.timeout(30000);
  let simulator: Simulator;

  before(async () => {
    simulator = new Simulator({ port: 0, timeFactor: 0.001, logger: createSimLogger({ level: 'silent' }) });
    await simulator.start();
  });

  after(async () => {
    await simulator?.stop();
  });

  async function simApi<T>(path: string): Promise<T> {
    const response = await fetch(`${simulator.url}/sim/api${path}`);
    assert.equal(response.status, 200, path);
    return (await response.json()) as T;
  }

  it('faxes a PWG raster document to two numbers behind an outside line, page for page', async () => {
    const line = new IppFaxLine({ url: simulator.deviceUrls.faxUrl });
    assert.ok((await line.capabilities()).documentFormats.includes('image/pwg-raster'));
    const pages = await Promise.all(
      ['One', 'Two'].map(async (label, i) =>
        renderFaxPage(await textPageJpeg(100, label), {
          resolution: 'fine',
          mode: 'text',
          pageNumber: i + 1,
        }),
      ),
    );
    const document: FaxDocument = {
      contentType: 'image/pwg-raster',
      data: await buildPwgRaster(pages),
      pages: 2,
      name: 'fax-pwg',
    };
    const jobId = await line.submit(document, ['tel:+12125550170', 'tel:+12125550171'], {
      jobName: 'mfp-edge:pwg:1',
      preDialString: '9',
    });
    const deadline = Date.now() + 20000;
    let status = await line.status(jobId);
    while (status.state !== 'completed' && status.state !== 'aborted' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await line.status(jobId);
    }
    assert.equal(status.state, 'completed', JSON.stringify(status));
    assert.deepEqual(
      status.destinations.map((d) => [d.uri, d.state, d.pagesSent]),
      [
        ['tel:+12125550170', 'delivered', 2],
        ['tel:+12125550171', 'delivered', 2],
      ],
    );

    // The modem's log shows what it dialled: the outside line, then the number without its '+'.
    const log =
      await simApi<{ jobId: number; destinations: { uri: string; number: string }[] }[]>('/fax-log');
    assert.deepEqual(
      log.find((entry) => entry.jobId === jobId)?.destinations.map((d) => [d.uri, d.number]),
      [
        ['tel:+12125550170', '912125550170'],
        ['tel:+12125550171', '912125550171'],
      ],
    );

    // The remote machine received the pages the G4 data holds.
    const faxes = await simApi<{ id: string; to: string; pages: number; status: string }[]>('/faxes');
    const received = faxes.find((f) => f.to === '912125550170');
    assert.ok(received, `received: ${JSON.stringify(faxes)}`);
    assert.deepEqual([received.pages, received.status], [2, 'received']);
    for (const [index, page] of pages.entries()) {
      const png: Response = await fetch(`${simulator.url}/sim/api/faxes/${received.id}/pages/${index + 1}`);
      assert.equal(png.status, 200);
      const got = await decodeGrey(Buffer.from(await png.arrayBuffer()));
      const sent = await decodeGrey(buildFaxTiff([page]));
      assert.deepEqual([got.width, got.height], [1728, page.height]);
      const differing = disagreement(got, sent);
      assert.ok(differing < 0.01, `page ${index + 1}: ${(differing * 100).toFixed(2)}% of pixels differ`);
    }
  });

  it('tells its jobs apart by job-name and job-uuid, its boot by printer-up-time, and proves delivery from its log', async () => {
    const line = new IppFaxLine({ url: simulator.deviceUrls.faxUrl });
    const bootBefore = await line.boot();
    assert.match(bootBefore.printerUuid ?? '', /^urn:uuid:/);
    assert.ok(bootBefore.bootedAt <= Date.now() && bootBefore.bootedAt > Date.now() - 600_000);
    const pdf: FaxDocument = {
      contentType: 'application/pdf',
      data: await onePagePdf(),
      pages: 1,
      name: 'f',
    };
    const jobId = await line.submit(pdf, ['tel:+12125550180'], { jobName: 'mfp-edge:ident:1' });
    let status = await line.status(jobId);
    assert.equal(status.name, 'mfp-edge:ident:1');
    assert.match(status.uuid ?? '', /^urn:uuid:/);
    const deadline = Date.now() + 20000;
    while (status.state !== 'completed' && status.state !== 'aborted' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await line.status(jobId);
    }
    const entry = (await line.faxLog())?.find((e) => e.name === 'mfp-edge:ident:1');
    assert.ok(entry, 'the job is in the fax log');
    assert.equal(entry.uuid, status.uuid);
    assert.deepEqual(entry.destinations, [{ uri: 'tel:+12125550180', completed: true, pagesSent: 1 }]);
    assert.ok(!isLaterBoot(bootBefore, await line.boot()), 'same boot');
  });
});

/** A real one-page fax PDF (the simulator decodes what it is sent). */
async function onePagePdf(): Promise<Buffer> {
  const page = await renderFaxPage(await textPageJpeg(100), {
    resolution: 'standard',
    mode: 'text',
    pageNumber: 1,
  });
  return buildFaxPdf([page]);
}
