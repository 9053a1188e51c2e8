import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRecord, JobRepository, FaxJobOptionsInput } from '../domain/job.ts';
import { isFinal } from '../domain/job.ts';
import type { DeviceRecord, DeviceRepository } from '../domain/device.ts';
import {
  isRetryableFaxFailure,
  NO_RETRY_POLICY,
  type FaxPolicy,
  type FaxPolicyRepository,
} from '../domain/fax-retry-policy.ts';
import type { DeviceDrivers } from './device-drivers.ts';
import type { Spool } from './spool.ts';
import { SpoolHousekeeper } from './spool-housekeeper.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import { attemptRecipients, type FaxJobContext } from './fax-job-context.ts';
import { AttentionNeeded, FaxScanStage, type ScannedPageEvent } from './fax-scan-stage.ts';
import { FaxFollowStage } from './fax-follow-stage.ts';
import { FaxHandOverStage } from './fax-hand-over-stage.ts';

export { submitTag } from './fax-job-context.ts';

export interface FaxJobEngineOptions {
  jobs: JobRepository;
  devices: DeviceRepository;
  drivers: DeviceDrivers;
  spool: Spool;
  logger: Logger;
  pollMs: number;
  /**
   * How long a modem that stopped answering is waited for before the fax it holds counts as lost
   * (default 60 s): then it is sent again under the retry policy, unless its log proves delivery.
   */
  pollTimeoutMs?: number;
  pagesInFlight: number;
  /**
   * Per-enterprise fax policy: redials of busy / no-answer recipients and the pre-dial string.
   * Without it a job dials once, each number as it is.
   */
  policies?: FaxPolicyRepository;
  /** How long the pages of a finished job stay in the spool (default 24 h). */
  spoolRetentionMs?: number;
  /** How often the spool is swept (default 10 min). */
  spoolSweepMs?: number;
  /**
   * How long a job in needs-attention (stopped by a jam with pages kept) waits for Resume before it
   * fails with the scanner's code (default 30 min).
   */
  attentionTimeoutMs?: number;
}

export const DEFAULT_ATTENTION_TIMEOUT_MS = 30 * 60_000;

const DEFAULT_RETENTION_MS = 24 * 3_600_000;
const DEFAULT_SWEEP_MS = 10 * 60_000;
/** What a job does when no policy can be read: dial once, each number as it is. */
const NO_POLICY: FaxPolicy = { ...NO_RETRY_POLICY, preDialString: '' };

interface Running {
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs fax jobs: scan page by page into the spool, convert each page to G4 as it arrives, hand the
 * document to the fax modem once per attempt, follow it to a result, and redial busy or unanswered
 * recipients as the enterprise's policy says. Every step is written to the job repository before it
 * is announced ('job' events), so what a panel sees is what survives a crash.
 *
 * Crash safety, step by step (a job resumes from what the repository says):
 * - accepted: nothing touched the scanner yet; scan.
 * - needs-attention: waits for Resume again, until the same deadline (attentionUntil); nothing dials.
 * - scanning: from the ADF, the sheets already fed sit in the output tray and cannot be read again,
 *   so the job fails with SCAN_INTERRUPTED (the panel asks to put the originals back and send
 *   again) rather than faxing a stack with pages missing. From the platen it scans again.
 * - converting / dialing without a hand-over intent: pages come back from the spool, missing
 *   conversions are redone.
 * - dialing with an intent (submitTag) but no device job id: the modem's job list is searched for
 *   the tag. A job holding our document is followed; otherwise the document is sent (again).
 * - dialing / sending with a device job id: followed.
 * - retry-wait: waits until retryAt, then a new device job for the recipients still to reach.
 */
export class FaxJobEngine extends EventEmitter<{ job: [JobRecord]; page: [JobRecord, ScannedPageEvent] }> {
  readonly #o: FaxJobEngineOptions;
  readonly #log: Logger;
  readonly #running = new Map<string, Running>();
  /** Jobs in needs-attention whose run waits for Resume: wakes it. */
  readonly #resumers = new Map<string, () => void>();
  /** Jobs whose run is being stopped to move them (reassign): their abort is a pause, not a cancel. */
  readonly #pausing = new Set<string>();
  readonly #housekeeper: SpoolHousekeeper;
  readonly #scanning: FaxScanStage;
  readonly #following: FaxFollowStage;
  readonly #handingOver: FaxHandOverStage;
  #stopping = false;

