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

/** eSCL's own element names, so generated documents reach the parsers' logic, not just the validator. */
const NAMES = [
  'ScannerCapabilities',
  'ScannerStatus',
  'ScanSettings',
  'Platen',
  'PlatenInputCaps',
  'Adf',
  'AdfSimplexInputCaps',
  'AdfDuplexInputCaps',
  'AdfOptions',
  'AdfOption',
  'SettingProfiles',
  'SettingProfile',
  'ColorProfiles',
  'ColorProfile',
  'ColorModes',
  'ColorMode',
  'DocumentFormats',
  'DocumentFormat',
  'DocumentFormatExt',
  'SupportedResolutions',
  'DiscreteResolutions',
  'DiscreteResolution',
  'Resolution',
  'XResolution',
  'YResolution',
  'ResolutionRange',
  'XResolutionRange',
  'YResolutionRange',
  'Min',
  'Max',
  'Step',
  'MaxWidth',
  'MaxHeight',
  'MakeAndModel',
  'Version',
  'State',
  'AdfState',
  'Jobs',
  'JobInfo',
  'JobUri',
  'JobUuid',
  'JobState',
  'JobStateReasons',
  'JobStateReason',
  'ImagesCompleted',
  'ImagesToTransfer',
  'Age',
  'ScanRegions',
  'ScanRegion',
  'Width',
  'Height',
  'InputSource',
  'Duplex',
];
const PREFIX = fc.constantFrom('', 'scan:', 'pwg:', 'pwg2:', 'escl:');
const VALUE = fc.oneof(
  fc.constantFrom('RGB24', 'Grayscale8', 'BlackAndWhite1', 'scan:RGB24', 'Idle', 'Processing', 'true', '1'),
  fc.constantFrom('0', '-1', '300', '99999999999999999999', '1e308', 'NaN', '0x10', '&amp;', '&#0;', '&#x10FFFF;'),
  fc.integer().map(String),
  fc.string({ maxLength: 40 }),
);

type Node = { name: string; ref: string | null; children: Node[]; text: string | null };
const node = (children: fc.Arbitrary<Node[]>): fc.Arbitrary<Node> =>
  fc.record({
    name: fc.tuple(PREFIX, fc.constantFrom(...NAMES)).map(([p, n]) => p + n),
    ref: fc.option(fc.constantFrom('a', 'b', 'shared'), { nil: null }),
    children,
    text: fc.option(VALUE, { nil: null }),
  });
const { tree } = fc.letrec<{ tree: Node }>((tie) => ({
  tree: fc.oneof(
    { maxDepth: 6, depthIdentifier: 'xml' },
    node(fc.constant([])),
    node(fc.array(tie('tree'), { maxLength: 4, depthIdentifier: 'xml' })),
  ),
}));

function render(node: Node, root = false): string {
  const ns = root
    ? ' xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"' +
      ' xmlns:pwg2="urn:x" xmlns:escl="urn:y"'
    : '';
  const attrs = node.ref === null ? '' : ` ref="${node.ref}" name="${node.ref}"`;
  const text = node.text === null ? '' : node.text.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'));
  return `<${node.name}${ns}${attrs}>${text}${node.children.map((c) => render(c)).join('')}</${node.name}>`;
}

const laugh = (levels: number, fanout: number) => {
  const entities = ['<!ENTITY e0 "lol">'];
  for (let i = 1; i <= levels; i++) entities.push(`<!ENTITY e${i} "${`&e${i - 1};`.repeat(fanout)}">`);
  return `<!DOCTYPE ScannerStatus [${entities.join('')}]>`;
};

