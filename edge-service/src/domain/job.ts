import type {
  ContentType,
  ErrorBody,
  JobState,
  JobView,
  FaxResolution,
  OriginalSize,
  PageView,
  ScanSource,
} from '../../../protocol/index.ts';
import { isFinalJobState } from '../../../protocol/index.ts';

/** A cover page as stored with its job: every name resolved when the job was accepted. */
export interface CoverPageOptions {
  subject: string;
  note: string;
  /** The sender as the page names them (the person or shared account, and the enterprise). */
  senderName: string;
  /** Null: the page lists the recipients' numbers only. */
  recipientName: string | null;
}

export interface FaxJobOptions {
  resolution: FaxResolution;
  source: ScanSource;
  duplex: boolean;
  originalSize: OriginalSize;
  contentType: ContentType;
  skipBlankPages: boolean;
  /** Null: no cover page. */
  cover: CoverPageOptions | null;
}

/** Options as a caller gives them: the three of the first cut, the rest defaulting as for old jobs. */
export type FaxJobOptionsInput = Pick<FaxJobOptions, 'resolution' | 'source' | 'duplex'> &
  Partial<FaxJobOptions>;

/** What a job sent before an option existed did: scan A4 as text, keep every page, no cover. */
const OPTION_DEFAULTS = {
  originalSize: 'a4',
  contentType: 'text',
  skipBlankPages: false,
  cover: null,
} as const satisfies Partial<FaxJobOptions>;

/**
 * Options as stored (JSON in the jobs table), with the defaults for the fields an older edge did not
 * write. Old jobs keep behaving as they were accepted: A4 (what the engine always scanned), not auto.
 */
export function readFaxJobOptions(stored: unknown): FaxJobOptions {
  const o = (typeof stored === 'object' && stored !== null ? stored : {}) as Partial<FaxJobOptions>;
  return {
    resolution: o.resolution ?? 'fine',
    source: o.source ?? 'adf',
    duplex: o.duplex ?? false,
    originalSize: o.originalSize ?? OPTION_DEFAULTS.originalSize,
    contentType: o.contentType ?? OPTION_DEFAULTS.contentType,
    skipBlankPages: o.skipBlankPages ?? OPTION_DEFAULTS.skipBlankPages,
    cover: o.cover ?? OPTION_DEFAULTS.cover,
  };
}

export type RecipientState = JobView['recipients'][number]['state'];

export interface RecipientRecord {
  position: number;
  /** E.164 */
  number: string;
  state: RecipientState;
  pagesSent: number;
  error?: ErrorBody;
  /** How many device jobs dialled this recipient so far. */
  attempts: number;
  /** The job attempt (JobRecord.attempt) that last dialled this recipient; 0 before the first. */
  lastAttempt: number;
  /**
   * Line time of the current attempt: when the line was first seen dialling this number, and when
   * the recipient settled (delivered or failed). Null until then; a new attempt clears both.
   */
  dialStartedAt: string | null;
  dialEndedAt: string | null;
  /** Milliseconds the fax line was in use for this recipient, summed over every attempt. */
  lineMs: number;
}

