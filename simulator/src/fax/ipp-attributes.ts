/** The FaxOut printer's and its jobs' IPP attributes (RFC 8011, PWG 5100.15). No I/O. */
import type { FaxDestination, FaxJob, FaxJobState } from './fax-job.ts';
import { impressionsCompleted } from './fax-job.ts';
import { Operation, JobState, PrinterState } from './ipp-constants.ts';
import { attr, v, type IppAttribute, type IppValue } from './ipp-codec.ts';
import { LINE_DOWN_REASON } from './fax-modem.ts';

export const SUPPORTED_DOCUMENT_FORMATS = [
  'application/pdf',
  'image/pwg-raster',
  'image/tiff',
  'image/jpeg',
  'application/octet-stream',
];
export const SUPPORTED_COMPRESSIONS = ['none', 'deflate', 'gzip'] as const;
export const COVER_SHEET_MEMBERS = ['date-time', 'from-name', 'message', 'subject', 'to-name'] as const;
/** Longest from-name/to-name/subject and message on the cover sheet, in octets. */
export const COVER_SHEET_NAME_MAX = 255;
export const COVER_SHEET_MESSAGE_MAX = 1023;
export const IDENTIFY_ACTIONS = ['display', 'sound'] as const;
export const PRINTER_UUID = 'urn:uuid:6d66702d-6564-4765-b866-61786f757431';
export const PRINTER_NAME = 'Virtual MFP Fax';

export interface PrinterStatus {
  state: 'idle' | 'processing' | 'stopped';
  reasons: string[];
  acceptingJobs: boolean;
  upTime: number;
  queuedJobCount: number;
  stateChangedAt: Date;
  configChangedAt: Date;
  /** printer-up-time at a moment (seconds since start, at least 1). */
  upTimeAt: (date: Date) => number;
  multipleOperationTimeoutS: number;
}

/** Attributes listed under requested-attributes group names other than "all". */
const JOB_TEMPLATE_PRINTER_ATTRIBUTES = new Set([
  'destination-uris-supported',
  'media-default',
  'media-supported',
  'media-col-default',
  'media-col-supported',
  'printer-resolution-default',
  'printer-resolution-supported',
  'multiple-document-handling-default',
  'multiple-document-handling-supported',
  'copies-default',
  'copies-supported',
  'page-ranges-supported',
  'print-quality-default',
  'print-quality-supported',
  'cover-sheet-info-default',
  'cover-sheet-info-supported',
  'confirmation-sheet-print-default',
]);

const STATE_MESSAGES = {
  idle: 'Ready to send faxes',
  processing: 'Sending a fax',
  stopped: 'Stopped',
} as const;

/** Alerts (PWG 5100.9, RFC 3805 codes) for printer-alert, with what a person reads for each. */
function alerts(reasons: string[]): { alert: string; description: string }[] {
  const out = reasons.flatMap((reason) => {
    if (reason.startsWith(LINE_DOWN_REASON))
      return [{ alert: 'code=other;severity=critical;group=channel', description: 'The phone line is down' }];
    if (reason === 'paused')
      return [
        {
          alert: 'code=other;severity=warning;group=generalPrinter',
          description: 'The fax modem is stopped',
        },
      ];
    return [];
  });
  // Real devices (HP) report one "unknown" alert when nothing is wrong rather than no attribute.
  return out.length ? out : [{ alert: 'code=unknown;severity=other;group=other', description: 'No alert' }];
}

/** IEEE 1284 device ID (printer-device-id), the form USB and DNS-SD clients match drivers on. */
export const DEVICE_ID =
  'MFG:mfp-edge;MDL:Virtual MFP;CMD:PDF,PWGRaster,TIFF,JPEG;CLS:PRINTER;DES:mfp-edge Virtual MFP fax modem;';

const MEDIA_SIZES = [
  { keyword: 'iso_a4_210x297mm', x: 21000, y: 29700 },
  { keyword: 'na_letter_8.5x11in', x: 21590, y: 27940 },
  { keyword: 'na_legal_8.5x14in', x: 21590, y: 35560 },
];

