/** A job's states, in the order a fax normally goes through them. Free of zod so panels can import it. */
export const JOB_STATES = [
  'accepted',
  'scanning',
  /**
   * The feeder stopped mid-job (a jam, an open cover, or an empty feeder on Resume) with pages kept:
   * the job waits for the person to put the remaining sheets back and press Resume (job.resume), or
   * to cancel. Not final; it fails with the original code when nobody resumes it in time.
   */
  'needs-attention',
  'converting',
  'dialing',
  'sending',
  'retry-wait',
  'delivered',
  'failed',
  'cancelled',
] as const;

export type JobStateName = (typeof JOB_STATES)[number];

export const FINAL_JOB_STATES: readonly JobStateName[] = ['delivered', 'failed', 'cancelled'];

export function isFinalJobState(state: string): boolean {
  return (FINAL_JOB_STATES as readonly string[]).indexOf(state) >= 0;
}
