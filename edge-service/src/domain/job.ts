import type { ErrorBody, JobState, JobView, FaxResolution, ScanSource } from '../../../protocol/index.ts';
import { isFinalJobState } from '../../../protocol/index.ts';

export interface FaxJobOptions {
  resolution: FaxResolution;
  source: ScanSource;
  duplex: boolean;
}

export type RecipientState = JobView['recipients'][number]['state'];

export interface RecipientRecord {
  position: number;
  /** E.164 */
  number: string;
  state: RecipientState;
  pagesSent: number;
  error?: ErrorBody;
}

export interface JobRecord {
  id: string;
  seq: number;
  deviceId: string;
  userId: string | null;
  state: JobState;
  options: FaxJobOptions;
  pagesScanned: number;
  pagesSent: number;
  totalPages: number | null;
  /** The fax modem's job id once the document was handed over: what makes a resend avoidable. */
  deviceJobId: number | null;
  error?: ErrorBody;
  createdAt: string;
  updatedAt: string;
  recipients: RecipientRecord[];
}

export interface JobPageRecord {
  number: number;
  scanFile: string;
  faxFile: string | null;
}

export type JobPatch = Partial<
  Pick<JobRecord, 'state' | 'pagesScanned' | 'pagesSent' | 'totalPages' | 'deviceJobId'>
> & { error?: ErrorBody | null };

export type RecipientPatch = Partial<Pick<RecipientRecord, 'state' | 'pagesSent'>> & {
  error?: ErrorBody | null;
};

/** Storage of jobs; SQLite at the edge today, and the seam for a central store later. */
export interface JobRepository {
  create(input: {
    deviceId: string;
    userId: string | null;
    options: FaxJobOptions;
    recipients: string[];
  }): JobRecord;
  get(id: string): JobRecord | null;
  listByDevice(deviceId: string, limit: number): JobRecord[];
  listUnfinished(): JobRecord[];
  update(id: string, patch: JobPatch): JobRecord;
  updateRecipient(id: string, position: number, patch: RecipientPatch): void;
  addPage(id: string, page: JobPageRecord): void;
  setPageFaxFile(id: string, number: number, faxFile: string): void;
  pages(id: string): JobPageRecord[];
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
  return view;
}
