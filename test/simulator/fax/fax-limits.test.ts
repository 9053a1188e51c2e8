import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import { attr, v, type IppAttribute } from '../../../simulator/src/fax/ipp-codec.ts';
import { GroupTag, JobState, Operation, StatusCode } from '../../../simulator/src/fax/ipp-constants.ts';
import { DEFAULT_FAX_LIMITS, type FaxLimits } from '../../../simulator/src/fax/fax-limits.ts';
import { FaxModemError } from '../../../simulator/src/fax/fax-modem.ts';
import { startFaxTestServer, type FaxTestServer } from './fax-test-server.ts';
import { makeG4Pdf } from './g4-fixtures.ts';
import { blankPwgPage, pwgRaster } from './hostile-documents.ts';
import { destinationUris, groupOf, ippRequest, valueOf, valuesOf, waitFor } from './ipp-test-client.ts';

/** The modem's limits seen from an IPP client: proper status codes, bounded memory. */
describe('simulator/fax/fax-limits (IPP FaxOut under documents that ask for too much)', function () {
  this.timeout(20_000);
  let server: FaxTestServer | undefined;
  let pdf: Buffer;

  before(async () => {
    pdf = await makeG4Pdf(1, { height: 400 });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(limits?: Partial<FaxLimits>): Promise<FaxTestServer> {
    server = await startFaxTestServer(limits ? { limits } : {});
    return server;
  }

  function printJob(s: FaxTestServer, data: Buffer, operation: IppAttribute[] = []) {
    return ippRequest(s.baseUrl, Operation.printJob, operation, {
      job: [destinationUris('tel:5550100')],
      data,
    });
  }

  async function createJob(s: FaxTestServer): Promise<number> {
    const res = await ippRequest(s.baseUrl, Operation.createJob, [], {
      job: [destinationUris('tel:5550100')],
    });
    assert.equal(res.code, StatusCode.successfulOk);
    return valueOf(groupOf(res, GroupTag.job), 'job-id') as number;
  }

  async function sendDocument(s: FaxTestServer, jobId: number, data: Buffer, last: boolean) {
    return ippRequest(
      s.baseUrl,
      Operation.sendDocument,
      [
        attr('job-id', v.integer(jobId)),
        attr('document-format', v.mimeMediaType('application/pdf')),
        attr('last-document', v.boolean(last)),
      ],
      { data },
    );
  }

  async function jobAttributes(s: FaxTestServer, jobId: number) {
    const res = await ippRequest(s.baseUrl, Operation.getJobAttributes, [attr('job-id', v.integer(jobId))]);
    return groupOf(res, GroupTag.job);
  }

  const waitForState = (s: FaxTestServer, jobId: number, state: number) =>
    waitFor(async () => {
      const job = await jobAttributes(s, jobId);
      return valueOf(job, 'job-state') === state ? job : undefined;
    });

  it('a gzip or deflate bomb (default limits) is client-error-request-entity-too-large, and no job', async () => {
    const s = await start();
    const inflated = Buffer.alloc(DEFAULT_FAX_LIMITS.maxDocumentBytes + 1024 * 1024);
    inflated.write('%PDF-1.4\n');
    for (const [compression, data] of [
      ['gzip', gzipSync(inflated, { level: 9 })],
      ['deflate', deflateSync(inflated, { level: 9 })],
    ] as const) {
      assert.ok(data.length < 1024 * 1024, `${compression}: ${data.length}`);
      const res = await printJob(s, data, [
        attr('document-format', v.mimeMediaType('application/pdf')),
        attr('compression', v.keyword(compression)),
      ]);
      assert.equal(res.code, StatusCode.clientErrorRequestEntityTooLarge, compression);
      assert.match(String(valueOf(groupOf(res, GroupTag.operation), 'status-message')), /decompressed/);
    }
    assert.deepEqual(s.modem.jobs(), []);
    assert.equal(s.modem.heldBytes(), 0);
  });

  it('a document over the limit is refused, compressed or not; corrupt data stays a compression error', async () => {
    const s = await start({ maxDocumentBytes: pdf.length - 1 });
    const format = attr('document-format', v.mimeMediaType('application/pdf'));
    assert.equal((await printJob(s, pdf, [format])).code, StatusCode.clientErrorRequestEntityTooLarge);
    const gzip = [format, attr('compression', v.keyword('gzip'))];
    assert.equal((await printJob(s, gzipSync(pdf), gzip)).code, StatusCode.clientErrorRequestEntityTooLarge);
    assert.equal(
      (await printJob(s, Buffer.from('not gzip'), gzip)).code,
      StatusCode.clientErrorCompressionError,
    );
    assert.deepEqual(s.modem.jobs(), []);
  });

  it('caps the documents of a job; what was accepted is still sent on Close-Job', async () => {
    const s = await start({ maxDocumentsPerJob: 2 });
    const jobId = await createJob(s);
    assert.equal((await sendDocument(s, jobId, pdf, false)).code, StatusCode.successfulOk);
    assert.equal((await sendDocument(s, jobId, pdf, false)).code, StatusCode.successfulOk);
    const third = await sendDocument(s, jobId, pdf, true);
    assert.equal(third.code, StatusCode.clientErrorRequestEntityTooLarge);
    assert.equal(s.modem.job(jobId)?.documents.length, 2);
    const close = await ippRequest(s.baseUrl, Operation.closeJob, [attr('job-id', v.integer(jobId))]);
    assert.equal(close.code, StatusCode.successfulOk);
    const done = await waitForState(s, jobId, JobState.completed);
    assert.equal(valueOf(done, 'number-of-documents'), 2);
    assert.equal(
      ((await (await fetch(`${s.baseUrl}/sim/api/faxes`)).json()) as { pages: number }[])[0]?.pages,
      2,
    );
  });

  it("caps a job's bytes, and the bytes held by all queued jobs (then the modem is busy)", async () => {
    let s = await start({ maxJobBytes: pdf.length * 2 });
    const jobId = await createJob(s);
    assert.equal((await sendDocument(s, jobId, pdf, false)).code, StatusCode.successfulOk);
    assert.equal((await sendDocument(s, jobId, pdf, false)).code, StatusCode.successfulOk);
    assert.equal(
      (await sendDocument(s, jobId, pdf, false)).code,
      StatusCode.clientErrorRequestEntityTooLarge,
    );
    await server!.close();

    s = await start({ maxHeldBytes: pdf.length * 2 });
    const first = await createJob(s);
    const second = await createJob(s);
    assert.equal((await sendDocument(s, first, pdf, false)).code, StatusCode.successfulOk);
    assert.equal((await sendDocument(s, second, pdf, false)).code, StatusCode.successfulOk);
    assert.equal(s.modem.heldBytes(), pdf.length * 2);
    assert.equal((await sendDocument(s, first, pdf, true)).code, StatusCode.serverErrorBusy);
    const print = await printJob(s, pdf, [attr('document-format', v.mimeMediaType('application/pdf'))]);
    assert.equal(print.code, StatusCode.serverErrorBusy);
    assert.equal(s.modem.jobs().length, 2, 'a refused Print-Job leaves no job behind');
    // Once a job is sent its document is released, and there is room again.
    await ippRequest(s.baseUrl, Operation.closeJob, [attr('job-id', v.integer(first))]);
    await waitForState(s, first, JobState.completed);
    assert.equal(s.modem.heldBytes(), pdf.length);
    assert.equal((await sendDocument(s, second, pdf, true)).code, StatusCode.successfulOk);
  });

  it('a processed job drops its documents but keeps what the remote machine received', async () => {
    const s = await start();
    const res = await printJob(s, pdf, [attr('document-format', v.mimeMediaType('application/pdf'))]);
    const jobId = valueOf(groupOf(res, GroupTag.job), 'job-id') as number;
    const done = await waitForState(s, jobId, JobState.completed);
    assert.equal(s.modem.job(jobId)?.documents[0]?.data.length, 0);
    assert.equal(s.modem.heldBytes(), 0);
    // What the client supplied is still reported.
    assert.equal(valueOf(done, 'document-format-supplied'), 'application/pdf');
    assert.equal(valueOf(done, 'number-of-documents'), 1);
    const [fax] = (await (await fetch(`${s.baseUrl}/sim/api/faxes`)).json()) as {
      id: string;
      pages: number;
    }[];
    assert.equal(fax?.pages, 1);
    const page = await fetch(`${s.baseUrl}/sim/api/faxes/${fax!.id}/pages/1`);
    assert.equal(page.headers.get('content-type'), 'image/png');
  });

  it('a canceled job drops its documents too', async () => {
    const s = await start();
    const jobId = await createJob(s);
    assert.equal((await sendDocument(s, jobId, pdf, false)).code, StatusCode.successfulOk);
    assert.equal(s.modem.heldBytes(), pdf.length);
    await ippRequest(s.baseUrl, Operation.cancelJob, [attr('job-id', v.integer(jobId))]);
    assert.equal(s.modem.heldBytes(), 0);
  });

  it('a document whose pages ask for too much aborts its job with document-unprintable-error', async () => {
    const s = await start();
    const raster = pwgRaster(blankPwgPage(40_000, 40_000));
    const res = await printJob(s, raster, [attr('document-format', v.mimeMediaType('image/pwg-raster'))]);
    assert.equal(res.code, StatusCode.successfulOk);
    const jobId = valueOf(groupOf(res, GroupTag.job), 'job-id') as number;
    const job = await waitForState(s, jobId, JobState.aborted);
    assert.ok(valuesOf(job, 'job-state-reasons').includes('document-unprintable-error'));
    assert.equal(s.modem.heldBytes(), 0);
  });

  it('the modem refuses the same way when called directly', async () => {
    const s = await start({ maxDocumentsPerJob: 1 });
    const job = s.modem.createJob({
      name: 'n',
      userName: 'u',
      destinations: [{ uri: 'tel:5550100', number: '5550100' }],
    });
    s.modem.addDocument(job.id, { format: 'application/pdf', data: pdf }, false);
    assert.throws(
      () => s.modem.addDocument(job.id, { format: 'application/pdf', data: pdf }, true),
      (e: unknown) => e instanceof FaxModemError && e.code === 'TOO_MANY_DOCUMENTS' && e.httpStatus === 413,
    );
  });
});
