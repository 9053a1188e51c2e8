import sinon from 'sinon';
import type { Scanner, ScannedPage } from '../../../edge-service/src/domain/scanner.ts';
import { randomUUID } from 'node:crypto';
import { EdgeError as EdgeErrorClass } from '../../../edge-service/src/edge-error.ts';
import type {
  DeviceBoot,
  FaxLogEntry,
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
  /** A job the device still holds after the edge died, and how many of its pages it handed out. */
  held: { jobUrl: string; handedOut: number; pages: Buffer[] } | null = null;
  readonly resume = sinon.spy(async (jobUrl: string, options: { pagesRead: number }) => {
    const held = this.held;
    if (!held || held.jobUrl !== jobUrl || held.handedOut !== options.pagesRead) return null;
    return (async function* () {
      for (const [index, data] of held.pages.entries())
        yield { number: options.pagesRead + index + 1, contentType: 'image/jpeg', data };
    })();
  });
  async *#scan(
    _request?: unknown,
    _signal?: AbortSignal,
    onJob?: (jobUrl: string) => void,
  ): AsyncIterable<ScannedPage> {
    onJob?.('/eSCL/ScanJobs/fake-1');
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
  uuid: string;
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
  /** While true the modem answers nothing (out of reach, or powered off). */
  silent = false;
  /** Whether status() reports job-name and job-uuid (some modems report neither). */
  reportsIdentity = true;
  bootedAt = Date.now() - 3_600_000;
  /** The transmission log, which survives power cycles like a real device's flash. */
  readonly log: FaxLogEntry[] = [];

  /**
   * Power off and on: every job is forgotten, ids start again where the first boot started, the
   * boot time moves on. A job being transmitted is cut off (nothing logged for it).
   */
  powerCycle(): void {
    this.jobs.splice(0);
    this.#nextId = 100;
    this.bootedAt = Date.now();
  }

  async boot(): Promise<DeviceBoot> {
    this.#reachable();
    return { printerUuid: 'urn:uuid:00000000-0000-4000-8000-00000000fa11', bootedAt: this.bootedAt };
  }

  async faxLog(): Promise<FaxLogEntry[]> {
    this.#reachable();
    return structuredClone(this.log);
  }

  #reachable(): void {
    if (this.silent) throw new EdgeErrorClass('FAX_UNREACHABLE', 'connect ECONNREFUSED (the modem is off)');
  }

  async capabilities() {
    this.#reachable();
    return {
      makeAndModel: 'Scripted modem',
      documentFormats: this.documentFormats,
      multipleDestinations: this.multipleDestinations,
    };
  }

  async submit(document: FaxDocument, destinations: string[], options: FaxSubmitOptions = {}) {
    this.#reachable();
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
      uuid: `urn:uuid:${randomUUID()}`,
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
    this.#reachable();
    const job = this.jobs.find((j) => j.jobId === jobId);
    if (!job) throw new EdgeErrorClass('JOB_NOT_FOUND', `The fax modem has no job ${jobId}.`);
    if (job.state === 'processing' && job.documents > 0 && ++job.polls > this.pollsPerJob) {
      job.state = job.outcomes.every((o) => o !== 'delivered') ? 'aborted' : 'completed';
      this.#logJob(job);
    }
    const status = this.#status(job);
    return this.reportsIdentity ? { ...status, name: job.name, uuid: job.uuid } : status;
  }

  #logJob(job: DeviceJob): void {
    this.log.push({
      name: job.name,
      uuid: job.uuid,
      pages: job.pages,
      destinations: job.destinations.map((uri, i) => ({
        uri,
        completed: job.outcomes[i] === 'delivered',
        pagesSent: job.outcomes[i] === 'delivered' ? job.pages : 0,
      })),
    });
  }

  async findJobs(name: string): Promise<FoundFaxJob[]> {
    this.#reachable();
    return this.jobs
      .filter((j) => j.name === name)
      .map((j) => ({ ...this.#status(j), name: j.name, uuid: j.uuid, documents: j.documents }))
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