export interface JobRecord {
  id: string;
  seq: number;
  /** The enterprise the job was sent for (the device's, when the job was created). */
  enterpriseId: string;
  deviceId: string;
  userId: string | null;
  state: JobState;
  options: FaxJobOptions;
  pagesScanned: number;
  pagesSent: number;
  totalPages: number | null;
  /** Scanned pages skipBlankPages left out as blank (derived from the pages, never stored apart). */
  pagesSkipped: number;
  /** The fax modem's job id once the document was handed over: what makes a resend avoidable. */
  deviceJobId: number | null;
  /** Device jobs handed over so far (the first is 1); each retry of failed recipients is one more. */
  attempt: number;
  /**
   * The job name the current attempt carries to the fax modem (`mfp-edge:<job id>:<attempt>`),
   * written BEFORE Create-Job. Set with no deviceJobId means a hand-over may have happened: after a
   * crash the modem's job list is searched for it instead of sending again.
   */
  submitTag: string | null;
  /** In retry-wait: when the next attempt starts (ISO 8601). */
  retryAt: string | null;
  /** The modem's job-uuid of the current device job, once the modem told it. */
  deviceJobUuid: string | null;
  /** Which boot of the modem took the current device job (see DeviceBoot), as JSON. */
  deviceBoot: string | null;
  /** Times the printer lost this fax part-way (it restarted, or stopped answering) and it was sent again. */
  resentAfterRestart: number;
  /** The eSCL job being read while scanning: an edge restart carries on with it if the device still has it. */
  scanJobUrl: string | null;
  /**
   * Pages kept before the current scan job began: 0 for the first, the kept pages for a scan started
   * by Resume (the device numbers its pages from 1, the job numbers them after these).
   */
  scanBase: number;
  /** In needs-attention: when the job stops waiting for Resume and fails (ISO 8601). */
  attentionUntil: string | null;
  /** The pages spooled so far, in order. */
  pages: JobPageRecord[];
  error?: ErrorBody;
  createdAt: string;
  updatedAt: string;
  /** When the job took its final state; null while it runs. */
  finishedAt: string | null;
  /** When the modem took the current attempt's document (where line time starts if dialling went unseen). */
  handedOverAt: string | null;
  /** Where the job came from: scanned at a panel, or emailed (email-to-fax). */
  source: JobSource;
  recipients: RecipientRecord[];
}

export type JobSource = 'panel' | 'email';

/** A new job; `prepared`: its pages are in the spool already (an email's), so it skips the scan. */
export interface NewJob {
  deviceId: string;
  userId: string | null;
  options: FaxJobOptionsInput;
  recipients: string[];
  prepared?: {
    /** The id the spool folder was written under. */
    id: string;
    source: JobSource;
    pages: JobPageRecord[];
    totalPages: number;
  };
}

export interface JobPageRecord {
  number: number;
  scanFile: string;
  faxFile: string | null;
  /** skipBlankPages: the page converted to (almost) no ink and is left out of the fax. */
  blank?: boolean;
  /** The page's small PNG preview in the spool; null when it could not be made. */
  thumbFile?: string | null;
}

export type JobPatch = Partial<
  Pick<
    JobRecord,
    | 'state'
    | 'pagesScanned'
    | 'pagesSent'
    | 'totalPages'
    | 'deviceJobId'
    | 'submitTag'
    | 'retryAt'
    | 'deviceJobUuid'
    | 'deviceBoot'
    | 'resentAfterRestart'
    | 'scanJobUrl'
    | 'handedOverAt'
    | 'scanBase'
    | 'attentionUntil'
  >
> & { error?: ErrorBody | null };

export type RecipientPatch = Partial<Pick<RecipientRecord, 'state' | 'pagesSent'>> & {
  error?: ErrorBody | null;
};

