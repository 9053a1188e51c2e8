/** The FaxOut printer's and its jobs' IPP attributes (RFC 8011, PWG 5100.15). No I/O. */
import type { FaxDestination, FaxJob, FaxJobState } from './fax-job.ts';
import { impressionsCompleted } from './fax-job.ts';
import { Operation, JobState, PrinterState } from './ipp-constants.ts';
import { attr, v, type IppAttribute } from './ipp-codec.ts';

export const SUPPORTED_DOCUMENT_FORMATS = [
  'application/pdf',
  'image/pwg-raster',
  'image/tiff',
  'application/octet-stream',
];
export const PRINTER_UUID = 'urn:uuid:6d66702d-6564-4765-b866-61786f757431';
export const PRINTER_NAME = 'Virtual MFP Fax';

export interface PrinterStatus {
  state: 'idle' | 'processing' | 'stopped';
  reasons: string[];
  acceptingJobs: boolean;
  upTime: number;
  queuedJobCount: number;
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
]);

const STATE_MESSAGES = {
  idle: 'Ready to send faxes',
  processing: 'Sending a fax',
  stopped: 'Stopped',
} as const;

export function printerAttributes(printerUri: string, status: PrinterStatus): IppAttribute[] {
  const moreInfo = printerUri.replace(/^ipps?:/, 'http:').replace(/\/ipp\/faxout$/, '/');
  const media = (x: number, y: number): IppAttribute[] => [
    attr('media-size', v.collection([attr('x-dimension', v.integer(x)), attr('y-dimension', v.integer(y))])),
  ];
  return [
    attr('charset-configured', v.charset('utf-8')),
    attr('charset-supported', v.charset('utf-8'), v.charset('us-ascii')),
    attr('color-supported', v.boolean(false)),
    attr('compression-supported', v.keyword('none')),
    attr('destination-uri-schemes-supported', v.uriScheme('tel')),
    attr('destination-uris-supported', v.keyword('destination-uri'), v.keyword('pre-dial-string')),
    attr('document-format-default', v.mimeMediaType('application/pdf')),
    attr('document-format-supported', ...SUPPORTED_DOCUMENT_FORMATS.map(v.mimeMediaType)),
    attr('generated-natural-language-supported', v.naturalLanguage('en')),
    attr('ipp-features-supported', v.keyword('faxout')),
    attr('ipp-versions-supported', v.keyword('1.1'), v.keyword('2.0')),
    attr('job-creation-attributes-supported', v.keyword('destination-uris')),
    attr('media-col-default', v.collection(media(21000, 29700))),
    attr('media-col-supported', v.keyword('media-size')),
    attr('media-default', v.keyword('iso_a4_210x297mm')),
    attr('media-supported', v.keyword('iso_a4_210x297mm'), v.keyword('na_letter_8.5x11in')),
    attr('multiple-destination-uris-supported', v.boolean(true)),
    attr('multiple-document-handling-default', v.keyword('single-document')),
    attr('multiple-document-handling-supported', v.keyword('single-document')),
    attr('multiple-document-jobs-supported', v.boolean(true)),
    attr('multiple-operation-time-out', v.integer(300)),
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
        Operation.closeJob,
      ].map(v.enum),
    ),
    attr('pdl-override-supported', v.keyword('attempted')),
    attr('pre-dial-string-supported', v.boolean(true)),
    attr('printer-current-time', v.dateTime(new Date())),
    attr(
      'printer-fax-modem-info',
      v.text('Simulated V.17 fax modem (14400 bit/s) on a simulated phone line'),
    ),
    attr('printer-fax-modem-name', v.name('Line 1')),
    attr('printer-fax-modem-number', v.uri('tel:+15550100')),
    attr('printer-info', v.text('mfp-edge virtual MFP: IPP FaxOut')),
    attr('printer-is-accepting-jobs', v.boolean(status.acceptingJobs)),
    attr('printer-location', v.text('Simulator')),
    attr('printer-make-and-model', v.text('mfp-edge Virtual MFP')),
    attr('printer-more-info', v.uri(moreInfo)),
    attr('printer-name', v.name(PRINTER_NAME)),
    attr('printer-resolution-default', v.resolution(204, 196)),
    attr(
      'printer-resolution-supported',
      v.resolution(204, 98),
      v.resolution(204, 196),
      v.resolution(204, 391),
    ),
    attr('printer-state', v.enum(PrinterState[status.state])),
    attr('printer-state-message', v.text(STATE_MESSAGES[status.state])),
    attr('printer-state-reasons', ...(status.reasons.length ? status.reasons : ['none']).map(v.keyword)),
    attr('printer-up-time', v.integer(status.upTime)),
    attr('printer-uri-supported', v.uri(printerUri)),
    attr('printer-uuid', v.uri(PRINTER_UUID)),
    attr('queued-job-count', v.integer(status.queuedJobCount)),
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
  if (!requested || requested.includes('all')) return attributes;
  return attributes.filter(
    (a) => requested.includes(a.name) || requested.some((r) => groups[r]?.(a.name) ?? false),
  );
}

export const PRINTER_ATTRIBUTE_GROUPS: Record<string, (name: string) => boolean> = {
  'printer-description': (name) => !JOB_TEMPLATE_PRINTER_ATTRIBUTES.has(name),
  'job-template': (name) => JOB_TEMPLATE_PRINTER_ATTRIBUTES.has(name),
};

const JOB_TEMPLATE_JOB_ATTRIBUTES = new Set(['destination-uris']);
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
  ];
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
    attr('job-impressions-completed', v.integer(impressionsCompleted(job))),
    attr('job-media-sheets-completed', v.integer(impressionsCompleted(job))),
    ...(job.pageCount === undefined
      ? []
      : [attr('job-impressions', v.integer(job.pageCount * job.destinations.length))]),
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
