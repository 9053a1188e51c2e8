import {
  COLOR_MODES,
  DOCUMENT_FORMATS,
  ESCL_VERSION,
  FEEDER_CAPACITY,
  MAX_HEIGHT,
  MAX_WIDTH,
  MIN_HEIGHT,
  MIN_WIDTH,
  PWG_NS,
  RESOLUTIONS,
  SCAN_NS,
  type ScannerIdentity,
} from './escl-capabilities.ts';

/**
 * eSCL XML documents the scanner sends. Written as text on purpose: sane-airscan matches the literal
 * `scan:` and `pwg:` prefixes, so the prefixes are part of the contract, not a serializer's choice.
 */

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NAMESPACES = `xmlns:scan="${SCAN_NS}" xmlns:pwg="${PWG_NS}"`;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function el(name: string, content: string | number): string {
  return `<${name}>${typeof content === 'number' ? String(content) : content}</${name}>`;
}

function text(name: string, value: string | number): string {
  return el(name, typeof value === 'number' ? value : escapeXml(value));
}

function inputCaps(tag: string, maxOpticalResolution: number): string {
  const formats = DOCUMENT_FORMATS.map((f) => text('pwg:DocumentFormat', f)).join('');
  const formatsExt = DOCUMENT_FORMATS.map((f) => text('scan:DocumentFormatExt', f)).join('');
  const resolutions = RESOLUTIONS.map((r) =>
    el('scan:DiscreteResolution', text('scan:XResolution', r) + text('scan:YResolution', r)),
  ).join('');
  const profile = el(
    'scan:SettingProfile',
    el('scan:ColorModes', COLOR_MODES.map((m) => text('scan:ColorMode', m)).join('')) +
      el(
        'scan:ContentTypes',
        ['Photo', 'Text', 'TextAndPhoto'].map((c) => text('pwg:ContentType', c)).join(''),
      ) +
      el('scan:DocumentFormats', formats + formatsExt) +
      el('scan:SupportedResolutions', el('scan:DiscreteResolutions', resolutions)) +
      el('scan:ColorSpaces', text('scan:ColorSpace', 'sRGB')),
  );
  return el(
    tag,
    text('scan:MinWidth', MIN_WIDTH) +
      text('scan:MaxWidth', MAX_WIDTH) +
      text('scan:MinHeight', MIN_HEIGHT) +
      text('scan:MaxHeight', MAX_HEIGHT) +
      text('scan:MaxScanRegions', 1) +
      el('scan:SettingProfiles', profile) +
      el(
        'scan:SupportedIntents',
        ['Document', 'TextAndGraphic', 'Photo', 'Preview'].map((i) => text('scan:Intent', i)).join(''),
      ) +
      text('scan:MaxOpticalXResolution', maxOpticalResolution) +
      text('scan:MaxOpticalYResolution', maxOpticalResolution) +
      text('scan:RiskyLeftMargin', 0) +
      text('scan:RiskyRightMargin', 0) +
      text('scan:RiskyTopMargin', 0) +
      text('scan:RiskyBottomMargin', 0),
  );
}

/** `baseUrl` is the device's own address as the client reached it (e.g. `http://127.0.0.1:8090`). */
export function capabilitiesXml(identity: ScannerIdentity, baseUrl: string): string {
  const maxResolution = Math.max(...RESOLUTIONS);
  return (
    DECLARATION +
    `<scan:ScannerCapabilities ${NAMESPACES}>` +
    text('pwg:Version', ESCL_VERSION) +
    text('pwg:MakeAndModel', identity.makeAndModel) +
    text('pwg:SerialNumber', identity.serialNumber) +
    text('scan:Manufacturer', identity.manufacturer) +
    text('scan:UUID', identity.uuid) +
    text('scan:AdminURI', `${baseUrl}/`) +
    text('scan:IconURI', `${baseUrl}/eSCL/icon.png`) +
    el('scan:Platen', inputCaps('scan:PlatenInputCaps', maxResolution)) +
    el(
      'scan:Adf',
      inputCaps('scan:AdfSimplexInputCaps', maxResolution) +
        inputCaps('scan:AdfDuplexInputCaps', maxResolution) +
        text('scan:FeederCapacity', FEEDER_CAPACITY) +
        el('scan:AdfOptions', text('scan:AdfOption', 'DetectPaperLoaded') + text('scan:AdfOption', 'Duplex')),
    ) +
    '</scan:ScannerCapabilities>'
  );
}

export type EsclScannerState = 'Idle' | 'Processing' | 'Stopped';
export type EsclAdfState = 'ScannerAdfLoaded' | 'ScannerAdfEmpty' | 'ScannerAdfJam' | 'ScannerAdfHatchOpen';
export type EsclJobState = 'Pending' | 'Processing' | 'Completed' | 'Canceled' | 'Aborted';

export interface EsclJobInfo {
  uuid: string;
  ageSeconds: number;
  imagesCompleted: number;
  imagesToTransfer: number;
  state: EsclJobState;
  reasons: string[];
}

export interface EsclStatus {
  state: EsclScannerState;
  adfState: EsclAdfState;
  jobs: EsclJobInfo[];
}

/** `jobsPath` is where jobs live on this device, e.g. `/eSCL/ScanJobs`. */
export function statusXml(status: EsclStatus, jobsPath: string): string {
  const jobs = status.jobs
    .map((job) =>
      el(
        'scan:JobInfo',
        text('pwg:JobUri', `${jobsPath}/${job.uuid}`) +
          text('pwg:JobUuid', job.uuid) +
          text('scan:Age', job.ageSeconds) +
          text('pwg:ImagesCompleted', job.imagesCompleted) +
          text('pwg:ImagesToTransfer', job.imagesToTransfer) +
          text('pwg:JobState', job.state) +
          el('pwg:JobStateReasons', job.reasons.map((r) => text('pwg:JobStateReason', r)).join('')),
      ),
    )
    .join('');
  return (
    DECLARATION +
    `<scan:ScannerStatus ${NAMESPACES}>` +
    text('pwg:Version', ESCL_VERSION) +
    text('pwg:State', status.state) +
    text('scan:AdfState', status.adfState) +
    (jobs ? el('scan:Jobs', jobs) : '') +
    '</scan:ScannerStatus>'
  );
}

export interface EsclImageInfo {
  jobUuid: string;
  width: number;
  height: number;
  bytesPerLine: number;
}

export function scanImageInfoXml(info: EsclImageInfo, jobsPath: string): string {
  return (
    DECLARATION +
    `<scan:ScanImageInfo ${NAMESPACES}>` +
    text('pwg:JobUri', `${jobsPath}/${info.jobUuid}`) +
    text('pwg:JobUuid', info.jobUuid) +
    text('scan:ActualWidth', info.width) +
    text('scan:ActualHeight', info.height) +
    text('scan:ActualBytesPerLine', info.bytesPerLine) +
    '</scan:ScanImageInfo>'
  );
}
