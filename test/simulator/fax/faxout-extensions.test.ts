import assert from 'node:assert/strict';
import { gzipSync, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { attr, v } from '../../../simulator/src/fax/ipp-codec.ts';
import { GroupTag, JobState, Operation, StatusCode } from '../../../simulator/src/fax/ipp-constants.ts';
import { startFaxTestServer, type FaxTestServer } from './fax-test-server.ts';
import { makeG4Pdf } from './g4-fixtures.ts';
import { destinationUris, groupOf, ippRequest, valueOf, valuesOf, waitFor } from './ipp-test-client.ts';

/** What PWG 5100.15 and its ipptool test ask beyond the basics: jobs, documents, cover sheets, identify. */
describe('simulator/fax FaxOut extensions (Cancel-My-Jobs, Identify-Printer, compression, page-ranges, cover sheet)', function () {
  this.timeout(20_000);
  let server: FaxTestServer;
  let pdf3: Buffer;

  before(async () => {
    pdf3 = await makeG4Pdf(3);
  });
  afterEach(async () => {
    await server.close();
  });

  async function createJob(user: string, job = [destinationUris('tel:5550001')]): Promise<number> {
    const res = await ippRequest(server.baseUrl, Operation.createJob, [], { job, userName: user });
    assert.equal(res.code, StatusCode.successfulOk, JSON.stringify(res.groups[0]));
    return valueOf(groupOf(res, GroupTag.job), 'job-id') as number;
  }

  const jobAttributes = async (id: number) =>
    groupOf(
      await ippRequest(server.baseUrl, Operation.getJobAttributes, [attr('job-id', v.integer(id))]),
      GroupTag.job,
    );

  const waitForState = (id: number, state: number) =>
    waitFor(async () => {
      const job = await jobAttributes(id);
      return valueOf(job, 'job-state') === state ? job : undefined;
    });

  it('Get-Printer-Attributes: FaxOut description attributes and the operations they imply', async () => {
    server = await startFaxTestServer();
    const printer = groupOf(
      await ippRequest(server.baseUrl, Operation.getPrinterAttributes, []),
      GroupTag.printer,
    );
    assert.deepEqual(
      [Operation.cancelMyJobs, Operation.identifyPrinter].filter((op) =>
        valuesOf(printer, 'operations-supported').includes(op),
      ),
      [Operation.cancelMyJobs, Operation.identifyPrinter],
    );
    assert.match(String(valueOf(printer, 'printer-device-id')), /^(?:[-A-Za-z ]+:[^;]*;)+$/);
    assert.deepEqual(valuesOf(printer, 'compression-supported'), ['none', 'deflate', 'gzip']);
    assert.ok(valuesOf(printer, 'document-format-supported').includes('image/jpeg'));
    assert.equal(valueOf(printer, 'printer-fax-log-uri'), `${server.baseUrl}/sim/api/fax-log`);
    assert.equal(valueOf(printer, 'multiple-operation-time-out-action'), 'abort-job');
    // Large, so only when asked for by name or with 'all'.
    assert.equal(valueOf(printer, 'media-col-database'), undefined);
  });

  it('a gzip document with a cover sheet and page-ranges 2-3: the remote gets cover + 2 pages; job attributes say what was supplied', async () => {
    server = await startFaxTestServer();
    const id = await createJob('alice', [
      destinationUris('tel:5550002'),
      attr('page-ranges', v.range(2, 3)),
      attr(
        'cover-sheet-info',
        v.collection([
          attr('from-name', v.text('Alice')),
          attr('subject', v.text('Invoice')),
          attr('message', v.text('Two pages follow.')),
        ]),
      ),
    ]);
    const res = await ippRequest(
      server.baseUrl,
      Operation.sendDocument,
      [
        attr('job-id', v.integer(id)),
        attr('document-format', v.mimeMediaType('application/pdf')),
        attr('compression', v.keyword('gzip')),
        attr('document-name', v.name('invoice.pdf')),
        attr('last-document', v.boolean(true)),
      ],
      { data: gzipSync(pdf3) },
    );
    assert.equal(res.code, StatusCode.successfulOk);
    const job = await waitForState(id, JobState.completed);
    assert.match(String(valueOf(job, 'job-uuid')), /^urn:uuid:[0-9a-f-]{36}$/);
    assert.equal(valueOf(job, 'compression-supplied'), 'gzip');
    assert.equal(valueOf(job, 'document-format-supplied'), 'application/pdf');
    assert.equal(valueOf(job, 'document-name-supplied'), 'invoice.pdf');
    assert.match(String(valueOf(job, 'document-format-version-supplied')), /^PDF\/1\.\d$/);
    assert.equal(valueOf(job, 'job-impressions'), 3);
    const [fax] = server.remotes.list();
    assert.equal(fax?.pages, 3);
    const cover = server.remotes.page(fax!.id, 1)!;
    const { width, height } = await sharp(cover).metadata();
    assert.deepEqual([width, height], [1728, 2292]);
    const { data } = await sharp(cover).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.ok(
      data.some((p) => p < 128),
      'the cover sheet has text on it',
    );
  });

  it('deflate is decompressed; bad gzip data is client-error-compression-error; lzw is not supported', async () => {
    server = await startFaxTestServer();
    const print = (compression: string, data: Buffer) =>
      ippRequest(
        server.baseUrl,
        Operation.printJob,
        [
          attr('document-format', v.mimeMediaType('application/pdf')),
          attr('compression', v.keyword(compression)),
        ],
        { job: [destinationUris('tel:5550003')], data },
      );
    assert.equal((await print('deflate', deflateSync(pdf3))).code, StatusCode.successfulOk);
    assert.equal((await print('gzip', pdf3)).code, StatusCode.clientErrorCompressionError);
    assert.equal((await print('compress', pdf3)).code, StatusCode.clientErrorCompressionNotSupported);
  });

  it('image/jpeg (a photo, as the PWG test requires): one page, 1728 wide', async () => {
    server = await startFaxTestServer();
    const jpeg = await sharp({ create: { width: 850, height: 1100, channels: 3, background: '#8090a0' } })
      .jpeg()
      .toBuffer();
    const res = await ippRequest(
      server.baseUrl,
      Operation.printJob,
      [attr('document-format', v.mimeMediaType('image/jpeg'))],
      { job: [destinationUris('tel:5550005')], data: jpeg },
    );
    assert.equal(res.code, StatusCode.successfulOk);
    const fax = await waitFor(async () => server.remotes.list()[0]);
    assert.equal(fax.pages, 1);
    assert.equal((await sharp(server.remotes.page(fax.id, 1)!).metadata()).width, 1728);
  });

  it('page-ranges must be ascending ranges from page 1', async () => {
    server = await startFaxTestServer();
    const res = await ippRequest(server.baseUrl, Operation.createJob, [], {
      job: [destinationUris('tel:5550004'), attr('page-ranges', v.range(3, 4), v.range(1, 2))],
    });
    assert.equal(res.code, StatusCode.clientErrorAttributesOrValuesNotSupported);
    assert.equal(groupOf(res, GroupTag.unsupported)[0]?.name, 'page-ranges');
  });

  it("Cancel-My-Jobs cancels the requesting user's jobs only, and refuses someone else's job-ids", async () => {
    server = await startFaxTestServer();
    const alice1 = await createJob('alice');
    const alice2 = await createJob('alice');
    const bob = await createJob('bob');
    const cancelAs = (userName: string, operation: ReturnType<typeof attr>[] = []) =>
      ippRequest(server.baseUrl, Operation.cancelMyJobs, operation, { userName });
    assert.equal((await cancelAs('carol')).code, StatusCode.successfulOk);
    assert.deepEqual(
      [alice1, alice2, bob].map((id) => server.modem.job(id)?.state),
      ['pending', 'pending', 'pending'],
      "carol has no jobs: nobody else's are touched",
    );
    assert.equal((await cancelAs('alice')).code, StatusCode.successfulOk);
    assert.deepEqual(
      [alice1, alice2, bob].map((id) => server.modem.job(id)?.state),
      ['canceled', 'canceled', 'pending'],
    );
    const refused = await cancelAs('alice', [attr('job-ids', v.integer(bob))]);
    assert.equal(refused.code, StatusCode.clientErrorNotAuthorized);
    assert.equal(server.modem.job(bob)?.state, 'pending');
  });
  it('Identify-Printer: supported actions reach the modem, others are refused', async () => {
    server = await startFaxTestServer();
    const ok = await ippRequest(server.baseUrl, Operation.identifyPrinter, [
      attr('identify-actions', v.keyword('sound')),
      attr('message', v.text('Here')),
    ]);
    assert.equal(ok.code, StatusCode.successfulOk);
    assert.deepEqual(server.modem.lastIdentify?.actions, ['sound']);
    assert.equal(server.modem.lastIdentify?.message, 'Here');
    const bad = await ippRequest(server.baseUrl, Operation.identifyPrinter, [
      attr('identify-actions', v.keyword('speak')),
    ]);
    assert.equal(bad.code, StatusCode.clientErrorAttributesOrValuesNotSupported);
  });

  it('a job left without its document past multiple-operation-time-out is aborted', async () => {
    server = await startFaxTestServer({ multipleOperationTimeoutS: 0.3 });
    const id = await createJob('alice');
    const job = await waitForState(id, JobState.aborted);
    assert.deepEqual(valuesOf(job, 'job-state-reasons'), ['aborted-by-system']);
  });

  it('GET /sim/api/fax-log lists the jobs with their destinations', async () => {
    server = await startFaxTestServer();
    const id = await createJob('alice');
    const log = (await (await fetch(`${server.baseUrl}/sim/api/fax-log`)).json()) as {
      jobId: number;
      user: string;
      destinations: { number: string }[];
    }[];
    assert.deepEqual(
      log.map((j) => [j.jobId, j.user, j.destinations.map((d) => d.number)]),
      [[id, 'alice', ['5550001']]],
    );
  });
});