  constructor(options: FaxJobEngineOptions) {
    super();
    this.#o = options;
    this.#log = options.logger;
    const context: FaxJobContext = {
      options,
      update: (job, patch) => this.#update(job, patch),
      emit: (job) => this.emit('job', job),
      page: (job, page) => this.emit('page', job, page),
      finish: (job, state, error, patch) => this.#finish(job, state, error, patch),
      policy: (device) => this.#policy(device),
    };
    this.#scanning = new FaxScanStage(context);
    this.#following = new FaxFollowStage(context);
    this.#handingOver = new FaxHandOverStage(context, {
      scanning: this.#scanning,
      following: this.#following,
    });
    this.#housekeeper = new SpoolHousekeeper({
      jobs: options.jobs,
      spool: options.spool,
      logger: options.logger.child({ module: 'spool' }),
      retentionMs: options.spoolRetentionMs ?? DEFAULT_RETENTION_MS,
      intervalMs: options.spoolSweepMs ?? DEFAULT_SWEEP_MS,
    });
  }

  /** Picks up the jobs a previous run left unfinished, and starts the spool sweep. */
  start(): void {
    this.#stopping = false;
    for (const job of this.#o.jobs.listUnfinished()) this.#launch(job);
    this.#housekeeper.start();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const running = [...this.#running.values()];
    for (const run of running) run.abort.abort(new Error('edge stopping'));
    await Promise.allSettled(running.map((run) => run.done));
    await this.#housekeeper.stop();
  }

  /** One spool sweep now (the periodic one runs between start() and stop()). */
  sweepSpool(): Promise<number> {
    return this.#housekeeper.sweep();
  }

  /** Records a new job (it is durable once this returns) and starts it. */
  submit(
    device: DeviceRecord,
    userId: string | null,
    options: FaxJobOptionsInput,
    recipients: string[],
  ): JobRecord {
    const job = this.#o.jobs.create({ deviceId: device.id, userId, options, recipients });
    this.#launch(job);
    return job;
  }

  /**
   * Starts a job another intake recorded with its pages already spooled (an email's: it is durable
   * before the sender hears 250); from there it is the same job as a panel's.
   */
  adopt(job: JobRecord): void {
    this.emit('job', job);
    this.#launch(job);
  }

  /**
   * Gives a job nothing was handed over for to another device (an email job whose printer went
   * offline): its run is paused as a shutdown pauses it, the move is written only if there is
   * still no hand-over intent (the repository checks), and the job runs on from the record. Null
   * when it did not move (it was handed over meanwhile, or finished).
   */
  async reassign(jobId: string, deviceId: string): Promise<JobRecord | null> {
    const run = this.#running.get(jobId);
    if (run) {
      this.#pausing.add(jobId);
      run.abort.abort(new Error('moving to another device'));
      await run.done;
      this.#pausing.delete(jobId);
    }
    const moved = this.#o.jobs.moveToDevice(jobId, deviceId);
    const job = moved ?? this.#o.jobs.get(jobId);
    if (job && !isFinal(job.state)) {
      if (moved) this.emit('job', moved);
      this.#launch(job);
    }
    return moved;
  }

  async cancel(jobId: string): Promise<JobRecord> {
    const job = this.#o.jobs.get(jobId);
    if (!job) throw new EdgeError('JOB_NOT_FOUND');
    if (isFinal(job.state))
      throw new EdgeError('JOB_FINISHED', 'The job has already finished and cannot be cancelled.');
    const run = this.#running.get(jobId);
    if (!run) {
      return this.#finish(job, 'cancelled', { code: 'JOB_FINISHED', message: 'Cancelled.' });
    }
    run.abort.abort(new EdgeError('JOB_FINISHED', 'Cancelled at the panel.'));
    await run.done;
    return this.#o.jobs.get(jobId)!;
  }

  /**
   * Carries on a job in needs-attention: a new scan job on the device, its pages appended after the
   * kept ones (or, with `finish`, no more scanning: the kept pages are sent). The state is written
   * before the waiting run is woken, so a crash in between resumes from the record.
   */
  resume(jobId: string, options: { finish?: boolean } = {}): JobRecord {
    const job = this.#o.jobs.get(jobId);
    if (!job) throw new EdgeError('JOB_NOT_FOUND');
    if (job.state !== 'needs-attention')
      throw new EdgeError(
        'JOB_NOT_WAITING',
        isFinal(job.state)
          ? 'The job has already finished: send the fax again.'
          : 'The job is not waiting for Resume: it is already running.',
      );
    const kept = job.pages.length;
    const resumed = options.finish
      ? this.#update(job, { state: 'converting', totalPages: kept, error: null, attentionUntil: null })
      : this.#update(job, {
          state: 'scanning',
          scanBase: kept,
          pagesScanned: kept,
          scanJobUrl: null,
          error: null,
          attentionUntil: null,
        });
    this.#log.info({ job: jobId, kept, finish: options.finish === true }, 'job resumed at the panel');
    const wake = this.#resumers.get(jobId);
    if (wake) wake();
    else this.#launch(resumed);
    return resumed;
  }

  #launch(job: JobRecord): void {
    if (this.#running.has(job.id) || this.#stopping) return;
    const abort = new AbortController();
    const done = this.#run(job, abort.signal).finally(() => this.#running.delete(job.id));
    this.#running.set(job.id, { abort, done });
  }

  #update(job: JobRecord, patch: Parameters<JobRepository['update']>[1]): JobRecord {
    const updated = this.#o.jobs.update(job.id, patch);
    this.emit('job', updated);
    return updated;
  }

  async #run(initial: JobRecord, signal: AbortSignal): Promise<void> {
    let job = initial;
    const log = this.#log.child({ job: job.id });
    try {
      const device = this.#o.devices.get(job.deviceId);
      if (!device) throw new EdgeError('DEVICE_UNAUTHORIZED', 'The device of this job no longer exists.');
      // A device without a fax modem fails here, before anything is scanned.
      this.#o.drivers.faxLine(device);
      await this.#scan(job, device, signal, log);
      await this.#deliver(job.id, signal, log);
    } catch (error) {
      job = this.#o.jobs.get(job.id)!;
      if (signal.aborted && this.#stopping) {
        log.info('job paused by shutdown; it resumes at the next start');
        return;
      }
      if (signal.aborted && this.#pausing.has(job.id)) {
        log.info('job paused to move it to another device');
        return;
      }
      if (signal.aborted) {
        if (job.deviceJobId !== null) {
          await this.#cancelAtModem(job).catch((e: unknown) =>
            log.warn({ err: e }, 'could not cancel the job at the fax modem'),
          );
        }
        this.#finish(job, 'cancelled', { code: 'JOB_FINISHED', message: 'Cancelled.' });
        return;
      }
      const edgeError = EdgeError.from(error);
      if (edgeError.code === 'INTERNAL') log.error({ err: error }, 'fax job failed unexpectedly');
      else log.warn({ code: edgeError.code, msg: edgeError.message }, 'fax job failed');
      if (edgeError.code === 'SPOOL_FULL') await this.#freeSpool(job, log);
      this.#finish(job, 'failed', edgeError.toBody());
    }
  }

  /**
   * The scan part: from the start, carried on after a restart, or after a jam: needs-attention, then
   * a new scan for each Resume, until the pages are all in (or nobody resumed in time).
   */
  async #scan(initial: JobRecord, device: DeviceRecord, signal: AbortSignal, log: Logger): Promise<void> {
    let job = initial;
    let resumed = false;
    for (;;) {
      try {
        if (job.state === 'needs-attention') {
          job = await this.#waitForResume(job, signal, log);
          resumed = true;
        }
        if (job.state === 'scanning' && !resumed) await this.#scanning.carryOn(job, device, signal, log);
        else if (job.state === 'accepted' || job.state === 'scanning')
          await this.#scanning.scan(job, device, signal);
        return;
      } catch (error) {
        if (!(error instanceof AttentionNeeded) || signal.aborted) throw error;
        job = this.#needsAttention(this.#o.jobs.get(job.id)!, error.error, log);
        resumed = false;
      }
    }
  }

  /**
   * The feeder stopped part-way with pages kept: the job waits for the person, saying which sheets
   * to put back. With duplex a sheet whose front was read but not its back goes back whole, so its
   * lone front is dropped (Resume reads it again).
   */
  #needsAttention(job: JobRecord, cause: EdgeError, log: Logger): JobRecord {
    let kept = job.pages.length;
    if (job.options.duplex && kept % 2 === 1) {
      kept -= 1;
      this.#o.jobs.removePagesAfter(job.id, kept);
    }
    const timeout = this.#o.attentionTimeoutMs ?? DEFAULT_ATTENTION_TIMEOUT_MS;
    const until = new Date(Date.now() + timeout).toISOString();
    const updated = this.#update(job, {
      state: 'needs-attention',
      pagesScanned: kept,
      scanJobUrl: null,
      attentionUntil: until,
      error: { code: cause.code, message: attentionMessage(cause.code, kept, job.options.duplex) },
    });
    log.warn({ code: cause.code, kept, until }, 'scan stopped part-way; waiting for Resume');
    return updated;
  }

  /** Waits for job.resume (or cancel, or shutdown) until the job's deadline; then it fails. */
  async #waitForResume(job: JobRecord, signal: AbortSignal, log: Logger): Promise<JobRecord> {
    const until = job.attentionUntil ? Date.parse(job.attentionUntil) : Date.now();
    const waker = new AbortController();
    this.#resumers.set(job.id, () => waker.abort());
    try {
      await sleep(Math.max(0, until - Date.now()), undefined, {
        signal: AbortSignal.any([signal, waker.signal]),
      }).catch((error: unknown) => {
        if (!waker.signal.aborted || signal.aborted) throw error;
      });
    } finally {
      this.#resumers.delete(job.id);
    }
    const current = this.#o.jobs.get(job.id)!;
    if (current.state !== 'needs-attention') return current;
    log.warn('nobody pressed Resume in time; the job fails');
    const code = current.error?.code ?? 'SCANNER_JAM';
    throw new EdgeError(
      code,
      `Nobody pressed Resume within ${Math.round((this.#o.attentionTimeoutMs ?? DEFAULT_ATTENTION_TIMEOUT_MS) / 60_000)} minutes, so the fax was not sent: put all the originals in the feeder and send again.`,
    );
  }

  /** Cancels the device job, unless the id now names another job (a restarted modem reuses ids). */
  async #cancelAtModem(job: JobRecord): Promise<void> {
    const faxLine = this.#o.drivers.faxLine(this.#o.devices.get(job.deviceId)!);
    const status = await faxLine.status(job.deviceJobId!);
    if (status.name !== undefined && status.name !== job.submitTag) return;
    if (status.uuid && job.deviceJobUuid && status.uuid !== job.deviceJobUuid) return;
    await faxLine.cancel(job.deviceJobId!);
  }

  /** A job that filled the disk gives its pages back at once: the next job needs the room. */
  async #freeSpool(job: JobRecord, log: Logger): Promise<void> {
    try {
      await this.#o.spool.removeJob(job.id);
      this.#o.jobs.markSpoolPurged(job.id);
    } catch (error) {
      log.warn({ err: error }, 'could not free the spool of a job that filled the disk');
    }
  }

  /** Attempts until every recipient is delivered or out of attempts. */
  async #deliver(jobId: string, signal: AbortSignal, log: Logger): Promise<void> {
    for (;;) {
      let job = this.#o.jobs.get(jobId)!;
      if (job.state === 'retry-wait') {
        const wait = job.retryAt ? Date.parse(job.retryAt) - Date.now() : 0;
        if (wait > 0) await sleep(wait, undefined, { signal });
      }
      // Read again for every attempt: the device's address may have changed since the job began.
      const device = this.#o.devices.get(job.deviceId);
      if (!device) throw new EdgeError('DEVICE_UNAUTHORIZED', 'The device of this job no longer exists.');
      const faxLine = this.#o.drivers.faxLine(device);
      if (job.deviceJobId === null) job = await this.#handingOver.handOver(job, device, faxLine, signal, log);
      // Null when the modem's log proved the attempt delivered: nothing left to follow.
      if (job.deviceJobId !== null) job = await this.#following.follow(job, faxLine, signal, log);
      if (job.state === 'cancelled' || this.#conclude(job, device, log)) return;
    }
  }

  /**
   * After an attempt: schedules the next one for the recipients that were busy or did not answer
   * and have attempts left (returns false), or records the job's result (returns true).
   */
  #conclude(job: JobRecord, device: DeviceRecord, log: Logger): boolean {
    const policy = this.#policy(device);
    const dialled = attemptRecipients(job);
    const retry = dialled.filter(
      (r) => r.state === 'failed' && isRetryableFaxFailure(r.error?.code) && r.attempts < policy.attempts,
    );
    // Numbers this attempt did not dial (a modem that takes one destination per job).
    const waiting = job.recipients.filter(
      (r) => !dialled.includes(r) && (r.state === 'pending' || r.state === 'retry-wait'),
    );
    if (retry.length > 0 || waiting.length > 0) {
      const untried = waiting.some((r) => r.attempts === 0);
      const retryAt = untried ? null : new Date(Date.now() + policy.intervalMs).toISOString();
      const updated = this.#o.jobs.atomically(() => {
        for (const r of retry) this.#o.jobs.updateRecipient(job.id, r.position, { state: 'retry-wait' });
        return this.#o.jobs.update(job.id, {
          state: untried ? 'dialing' : 'retry-wait',
          retryAt,
          deviceJobId: null,
          submitTag: null,
          error: retry[0]?.error ?? null,
        });
      });
      this.emit('job', updated);
      if (retryAt)
        log.info(
          { retryAt, recipients: retry.length, attempt: job.attempt, of: policy.attempts },
          'fax recipients busy or not answering; retry scheduled',
        );
      return false;
    }
    const failed = job.recipients.filter((r) => r.state !== 'delivered');
    if (failed.length === 0) {
      this.#update(job, { state: 'delivered', error: null, retryAt: null });
      return true;
    }
    const firstError = failed.find((r) => r.error)?.error ?? {
      code: 'FAX_ERROR' as const,
      message: 'The fax could not be delivered.',
    };
    this.#finish(job, 'failed', firstError);
    return true;
  }

  #policy(device: DeviceRecord): FaxPolicy {
    try {
      return this.#o.policies?.faxPolicy(device.enterpriseId) ?? NO_POLICY;
    } catch (error) {
      this.#log.warn({ err: error }, 'cannot read the fax policy; dialling once, without a pre-dial string');
      return NO_POLICY;
    }
  }

  /**
   * Ends a job: recipients still open fail with `error` (those that failed on their own keep their
   * reason; a failed job also records it), and the job takes its final state, in one transaction so a
   * crash never leaves failed recipients on an unfinished job.
   */
  #finish(
    job: JobRecord,
    state: 'failed' | 'cancelled',
    error: NonNullable<JobRecord['error']>,
    patch: Parameters<JobRepository['update']>[1] = {},
  ): JobRecord {
    const updated = this.#o.jobs.atomically(() => {
      job.recipients.forEach((recipient, position) => {
        if (recipient.state === 'delivered' || recipient.state === 'failed') return;
        const own = state === 'failed' && recipient.error ? recipient.error : error;
        this.#o.jobs.updateRecipient(job.id, position, { state: 'failed', error: own });
      });
      return this.#o.jobs.update(job.id, {
        ...patch,
        state,
        retryAt: null,
        ...(state === 'failed' ? { error } : {}),
      });
    });
    this.emit('job', updated);
    return updated;
  }
}

/** What the person does next, for the panel: the sheet the feeder stopped on was not scanned. */
export function attentionMessage(code: string, kept: number, duplex: boolean): string {
  const first =
    code === 'COVER_OPEN'
      ? 'Close the scanner cover, put'
      : code === 'FEEDER_EMPTY'
        ? 'Put'
        : 'Clear the jam, put';
  const from = duplex ? `sheets ${Math.floor(kept / 2) + 1}` : `pages ${kept + 1}`;
  const keptText = kept === 1 ? 'Page 1 is kept' : `Pages 1–${kept} are kept`;
  return `${first} ${from} to the last back in the feeder, then press Resume. ${keptText}.`;
}