/** Documents built to hurt a parser: entity expansion, depth, width, external entities, HTML. */
const hostileXml = fc.oneof(
  fc
    .record({ levels: fc.integer({ min: 1, max: 12 }), fanout: fc.integer({ min: 2, max: 12 }) })
    .map(
      ({ levels, fanout }) =>
        `${laugh(levels, fanout)}<ScannerStatus><State>&e${levels};</State><AdfState>&e${levels};</AdfState></ScannerStatus>`,
    ),
  fc
    .record({ depth: fc.integer({ min: 1, max: 20_000 }), name: fc.constantFrom('Jobs', 'a', 'scan:Platen') })
    .map(({ depth, name }) => `<ScannerStatus>${`<${name}>`.repeat(depth)}${`</${name}>`.repeat(depth)}</ScannerStatus>`),
  fc
    .integer({ min: 1, max: 20_000 })
    .map((depth) => `<ScannerCapabilities>${'<Platen><PlatenInputCaps>'.repeat(depth)}</ScannerCapabilities>`),
  fc
    // Up to the 1 MiB the eSCL client reads of an XML answer.
    .integer({ min: 1, max: 8_000 })
    .map(
      (n) =>
        `<ScannerStatus><Jobs>${'<JobInfo><JobUri>/eSCL/ScanJobs/1</JobUri><JobStateReasons><JobStateReason>x</JobStateReason></JobStateReasons></JobInfo>'.repeat(n)}</Jobs></ScannerStatus>`,
    ),
  fc.constantFrom(
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ScannerStatus><State>&e;</State></ScannerStatus>',
    '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x"> %p;]><ScannerStatus/>',
    '<!doctype html><html><body>Not found</body></html>',
    '<html><link rel="x"><body>',
    '\uFEFF',
    '<?xml version="1.0"?>',
    '<ScannerStatus xmlns="urn:x" a="1" a="2"/>',
    '<a:ScannerStatus xmlns:a=""/>',
    '<ScannerStatus><![CDATA[<State>Idle</State>]]></ScannerStatus>',
    '<ScannerStatus><State>Idle</State><?pi x?><!-- -- --></ScannerStatus>',
    '<ScannerCapabilities><Platen><PlatenInputCaps><SettingProfiles><SettingProfile ref="x"/></SettingProfiles></PlatenInputCaps></Platen></ScannerCapabilities>',
    '<ScannerCapabilities><Platen><PlatenInputCaps><ResolutionRange><XResolutionRange><Min>0</Min><Max>99999999999</Max><Step>0</Step></XResolutionRange><YResolutionRange><Min>-5</Min><Max>1200</Max><Step>-3</Step></YResolutionRange></ResolutionRange></PlatenInputCaps></Platen></ScannerCapabilities>',
    '<__proto__><constructor><prototype>x</prototype></constructor></__proto__>',
    '<ScannerStatus><__proto__>1</__proto__><State>Idle</State></ScannerStatus>',
  ),
  tree.map((node) => render(node, true)),
);

describe('fuzz: device responses the edge parses (eSCL XML, IPP)', function () {
  this.timeout(300_000);
  after(printTally);

  it('eSCL XML: mutated real-device documents → a result or EsclXmlError', () => {
    const before = heapAfterGc();
    fc.assert(
      fc.property(mutated(xmlCorpus), ({ bytes }) => parseAllEscl(bytes)),
      fuzzParameters('escl-xml mutations', 150),
    );
    assertHeapBounded(before, 64e6, 'eSCL XML');
  });

  it('eSCL XML: entity bombs, deep nesting, wide documents, HTML, generated eSCL trees → a result or EsclXmlError', () => {
    fc.assert(
      fc.property(hostileXml, (xml) => parseAllEscl(xml)),
      fuzzParameters('escl-xml hostile', 40),
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
      fuzzParameters('ipp-response mutations', 300),
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
    let answer = Buffer.alloc(0);
    const line = new IppFaxLine({
      url: 'ipp://127.0.0.1:9/ipp/faxout',
      fetch: (async () =>
        new Response(answer, { status: 200, headers: { 'content-type': 'application/ipp' } })) as typeof fetch,
      timeouts: { requestMs: 2000 },
    });
    const deviceError = (error: unknown) => error instanceof EdgeError && error.code !== 'INTERNAL';
    await fc.assert(
      fc.asyncProperty(mutated(ippCorpus, 4), fc.nat({ max: 3 }), async ({ bytes }, operation) => {
        // The fixtures answer with status 0x0000 or other; successful-ok lets the driver read attributes.
        answer = bytes;
        await withinContractAsync(
          () =>
            [
              () => line.capabilities(),
              () => line.status(7),
              () => line.findJobs('mfp-edge job'),
              () => line.boot(),
            ][operation]!(),
          deviceError,
        );
      }),
      fuzzParameters('ipp fax line', 150),
    );
  });

  it('IPP fax line: the real answers with their status forced to successful-ok still parse without INTERNAL', async () => {
    let answer = Buffer.alloc(0);
    const line = new IppFaxLine({
      url: 'ipp://127.0.0.1:9/ipp/faxout',
      fetch: (async () =>
        new Response(answer, { status: 200, headers: { 'content-type': 'application/ipp' } })) as typeof fetch,
    });
    const deviceError = (error: unknown) => error instanceof EdgeError && error.code !== 'INTERNAL';
    await fc.assert(
      fc.asyncProperty(mutated(ippCorpus, 3), fc.nat({ max: 3 }), async ({ bytes }, operation) => {
        answer = Buffer.from(bytes);
        if (answer.length >= 4) answer.writeUInt16BE(0, 2);
        await withinContractAsync(
          () =>
            [
              () => line.capabilities(),
              () => line.status(7),
              () => line.findJobs('mfp-edge job'),
              () => line.boot(),
            ][operation]!(),
          deviceError,
        );
      }),
      fuzzParameters('ipp fax line ok-status', 150),
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
          const entries = withinContract(() => parseFaxLog(body), () => false);
          assert.ok(entries === null || Array.isArray(entries));
        },
      ),
      fuzzParameters('fax log json', 200),
    );
  });
});
