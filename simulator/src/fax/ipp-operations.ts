/**
 * IPP FaxOut operations on top of the fax modem: request in, response out (no HTTP here).
 * Validation follows RFC 8011 §4.1 and PWG 5100.15; every failure is an IppError with a status code.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import {
  sniffFormat,
  sniffFormatVersion,
  SUPPORTED_FORMATS,
  type DocumentFormat,
} from './fax-document-decoder.ts';
import {
  TERMINAL_STATES,
  type CoverSheet,
  type DocumentCompression,
  type FaxDocument,
  type FaxJob,
  type FaxJobOptions,
} from './fax-job.ts';
import type { FaxModem } from './fax-modem.ts';
import { FaxModemError } from './fax-modem-error.ts';
import {
  COVER_SHEET_MESSAGE_MAX,
  COVER_SHEET_NAME_MAX,
  IDENTIFY_ACTIONS,
  SUPPORTED_COMPRESSIONS,
  JOB_ATTRIBUTE_GROUPS,
  PRINTER_ATTRIBUTE_GROUPS,
  jobAttributes,
  jobSummaryAttributes,
  printerAttributes,
  selectAttributes,
} from './ipp-attributes.ts';
import {
  attr,
  booleanValue,
  findAttribute,
  integerValue,
  stringValue,
  v,
  type IppAttribute,
  type IppGroup,
  type IppMessage,
} from './ipp-codec.ts';
import { GroupTag, Operation, StatusCode, type StatusCodeValue } from './ipp-constants.ts';
import { isDialable, normalizeNumber } from './remote-machines.ts';

export const FAXOUT_PATH = '/ipp/faxout';

export class IppError extends Error {
  readonly status: StatusCodeValue;
  readonly unsupported: IppAttribute[];
  constructor(status: StatusCodeValue, message: string, unsupported: IppAttribute[] = []) {
    super(message);
    this.name = 'IppError';
    this.status = status;
    this.unsupported = unsupported;
  }
}

interface Context {
  modem: FaxModem;
  printerUri: string;
  request: IppMessage;
  operation: IppAttribute[];
  job: IppAttribute[];
}

interface Outcome {
  status?: StatusCodeValue;
  message?: string;
  unsupported?: IppAttribute[];
  groups?: IppGroup[];
}

/** Answers one decoded IPP request. `printerUri` is this printer's URI as the client reached it. */
export async function handleIppRequest(
  modem: FaxModem,
  request: IppMessage,
  printerUri: string,
): Promise<IppMessage> {
  const { major, minor } = request.version;
  const versionOk = major === 1 || major === 2;
  const respond = (status: number, message: string | undefined, groups: IppGroup[]): IppMessage => ({
    version: versionOk ? { major, minor } : { major: 1, minor: 1 },
    code: status,
    requestId: request.requestId,
    groups: [
      {
        tag: GroupTag.operation,
        attributes: [
          attr('attributes-charset', v.charset('utf-8')),
          attr('attributes-natural-language', v.naturalLanguage('en')),
          ...(message ? [attr('status-message', v.text(message.slice(0, 255)))] : []),
        ],
      },
      ...groups,
    ],
    data: Buffer.alloc(0),
  });
  try {
    if (!versionOk) {
      throw new IppError(StatusCode.serverErrorVersionNotSupported, `IPP/${major}.${minor} is not supported`);
    }
    const context = validateEnvelope(modem, request, printerUri);
    const outcome = await dispatch(context);
    const unsupported = outcome.unsupported ?? [];
    return respond(outcome.status ?? StatusCode.successfulOk, outcome.message, [
      ...(unsupported.length ? [{ tag: GroupTag.unsupported, attributes: unsupported }] : []),
      ...(outcome.groups ?? []),
    ]);
  } catch (error) {
    if (error instanceof IppError) {
      const groups = error.unsupported.length
        ? [{ tag: GroupTag.unsupported, attributes: error.unsupported }]
        : [];
      return respond(error.status, error.message, groups);
    }
    throw error;
  }
}

