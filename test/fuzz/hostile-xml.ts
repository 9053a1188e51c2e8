/**
 * XML built to hurt a parser: entity expansion, depth, width, external entities, HTML, prototype
 * names, and documents generated from eSCL's vocabulary with hostile values. Shared by the edge's
 * and the simulator's eSCL fuzz tests.
 */
import fc from 'fast-check';

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
  fc.constantFrom(
    '0',
    '-1',
    '300',
    '99999999999999999999',
    '1e308',
    'NaN',
    '0x10',
    '&amp;',
    '&#0;',
    '&#x10FFFF;',
  ),
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

export const laugh = (levels: number, fanout: number) => {
  const entities = ['<!ENTITY e0 "lol">'];
  for (let i = 1; i <= levels; i++) entities.push(`<!ENTITY e${i} "${`&e${i - 1};`.repeat(fanout)}">`);
  return `<!DOCTYPE ScannerStatus [${entities.join('')}]>`;
};

/** Documents built to hurt a parser: entity expansion, depth, width, external entities, HTML. */
export const hostileXml = fc.oneof(
  fc
    .record({ levels: fc.integer({ min: 1, max: 12 }), fanout: fc.integer({ min: 2, max: 12 }) })
    .map(
      ({ levels, fanout }) =>
        `${laugh(levels, fanout)}<ScannerStatus><State>&e${levels};</State><AdfState>&e${levels};</AdfState></ScannerStatus>`,
    ),
  fc
    .record({ depth: fc.integer({ min: 1, max: 20_000 }), name: fc.constantFrom('Jobs', 'a', 'scan:Platen') })
    .map(
      ({ depth, name }) =>
        `<ScannerStatus>${`<${name}>`.repeat(depth)}${`</${name}>`.repeat(depth)}</ScannerStatus>`,
    ),
  fc
    .integer({ min: 1, max: 20_000 })
    .map(
      (depth) => `<ScannerCapabilities>${'<Platen><PlatenInputCaps>'.repeat(depth)}</ScannerCapabilities>`,
    ),
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
