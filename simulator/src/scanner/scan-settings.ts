import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  COLOR_MODES,
  DOCUMENT_FORMATS,
  MAX_HEIGHT,
  MAX_WIDTH,
  MIN_HEIGHT,
  MIN_WIDTH,
  RESOLUTIONS,
  type EsclColorMode,
  type EsclDocumentFormat,
  type EsclInputSource,
} from './escl-capabilities.ts';
import { ScannerError } from './scanner-error.ts';

/** A scan region in 1/300 inch. */
export interface ScanRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ScanSettings {
  source: EsclInputSource;
  duplex: boolean;
  colorMode: EsclColorMode;
  resolution: number;
  documentFormat: EsclDocumentFormat;
  /** null: the whole original, as devices with paper-size detection do. */
  region: ScanRegion | null;
  /** scan:Intent as the client sent it (Document, TextAndGraphic, Photo, Preview…), when it sent one. */
  intent?: string;
}

// Prefixes are dropped: clients use `scan:`, `escl:` or others for the same namespace.
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

type Node = Record<string, unknown>;

function bad(message: string): ScannerError {
  return new ScannerError('BAD_SCAN_SETTINGS', message);
}

function unsupported(message: string): ScannerError {
  return new ScannerError('UNSUPPORTED_SETTING', message);
}

function first(node: Node, name: string): unknown {
  const value = node[name];
  return Array.isArray(value) ? value[0] : value;
}

function textOf(node: Node, name: string): string | undefined {
  const value = first(node, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`${name} must be text`);
  // Some clients send prefixed enum values (`scan:RGB24`), as some devices do in capabilities.
  return value.replace(/^[A-Za-z][\w.-]*:(?=[A-Za-z])/, '');
}

function intOf(node: Node, name: string): number | undefined {
  const value = textOf(node, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw bad(`${name} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

function parseRegion(settings: Node): ScanRegion | null {
  const regions = first(settings, 'ScanRegions');
  if (regions === undefined || regions === '') return null;
  if (typeof regions !== 'object' || regions === null) throw bad('ScanRegions must contain a ScanRegion');
  const region = first(regions as Node, 'ScanRegion');
  if (typeof region !== 'object' || region === null) throw bad('ScanRegions must contain a ScanRegion');
  const node = region as Node;
  const units = textOf(node, 'ContentRegionUnits');
  if (units !== undefined && units !== 'ThreeHundredthsOfInches') {
    throw unsupported(`ContentRegionUnits ${units} is not supported`);
  }
  const width = intOf(node, 'Width');
  const height = intOf(node, 'Height');
  if (width === undefined || height === undefined) throw bad('ScanRegion needs Width and Height');
  const x = intOf(node, 'XOffset') ?? 0;
  const y = intOf(node, 'YOffset') ?? 0;
  if (width < MIN_WIDTH || height < MIN_HEIGHT)
    throw unsupported(`ScanRegion ${width}x${height} is too small`);
  if (x + width > MAX_WIDTH || y + height > MAX_HEIGHT) {
    throw unsupported(`ScanRegion exceeds the scan area of ${MAX_WIDTH}x${MAX_HEIGHT}`);
  }
  return { x, y, width, height };
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  name: string,
  fallback: T,
): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw unsupported(`${name} ${value} is not supported`);
  return value as T;
}

/**
 * Parses and validates a ScanSettings request body against the scanner's capabilities. Malformed
 * documents are BAD_SCAN_SETTINGS (400); well-formed requests for something this scanner cannot do
 * are UNSUPPORTED_SETTING (409, as the eSCL specification and HP devices answer).
 */
export function parseScanSettings(xml: string): ScanSettings {
  if (xml.trim() === '') throw bad('the request has no ScanSettings document');
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw bad(`ScanSettings is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (error) {
    // fast-xml-parser throws plain Errors its validator lets through (nesting too deep, external
    // entities, `__proto__` names; found by test/fuzz): a bad request, not a simulator fault.
    throw bad(`ScanSettings cannot be read: ${(error as Error).message}`);
  }
  const settings = doc.ScanSettings;
  if (typeof settings !== 'object' || settings === null) throw bad('the root element must be ScanSettings');
  const node = settings as Node;

  const source = oneOf(textOf(node, 'InputSource'), ['Platen', 'Feeder'] as const, 'InputSource', 'Platen');
  const duplexText = textOf(node, 'Duplex');
  if (duplexText !== undefined && !['true', 'false', '1', '0'].includes(duplexText)) {
    throw bad(`Duplex must be true or false, got "${duplexText}"`);
  }
  const duplex = duplexText === 'true' || duplexText === '1';
  if (duplex && source !== 'Feeder') throw unsupported('Duplex needs InputSource Feeder');

  const colorMode = oneOf(textOf(node, 'ColorMode'), COLOR_MODES, 'ColorMode', 'RGB24');

  const xResolution = intOf(node, 'XResolution');
  const yResolution = intOf(node, 'YResolution');
  const resolution = xResolution ?? yResolution ?? 300;
  if (yResolution !== undefined && yResolution !== resolution) {
    throw unsupported(`resolution ${resolution}x${yResolution} is not supported (square only)`);
  }
  if (!(RESOLUTIONS as readonly number[]).includes(resolution)) {
    throw unsupported(`resolution ${resolution} is not supported`);
  }

  // DocumentFormatExt (eSCL 2.1+) wins over the older pwg:DocumentFormat, as clients expect.
  const format = textOf(node, 'DocumentFormatExt') || textOf(node, 'DocumentFormat');
  const documentFormat = oneOf(format, DOCUMENT_FORMATS, 'DocumentFormat', 'image/jpeg');

  const intent = textOf(node, 'Intent');
  return {
    source,
    duplex,
    colorMode,
    resolution,
    documentFormat,
    region: parseRegion(node),
    ...(intent ? { intent } : {}),
  };
}