function validateEnvelope(modem: FaxModem, request: IppMessage, printerUri: string): Context {
  const bad = (message: string): IppError => new IppError(StatusCode.clientErrorBadRequest, message);
  if (request.requestId <= 0) throw bad('request-id must be positive');
  const operationGroups = request.groups.filter((g) => g.tag === GroupTag.operation);
  if (request.groups[0]?.tag !== GroupTag.operation || operationGroups.length !== 1) {
    throw bad('the request must start with exactly one operation attributes group');
  }
  const operation = operationGroups[0]!.attributes;
  if (operation[0]?.name !== 'attributes-charset' || operation[1]?.name !== 'attributes-natural-language') {
    throw bad('attributes-charset and attributes-natural-language must come first');
  }
  const charset = stringValue(operation[0])?.toLowerCase();
  if (charset !== 'utf-8' && charset !== 'us-ascii') {
    throw new IppError(StatusCode.clientErrorCharsetNotSupported, `charset ${charset} is not supported`, [
      operation[0],
    ]);
  }
  const target =
    stringValue(findAttribute(operation, 'printer-uri')) ?? stringValue(findAttribute(operation, 'job-uri'));
  if (target === undefined) throw bad('printer-uri or job-uri is required');
  if (!pathOf(target).startsWith(FAXOUT_PATH)) {
    throw new IppError(StatusCode.clientErrorNotFound, `no printer at ${target}`);
  }
  const job = request.groups.filter((g) => g.tag === GroupTag.job).flatMap((g) => g.attributes);
  // The printer's URI as this client names it (CUPS clients send Host: localhost for 127.0.0.1).
  const named = stringValue(findAttribute(operation, 'printer-uri'));
  const printerUriAsNamed =
    named && /^ipps?:$/.test(schemeOf(named)) && pathOf(named) === FAXOUT_PATH ? named : printerUri;
  return { modem, printerUri: printerUriAsNamed, request, operation, job };
}

function schemeOf(uri: string): string {
  try {
    return new URL(uri).protocol;
  } catch {
    return '';
  }
}

function pathOf(uri: string): string {
  try {
    return new URL(uri).pathname;
  } catch {
    return '';
  }
}

function dispatch(c: Context): Promise<Outcome> | Outcome {
  switch (c.request.code) {
    case Operation.getPrinterAttributes:
      return getPrinterAttributes(c);
    case Operation.validateJob:
      return validateJob(c);
    case Operation.createJob:
      return createJob(c);
    case Operation.printJob:
      return printJob(c);
    case Operation.sendDocument:
      return sendDocument(c);
    case Operation.getJobAttributes:
      return getJobAttributes(c);
    case Operation.getJobs:
      return getJobs(c);
    case Operation.cancelJob:
      return cancelJob(c);
    case Operation.closeJob:
      return closeJob(c);
    case Operation.cancelMyJobs:
      return cancelMyJobs(c);
    case Operation.identifyPrinter:
      return identifyPrinter(c);
    default:
      throw new IppError(
        StatusCode.serverErrorOperationNotSupported,
        `operation 0x${c.request.code.toString(16).padStart(4, '0')} is not supported`,
      );
  }
}

function requestedAttributes(c: Context): string[] | undefined {
  const requested = findAttribute(c.operation, 'requested-attributes');
  return requested?.values.flatMap((value) => (typeof value.value === 'string' ? [value.value] : []));
}

function getPrinterAttributes(c: Context): Outcome {
  const status = c.modem.printerStatus();
  const all = printerAttributes(c.printerUri, {
    ...status,
    acceptingJobs: c.modem.running,
    upTime: c.modem.upTime(),
    queuedJobCount: c.modem.queuedJobCount(),
    stateChangedAt: c.modem.stateChangedAt(),
    configChangedAt: c.modem.configChangedAt(),
    upTimeAt: (date) => c.modem.upTimeAt(date),
    multipleOperationTimeoutS: c.modem.multipleOperationTimeoutS,
  });
  const attributes = selectAttributes(all, requestedAttributes(c), PRINTER_ATTRIBUTE_GROUPS);
  return { groups: [{ tag: GroupTag.printer, attributes }] };
}

// --- job creation --------------------------------------------------------------------------------

