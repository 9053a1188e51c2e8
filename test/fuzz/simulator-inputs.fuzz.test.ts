/**
 * Fuzz: what the simulator (the virtual MFP) parses. IPP requests (its own codec), ScanSettings XML
 * (its eSCL routes) and the fax documents a Send-Document carries (PDF, PWG raster, TIFF, JPEG), each
 * mutated from what the edge really sends; then the same bytes over HTTP to a running simulator.
 * The contract: the codec throws IppCodecError, ScanSettings ScannerError, the decoder
 * FaxDocumentError; over HTTP never a 500, eSCL errors with a stable code, IPP always an IPP
 * answer; the simulator stays up and keeps answering well-formed requests.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRequest } from '../../edge-service/src/drivers/ipp/node-ipp.ts';
import { buildFaxPdf } from '../../edge-service/src/pipeline/fax-pdf.ts';
import { renderFaxPage } from '../../edge-service/src/pipeline/fax-page.ts';
import { buildFaxTiff } from '../../edge-service/src/pipeline/fax-tiff.ts';
import { buildPwgRaster } from '../../edge-service/src/pipeline/pwg-raster.ts';
import { stopDitherPool } from '../../edge-service/src/pipeline/dither-pool.ts';
import {
  decodeFaxDocument,
  FaxDocumentError,
  type DocumentFormat,
} from '../../simulator/src/fax/fax-document-decoder.ts';
import { decodeIppMessage, IppCodecError } from '../../simulator/src/fax/ipp-codec.ts';
import { parseScanSettings } from '../../simulator/src/scanner/scan-settings.ts';
import { ScannerError } from '../../simulator/src/scanner/scanner-error.ts';
import { Simulator } from '../../simulator/src/simulator.ts';
import { createLogger } from '../../simulator/src/logger.ts';
import { textPageJpeg } from '../helpers/sample-page.ts';
import { hostileXml } from './hostile-xml.ts';
import {
  assertHeapBounded,
  corpus,
  fuzzParameters,
  heapAfterGc,
  isError,
  mutated,
  printTally,
  withinContract,
  withinContractAsync,
} from './fuzz-support.ts';

const PRINTER_URI = 'ipp://127.0.0.1/ipp/faxout';

/** The requests the edge's fax line sends, encoded by the edge's own codec. */
function edgeRequests(document: Buffer): { name: string; bytes: Buffer }[] {
  const op = { 'printer-uri': PRINTER_URI, 'requesting-user-name': 'mfp-edge' };
  const make = (name: string, operation: string, extra: object = {}, data?: Buffer) => ({
    name,
    bytes: encodeRequest({
      operation,
      requestId: 1,
      operationAttributes: { ...op, ...extra },
      ...(data ? { data } : {}),
    }),
  });
  return [
    make('get-printer-attributes', 'Get-Printer-Attributes', {
      'requested-attributes': ['ipp-features-supported', 'printer-up-time', 'printer-fax-log-uri'],
    }),
    make('get-jobs', 'Get-Jobs', { 'which-jobs': 'all', 'requested-attributes': ['job-id', 'job-name'] }),
    make('get-job-attributes', 'Get-Job-Attributes', { 'job-id': 1 }),
    make('cancel-job', 'Cancel-Job', { 'job-id': 1 }),
    make('create-job', 'Create-Job', { 'job-name': 'mfp-edge fuzz' }),
    make(
      'send-document',
      'Send-Document',
      { 'job-id': 1, 'last-document': true, 'document-format': 'image/pwg-raster' },
      document,
    ),
  ];
}

