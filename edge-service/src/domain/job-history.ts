import type { ErrorBody, JobState } from '../../../protocol/index.ts';
import type { FaxJobOptions, JobSource, RecipientState } from './job.ts';

/**
 * The console's view of sent faxes (issue 10, "Jobs and usage"): who, which device, pages, each
 * destination, the result, duration and line time. A read model beside the JobRepository the engine
 * writes through; SQLite at the edge (storage/sqlite-job-history.ts).
 */

/**
 * What became of a fax, for people: `partial` is a failed job that reached some of its recipients;
 * a cancelled job stays `cancelled` even when a recipient got it first; `active` is not finished.
 */
export const JOB_RESULTS = ['delivered', 'failed', 'cancelled', 'partial', 'active'] as const;
export type JobResult = (typeof JOB_RESULTS)[number];
export type FinishedJobResult = Exclude<JobResult, 'active'>;
export const FINISHED_JOB_RESULTS = ['delivered', 'failed', 'cancelled', 'partial'] as const;

export interface JobHistoryFilter {
  enterpriseId: string;
  /** Created at or after (ISO 8601 instant). */
  from?: string;
  /** Created before (ISO 8601 instant). */
  to?: string;
  userId?: string;
  deviceId?: string;
  result?: JobResult;
  source?: JobSource;
}

export interface JobHistoryRecipient {
  position: number;
  /** E.164 */
  number: string;
  state: RecipientState;
  pagesSent: number;
  attempts: number;
  error: ErrorBody | null;
  /** The last attempt's dial start and end (ISO 8601), when the line was used. */
  dialStartedAt: string | null;
  dialEndedAt: string | null;
  /** Milliseconds on the line for this number, over every attempt that settled. */
  lineMs: number;
}

export interface JobHistoryEntry {
  id: string;
  seq: number;
  state: JobState;
  result: JobResult;
  createdAt: string;
  finishedAt: string | null;
  /** Null for a job sent by nobody signed in, or whose user was deleted. */
  user: { id: string; displayName: string; email: string } | null;
  device: { id: string; name: string };
  options: FaxJobOptions;
  /** Pages of the document (scanned so far, while scanning). */
  pages: number;
  pagesSent: number;
  /** Device jobs handed over (each retry is one more). */
  attempts: number;
  resentAfterRestart: number;
  error: ErrorBody | null;
  /** Sum of the recipients' line time. */
  lineMs: number;
  /** Scanned at a panel, or emailed (email-to-fax). */
  source: JobSource;
  /** An emailed job: the address it came from (a trusted-domain sender has no user). */
  emailSender: string | null;
  recipients: JobHistoryRecipient[];
}

/** A finished job as the usage chart counts it. */
export interface JobUsageEntry {
  createdAt: string;
  result: FinishedJobResult;
  pages: number;
}

export interface JobHistory {
  /** Newest first (creation time). */
  list(filter: JobHistoryFilter, page: { offset: number; limit: number }): JobHistoryEntry[];
  count(filter: JobHistoryFilter): number;
  /** Null when there is no such job in that enterprise. */
  get(enterpriseId: string, id: string): JobHistoryEntry | null;
  /** Finished jobs only (not `active`). */
  usage(filter: Omit<JobHistoryFilter, 'result'>): JobUsageEntry[];
}