interface JobRequest {
  name: string;
  userName: string;
  destinations: { uri: string; number: string }[];
  options: FaxJobOptions;
  /** Values ignored (e.g. destinations with a scheme this modem cannot dial). */
  ignored: IppAttribute[];
}

const notSupported = (message: string, attribute: IppAttribute): IppError =>
  new IppError(StatusCode.clientErrorAttributesOrValuesNotSupported, message, [attribute]);

/** page-ranges (RFC 8011 §5.2.7): ascending, not overlapping, starting at 1. */
function parsePageRanges(c: Context): FaxJobOptions['pageRanges'] {
  const attribute = findAttribute(c.job, 'page-ranges');
  if (!attribute) return undefined;
  const ranges: { lower: number; upper: number }[] = [];
  for (const value of attribute.values) {
    if (value.type !== 'rangeOfInteger') throw notSupported('page-ranges must be rangeOfInteger', attribute);
    const { lower, upper } = value.value;
    const previous = ranges.at(-1);
    if (lower < 1 || upper < lower || (previous && lower <= previous.upper)) {
      throw notSupported('page-ranges must be ascending ranges of pages from 1', attribute);
    }
    ranges.push({ lower, upper });
  }
  return ranges;
}

/** cover-sheet-info (PWG 5100.15); members this modem cannot print (logo…) are ignored. */
function parseCoverSheet(c: Context, ignored: IppAttribute[]): CoverSheet | undefined {
  const attribute = findAttribute(c.job, 'cover-sheet-info');
  if (!attribute) return undefined;
  const value = attribute.values[0];
  if (value?.type !== 'collection' || attribute.values.length !== 1) {
    throw notSupported('cover-sheet-info must be one collection', attribute);
  }
  const sheet: CoverSheet = {};
  const unknownMembers: IppAttribute[] = [];
  for (const member of value.value) {
    const text = stringValue(member);
    const max = member.name === 'message' ? COVER_SHEET_MESSAGE_MAX : COVER_SHEET_NAME_MAX;
    if (text !== undefined && Buffer.byteLength(text) > max) {
      throw notSupported(`cover-sheet-info ${member.name} is longer than ${max} octets`, attribute);
    }
    const first = member.values[0];
    if (member.name === 'date-time' && first?.type === 'dateTime') sheet.dateTime = first.value;
    else if (member.name === 'date-time' && first?.type === 'boolean') {
      if (first.value) sheet.dateTime = new Date();
    } else if (member.name === 'from-name' && text !== undefined) sheet.fromName = text;
    else if (member.name === 'to-name' && text !== undefined) sheet.toName = text;
    else if (member.name === 'subject' && text !== undefined) sheet.subject = text;
    else if (member.name === 'message' && text !== undefined) sheet.message = text;
    else unknownMembers.push(member);
  }
  if (unknownMembers.length) ignored.push(attr('cover-sheet-info', v.collection(unknownMembers)));
  return sheet;
}

function parseJobRequest(c: Context): JobRequest {
  const destinationUris =
    findAttribute(c.job, 'destination-uris') ?? findAttribute(c.operation, 'destination-uris');
  if (!destinationUris) {
    throw new IppError(StatusCode.clientErrorBadRequest, 'destination-uris is required for a FaxOut job');
  }
  const destinations: JobRequest['destinations'] = [];
  const ignoredValues: IppAttribute['values'] = [];
  for (const value of destinationUris.values) {
    const uriAttribute =
      value.type === 'collection' ? findAttribute(value.value, 'destination-uri') : undefined;
    const uri = stringValue(uriAttribute);
    if (value.type !== 'collection' || uri === undefined || uriAttribute?.values[0]?.type !== 'uri') {
      throw new IppError(
        StatusCode.clientErrorAttributesOrValuesNotSupported,
        'each destination-uris value must be a collection with a destination-uri',
        [destinationUris],
      );
    }
    if (!uri.toLowerCase().startsWith('tel:')) {
      ignoredValues.push(value);
      continue;
    }
    const preDial = stringValue(findAttribute(value.value, 'pre-dial-string')) ?? '';
    // After a pre-dial string (an outside line) the '+' of a global number is not dialled as such.
    const global = normalizeNumber(uri.slice(4).split(';')[0]!);
    const number = preDial ? normalizeNumber(preDial) + global.replace(/^\+/, '') : global;
    if (!isDialable(number)) {
      throw new IppError(StatusCode.clientErrorAttributesOrValuesNotSupported, `cannot dial ${uri}`, [
        destinationUris,
      ]);
    }
    destinations.push({ uri, number });
  }
  if (destinations.length === 0) {
    throw new IppError(
      StatusCode.clientErrorUriSchemeNotSupported,
      'destination-uris has no tel: destination',
      [destinationUris],
    );
  }
  const jobName = stringValue(findAttribute(c.operation, 'job-name'));
  const ignored: IppAttribute[] = ignoredValues.length
    ? [{ name: 'destination-uris', values: ignoredValues }]
    : [];
  const pageRanges = parsePageRanges(c);
  const coverSheet = parseCoverSheet(c, ignored);
  return {
    name: jobName || 'Fax',
    userName: userNameOf(c),
    destinations,
    options: { ...(pageRanges ? { pageRanges } : {}), ...(coverSheet ? { coverSheet } : {}) },
    ignored,
  };
}

