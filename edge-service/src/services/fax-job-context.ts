import type { DeviceRecord } from '../domain/device.ts';
import type { FaxPolicy } from '../domain/fax-retry-policy.ts';
import type { JobPatch, JobRecord, RecipientRecord } from '../domain/job.ts';
import type { FaxJobEngineOptions } from './fax-job-engine.ts';

/*
 * What the fax job engine's stages (scan, hand-over, follow) share with it: its options, and the
 * writes that are announced ('job' events) so what a panel sees is what survives a crash.
 */
export interface FaxJobContext {
  readonly options: FaxJobEngineOptions;
  /** Writes the patch, announces the job, returns it as stored. */
  update(job: JobRecord, patch: JobPatch): JobRecord;
  /** Announces a job written by other means (a transaction, beginAttempt). */
  emit(job: JobRecord): void;
  /** Announces a page just spooled, with its thumbnail (the panel's job.page). */
  page(job: JobRecord, page: { number: number; thumbnail: Buffer | null }): void;
  /** Ends the job: open recipients fail with `error`, the job takes its final state, in one transaction. */
  finish(
    job: JobRecord,
    state: 'failed' | 'cancelled',
    error: NonNullable<JobRecord['error']>,
    patch?: JobPatch,
  ): JobRecord;
  /** The enterprise's fax policy for the device (retries, pre-dial string). */
  policy(device: DeviceRecord): FaxPolicy;
}

export const DEFAULT_POLL_TIMEOUT_MS = 60_000;
/** Longest pause between status polls of a modem that does not answer. */
export const MAX_POLL_BACKOFF_MS = 5_000;

/** The job name a device job of this attempt carries: what the modem's job list is searched for. */
export function submitTag(jobId: string, attempt: number): string {
  return `mfp-edge:${jobId}:${attempt}`;
}

/** The recipients the current attempt dials (or dialled), in submission order. */
export function attemptRecipients(job: JobRecord): RecipientRecord[] {
  return job.recipients.filter((r) => r.lastAttempt === job.attempt);
}