export function printerAttributes(printerUri: string, status: PrinterStatus): IppAttribute[] {
  const webRoot = printerUri.replace(/^ipps?:/, 'http:').replace(/\/ipp\/faxout$/, '');
  const moreInfo = `${webRoot}/`;
  const size = (x: number, y: number): IppValue =>
    v.collection([attr('x-dimension', v.integer(x)), attr('y-dimension', v.integer(y))]);
  const media = (x: number, y: number): IppAttribute[] => [attr('media-size', size(x, y))];
  // Fax pages are sent edge to edge: a fax machine images the whole width it receives.
  const margins = ['bottom', 'left', 'right', 'top'].map((side) =>
    attr(`media-${side}-margin`, v.integer(0)),
  );
  const printerAlerts = alerts(status.reasons);
  return [
    attr('charset-configured', v.charset('utf-8')),
    attr('charset-supported', v.charset('utf-8'), v.charset('us-ascii')),
    attr('color-supported', v.boolean(false)),
    attr('compression-supported', ...SUPPORTED_COMPRESSIONS.map(v.keyword)),
    attr('confirmation-sheet-print-default', v.boolean(false)),
    attr('copies-default', v.integer(1)),
    attr('copies-supported', v.range(1, 1)),
    attr('cover-sheet-info-default', v.unknown()),
    attr('cover-sheet-info-supported', ...COVER_SHEET_MEMBERS.map(v.keyword)),
    attr('destination-uri-schemes-supported', v.uriScheme('tel')),
    attr('destination-uris-supported', v.keyword('destination-uri'), v.keyword('pre-dial-string')),
    attr('document-format-default', v.mimeMediaType('application/pdf')),
    attr('document-format-supported', ...SUPPORTED_DOCUMENT_FORMATS.map(v.mimeMediaType)),
    attr('from-name-supported', v.integer(COVER_SHEET_NAME_MAX)),
    attr('generated-natural-language-supported', v.naturalLanguage('en')),
    attr('identify-actions-default', v.keyword('display')),
    attr('identify-actions-supported', ...IDENTIFY_ACTIONS.map(v.keyword)),
    attr('ipp-features-supported', v.keyword('faxout')),
    attr('ipp-versions-supported', v.keyword('1.1'), v.keyword('2.0')),
    attr(
      'job-creation-attributes-supported',
      v.keyword('destination-uris'),
      v.keyword('cover-sheet-info'),
      v.keyword('page-ranges'),
    ),
    attr('job-ids-supported', v.boolean(true)),
    ...margins.map((m) => ({ name: `${m.name}-supported`, values: m.values })),
    attr('media-col-database', ...MEDIA_SIZES.map((m) => v.collection([...media(m.x, m.y), ...margins]))),
    attr('media-col-default', v.collection([...media(21000, 29700), ...margins])),
    attr('media-col-supported', v.keyword('media-size'), ...margins.map((m) => v.keyword(m.name))),
    attr('media-default', v.keyword('iso_a4_210x297mm')),
    attr('media-size-supported', ...MEDIA_SIZES.map((m) => size(m.x, m.y))),
    attr('media-supported', ...MEDIA_SIZES.map((m) => v.keyword(m.keyword))),
    attr('message-supported', v.integer(COVER_SHEET_MESSAGE_MAX)),
    attr('multiple-destination-uris-supported', v.boolean(true)),
    attr('multiple-document-handling-default', v.keyword('single-document')),
    attr('multiple-document-handling-supported', v.keyword('single-document')),
    attr('multiple-document-jobs-supported', v.boolean(true)),
    attr('multiple-operation-time-out', v.integer(Math.max(1, Math.round(status.multipleOperationTimeoutS)))),
    attr('multiple-operation-time-out-action', v.keyword('abort-job')),
    attr('natural-language-configured', v.naturalLanguage('en')),
    attr(
      'operations-supported',
      ...[
        Operation.printJob,
        Operation.validateJob,
        Operation.createJob,
        Operation.sendDocument,
        Operation.cancelJob,
        Operation.getJobAttributes,
        Operation.getJobs,
        Operation.getPrinterAttributes,
        Operation.cancelMyJobs,
        Operation.closeJob,
        Operation.identifyPrinter,
      ].map(v.enum),
    ),
    attr('page-ranges-supported', v.boolean(true)),
    attr('pdl-override-supported', v.keyword('attempted')),
    attr('pre-dial-string-supported', v.boolean(true)),
    attr('print-quality-default', v.enum(4)),
    attr('print-quality-supported', v.enum(4)),
    attr('printer-alert', ...printerAlerts.map((a) => v.octetString(Buffer.from(a.alert)))),
    attr('printer-alert-description', ...printerAlerts.map((a) => v.text(a.description))),
    attr('printer-config-change-date-time', v.dateTime(status.configChangedAt)),
    attr('printer-config-change-time', v.integer(status.upTimeAt(status.configChangedAt))),
    attr('printer-current-time', v.dateTime(new Date())),
    attr('printer-device-id', v.text(DEVICE_ID)),
    attr(
      'printer-fax-modem-info',
      v.text('Simulated V.17 fax modem (14400 bit/s) on a simulated phone line'),
    ),
    attr('printer-fax-modem-name', v.name('Line 1')),
    attr('printer-fax-modem-number', v.uri('tel:+15550100')),
    attr('printer-fax-log-uri', v.uri(`${webRoot}/sim/api/fax-log`)),
    // A virtual device has no place on Earth.
    attr('printer-geo-location', v.unknown()),
    attr('printer-get-attributes-supported', v.keyword('document-format'), v.keyword('destination-uri')),
    attr('printer-icons', v.uri(`${webRoot}/eSCL/icon.png`)),
    attr('printer-info', v.text('mfp-edge virtual MFP: IPP FaxOut')),
    attr('printer-is-accepting-jobs', v.boolean(status.acceptingJobs)),
    attr('printer-location', v.text('Simulator')),
    attr('printer-make-and-model', v.text('mfp-edge Virtual MFP')),
    attr('printer-more-info', v.uri(moreInfo)),
    attr('printer-name', v.name(PRINTER_NAME)),
    attr('printer-organization', v.text('')),
    attr('printer-organizational-unit', v.text('')),
    attr('printer-resolution-default', v.resolution(204, 196)),
    attr(
      'printer-resolution-supported',
      v.resolution(204, 98),
      v.resolution(204, 196),
      v.resolution(204, 391),
    ),
    attr('printer-state', v.enum(PrinterState[status.state])),
    attr('printer-state-change-date-time', v.dateTime(status.stateChangedAt)),
    attr('printer-state-change-time', v.integer(status.upTimeAt(status.stateChangedAt))),
    attr('printer-state-message', v.text(STATE_MESSAGES[status.state])),
    attr('printer-state-reasons', ...(status.reasons.length ? status.reasons : ['none']).map(v.keyword)),
    attr('printer-up-time', v.integer(status.upTime)),
    attr('printer-uri-supported', v.uri(printerUri)),
    attr('printer-uuid', v.uri(PRINTER_UUID)),
    attr(
      'pwg-raster-document-resolution-supported',
      v.resolution(200, 200),
      v.resolution(300, 300),
      v.resolution(204, 98),
      v.resolution(204, 196),
      v.resolution(204, 391),
    ),
    attr(
      'pwg-raster-document-type-supported',
      v.keyword('black_1'),
      v.keyword('sgray_8'),
      v.keyword('srgb_8'),
    ),
    attr('queued-job-count', v.integer(status.queuedJobCount)),
    attr('subject-supported', v.integer(COVER_SHEET_NAME_MAX)),
    attr('to-name-supported', v.integer(COVER_SHEET_NAME_MAX)),
    attr('uri-authentication-supported', v.keyword('requesting-user-name')),
    attr('uri-security-supported', v.keyword('none')),
    attr('which-jobs-supported', v.keyword('completed'), v.keyword('not-completed'), v.keyword('all')),
  ];
}

