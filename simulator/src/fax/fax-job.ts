import type { DocumentFormat } from './fax-document-decoder.ts';
import type { FaxInterruption } from './fax-log-entry.ts';

/** RFC 8011 job states; PWG 5100.15 reuses them as each destination's transmission-status. */
export type FaxJobState =
  'pending' | 'pending-held' | 'processing' | 'processing-stopped' | 'canceled' | 'aborted' | 'completed';

export const TERMINAL_STATES: ReadonlySet<FaxJobState> = new Set(['canceled', 'aborted', 'completed']);

/**
 * Why a destination failed, as job-state-reasons keywords. Not registered with IANA (PWG 5100.15
 * defines none for line conditions); named like the registered `fax-*` keywords so clients can
 * show "busy" or "no answer" instead of a generic failure.
 */
export type FaxFailureReason = 'fax-busy' | 'fax-no-answer' | 'fax-line-down' | 'fax-connection-lost';

export interface FaxDestination {
  uri: string;
  /** Digits dialled (pre-dial string included), separators removed. */
  number: string;
  imagesCompleted: number;
  transmissionStatus: FaxJobState;
  failure?: FaxFailureReason;
}

export type DocumentCompression = 'none' | 'gzip' | 'deflate';

export interface FaxDocument {
  format: DocumentFormat;
  /**
   * Already decompressed. Emptied once the job's pages are decoded or the job ends: what the remote
   * machines received is kept, not what was sent.
   */
  data: Buffer;
  /** What the client sent (compression-supplied, document-*-supplied). */
  compression?: DocumentCompression;
  name?: string;
  formatVersion?: string;
}

/** The cover sheet PWG 5100.15 lets a client ask for (cover-sheet-info); the modem prints it first. */
export interface CoverSheet {
  fromName?: string;
  toName?: string;
  subject?: string;
  message?: string;
  /** The date and time printed on it (the client's, or when the job was created). */
  dateTime?: Date;
}

/** Job template options that change what is sent. */
export interface FaxJobOptions {
  /** page-ranges: 1-based, inclusive, ascending. */
  pageRanges?: { lower: number; upper: number }[];
  coverSheet?: CoverSheet;
}

export interface FaxJob {
  id: number;
  /** job-uuid (PWG 5100.13), a urn:uuid: URI. */
  uuid: string;
  name: string;
  userName: string;
  state: FaxJobState;
  /** job-state-reasons, in the order they arose. */
  reasons: string[];
  stateMessage: string;
  destinations: FaxDestination[];
  documents: FaxDocument[];
  /** True until the last document arrived (Send-Document last-document=true or Close-Job). */
  incoming: boolean;
  options: FaxJobOptions;
  /** Pages of the document once decoded. */
  pageCount?: number;
  createdAt: Date;
  /** Set when the job ended because the device went off (see FaxInterruption). */
  interruptedBy?: FaxInterruption;
  processingAt?: Date;
  completedAt?: Date;
}

/** Pages transmitted, over all destinations (job-impressions-completed). */
export function impressionsCompleted(job: FaxJob): number {
  return job.destinations.reduce((sum, d) => sum + d.imagesCompleted, 0);
}

/** Keeps the pages page-ranges selects (all when there are no ranges). */
export function selectPages<T>(pages: T[], ranges: FaxJobOptions['pageRanges']): T[] {
  if (!ranges?.length) return pages;
  return pages.filter((_, i) => ranges.some((r) => i + 1 >= r.lower && i + 1 <= r.upper));
}
