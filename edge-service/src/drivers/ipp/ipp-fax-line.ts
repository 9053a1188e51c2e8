/**
 * The edge's FaxLine over IPP FaxOut (PWG 5100.15): Create-Job with one `destination-uris` entry
 * per recipient (with the `pre-dial-string` when there is one), Send-Document with the whole
 * document, Get-Job-Attributes to follow it.
 */
import type {
  DeviceBoot,
  FaxLogEntry,
  DestinationState,
  DestinationStatus,
  FaxDocument,
  FaxJobStatus,
  FaxLine,
  FaxLineCapabilities,
  FaxSubmitOptions,
  FoundFaxJob,
} from '../../domain/fax-line.ts';
import { EdgeError } from '../../edge-error.ts';
import type { Logger } from '../../logger.ts';
import { failureFromReasons } from './fax-failure-reasons.ts';
import { readCappedBody } from '../read-capped-body.ts';
import { groupOf, IppClient, IppError, valuesOf } from './ipp-client.ts';
import type { IppAttributes, IppAttributeValue, IppCollection, IppDecodedResponse } from './node-ipp.ts';

export interface IppFaxLineOptions {
  /** The FaxOut service, e.g. `ipp://127.0.0.1:8090/ipp/faxout`. */
  url: string;
  fetch?: typeof fetch;
  logger?: Logger;
  timeouts?: {
    /** Every operation but Send-Document. */
    requestMs?: number;
    /** Send-Document carries the whole document: a slow device may take a while to take it. */
    sendDocumentMs?: number;
  };
  userName?: string;
}

const PRINTER_ATTRIBUTES = [
  'ipp-features-supported',
  'destination-uri-schemes-supported',
  'document-format-supported',
  'printer-make-and-model',
  'multiple-destination-uris-supported',
  'operations-supported',
];

const JOB_ATTRIBUTES = [
  'job-id',
  'job-state',
  'job-state-reasons',
  'job-state-message',
  'job-impressions-completed',
  'job-pages-completed',
  'destination-statuses',
  'destination-uris',
  // What tells our job from another that a restarted modem numbered the same.
  'job-name',
  'job-uuid',
];

const FOUND_JOB_ATTRIBUTES = [...JOB_ATTRIBUTES, 'number-of-documents'];

/** A transmission log is a few KB per job; a device sending more is not sending a log. */
const MAX_FAX_LOG_BYTES = 4 * 1024 * 1024;

const JOB_STATES: Record<string, FaxJobStatus['state']> = {
  pending: 'pending',
  'pending-held': 'pending',
  processing: 'processing',
  'processing-stopped': 'processing',
  completed: 'completed',
  aborted: 'aborted',
  canceled: 'cancelled',
};
const JOB_STATE_NUMBERS: Record<number, string> = {
  3: 'pending',
  4: 'pending-held',
  5: 'processing',
  6: 'processing-stopped',
  7: 'canceled',
  8: 'aborted',
  9: 'completed',
};

export class IppFaxLine implements FaxLine {
  readonly #client: IppClient;
  readonly #sendDocumentMs: number;
  readonly #logger: Logger | undefined;
  readonly #fetch: typeof fetch;
  readonly #requestMs: number;

  constructor(options: IppFaxLineOptions) {
    this.#client = new IppClient({
      url: options.url,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeouts?.requestMs ? { timeoutMs: options.timeouts.requestMs } : {}),
      ...(options.userName ? { userName: options.userName } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    this.#sendDocumentMs = options.timeouts?.sendDocumentMs ?? 120_000;
    this.#logger = options.logger;
    this.#fetch = options.fetch ?? fetch;
    this.#requestMs = options.timeouts?.requestMs ?? 15_000;
  }