/** Storage of jobs; SQLite at the edge today, and the seam for a central store later. */
export interface JobRepository {
  create(input: NewJob): JobRecord;
  /**
   * Gives a job to another device, only while nothing was handed over for it (no tag, no device
   * job): an email job waiting for a printer that went offline. Null when it may not move.
   */
  moveToDevice(id: string, deviceId: string): JobRecord | null;
  get(id: string): JobRecord | null;
  /** Newest first; only `userId`'s jobs when given. */
  listByDevice(deviceId: string, limit: number, userId?: string): JobRecord[];
  listUnfinished(): JobRecord[];
  /** A patch to a final state also records finishedAt (once). */
  update(id: string, patch: JobPatch): JobRecord;
  /**
   * A state change also keeps the recipient's line time, in the same transaction: the first change
   * to dialing or sending starts the attempt's span (dialStartedAt); the first to delivered or
   * failed ends it (dialEndedAt), starting from the job's handedOverAt when no dialling was seen;
   * pending again (an attempt taken up again) reopens it. lineMs is the earlier attempts (summed by
   * beginAttempt) plus this settled span. A write lost to a crash is redone by the resumed follow.
   */
  updateRecipient(id: string, position: number, patch: RecipientPatch): void;
  addPage(id: string, page: JobPageRecord): void;
  /** `blank`: the converted page is left out (skipBlankPages); kept with the page so a restart agrees. */
  setPageFaxFile(id: string, number: number, faxFile: string, blank?: boolean): void;
  pages(id: string): JobPageRecord[];
  /** Forgets the pages numbered above `keep` (a duplex sheet whose back was lost goes back whole). */
  removePagesAfter(id: string, keep: number): void;
  /**
   * Records the intent of a new attempt in one write: the attempt number, its tag, no device job
   * yet, and the recipients it dials (their attempt counters move on, their dial times clear).
   * Returns the job as stored.
   */
  beginAttempt(id: string, attempt: { number: number; tag: string; positions: number[] }): JobRecord;
  /** Runs `work` as one atomic unit of storage. */
  atomically<T>(work: () => T): T;
  /** Finished jobs last changed before `before` whose spooled pages are still on disk. */
  listSpoolExpired(before: string, limit: number): JobRecord[];
  /** Notes that the job's spooled pages were removed (does not change updatedAt). */
  markSpoolPurged(id: string): void;
}

export function isFinal(state: JobState): boolean {
  return isFinalJobState(state);
}

export function toJobView(job: JobRecord): JobView {
  const view: JobView = {
    id: job.id,
    state: job.state,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    resolution: job.options.resolution,
    pagesScanned: job.pagesScanned,
    pagesSent: job.pagesSent,
    totalPages: job.totalPages,
    recipients: job.recipients.map((r) => ({
      number: r.number,
      state: r.state,
      ...(r.error ? { error: r.error } : {}),
    })),
  };
  if (job.error) view.error = job.error;
  if (job.state === 'retry-wait' && job.retryAt) view.retryAt = job.retryAt;
  if (job.resentAfterRestart > 0) view.resentAfterRestart = job.resentAfterRestart;
  const o = job.options;
  view.options = {
    source: o.source,
    duplex: o.duplex,
    originalSize: o.originalSize,
    contentType: o.contentType,
    skipBlankPages: o.skipBlankPages,
    cover: o.cover !== null,
  };
  if (job.pagesSkipped > 0) view.pagesSkipped = job.pagesSkipped;
  if (job.pages.length > 0) view.pages = pageViews(job);
  if (job.state === 'needs-attention') view.attention = attentionOf(job);
  return view;
}

/**
 * Each page's progress. A page is sent once every recipient has it: a delivered recipient has every
 * page, one on the line has its pagesSent (the modem's counter), one failed or waiting to retry has
 * none of this attempt. It is sending while a recipient on the line is at it.
 */
export function pageViews(job: JobRecord): PageView[] {
  const total = job.totalPages ?? job.pages.length;
  const reached = job.recipients.map((r) => (r.state === 'delivered' ? total : r.pagesSent));
  const onTheLine = job.recipients.filter((r) => r.state === 'sending').map((r) => r.pagesSent + 1);
  return job.pages.map((page) => {
    const sentTo = reached.filter((n) => n >= page.number).length;
    const state: PageView['state'] =
      job.recipients.length > 0 && sentTo === job.recipients.length
        ? 'sent'
        : onTheLine.includes(page.number)
          ? 'sending'
          : page.faxFile
            ? 'compressed'
            : 'scanned';
    return { number: page.number, state, sentTo };
  });
}

/** The sheets to put back: the one the feeder stopped on (not scanned) and every one after it. */
export function attentionOf(job: JobRecord): NonNullable<JobView['attention']> {
  const kept = job.pages.length;
  const duplex = job.options.duplex;
  return {
    pagesKept: kept,
    fromPage: kept + 1,
    fromSheet: duplex ? Math.floor(kept / 2) + 1 : kept + 1,
    duplex,
    until: job.attentionUntil ?? job.updatedAt,
  };
}
