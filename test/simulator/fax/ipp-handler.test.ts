import assert from 'node:assert/strict';
import sharp from 'sharp';
import { attr, v } from '../../../simulator/src/fax/ipp-codec.ts';
import { GroupTag, JobState, Operation, StatusCode } from '../../../simulator/src/fax/ipp-constants.ts';
import { LINE_DOWN_REASON } from '../../../simulator/src/fax/fax-modem.ts';
import { startFaxTestServer, type FaxTestServer } from './fax-test-server.ts';
import { g4MultiPageTiff, makeG4Pdf, pagePixels } from './g4-fixtures.ts';
import {
  destinationUris,
  groupOf,
  ippRequest,
  postIpp,
  valueOf,
  valuesOf,
  waitFor,
} from './ipp-test-client.ts';

interface FaxSummary {
  id: string;
  to: string;
  pages: number;
  status: string;
  receivedAt: string;
}

describe('simulator/fax/ipp-handler (IPP FaxOut over HTTP)', function () {
  let server: FaxTestServer;
  let pdf3: Buffer;

  before(async () => {
    pdf3 = await makeG4Pdf(3, { indirectLength: true });
  });
  beforeEach(async () => {
    server = await startFaxTestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const faxes = async (): Promise<FaxSummary[]> =>
    (await (await fetch(`${server.baseUrl}/sim/api/faxes`)).json()) as FaxSummary[];

  async function createJob(...uris: string[]): Promise<number> {
    const res = await ippRequest(
      server.baseUrl,
      Operation.createJob,
      [attr('job-name', v.name('test fax'))],
      {
        job: [destinationUris(...uris)],
      },
    );
    assert.equal(res.code, StatusCode.successfulOk);
    return valueOf(groupOf(res, GroupTag.job), 'job-id') as number;
  }

  async function sendDocument(jobId: number, data: Buffer, format = 'application/pdf'): Promise<number> {
    const res = await ippRequest(
      server.baseUrl,
      Operation.sendDocument,
      [
        attr('job-id', v.integer(jobId)),
        attr('document-format', v.mimeMediaType(format)),
        attr('last-document', v.boolean(true)),
      ],
      { data },
    );
    return res.code;
  }

  async function jobAttributes(jobId: number) {
    const res = await ippRequest(server.baseUrl, Operation.getJobAttributes, [
      attr('job-id', v.integer(jobId)),
    ]);
    assert.equal(res.code, StatusCode.successfulOk);
    return groupOf(res, GroupTag.job);
  }

  async function waitForState(jobId: number, states: number[]) {
    return waitFor(async () => {
      const job = await jobAttributes(jobId);
      return states.includes(valueOf(job, 'job-state') as number) ? job : undefined;
    });
  }

  function destinationStatus(job: ReturnType<typeof groupOf>, i = 0): Record<string, unknown> {
    const value = job.find((a) => a.name === 'destination-statuses')?.values[i];
    assert.equal(value?.type, 'collection');
    return Object.fromEntries(
      (value!.value as { name: string; values: { value: unknown }[] }[]).map((m) => [
        m.name,
        m.values[0]?.value,
      ]),
    );
  }

  it('Get-Printer-Attributes advertises FaxOut and echoes the request version', async () => {
    for (const version of [
      { major: 1, minor: 1 },
      { major: 2, minor: 0 },
    ]) {
      const res = await ippRequest(server.baseUrl, Operation.getPrinterAttributes, [], { version });
      assert.deepEqual(res.version, version);
      assert.equal(res.code, StatusCode.successfulOk);
      const printer = groupOf(res, GroupTag.printer);
      assert.deepEqual(valuesOf(printer, 'ipp-features-supported'), ['faxout']);
      assert.deepEqual(valuesOf(printer, 'destination-uri-schemes-supported'), ['tel']);
      assert.equal(valueOf(printer, 'multiple-destination-uris-supported'), true);
      for (const format of ['application/pdf', 'image/pwg-raster', 'image/tiff']) {
        assert.ok(valuesOf(printer, 'document-format-supported').includes(format), format);
      }
      assert.equal(valueOf(printer, 'printer-state'), 3);
      assert.deepEqual(valuesOf(printer, 'printer-state-reasons'), ['none']);
      assert.equal(valueOf(printer, 'printer-uri-supported'), `ipp://127.0.0.1:${server.port}/ipp/faxout`);
      assert.ok(valuesOf(printer, 'operations-supported').includes(Operation.closeJob));
    }
  });

  it('honours requested-attributes', async () => {
    const res = await ippRequest(server.baseUrl, Operation.getPrinterAttributes, [
      attr('requested-attributes', v.keyword('printer-state'), v.keyword('queued-job-count')),
    ]);
    assert.deepEqual(
      groupOf(res, GroupTag.printer).map((a) => a.name),
      ['printer-state', 'queued-job-count'],
    );
  });

  it('Create-Job + Send-Document with a G4 PDF: progress page by page, then the remote has 3 pages 1728 wide', async () => {
    server = await restartWith({ timeFactor: 0.02 });
    const jobId = await createJob('tel:+1-555-0100');
    assert.equal(valueOf(await jobAttributes(jobId), 'job-state'), JobState.pending);
    assert.deepEqual(valuesOf(await jobAttributes(jobId), 'job-state-reasons'), ['job-incoming']);
    assert.equal(await sendDocument(jobId, pdf3), StatusCode.successfulOk);
    const seen = new Set<number>();
    const done = await waitFor(async () => {
      const job = await jobAttributes(jobId);
      seen.add(destinationStatus(job)['images-completed'] as number);
      return valueOf(job, 'job-state') === JobState.completed ? job : undefined;
    }, 15_000);
    assert.ok(seen.size >= 2, `progress observed: ${[...seen].join(',')}`);
    assert.deepEqual(valuesOf(done, 'job-state-reasons'), ['job-completed-successfully']);
    assert.equal(valueOf(done, 'job-impressions-completed'), 3);
    assert.deepEqual(destinationStatus(done), {
      'destination-uri': 'tel:+1-555-0100',
      'images-completed': 3,
      'transmission-status': JobState.completed,
    });
    const list = await faxes();
    assert.equal(list.length, 1);
    assert.deepEqual(
      { ...list[0], id: undefined, receivedAt: undefined },
      {
        id: undefined,
        to: '+15550100',
        pages: 3,
        status: 'received',
        receivedAt: undefined,
      },
    );
    const page = await fetch(`${server.baseUrl}/sim/api/faxes/${list[0]!.id}/pages/2`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'image/png');
    const png = Buffer.from(await page.arrayBuffer());
    const meta = await sharp(png).metadata();
    assert.equal(meta.width, 1728);
    assert.equal(meta.height, 1100);
    // Page 2 has the box and two stripes: the same black as the source bitmap.
    const stats = await sharp(png).greyscale().stats();
    const source = pagePixels(1100, 2);
    const sourceMean = source.reduce((s, p) => s + p, 0) / source.length;
    assert.ok(
      Math.abs(stats.channels[0]!.mean - sourceMean) < 0.5,
      `${stats.channels[0]!.mean} vs ${sourceMean}`,
    );
    assert.equal((await fetch(`${server.baseUrl}/sim/api/faxes/${list[0]!.id}/pages/4`)).status, 404);
  });

  it('Print-Job with a multi-page G4 TIFF to two destinations', async () => {
    const tiff = await g4MultiPageTiff([
      { pixels: pagePixels(800, 1), height: 800 },
      { pixels: pagePixels(800, 2), height: 800 },
    ]);
    const res = await ippRequest(
      server.baseUrl,
      Operation.printJob,
      [attr('document-format', v.mimeMediaType('image/tiff'))],
      {
        job: [destinationUris('tel:5550101', 'tel:5550102')],
        data: tiff,
      },
    );
    assert.equal(res.code, StatusCode.successfulOk);
    const jobId = valueOf(groupOf(res, GroupTag.job), 'job-id') as number;
    const done = await waitForState(jobId, [JobState.completed, JobState.aborted]);
    assert.equal(valueOf(done, 'job-state'), JobState.completed);
    assert.equal(valueOf(done, 'job-impressions-completed'), 4);
    const list = await faxes();
    assert.deepEqual(
      list.map((f) => [f.to, f.pages, f.status]),
      [
        ['5550101', 2, 'received'],
        ['5550102', 2, 'received'],
      ],
    );
  });

  it('busy and no-answer lines fail their destination with a readable reason', async () => {
    server.remotes.setBehavior('5550111', { behavior: 'busy' });
    server.remotes.setBehavior('5550112', { behavior: 'no-answer' });
    const busy = await createJob('tel:5550111');
    await sendDocument(busy, pdf3);
    const busyJob = await waitForState(busy, [JobState.completed, JobState.aborted]);
    assert.equal(valueOf(busyJob, 'job-state'), JobState.aborted);
    assert.ok(valuesOf(busyJob, 'job-state-reasons').includes('fax-busy'));
    assert.equal(destinationStatus(busyJob)['transmission-status'], JobState.aborted);

    const mixed = await createJob('tel:5550112', 'tel:5550113');
    await sendDocument(mixed, pdf3);
    const mixedJob = await waitForState(mixed, [JobState.completed, JobState.aborted]);
    assert.equal(valueOf(mixedJob, 'job-state'), JobState.completed);
    assert.deepEqual(valuesOf(mixedJob, 'job-state-reasons'), ['job-completed-with-errors', 'fax-no-answer']);
    assert.equal(destinationStatus(mixedJob, 0)['transmission-status'], JobState.aborted);
    assert.equal(destinationStatus(mixedJob, 1)['images-completed'], 3);
    assert.deepEqual(
      (await faxes()).map((f) => f.to),
      ['5550113'],
    );
  });

  it('drop-at-page 2: page 1 received, fax partial, destination failed', async () => {
    server.remotes.setBehavior('5550120', { behavior: 'drop-at-page', page: 2 });
    const jobId = await createJob('tel:5550120');
    await sendDocument(jobId, pdf3);
    const job = await waitForState(jobId, [JobState.completed, JobState.aborted]);
    assert.equal(valueOf(job, 'job-state'), JobState.aborted);
    assert.ok(valuesOf(job, 'job-state-reasons').includes('fax-connection-lost'));
    assert.equal(destinationStatus(job)['images-completed'], 1);
    const [fax] = await faxes();
    assert.deepEqual([fax?.pages, fax?.status], [1, 'partial']);
  });

  it('line-down: printer-state-reasons shows it and every destination fails', async () => {
    server.faults.raise('line-down');
    const printer = groupOf(
      await ippRequest(server.baseUrl, Operation.getPrinterAttributes, []),
      GroupTag.printer,
    );
    assert.deepEqual(valuesOf(printer, 'printer-state-reasons'), [LINE_DOWN_REASON]);
    const jobId = await createJob('tel:5550130', 'tel:5550131');
    await sendDocument(jobId, pdf3);
    const job = await waitForState(jobId, [JobState.completed, JobState.aborted]);
    assert.equal(valueOf(job, 'job-state'), JobState.aborted);
    assert.deepEqual(valuesOf(job, 'job-state-reasons'), ['aborted-by-system', 'fax-line-down']);
    assert.deepEqual((await faxes()).length, 0);
  });

  it('Cancel-Job during transmission, Get-Jobs, Close-Job', async () => {
    server = await restartWith({ timeFactor: 1 });
    const jobId = await createJob('tel:5550140');
    await sendDocument(jobId, pdf3);
    const pending = await ippRequest(server.baseUrl, Operation.getJobs, []);
    assert.deepEqual(
      pending.groups.filter((g) => g.tag === GroupTag.job).map((g) => valueOf(g.attributes, 'job-id')),
      [jobId],
    );
    const cancel = await ippRequest(server.baseUrl, Operation.cancelJob, [attr('job-id', v.integer(jobId))]);
    assert.equal(cancel.code, StatusCode.successfulOk);
    const job = await waitForState(jobId, [JobState.canceled]);
    assert.deepEqual(valuesOf(job, 'job-state-reasons'), ['job-canceled-by-user']);
    const again = await ippRequest(server.baseUrl, Operation.cancelJob, [attr('job-id', v.integer(jobId))]);
    assert.equal(again.code, StatusCode.clientErrorNotPossible);
    const completed = await ippRequest(server.baseUrl, Operation.getJobs, [
      attr('which-jobs', v.keyword('completed')),
    ]);
    assert.equal(completed.groups.filter((g) => g.tag === GroupTag.job).length, 1);

    const empty = await createJob('tel:5550141');
    const close = await ippRequest(server.baseUrl, Operation.closeJob, [attr('job-id', v.integer(empty))]);
    assert.equal(close.code, StatusCode.successfulOk);
    assert.ok(valuesOf(await jobAttributes(empty), 'job-state-reasons').includes('job-data-insufficient'));
  });

  describe('bad requests', () => {
    it('unknown version → server-error-version-not-supported', async () => {
      const res = await ippRequest(server.baseUrl, Operation.getPrinterAttributes, [], {
        version: { major: 9, minor: 0 },
      });
      assert.equal(res.code, StatusCode.serverErrorVersionNotSupported);
    });

    it('missing charset, garbage and unknown operations', async () => {
      const noCharset = await postIpp(
        server.baseUrl,
        Buffer.from([2, 0, 0, 0x0b, 0, 0, 0, 1, 0x01, 0x45, 0, 1, 0x78, 0, 1, 0x78, 0x03]),
      );
      assert.equal(noCharset.code, StatusCode.clientErrorBadRequest);
      const garbage = await postIpp(
        server.baseUrl,
        Buffer.from([2, 0, 0, 0x0b, 0, 0, 0, 1, 0x01, 0x45, 0, 200]),
      );
      assert.equal(garbage.code, StatusCode.clientErrorBadRequest);
      assert.equal(garbage.requestId, 1);
      const unknown = await ippRequest(server.baseUrl, 0x4000, []);
      assert.equal(unknown.code, StatusCode.serverErrorOperationNotSupported);
      const wrongType = await fetch(`${server.baseUrl}/ipp/faxout`, { method: 'POST', body: 'hello' });
      assert.equal(wrongType.status, 415);
    });

    it('Create-Job without or with unusable destination-uris', async () => {
      const none = await ippRequest(server.baseUrl, Operation.createJob, []);
      assert.equal(none.code, StatusCode.clientErrorBadRequest);
      const notCollection = await ippRequest(server.baseUrl, Operation.createJob, [], {
        job: [attr('destination-uris', v.uri('tel:123'))],
      });
      assert.equal(notCollection.code, StatusCode.clientErrorAttributesOrValuesNotSupported);
      assert.ok(groupOf(notCollection, GroupTag.unsupported).some((a) => a.name === 'destination-uris'));
      const mailto = await ippRequest(server.baseUrl, Operation.createJob, [], {
        job: [destinationUris('mailto:a@b.c')],
      });
      assert.equal(mailto.code, StatusCode.clientErrorUriSchemeNotSupported);
      const mixed = await ippRequest(server.baseUrl, Operation.createJob, [], {
        job: [destinationUris('tel:5550150', 'ipp://11.22.33.44/ipp/print')],
      });
      assert.equal(mixed.code, StatusCode.successfulOkIgnoredOrSubstitutedAttributes);
      const letters = await ippRequest(server.baseUrl, Operation.createJob, [], {
        job: [destinationUris('tel:call-me')],
      });
      assert.equal(letters.code, StatusCode.clientErrorAttributesOrValuesNotSupported);
    });

    it('Send-Document errors: unknown job, format not supported, not the declared format, job closed', async () => {
      assert.equal(await sendDocument(4242, pdf3), StatusCode.clientErrorNotFound);
      const jobId = await createJob('tel:5550160');
      assert.equal(
        await sendDocument(jobId, pdf3, 'image/gif'),
        StatusCode.clientErrorDocumentFormatNotSupported,
      );
      assert.equal(await sendDocument(jobId, pdf3, 'image/jpeg'), StatusCode.clientErrorDocumentFormatError);
      assert.equal(
        await sendDocument(jobId, Buffer.from('not a pdf')),
        StatusCode.clientErrorDocumentFormatError,
      );
      assert.equal(await sendDocument(jobId, pdf3), StatusCode.successfulOk);
      assert.equal(await sendDocument(jobId, pdf3), StatusCode.clientErrorNotPossible);
      const noLast = await ippRequest(
        server.baseUrl,
        Operation.sendDocument,
        [attr('job-id', v.integer(jobId))],
        { data: pdf3 },
      );
      assert.equal(noLast.code, StatusCode.clientErrorBadRequest);
      const job = await ippRequest(server.baseUrl, Operation.getJobAttributes, [
        attr('job-id', v.integer(999)),
      ]);
      assert.equal(job.code, StatusCode.clientErrorNotFound);
    });

    it('a PDF that cannot be decoded aborts the job with document-format-error', async () => {
      const jobId = await createJob('tel:5550170');
      assert.equal(
        await sendDocument(jobId, Buffer.from('%PDF-1.4\nnothing here\n%%EOF')),
        StatusCode.successfulOk,
      );
      const job = await waitForState(jobId, [JobState.aborted, JobState.completed]);
      assert.equal(valueOf(job, 'job-state'), JobState.aborted);
      assert.ok(valuesOf(job, 'job-state-reasons').includes('document-format-error'));
    });
  });

  async function restartWith(options: Parameters<typeof startFaxTestServer>[0]): Promise<FaxTestServer> {
    await server.close();
    server = await startFaxTestServer(options);
    return server;
  }
});