/** Keeps what requested-attributes asks for (RFC 8011 §4.2.5.1); absent or "all" keeps everything. */
export function selectAttributes(
  attributes: IppAttribute[],
  requested: string[] | undefined,
  groups: Record<string, (name: string) => boolean>,
): IppAttribute[] {
  // media-col-database can be large: only for 'all' or by name, never by default or for a group name
  // (what CUPS's and PWG's ipptool tests both check).
  const wanted = attributes.filter(
    (a) => a.name !== 'media-col-database' || requested?.includes(a.name) || requested?.includes('all'),
  );
  if (!requested || requested.includes('all')) return wanted;
  return wanted.filter(
    (a) => requested.includes(a.name) || requested.some((r) => groups[r]?.(a.name) ?? false),
  );
}

export const PRINTER_ATTRIBUTE_GROUPS: Record<string, (name: string) => boolean> = {
  'printer-description': (name) => !JOB_TEMPLATE_PRINTER_ATTRIBUTES.has(name),
  'job-template': (name) => JOB_TEMPLATE_PRINTER_ATTRIBUTES.has(name),
};

const JOB_TEMPLATE_JOB_ATTRIBUTES = new Set(['destination-uris', 'page-ranges', 'cover-sheet-info']);
export const JOB_ATTRIBUTE_GROUPS: Record<string, (name: string) => boolean> = {
  'job-description': (name) => !JOB_TEMPLATE_JOB_ATTRIBUTES.has(name),
  'job-template': (name) => JOB_TEMPLATE_JOB_ATTRIBUTES.has(name),
};

