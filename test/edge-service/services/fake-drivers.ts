import sinon from 'sinon';
import type { Scanner, ScannedPage } from '../../../edge-service/src/domain/scanner.ts';
import type {
  DestinationStatus,
  FaxDocument,
  FaxJobStatus,
  FaxLine,
  FaxSubmitOptions,
  FoundFaxJob,
} from '../../../edge-service/src/domain/fax-line.ts';
import type { EdgeError } from '../../../edge-service/src/edge-error.ts';

export class FakeScanner implements Scanner {
  pages: Buffer[] = [];
  failAfter: { pages: number; error: EdgeError } | null = null;
  readonly scan = sinon.spy(this.#scan.bind(this));
  async capabilities() {
    return { makeAndModel: 'Fake', sources: {} };
  }
  async status() {
    return { state: 'idle' as const, adfState: null };
  }
  async *#scan(): AsyncIterable<ScannedPage> {
    for (const [index, data] of this.pages.entries()) {
      if (this.failAfter && index >= this.failAfter.pages) throw this.failAfter.error;
      yield { number: index + 1, contentType: 'image/jpeg', data };
    }
  }
}

/** What the remote machine at a number does on its nth call (1-based). */
export type CallOutcome = 'delivered' | 'FAX_BUSY' | 'FAX_NO_ANSWER' | 'FAX_DROPPED' | 'FAX_LINE_DOWN';

interface DeviceJob {
  jobId: number;
  name: string;
  destinations: string[];
  pages: number;
  documents: number;
  polls: number;
  state: FaxJobStatus['state'];
  outcomes: CallOutcome[];
}

/**
 * A fax modem with a job list: each submitted job reports `processing` for `pollsPerJob` polls, then
 * its result per destination from `line(uri, call)`. Jobs can be preloaded (what a crash left).
 */
export class ScriptedFaxLine implements FaxLine {
  line: (uri: string, call: number) => CallOutcome = () => 'delivered';
  pollsPerJob = 1;
  /** document-format-supported as the modem reports it. */
  documentFormats: string[] = ['application/pdf'];
  multipleDestinations = true;
  /** Every submit() call as received: what the engine handed over, and how. */
  readonly submissions: { document: FaxDocument; destinations: string[]; options: FaxSubmitOptions }[] = [];
  readonly jobs: DeviceJob[] = [];
  readonly calls = new Map<string, number>();
  /** Runs inside submit() before the job exists at the device (assert what was recorded first). */
  beforeCreate: ((name: string) => void) | null = null;
  readonly cancel = sinon.spy(async (jobId: number) => {
    const job = this.jobs.find((j) => j.jobId === jobId);
    if (job && (job.state === 'pending' || job.state === 'processing')) job.state = 'cancelled';
  });
  #nextId = 100;

  async capabilities() {
    return {
      makeAndModel: 'Scripted modem',
      documentFormats: this.documentFormats,
      multipleDestinations: this.multipleDestinations,
    };
  }

  async submit(document: FaxDocument, destinations: string[], options: FaxSubmitOptions = {}) {
    this.submissions.push({ document, destinations, options });
    const name = options.jobName ?? document.name;
    this.beforeCreate?.(name);
    return this.addJob({ name, destinations, pages: document.pages, documents: 1 }).jobId;
  }

  /** A device job as Create-Job (+ Send-Document when documents is 1) leaves it. */
  addJob(job: { name: string; destinations: string[]; pages: number; documents: number }): DeviceJob {
    const outcomes = job.destinations.map((uri) => {
      const call = (this.calls.get(uri) ?? 0) + 1;
      if (job.documents > 0) this.calls.set(uri, call);
      return this.line(uri, call);
    });
    const created: DeviceJob = {
      ...job,
      jobId: this.#nextId++,
      polls: 0,
      state: job.documents > 0 ? 'processing' : 'pending',
      outcomes,
    };
    this.jobs.push(created);
    return created;
  }

  submitted(): DeviceJob[] {
    return this.jobs.filter((j) => j.documents > 0);
  }

  async status(jobId: number): Promise<FaxJobStatus> {
    const job = this.jobs.find((j) => j.jobId === jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    if (job.state === 'processing' && job.documents > 0 && ++job.polls > this.pollsPerJob)
      job.state = job.outcomes.every((o) => o !== 'delivered') ? 'aborted' : 'completed';
    return this.#status(job);
  }

  async findJobs(name: string): Promise<FoundFaxJob[]> {
    return this.jobs
      .filter((j) => j.name === name)
      .map((j) => ({ ...this.#status(j), name: j.name, documents: j.documents }))
      .reverse();
  }

  #status(job: DeviceJob): FaxJobStatus {
    const done = job.state !== 'processing' && job.state !== 'pending';
    const destinations = job.destinations.map((uri, i): DestinationStatus => {
      const outcome = job.outcomes[i]!;
      if (job.state === 'cancelled') return { uri, state: 'failed', pagesSent: 0, errorMessage: 'cancelled' };
      if (!done) return { uri, state: 'sending', pagesSent: Math.min(1, job.pages) };
      if (outcome === 'delivered') return { uri, state: 'delivered', pagesSent: job.pages };
      return { uri, state: 'failed', pagesSent: 0, errorCode: outcome, errorMessage: `${uri}: ${outcome}` };
    });
    const pagesCompleted = Math.max(0, ...destinations.map((d) => d.pagesSent));
    return { jobId: job.jobId, state: job.state, pagesCompleted, destinations };
  }
}