function userNameOf(c: Context): string {
  return stringValue(findAttribute(c.operation, 'requesting-user-name')) || 'anonymous';
}

/**
 * The document of Print-Job or Send-Document as the modem keeps it: decompressed, with what was
 * supplied. Decompression stops at the modem's document limit, so a small request cannot make the
 * process inflate (synchronously) or hold more than that.
 */
function documentOf(c: Context): FaxDocument {
  const compression = compressionOf(c);
  const maxBytes = c.modem.limits.maxDocumentBytes;
  const tooLarge = (): IppError =>
    new IppError(
      StatusCode.clientErrorRequestEntityTooLarge,
      `the document is larger than ${maxBytes} bytes${compression === 'none' ? '' : ' once decompressed'}`,
    );
  let data: Buffer = c.request.data;
  try {
    if (compression === 'gzip') data = gunzipSync(data, { maxOutputLength: maxBytes });
    else if (compression === 'deflate') data = inflateSync(data, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new IppError(
      StatusCode.clientErrorCompressionError,
      `the document is not valid ${compression} data`,
    );
  }
  if (data.length > maxBytes) throw tooLarge();
  const format = documentFormat(c, data);
  const name = stringValue(findAttribute(c.operation, 'document-name'));
  const formatVersion =
    stringValue(findAttribute(c.operation, 'document-format-version')) ??
    (data.length ? sniffFormatVersion(format, data) : undefined);
  return {
    format,
    data: Buffer.from(data),
    compression,
    ...(name ? { name } : {}),
    ...(formatVersion ? { formatVersion } : {}),
  };
}

function compressionOf(c: Context): DocumentCompression {
  const compression = stringValue(findAttribute(c.operation, 'compression')) ?? 'none';
  if (!(SUPPORTED_COMPRESSIONS as readonly string[]).includes(compression)) {
    throw new IppError(
      StatusCode.clientErrorCompressionNotSupported,
      `compression ${compression} is not supported`,
      [attr('compression', v.keyword(compression))],
    );
  }
  return compression as DocumentCompression;
}

/** document-format and compression of Print-Job, Send-Document and Validate-Job. */
function documentFormat(c: Context, data: Buffer | undefined): DocumentFormat {
  const declared =
    stringValue(findAttribute(c.operation, 'document-format'))?.toLowerCase() ?? 'application/octet-stream';
  const sniffed = data && data.length ? sniffFormat(data) : undefined;
  if (declared === 'application/octet-stream') {
    if (!data || !data.length) return 'application/pdf';
    if (!sniffed)
      throw new IppError(
        StatusCode.clientErrorDocumentFormatNotSupported,
        'cannot tell what the document is',
      );
    return sniffed;
  }
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(declared)) {
    throw new IppError(StatusCode.clientErrorDocumentFormatNotSupported, `${declared} is not supported`, [
      attr('document-format', v.mimeMediaType(declared)),
    ]);
  }
  if (data && data.length && sniffed !== declared) {
    throw new IppError(StatusCode.clientErrorDocumentFormatError, `the document is not ${declared}`);
  }
  return declared as DocumentFormat;
}

