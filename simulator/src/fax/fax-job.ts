import type { DocumentFormat } from './fax-document-decoder.ts';

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

export interface FaxDocument {
  format: DocumentFormat;
  data: Buffer;
}

export interface FaxJob {
  id: number;
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
  /** Pages of the document once decoded. */
  pageCount?: number;
  createdAt: Date;
  processingAt?: Date;
  completedAt?: Date;
}

/** Pages transmitted, over all destinations (job-impressions-completed). */
export function impressionsCompleted(job: FaxJob): number {
  return job.destinations.reduce((sum, d) => sum + d.imagesCompleted, 0);
}