const JOB_STATE_VALUES: Record<FaxJobState, number> = {
  pending: JobState.pending,
  'pending-held': JobState.pendingHeld,
  processing: JobState.processing,
  'processing-stopped': JobState.processingStopped,
  canceled: JobState.canceled,
  aborted: JobState.aborted,
  completed: JobState.completed,
};

export function jobStateValue(state: FaxJobState): number {
  return JOB_STATE_VALUES[state];
}

export function jobUri(printerUri: string, jobId: number): string {
  return `${printerUri}/${jobId}`;
}

/** The few attributes every job-creating or job-changing response carries (RFC 8011 §4.2.1.2). */
export function jobSummaryAttributes(job: FaxJob, printerUri: string): IppAttribute[] {
  return [
    attr('job-id', v.integer(job.id)),
    attr('job-uri', v.uri(jobUri(printerUri, job.id))),
    attr('job-state', v.enum(jobStateValue(job.state))),
    attr('job-state-message', v.text(job.stateMessage)),
    attr('job-state-reasons', ...(job.reasons.length ? job.reasons : ['none']).map(v.keyword)),
    attr('job-uuid', v.uri(job.uuid)),
  ];
}

/** What the client supplied with the (first) document: PWG 5100.7 *-supplied attributes. */
function suppliedAttributes(job: FaxJob): IppAttribute[] {
  const document = job.documents[0];
  if (!document) return [];
  return [
    attr('compression-supplied', v.keyword(document.compression ?? 'none')),
    attr('document-format-supplied', v.mimeMediaType(document.format)),
    ...(document.formatVersion
      ? [attr('document-format-version-supplied', v.text(document.formatVersion))]
      : []),
    // No document-name: the job's name is what the panel and the fax log show for it.
    attr('document-name-supplied', v.name(document.name ?? job.name)),
  ];
}

function jobTemplateAttributes(job: FaxJob): IppAttribute[] {
  const { pageRanges, coverSheet } = job.options;
  const out: IppAttribute[] = [];
  if (pageRanges?.length) out.push(attr('page-ranges', ...pageRanges.map((r) => v.range(r.lower, r.upper))));
  if (coverSheet) {
    const text = (name: string, value: string | undefined): IppAttribute[] =>
      value ? [attr(name, v.text(value))] : [];
    const members = [
      ...(coverSheet.dateTime ? [attr('date-time', v.dateTime(coverSheet.dateTime))] : []),
      ...text('from-name', coverSheet.fromName),
      ...text('message', coverSheet.message),
      ...text('subject', coverSheet.subject),
      ...text('to-name', coverSheet.toName),
    ];
    out.push(attr('cover-sheet-info', v.collection(members)));
  }
  return out;
}

function destinationStatus(d: FaxDestination): IppAttribute[] {
  return [
    attr('destination-uri', v.uri(d.uri)),
    attr('images-completed', v.integer(d.imagesCompleted)),
    attr('transmission-status', v.enum(jobStateValue(d.transmissionStatus))),
  ];
}

export function jobAttributes(
  job: FaxJob,
  printerUri: string,
  upTimeAt: (date: Date) => number,
): IppAttribute[] {
  const time = (name: string, date: Date | undefined): IppAttribute[] => [
    attr(`time-at-${name}`, date ? v.integer(upTimeAt(date)) : v.noValue()),
    attr(`date-time-at-${name}`, date ? v.dateTime(date) : v.noValue()),
  ];
  return [
    ...jobSummaryAttributes(job, printerUri),
    attr('destination-statuses', ...job.destinations.map((d) => v.collection(destinationStatus(d)))),
    attr(
      'destination-uris',
      ...job.destinations.map((d) => v.collection([attr('destination-uri', v.uri(d.uri))])),
    ),
    ...jobTemplateAttributes(job),
    ...suppliedAttributes(job),
    attr('job-impressions-completed', v.integer(impressionsCompleted(job))),
    attr('job-media-sheets-completed', v.integer(impressionsCompleted(job))),
    attr(
      'job-impressions',
      job.pageCount === undefined ? v.noValue() : v.integer(job.pageCount * job.destinations.length),
    ),
    attr('job-name', v.name(job.name)),
    attr('job-originating-user-name', v.name(job.userName)),
    attr('job-printer-uri', v.uri(printerUri)),
    attr('job-printer-up-time', v.integer(upTimeAt(new Date()))),
    attr('number-of-documents', v.integer(job.documents.length)),
    ...time('creation', job.createdAt),
    ...time('processing', job.processingAt),
    ...time('completed', job.completedAt),
  ];
}