function createdOutcome(c: Context, job: FaxJob, ignored: IppAttribute[]): Outcome {
  return {
    status: ignored.length ? StatusCode.successfulOkIgnoredOrSubstitutedAttributes : StatusCode.successfulOk,
    ...(ignored.length ? { message: ignoredMessage(ignored) } : {}),
    unsupported: ignored,
    groups: [{ tag: GroupTag.job, attributes: jobSummaryAttributes(job, c.printerUri) }],
  };
}

function ignoredMessage(ignored: IppAttribute[]): string {
  return ignored
    .map((a) =>
      a.name === 'destination-uris'
        ? 'destinations that are not tel: URIs were ignored'
        : `${a.name} members this modem cannot print were ignored`,
    )
    .join('; ');
}

function assertAccepting(c: Context): void {
  if (!c.modem.running)
    throw new IppError(StatusCode.serverErrorNotAcceptingJobs, 'the fax modem is not running');
}

function validateJob(c: Context): Outcome {
  const request = parseJobRequest(c);
  compressionOf(c);
  documentFormat(c, undefined);
  return {
    ...(request.ignored.length ? { message: ignoredMessage(request.ignored) } : {}),
    status: request.ignored.length
      ? StatusCode.successfulOkIgnoredOrSubstitutedAttributes
      : StatusCode.successfulOk,
    unsupported: request.ignored,
  };
}

function createJob(c: Context): Outcome {
  const request = parseJobRequest(c);
  assertAccepting(c);
  const job = c.modem.createJob(request);
  return createdOutcome(c, job, request.ignored);
}

function printJob(c: Context): Outcome {
  const request = parseJobRequest(c);
  if (c.request.data.length === 0)
    throw new IppError(StatusCode.clientErrorBadRequest, 'Print-Job without a document');
  const document = documentOf(c);
  assertAccepting(c);
  let job: FaxJob;
  try {
    job = c.modem.printJob(request, document);
  } catch (error) {
    throw mapModemError(error);
  }
  return createdOutcome(c, job, request.ignored);
}

function targetJob(c: Context): FaxJob {
  const jobUri = stringValue(findAttribute(c.operation, 'job-uri'));
  const id =
    integerValue(findAttribute(c.operation, 'job-id')) ??
    (jobUri ? Number(pathOf(jobUri).split('/').pop()) : undefined);
  if (id === undefined || !Number.isInteger(id))
    throw new IppError(StatusCode.clientErrorBadRequest, 'job-id is required');
  const job = c.modem.job(id);
  if (!job) throw new IppError(StatusCode.clientErrorNotFound, `job ${id} does not exist`);
  return job;
}

function sendDocument(c: Context): Outcome {
  const job = targetJob(c);
  const last = booleanValue(findAttribute(c.operation, 'last-document'));
  if (last === undefined) throw new IppError(StatusCode.clientErrorBadRequest, 'last-document is required');
  const document = documentOf(c);
  if (!job.incoming || TERMINAL_STATES.has(job.state)) {
    throw new IppError(StatusCode.clientErrorNotPossible, `job ${job.id} does not accept documents any more`);
  }
  try {
    if (c.request.data.length === 0) {
      if (!last) throw new IppError(StatusCode.clientErrorBadRequest, 'Send-Document without a document');
      c.modem.closeJob(job.id);
    } else {
      c.modem.addDocument(job.id, document, last);
    }
  } catch (error) {
    throw mapModemError(error);
  }
  return { groups: [{ tag: GroupTag.job, attributes: jobSummaryAttributes(job, c.printerUri) }] };
}

function getJobAttributes(c: Context): Outcome {
  const job = targetJob(c);
  const attributes = selectAttributes(
    jobAttributes(job, c.printerUri, (d) => c.modem.upTimeAt(d)),
    requestedAttributes(c),
    JOB_ATTRIBUTE_GROUPS,
  );
  return { groups: [{ tag: GroupTag.job, attributes }] };
}