describe('fuzz: simulator inputs (IPP requests, ScanSettings, fax documents)', function () {
  this.timeout(600_000);
  let documents: { name: string; bytes: Buffer; format: DocumentFormat }[];
  let requests: { name: string; bytes: Buffer }[];
  const scanSettings = corpus('.xml').filter((file) => file.name.includes('client-requests'));

  before(async () => {
    const jpeg = await textPageJpeg(75, 'Fuzz');
    const page = await renderFaxPage(jpeg, { resolution: 'standard' });
    documents = [
      { name: 'fax.pwg', bytes: await buildPwgRaster([page]), format: 'image/pwg-raster' },
      { name: 'fax.tiff', bytes: buildFaxTiff([page]), format: 'image/tiff' },
      { name: 'fax.pdf', bytes: await buildFaxPdf([page]), format: 'application/pdf' },
      { name: 'page.jpg', bytes: jpeg, format: 'image/jpeg' },
    ];
    requests = [...edgeRequests(documents[0]!.bytes), ...corpus('.ipp')];
  });
  after(async () => {
    await stopDitherPool();
    printTally();
  });

  it('IPP codec: mutated requests → a message or IppCodecError', () => {
    const before = heapAfterGc();
    fc.assert(
      fc.property(
        fc.constant(null).chain(() => mutated(requests, 8)),
        ({ bytes }) => {
          withinContract(() => decodeIppMessage(bytes), isError(IppCodecError));
        },
      ),
      fuzzParameters('simulator ipp codec', 150),
    );
    assertHeapBounded(before, 64e6, 'simulator IPP codec');
  });

  it('ScanSettings: mutated client requests and hostile XML → settings or ScannerError', () => {
    const scannerError = isError(ScannerError, ['BAD_SCAN_SETTINGS', 'UNSUPPORTED_SETTING']);
    fc.assert(
      fc.property(
        fc.oneof(
          mutated(scanSettings, 6).map(({ bytes }) => bytes.toString('utf8')),
          hostileXml,
        ),
        (xml) => {
          withinContract(() => parseScanSettings(xml), scannerError);
        },
      ),
      fuzzParameters('simulator scan settings', 40, { weight: 0.5 }),
    );
  });

  it('fax documents: mutated PDF, PWG raster, TIFF and JPEG → pages or FaxDocumentError', async () => {
    const rssBefore = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => mutated(documents, 4)),
        async ({ name, bytes }) => {
          const format = documents.find((d) => d.name === name)!.format;
          await withinContractAsync(
            () => decodeFaxDocument(format, bytes),
            isError(FaxDocumentError),
            10_000,
          );
        },
      ),
      fuzzParameters('simulator fax documents', 10, { weight: 0.25 }),
    );
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 400e6, `resident memory grew by ${Math.round(grown / 1e6)} MB`);
  });

  describe('over HTTP to a running simulator', () => {
    let simulator: Simulator;
    before(async () => {
      simulator = new Simulator({ port: 0, timeFactor: 0.02, logger: createLogger({ level: 'silent' }) });
      await simulator.start();
    });
    after(async () => simulator?.stop());

    const stillUp = async () => {
      const status = await fetch(`${simulator.url}/eSCL/ScannerStatus`, {
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(status.status, 200, 'the simulator stopped answering ScannerStatus');
      await status.arrayBuffer();
    };

    it('POST /ipp/faxout with mutated requests → an IPP answer, never a 500', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constant(null).chain(() => mutated(requests, 6)),
          async ({ bytes }) => {
            const answer = await fetch(`${simulator.url}/ipp/faxout`, {
              method: 'POST',
              headers: { 'content-type': 'application/ipp' },
              body: new Uint8Array(bytes),
              signal: AbortSignal.timeout(10_000),
            });
            const body = Buffer.from(await answer.arrayBuffer());
            assert.ok(
              answer.status < 500,
              `answered ${answer.status}: ${body.toString('utf8').slice(0, 300)}`,
            );
            if (answer.status === 200)
              withinContract(
                () => decodeIppMessage(body),
                () => false,
              );
            await stillUp();
          },
        ),
        fuzzParameters('simulator http ipp', 25),
      );
    });

    it('POST /eSCL/ScanJobs with mutated and hostile ScanSettings → 201 or a coded 4xx/503, never a 500', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            mutated(scanSettings, 6).map(({ bytes }) => bytes),
            hostileXml.map((xml) => Buffer.from(xml)),
          ),
          fc.constantFrom('text/xml', 'application/xml', 'text/plain', 'application/octet-stream'),
          async (body, type) => {
            const answer = await fetch(`${simulator.url}/eSCL/ScanJobs`, {
              method: 'POST',
              headers: { 'content-type': type },
              body: new Uint8Array(body),
              signal: AbortSignal.timeout(10_000),
            });
            const text = await answer.text();
            assert.notEqual(answer.status, 500, `answered 500: ${text.slice(0, 300)}`);
            if (answer.status === 201) {
              // A job was made: take it away again, so the scanner is free for the next case.
              const location = answer.headers.get('location')!;
              const job = new URL(location, simulator.url);
              await (await fetch(job, { method: 'DELETE', signal: AbortSignal.timeout(5000) })).arrayBuffer();
            } else {
              assert.ok(answer.status >= 400 && answer.status < 600, `status ${answer.status}`);
            }
            await stillUp();
          },
        ),
        fuzzParameters('simulator http escl', 20, { weight: 0.5 }),
      );
    });
  });
});