  async capabilities(): Promise<FaxLineCapabilities> {
    const response = await this.#call('Get-Printer-Attributes', {
      operationAttributes: { 'requested-attributes': PRINTER_ATTRIBUTES },
    });
    const printer = groupOf(response, 'printer-attributes-tag');
    const features = strings(printer['ipp-features-supported']);
    const schemes = strings(printer['destination-uri-schemes-supported']).map((s) => s.toLowerCase());
    if (!features.includes('faxout'))
      throw new EdgeError(
        'FAX_UNSUPPORTED',
        `${this.#client.printerUri} does not offer FaxOut (no "faxout" feature).`,
      );
    if (!schemes.includes('tel'))
      throw new EdgeError('FAX_UNSUPPORTED', `${this.#client.printerUri} does not dial tel: destinations.`);
    const operations = strings(printer['operations-supported']);
    for (const needed of ['Create-Job', 'Send-Document'])
      if (operations.length > 0 && !operations.includes(needed))
        throw new EdgeError('FAX_UNSUPPORTED', `${this.#client.printerUri} does not support ${needed}.`);
    return {
      makeAndModel: text(printer['printer-make-and-model']) ?? 'Unknown IPP fax',
      documentFormats: strings(printer['document-format-supported']),
      multipleDestinations: printer['multiple-destination-uris-supported'] === true,
    };
  }

  async submit(
    document: FaxDocument,
    destinations: string[],
    options: FaxSubmitOptions = {},
  ): Promise<number> {
    if (destinations.length === 0) throw new EdgeError('NO_RECIPIENTS');
    const uris = destinations.map(toTelUri);
    const preDial = options.preDialString;
    const created = await this.#call('Create-Job', {
      operationAttributes: { 'job-name': options.jobName ?? document.name },
      jobAttributes: {
        'destination-uris': uris.map((uri): IppCollection =>
          preDial ? { 'destination-uri': uri, 'pre-dial-string': preDial } : { 'destination-uri': uri },
        ),
      },
    });
    const jobId = groupOf(created, 'job-attributes-tag')['job-id'];
    if (typeof jobId !== 'number')
      throw new EdgeError('FAX_ERROR', 'The fax modem accepted the job but gave no job id.');
    try {
      await this.#call(
        'Send-Document',
        {
          operationAttributes: {
            'job-id': jobId,
            'document-format': document.contentType,
            'document-name': document.name,
            'last-document': true,
          },
          data: document.data,
          timeoutMs: this.#sendDocumentMs,
        },
        jobId,
      );
    } catch (error) {
      // A job without its document would sit on the device until it times out.
      await this.cancel(jobId).catch((cancelError: unknown) =>
        this.#logger?.warn({ jobId, err: cancelError }, 'cannot cancel a job whose document failed'),
      );
      throw error;
    }
    this.#logger?.info({ jobId, destinations: uris.length, pages: document.pages }, 'fax job submitted');
    return jobId;
  }

  async status(jobId: number): Promise<FaxJobStatus> {
    const response = await this.#call(
      'Get-Job-Attributes',
      { operationAttributes: { 'job-id': jobId, 'requested-attributes': JOB_ATTRIBUTES } },
      jobId,
    );
    return toFaxJobStatus(jobId, groupOf(response, 'job-attributes-tag'));
  }

  /**
   * Get-Jobs for all jobs (falling back to completed + not-completed for devices that refuse
   * which-jobs=all), filtered on job-name. Used after a restart to learn whether a Create-Job the
   * edge recorded the intent of reached the device, so it never sends the same fax twice.
   */
  async findJobs(name: string): Promise<FoundFaxJob[]> {
    let groups: IppAttributes[];
    try {
      groups = await this.#getJobs('all');
    } catch (error) {
      if (!(error instanceof EdgeError) || error.code !== 'FAX_UNSUPPORTED') throw error;
      groups = [...(await this.#getJobs('not-completed')), ...(await this.#getJobs('completed'))];
    }
    const found = groups
      .filter((job) => text(job['job-name']) === name)
      .flatMap((job): FoundFaxJob[] => {
        const jobId = count(job['job-id']);
        if (jobId === undefined) return [];
        return [
          {
            ...toFaxJobStatus(jobId, job),
            name,
            documents: count(job['number-of-documents']) ?? null,
          },
        ];
      });
    return found.sort((a, b) => b.jobId - a.jobId);
  }

  async #getJobs(which: 'all' | 'completed' | 'not-completed'): Promise<IppAttributes[]> {
    const response = await this.#call('Get-Jobs', {
      operationAttributes: { 'which-jobs': which, 'requested-attributes': FOUND_JOB_ATTRIBUTES },
    });
    return response.groups.filter((g) => g.name === 'job-attributes-tag').map((g) => g.attributes);
  }

  async boot(): Promise<DeviceBoot> {
    const response = await this.#call('Get-Printer-Attributes', {
      operationAttributes: { 'requested-attributes': ['printer-up-time', 'printer-uuid'] },
    });
    const printer = groupOf(response, 'printer-attributes-tag');
    const upTime = count(printer['printer-up-time']);
    if (upTime === undefined)
      throw new EdgeError('FAX_ERROR', `${this.#client.printerUri} reports no printer-up-time.`);
    return { printerUuid: text(printer['printer-uuid']) ?? null, bootedAt: Date.now() - upTime * 1000 };
  }

  /**
   * The log at printer-fax-log-uri, in the JSON shape `mfp-edge simulator` serves (a list of jobs with
   * `name`, `jobUuid`, `pages` and `destinations: [{uri, status, imagesCompleted}]`). Other devices'
   * logs (HTML pages mostly) prove nothing to the edge: null.
   */
  async faxLog(): Promise<FaxLogEntry[] | null> {
    const response = await this.#call('Get-Printer-Attributes', {
      operationAttributes: { 'requested-attributes': ['printer-fax-log-uri'] },
    });
    const uri = text(groupOf(response, 'printer-attributes-tag')['printer-fax-log-uri']);
    if (!uri || !/^https?:\/\//i.test(uri)) return null;
    let body: Buffer;
    try {
      const answer = await this.#fetch(uri, { signal: AbortSignal.timeout(this.#requestMs) });
      if (!answer.ok || !/json/i.test(answer.headers.get('content-type') ?? '')) return null;
      body = await readCappedBody(answer, { maxBytes: MAX_FAX_LOG_BYTES });
    } catch (error) {
      this.#logger?.warn({ err: error, uri }, 'cannot read the fax log');
      return null;
    }
    return parseFaxLog(body);
  }

  async cancel(jobId: number): Promise<void> {
    await this.#call('Cancel-Job', { operationAttributes: { 'job-id': jobId } }, jobId);
  }

  async #call(
    operation: string,
    options: Parameters<IppClient['call']>[1],
    jobId?: number,
  ): Promise<IppDecodedResponse> {
    try {
      return await this.#client.call(operation, options);
    } catch (error) {
      throw toEdgeError(error, operation, jobId);
    }
  }
}

