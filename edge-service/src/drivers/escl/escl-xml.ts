/**
 * eSCL XML codec: ScannerCapabilities and ScannerStatus in, ScanSettings out. No I/O.
 *
 * Real devices disagree on namespaces (eSCL 1.0 vs 2.x URIs, `pwg2:` prefixes, unqualified children),
 * so prefixes are removed and elements are matched by local name only.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type {
  ColorMode,
  ScanRequest,
  ScannerCapabilities,
  ScannerStatus,
  SourceCapabilities,
} from '../../domain/scanner.ts';

export class EsclXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EsclXmlError';
  }
}

/** An element as fast-xml-parser gives it with every element forced into an array. */
export type XmlElement = string | { [name: string]: unknown };

export interface EsclDocument {
  /** Local name of the root element, e.g. `ScannerCapabilities`. */
  root: string;
  element: XmlElement;
}

export interface EsclCapabilities extends ScannerCapabilities {
  version: string | null;
  serialNumber: string | null;
  uuid: string | null;
  /** False only when the device lists AdfOptions without DetectPaperLoaded: its AdfState can't be trusted. */
  adfDetectsPaper: boolean;
}

export type EsclScannerState = ScannerStatus['state'];

export interface EsclJobInfo {
  jobUri: string;
  jobUuid: string | null;
  /** As the device says it (`Processing`, `Completed`, `Canceled`, `Aborted`, …), prefix removed. */
  jobState: string | null;
  reasons: string[];
  imagesCompleted: number | null;
  imagesToTransfer: number | null;
  age: number | null;
}

export interface EsclStatus {
  state: EsclScannerState;
  /** The device's own word, for logs (`Idle`, `Processing`, `Testing`, …). */
  rawState: string | null;
  adfState: string | null;
  jobs: EsclJobInfo[];
}

export interface EsclScanSettings {
  version: string;
  intent: string | null;
  region: { width: number; height: number; xOffset: number; yOffset: number; units: string | null } | null;
  documentFormat: string | null;
  documentFormatExt: string | null;
  inputSource: 'Platen' | 'Feeder' | string;
  xResolution: number;
  yResolution: number;
  colorMode: string;
  duplex: boolean | null;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Every element as an array, so one child and many children read the same way.
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
});

const HTML_START = /^\s*(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html[\s>])/i;

