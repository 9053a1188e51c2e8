/**
 * Fuzz: what devices send the edge. eSCL XML (ScannerCapabilities, ScannerStatus, ScanSettings) and
 * IPP responses, mutated from the real-device corpus, grown into entity bombs and deep nesting, or
 * built from eSCL's vocabulary with hostile values. The contract: the eSCL codec returns or throws
 * EsclXmlError; the IPP decoder returns or throws IppDecodeError; the IPP fax line, given any answer,
 * returns or throws an EdgeError with a device code (never INTERNAL), each case in bounded time.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EsclXmlError,
  parseEsclDocument,
  parseScanSettings,
  parseScannerCapabilities,
  parseScannerStatus,
} from '../../edge-service/src/drivers/escl/escl-xml.ts';
import { IppDecodeError, decodeResponse } from '../../edge-service/src/drivers/ipp/node-ipp.ts';
import { IppFaxLine, parseFaxLog } from '../../edge-service/src/drivers/ipp/ipp-fax-line.ts';
import { EdgeError } from '../../edge-service/src/edge-error.ts';
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
import { hostileXml, laugh } from './hostile-xml.ts';

const xmlCorpus = corpus('.xml');
const ippCorpus = corpus('.ipp');
const esclError = isError(EsclXmlError);
const ippError = isError(IppDecodeError);

const ESCL_PARSERS = [parseEsclDocument, parseScannerCapabilities, parseScannerStatus, parseScanSettings];

function parseAllEscl(bytes: Buffer | string): void {
  for (const parse of ESCL_PARSERS) {
    const result = withinContract(() => parse(bytes), esclError);
    // What comes out is plain data a caller can log and store.
    if (result !== undefined) JSON.stringify(result);
  }
}

/** One of the fax line's operations that read a device's answer. */
function callLine(line: IppFaxLine, operation: number): Promise<unknown> {
  if (operation === 0) return line.capabilities();
  if (operation === 1) return line.status(7);
  if (operation === 2) return line.findJobs('mfp-edge job');
  return line.boot();
}

describe('fuzz: device responses the edge parses (eSCL XML, IPP)', function () {
  this.timeout(300_000);
  after(printTally);

  it('eSCL XML: mutated real-device documents → a result or EsclXmlError', () => {
    const before = heapAfterGc();
    fc.assert(
      fc.property(mutated(xmlCorpus), ({ bytes }) => parseAllEscl(bytes)),
      fuzzParameters('escl-xml mutations', 50),
    );
    assertHeapBounded(before, 64e6, 'eSCL XML');
  });

  it('eSCL XML: entity bombs, deep nesting, wide documents, HTML, generated eSCL trees → a result or EsclXmlError', () => {
    fc.assert(
      fc.property(hostileXml, (xml) => parseAllEscl(xml)),
      fuzzParameters('escl-xml hostile', 12, { weight: 0.3 }),
    );
  });

  it('eSCL XML: an entity bomb is not expanded beyond what the device sent', () => {
    const status = withinContract(
      () => parseScannerStatus(`${laugh(9, 10)}<ScannerStatus><State>&e9;</State></ScannerStatus>`),
      esclError,
    );
    if (status !== undefined) assert.ok((status.rawState ?? '').length < 1000, 'expanded an entity bomb');
  });

  it('IPP responses: mutated real-device answers → a result or IppDecodeError', () => {
    const before = heapAfterGc();
    fc.assert(
      fc.property(mutated(ippCorpus, 8), ({ bytes }) => {
        const response = withinContract(() => decodeResponse(bytes), ippError);
        if (response !== undefined) assert.ok(Array.isArray(response.groups));
      }),
      fuzzParameters('ipp-response mutations', 150),
    );
    assertHeapBounded(before, 64e6, 'IPP decode');
  });

  it('IPP responses: random bytes after a valid header → a result or IppDecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (tail) => {
        const bytes = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 1]), tail]);
        withinContract(() => decodeResponse(bytes), ippError);
      }),
      fuzzParameters('ipp-response random', 200),
    );
  });

  it('IPP fax line: any answer to any operation → a result or an EdgeError with a device code', async () => {
    let answer: Buffer = Buffer.alloc(0);
    const line = new IppFaxLine({
      url: 'ipp://127.0.0.1:9/ipp/faxout',
      fetch: (async () =>
        new Response(new Uint8Array(answer), {
          status: 200,
          headers: { 'content-type': 'application/ipp' },
        })) as typeof fetch,
      timeouts: { requestMs: 2000 },
    });
    const deviceError = (error: unknown) => error instanceof EdgeError && error.code !== 'INTERNAL';
    await fc.assert(
      fc.asyncProperty(mutated(ippCorpus, 4), fc.nat({ max: 3 }), async ({ bytes }, operation) => {
        // The fixtures answer with status 0x0000 or other; successful-ok lets the driver read attributes.
        answer = bytes;
        await withinContractAsync(() => callLine(line, operation), deviceError);
      }),
      fuzzParameters('ipp fax line', 60),
    );
  });

  it('IPP fax line: the real answers with their status forced to successful-ok still parse without INTERNAL', async () => {
    let answer: Buffer = Buffer.alloc(0);
    const line = new IppFaxLine({
      url: 'ipp://127.0.0.1:9/ipp/faxout',
      fetch: (async () =>
        new Response(new Uint8Array(answer), {
          status: 200,
          headers: { 'content-type': 'application/ipp' },
        })) as typeof fetch,
    });
    const deviceError = (error: unknown) => error instanceof EdgeError && error.code !== 'INTERNAL';
    await fc.assert(
      fc.asyncProperty(mutated(ippCorpus, 3), fc.nat({ max: 3 }), async ({ bytes }, operation) => {
        answer = Buffer.from(bytes);
        if (answer.length >= 4) answer.writeUInt16BE(0, 2);
        await withinContractAsync(() => callLine(line, operation), deviceError);
      }),
      fuzzParameters('ipp fax line ok-status', 60),
    );
  });

  it('fax log JSON: any bytes → entries or null, never an exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
          fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
          fc
            .array(
              fc.record(
                {
                  name: fc.anything(),
                  jobUuid: fc.anything(),
                  pages: fc.anything(),
                  destinations: fc.oneof(fc.anything(), fc.array(fc.dictionary(fc.string(), fc.anything()))),
                },
                { requiredKeys: [] },
              ),
            )
            .map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
        ),
        (body) => {
          const entries = withinContract(
            () => parseFaxLog(body),
            () => false,
          );
          assert.ok(entries === null || Array.isArray(entries));
        },
      ),
      fuzzParameters('fax log json', 100),
    );
  });
});