function toTelUri(destination: string): string {
  const trimmed = destination.trim();
  if (/\s/.test(trimmed) || trimmed === '')
    throw new EdgeError('INVALID_NUMBER', `Not a fax number: "${destination}".`);
  return /^tel:/i.test(trimmed) ? `tel:${trimmed.slice(4)}` : `tel:${trimmed}`;
}

function toEdgeError(error: unknown, operation: string, jobId: number | undefined): EdgeError {
  if (error instanceof EdgeError) return error;
  if (!(error instanceof IppError)) return EdgeError.from(error);
  const details = { cause: error };
  // No answer at all: the engine tells this apart, since the device may hold the job or may be off.
  if (error.code === 'network' || error.code === 'timeout')
    return new EdgeError('FAX_UNREACHABLE', error.message, details);
  if (error.code === 'status') {
    const status = error.status ?? '';
    if (jobId !== undefined && (status === 'client-error-not-found' || status === 'client-error-gone'))
      return new EdgeError('JOB_NOT_FOUND', `The fax modem has no job ${jobId} (${status}).`, details);
    if (operation === 'Cancel-Job' && status === 'client-error-not-possible')
      return new EdgeError('JOB_FINISHED', `Fax job ${jobId} has already finished (${status}).`, details);
    if (
      status === 'server-error-operation-not-supported' ||
      status === 'client-error-uri-scheme-not-supported' ||
      ((operation === 'Create-Job' || operation === 'Get-Jobs') &&
        status === 'client-error-attributes-or-values-not-supported')
    )
      return new EdgeError('FAX_UNSUPPORTED', error.message, details);
  }
  return new EdgeError('FAX_ERROR', error.message, details);
}

function strings(value: IppAttributeValue | undefined): string[] {
  return valuesOf(value).flatMap((v) => (typeof v === 'string' ? [v] : []));
}

function text(value: IppAttributeValue | undefined): string | undefined {
  const first = valuesOf(value)[0];
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && 'lang' in first && typeof first.value === 'string')
    return first.value;
  return undefined;
}

function count(value: IppAttributeValue | undefined): number | undefined {
  const first = valuesOf(value)[0];
  return typeof first === 'number' && first >= 0 ? first : undefined;
}

function jobStateOf(value: IppAttributeValue | undefined): FaxJobStatus['state'] {
  const raw = valuesOf(value)[0];
  const keyword = typeof raw === 'number' ? JOB_STATE_NUMBERS[raw] : raw;
  return (typeof keyword === 'string' ? JOB_STATES[keyword] : undefined) ?? 'pending';
}

function isCollection(value: unknown): value is IppCollection {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !Buffer.isBuffer(value) &&
    !(value instanceof Date)
  );
}