/** Parses any eSCL document; throws EsclXmlError on HTML, malformed XML or an empty body. */
export function parseEsclDocument(xml: string | Buffer): EsclDocument {
  let text = typeof xml === 'string' ? xml : xml.toString('utf8');
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new EsclXmlError('the device sent an empty body instead of eSCL XML');
  if (HTML_START.test(text)) {
    throw new EsclXmlError('the device sent an HTML page instead of eSCL XML');
  }
  // Vendors put comments (and whitespace) before the declaration, which strict XML forbids.
  text = text.replace(/<\?xml[^>]*\?>/g, '').trim();
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new EsclXmlError(`the device sent malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    // fast-xml-parser throws plain Errors the validator lets through: nesting too deep, external
    // entities, `__proto__` element names (found by test/fuzz). They are malformed XML to us.
    throw new EsclXmlError(`the device sent XML the edge cannot read: ${(error as Error).message}`);
  }
  const root = Object.keys(parsed).find((key) => !key.startsWith('?') && !key.startsWith('#'));
  if (root === undefined) throw new EsclXmlError('the device sent XML without a root element');
  const element = first(parsed[root]);
  if (element === undefined) throw new EsclXmlError('the device sent XML without a root element');
  if (root.toLowerCase() === 'html')
    throw new EsclXmlError('the device sent an HTML page instead of eSCL XML');
  return { root, element };
}

function expectRoot(xml: string | Buffer, name: string): XmlElement {
  const doc = parseEsclDocument(xml);
  if (doc.root !== name) throw new EsclXmlError(`expected ${name} from the device, got ${doc.root}`);
  return doc.element;
}

// ---------------------------------------------------------------------------------------------
// Element helpers

function first(value: unknown): XmlElement | undefined {
  const item = Array.isArray(value) ? value[0] : value;
  if (typeof item === 'string' || (typeof item === 'object' && item !== null)) return item as XmlElement;
  return undefined;
}

/** Direct children with this local name. */
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  if (element === undefined || typeof element === 'string') return [];
  const value = element[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter(
    (item): item is XmlElement => typeof item === 'string' || (typeof item === 'object' && item !== null),
  );
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(element, name)[0];
}

/** Every descendant (any depth) with this local name, in document order per branch. */
function descendants(element: XmlElement | undefined, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (node: XmlElement): void => {
    if (typeof node === 'string') return;
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('@_') || key === '#text') continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item !== 'string' && (typeof item !== 'object' || item === null)) continue;
        if (key === name) found.push(item as XmlElement);
        walk(item as XmlElement);
      }
    }
  };
  if (element !== undefined) walk(element);
  return found;
}

/** Text of an element, trimmed, with a `scan:`-style prefix on the value removed (QUIRKS 21). */
function text(element: XmlElement | undefined): string | null {
  if (element === undefined) return null;
  const raw = typeof element === 'string' ? element : element['#text'];
  if (raw === undefined || raw === null) return null;
  const value = String(raw).trim();
  return value === '' ? null : value;
}

function enumText(element: XmlElement | undefined): string | null {
  const value = text(element);
  return value === null ? null : value.replace(/^[A-Za-z][\w-]*:(?=[A-Za-z])/, '');
}

function childText(element: XmlElement | undefined, name: string): string | null {
  return text(child(element, name));
}

function childInt(element: XmlElement | undefined, name: string): number | null {
  const value = childText(element, name);
  if (value === null || !/^[+-]?\d+$/.test(value)) return null;
  return Number.parseInt(value, 10);
}

function attribute(element: XmlElement | undefined, name: string): string | null {
  if (element === undefined || typeof element === 'string') return null;
  const value = element[`@_${name}`];
  return typeof value === 'string' ? value : null;
}

// ---------------------------------------------------------------------------------------------
// ScannerCapabilities

const COLOR_MODES: Record<string, ColorMode> = {
  RGB24: 'color',
  Grayscale8: 'gray',
  BlackAndWhite1: 'bw',
};

const ESCL_COLOR_MODES: Record<ColorMode, string> = {
  color: 'RGB24',
  gray: 'Grayscale8',
  bw: 'BlackAndWhite1',
};

/** Resolutions a range offers that people actually pick. */
const COMMON_RESOLUTIONS = [75, 100, 150, 200, 240, 300, 400, 600, 1200];

export function parseScannerCapabilities(xml: string | Buffer): EsclCapabilities {
  const root = expectRoot(xml, 'ScannerCapabilities');
  const sharedProfiles = children(child(root, 'SettingProfiles'), 'SettingProfile');

  const sources: ScannerCapabilities['sources'] = {};
  const platenCaps = child(child(root, 'Platen'), 'PlatenInputCaps');
  if (platenCaps !== undefined) sources.platen = readSource(platenCaps, sharedProfiles);

  const adf = child(root, 'Adf');
  const adfSimplex = child(adf, 'AdfSimplexInputCaps');
  const adfDuplex = child(adf, 'AdfDuplexInputCaps');
  const adfOptions = children(child(adf, 'AdfOptions'), 'AdfOption').map(enumText);
  if (adfSimplex !== undefined || adfDuplex !== undefined) {
    const caps = readSource((adfSimplex ?? adfDuplex) as XmlElement, sharedProfiles);
    sources.adf = { ...caps, duplex: adfDuplex !== undefined || adfOptions.includes('Duplex') };
  }
  if (sources.platen === undefined && sources.adf === undefined) {
    throw new EsclXmlError('the scanner offers neither a platen nor a document feeder');
  }

  return {
    makeAndModel:
      childText(root, 'MakeAndModel') ??
      ([childText(root, 'Manufacturer'), childText(root, 'ModelName')].filter(Boolean).join(' ') ||
        'eSCL scanner'),
    sources,
    version: childText(root, 'Version'),
    serialNumber: childText(root, 'SerialNumber'),
    uuid: childText(root, 'UUID'),
    adfDetectsPaper: adfOptions.length === 0 || adfOptions.includes('DetectPaperLoaded'),
  };
}

function readSource(caps: XmlElement, sharedProfiles: XmlElement[]): SourceCapabilities {
  const profiles = resolveProfiles(caps, sharedProfiles);
  const colorModes = new Set<ColorMode>();
  const formats = new Set<string>();
  const resolutions = new Set<number>();
  for (const profile of profiles) {
    for (const mode of descendants(profile, 'ColorMode')) {
      const domain = COLOR_MODES[enumText(mode) ?? ''];
      if (domain !== undefined) colorModes.add(domain);
    }
    for (const name of ['DocumentFormat', 'DocumentFormatExt']) {
      for (const format of descendants(profile, name)) {
        const value = text(format)?.toLowerCase();
        if (value) formats.add(value);
      }
    }
    // DiscreteResolution in eSCL 2.x, Resolution under ColorProfiles in eSCL 1.0.
    for (const name of ['DiscreteResolution', 'Resolution']) {
      for (const resolution of descendants(profile, name)) {
        const x = childInt(resolution, 'XResolution');
        const y = childInt(resolution, 'YResolution');
        if (x !== null && x > 0 && x === y) resolutions.add(x);
      }
    }
    for (const range of descendants(profile, 'ResolutionRange')) {
      for (const value of rangeResolutions(range)) resolutions.add(value);
    }
  }
  return {
    colorModes: (['color', 'gray', 'bw'] as const).filter((mode) => colorModes.has(mode)),
    resolutions: [...resolutions].sort((a, b) => a - b),
    documentFormats: [...formats],
    maxWidth: childInt(caps, 'MaxWidth') ?? 0,
    maxHeight: childInt(caps, 'MaxHeight') ?? 0,
  };
}

/**
 * The profiles that apply to one input source: its own SettingProfiles, ColorProfiles (eSCL 1.0), or
 * profiles shared at the top level (HP Color Laser 179fnw), referenced by name or taken whole.
 */
function resolveProfiles(caps: XmlElement, shared: XmlElement[]): XmlElement[] {
  const own = [
    ...children(child(caps, 'SettingProfiles'), 'SettingProfile'),
    ...children(child(caps, 'ColorProfiles'), 'ColorProfile'),
  ];
  const resolved = own.flatMap((profile) => {
    const ref = attribute(profile, 'ref');
    if (ref === null) return [profile];
    return shared.filter((candidate) => attribute(candidate, 'name') === ref);
  });
  if (resolved.length > 0) return resolved;
  if (shared.length > 0) return shared;
  // Unknown layouts: search the input caps themselves.
  return [caps];
}

function rangeResolutions(range: XmlElement): number[] {
  const axis = (name: string) => {
    const element = child(range, name);
    return {
      min: childInt(element, 'Min'),
      max: childInt(element, 'Max'),
      step: childInt(element, 'Step') ?? 1,
    };
  };
  const x = axis('XResolutionRange');
  const y = axis('YResolutionRange');
  if (x.min === null || x.max === null || y.min === null || y.max === null) return [];
  const min = Math.max(x.min, y.min);
  const max = Math.min(x.max, y.max);
  return COMMON_RESOLUTIONS.filter(
    (dpi) =>
      dpi >= min &&
      dpi <= max &&
      (dpi - x.min!) % Math.max(1, x.step) === 0 &&
      (dpi - y.min!) % Math.max(1, y.step) === 0,
  );
}

// ---------------------------------------------------------------------------------------------
// ScannerStatus

const SCANNER_STATES: Record<string, EsclScannerState> = {
  Idle: 'idle',
  Processing: 'processing',
  Testing: 'testing',
  Stopped: 'stopped',
  Down: 'down',
};

export function parseScannerStatus(xml: string | Buffer): EsclStatus {
  const root = expectRoot(xml, 'ScannerStatus');
  const rawState = enumText(child(root, 'State'));
  const jobs = children(child(root, 'Jobs'), 'JobInfo').flatMap((job): EsclJobInfo[] => {
    const jobUri = childText(job, 'JobUri');
    if (jobUri === null) return [];
    return [
      {
        jobUri,
        jobUuid: childText(job, 'JobUuid'),
        jobState: enumText(child(job, 'JobState')),
        reasons: children(child(job, 'JobStateReasons'), 'JobStateReason')
          .map(enumText)
          .filter((reason): reason is string => reason !== null),
        imagesCompleted: childInt(job, 'ImagesCompleted'),
        imagesToTransfer: childInt(job, 'ImagesToTransfer'),
        age: childInt(job, 'Age'),
      },
    ];
  });
  return {
    // A state we do not know is not a state we can scan in.
    state: rawState === null ? 'idle' : (SCANNER_STATES[rawState] ?? 'stopped'),
    rawState,
    adfState: enumText(child(root, 'AdfState')),
    jobs,
  };
}

// ---------------------------------------------------------------------------------------------
// ScanSettings

const SCAN_NS = 'http://schemas.hp.com/imaging/escl/2011/05/03';
const PWG_NS = 'http://www.pwg.org/schemas/2010/12/sm';

export interface ScanSettingsOptions {
  /** The eSCL version to claim; 2.63 unless the device is older. */
  version?: string;
  /** `pwg:DocumentFormat` is deprecated but old firmware only reads it; send both unless told not to. */
  legacyDocumentFormat?: boolean;
  intent?: string;
}

/**
 * ScanSettings for a request, in eSCL 2.63 element order with the literal `scan:`/`pwg:` prefixes
 * (some devices compare prefixes, not namespace URIs).
 */
export function buildScanSettings(request: ScanRequest, options: ScanSettingsOptions = {}): string {
  const feeder = request.source === 'adf';
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<scan:ScanSettings xmlns:scan="${SCAN_NS}" xmlns:pwg="${PWG_NS}">`,
    `  <pwg:Version>${escapeXml(options.version ?? '2.63')}</pwg:Version>`,
    `  <scan:Intent>${escapeXml(options.intent ?? 'Document')}</scan:Intent>`,
    '  <pwg:ScanRegions>',
    '    <pwg:ScanRegion>',
    `      <pwg:Height>${int(request.height)}</pwg:Height>`,
    '      <pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>',
    `      <pwg:Width>${int(request.width)}</pwg:Width>`,
    '      <pwg:XOffset>0</pwg:XOffset>',
    '      <pwg:YOffset>0</pwg:YOffset>',
    '    </pwg:ScanRegion>',
    '  </pwg:ScanRegions>',
  ];
  if (options.legacyDocumentFormat !== false) {
    lines.push(`  <pwg:DocumentFormat>${escapeXml(request.documentFormat)}</pwg:DocumentFormat>`);
  }
  lines.push(
    `  <scan:DocumentFormatExt>${escapeXml(request.documentFormat)}</scan:DocumentFormatExt>`,
    `  <pwg:InputSource>${feeder ? 'Feeder' : 'Platen'}</pwg:InputSource>`,
    `  <scan:XResolution>${int(request.resolution)}</scan:XResolution>`,
    `  <scan:YResolution>${int(request.resolution)}</scan:YResolution>`,
    `  <scan:ColorMode>${ESCL_COLOR_MODES[request.colorMode]}</scan:ColorMode>`,
  );
  if (feeder) lines.push(`  <scan:Duplex>${request.duplex ? 'true' : 'false'}</scan:Duplex>`);
  lines.push('</scan:ScanSettings>', '');
  return lines.join('\n');
}