function getJobs(c: Context): Outcome {
  const which = stringValue(findAttribute(c.operation, 'which-jobs')) ?? 'not-completed';
  if (!['completed', 'not-completed', 'all'].includes(which)) {
    throw new IppError(
      StatusCode.clientErrorAttributesOrValuesNotSupported,
      `which-jobs ${which} is not supported`,
      [attr('which-jobs', v.keyword(which))],
    );
  }
  const limit = integerValue(findAttribute(c.operation, 'limit'));
  const requested = requestedAttributes(c) ?? ['job-id', 'job-uri'];
  const jobs = c.modem
    .jobs()
    .filter((j) => which === 'all' || (which === 'completed') === TERMINAL_STATES.has(j.state))
    .slice(0, limit !== undefined && limit > 0 ? limit : undefined);
  return {
    groups: jobs.map((job) => ({
      tag: GroupTag.job,
      attributes: selectAttributes(
        jobAttributes(job, c.printerUri, (d) => c.modem.upTimeAt(d)),
        requested,
        JOB_ATTRIBUTE_GROUPS,
      ),
    })),
  };
}

function cancelJob(c: Context): Outcome {
  const job = targetJob(c);
  try {
    c.modem.cancelJob(job.id);
  } catch (error) {
    throw mapModemError(error);
  }
  return {};
}

function closeJob(c: Context): Outcome {
  const job = targetJob(c);
  if (TERMINAL_STATES.has(job.state)) {
    throw new IppError(StatusCode.clientErrorNotPossible, `job ${job.id} is already ${job.state}`);
  }
  c.modem.closeJob(job.id);
  return { groups: [{ tag: GroupTag.job, attributes: jobSummaryAttributes(job, c.printerUri) }] };
}

/** Cancel-My-Jobs (PWG 5100.11): the requesting user's jobs, or those listed in job-ids. */
function cancelMyJobs(c: Context): Outcome {
  const jobIds = findAttribute(c.operation, 'job-ids');
  const ids = jobIds?.values.map((value) => {
    if (value.type !== 'integer') throw notSupported('job-ids must be integers', jobIds);
    return value.value;
  });
  try {
    c.modem.cancelMyJobs(userNameOf(c), ids);
  } catch (error) {
    throw mapModemError(error);
  }
  return {};
}

/** Identify-Printer (PWG 5100.13): identify-actions and an optional message. */
function identifyPrinter(c: Context): Outcome {
  const actionsAttribute = findAttribute(c.operation, 'identify-actions');
  const actions = actionsAttribute?.values.map((value) =>
    typeof value.value === 'string' ? value.value : '',
  ) ?? ['display'];
  const unsupported = actions.filter((a) => !(IDENTIFY_ACTIONS as readonly string[]).includes(a));
  if (actionsAttribute && unsupported.length) {
    throw notSupported(`identify-actions ${unsupported.join(', ')} not supported`, actionsAttribute);
  }
  c.modem.identify(actions, stringValue(findAttribute(c.operation, 'message')));
  return {};
}

function mapModemError(error: unknown): unknown {
  if (!(error instanceof FaxModemError)) return error;
  switch (error.code) {
    case 'JOB_NOT_FOUND':
      return new IppError(StatusCode.clientErrorNotFound, error.message);
    case 'MODEM_STOPPED':
      return new IppError(StatusCode.serverErrorNotAcceptingJobs, error.message);
    case 'JOB_NOT_OWNED':
      return new IppError(StatusCode.clientErrorNotAuthorized, error.message);
    case 'DOCUMENT_TOO_LARGE':
    case 'TOO_MANY_DOCUMENTS':
    case 'JOB_TOO_LARGE':
      return new IppError(StatusCode.clientErrorRequestEntityTooLarge, error.message);
    case 'MODEM_FULL':
      // Room frees up as queued jobs are sent: server-error-busy tells the client to try again later.
      return new IppError(StatusCode.serverErrorBusy, error.message);
    case 'JOB_NOT_INCOMING':
    case 'JOB_NOT_CANCELABLE':
      return new IppError(StatusCode.clientErrorNotPossible, error.message);
  }
}