/** Reason keywords a vendor may put in a destination-statuses entry, beside the standard members. */
function memberReasons(entry: IppCollection): string[] {
  return Object.entries(entry)
    .filter(([member]) => member !== 'destination-uri' && member !== 'transmission-status')
    .flatMap(([, value]) => strings(value));
}

function destinationState(
  transmission: IppAttributeValue | undefined,
  jobState: FaxJobStatus['state'],
  pagesSent: number,
  reasons: string[],
): { state: DestinationState; cancelled: boolean } {
  const raw = valuesOf(transmission)[0];
  const reported = typeof raw === 'number' ? JOB_STATE_NUMBERS[raw] : raw;
  // A finished job settles destinations the device left pending or processing.
  const jobFinished = jobState === 'completed' || jobState === 'aborted' || jobState === 'cancelled';
  const settled = reported === 'completed' || reported === 'aborted' || reported === 'canceled';
  const status = jobFinished && !settled ? jobState : (reported ?? jobState);
  switch (status) {
    case 'pending':
    case 'pending-retry':
      return { state: 'pending', cancelled: false };
    case 'completed':
      return { state: 'delivered', cancelled: false };
    case 'aborted':
      return { state: 'failed', cancelled: false };
    case 'canceled':
    case 'cancelled':
      return { state: 'failed', cancelled: true };
    default:
      if (reasons.some((r) => /dial/.test(r))) return { state: 'dialing', cancelled: false };
      if (reasons.some((r) => /send|transmit/.test(r))) return { state: 'sending', cancelled: false };
      return { state: pagesSent > 0 ? 'sending' : 'dialing', cancelled: false };
  }
}

function toFaxJobStatus(jobId: number, job: IppAttributes): FaxJobStatus {
  const state = jobStateOf(job['job-state']);
  const jobReasons = strings(job['job-state-reasons']);
  const stateMessage = text(job['job-state-message']);
  const entries = valuesOf(job['destination-statuses']).filter(isCollection);
  const fromUris = valuesOf(job['destination-uris'])
    .filter(isCollection)
    .map((c): IppCollection => ({ 'destination-uri': c['destination-uri'] ?? null }));
  const destinations: DestinationStatus[] = (entries.length > 0 ? entries : fromUris).map((entry) => {
    const pagesSent = count(entry['images-completed']) ?? 0;
    const reasons = [...memberReasons(entry), ...jobReasons];
    const { state: destState, cancelled } = destinationState(
      entry['transmission-status'],
      state,
      pagesSent,
      reasons,
    );
    const status: DestinationStatus = {
      uri: text(entry['destination-uri']) ?? '',
      state: destState,
      pagesSent,
    };
    if (destState === 'failed') {
      if (cancelled) status.errorMessage = 'cancelled';
      else {
        const failure = failureFromReasons(reasons);
        status.errorCode = failure.code;
        status.errorMessage = stateMessage ?? failure.message;
      }
    }
    return status;
  });
  const pagesCompleted =
    count(job['job-impressions-completed']) ??
    count(job['job-pages-completed']) ??
    Math.max(0, ...destinations.map((d) => d.pagesSent));
  const name = text(job['job-name']);
  const uuid = text(job['job-uuid']);
  return { jobId, state, pagesCompleted, destinations, ...(name ? { name } : {}), ...(uuid ? { uuid } : {}) };
}

/** The simulator's JSON fax log, or null for anything else; entries that do not fit are left out. */
export function parseFaxLog(body: Buffer): FaxLogEntry[] | null {
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(data)) return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
  return data.flatMap((raw): FaxLogEntry[] => {
    if (typeof raw !== 'object' || raw === null) return [];
    const entry = raw as Record<string, unknown>;
    const destinations = Array.isArray(entry.destinations) ? (entry.destinations as unknown[]) : [];
    return [
      {
        name: str(entry.name),
        uuid: str(entry.jobUuid),
        pages: num(entry.pages),
        destinations: destinations.flatMap((d) => {
          if (typeof d !== 'object' || d === null) return [];
          const { uri, status, result, imagesCompleted, pagesSent } = d as Record<string, unknown>;
          if (typeof uri !== 'string') return [];
          // `result` (completed | partial | failed …) where the log has it, else the transmission status.
          const completed = result === undefined ? status === 'completed' : result === 'completed';
          return [{ uri, completed, pagesSent: num(pagesSent) ?? num(imagesCompleted) ?? 0 }];
        }),
      },
    ];
  });
}