/** Reads ScanSettings (or the one inside ScanBufferInfo); what a scanner does with our request. */
export function parseScanSettings(xml: string | Buffer): EsclScanSettings {
  const doc = parseEsclDocument(xml);
  const settings = doc.root === 'ScanSettings' ? doc.element : child(doc.element, 'ScanSettings');
  if (settings === undefined) throw new EsclXmlError(`expected ScanSettings, got ${doc.root}`);
  const region = child(child(settings, 'ScanRegions'), 'ScanRegion');
  const duplex = childText(settings, 'Duplex');
  return {
    version: childText(settings, 'Version') ?? '',
    intent: enumText(child(settings, 'Intent')),
    region:
      region === undefined
        ? null
        : {
            width: childInt(region, 'Width') ?? 0,
            height: childInt(region, 'Height') ?? 0,
            xOffset: childInt(region, 'XOffset') ?? 0,
            yOffset: childInt(region, 'YOffset') ?? 0,
            units: childText(region, 'ContentRegionUnits'),
          },
    documentFormat: childText(settings, 'DocumentFormat'),
    documentFormatExt: childText(settings, 'DocumentFormatExt'),
    inputSource: enumText(child(settings, 'InputSource')) ?? 'Platen',
    xResolution: childInt(settings, 'XResolution') ?? 0,
    yResolution: childInt(settings, 'YResolution') ?? 0,
    colorMode: enumText(child(settings, 'ColorMode')) ?? '',
    duplex: duplex === null ? null : duplex === 'true' || duplex === '1',
  };
}

function int(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a valid eSCL number: ${value}`);
  return String(Math.round(value));
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
