import { join } from 'node:path';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqliteJobRepository } from '../../../edge-service/src/storage/sqlite-job-repository.ts';
import { SqliteFaxPolicyRepository } from '../../../edge-service/src/storage/sqlite-fax-policy-repository.ts';
import { Spool, type SpoolFs } from '../../../edge-service/src/services/spool.ts';
import { FaxJobEngine } from '../../../edge-service/src/services/fax-job-engine.ts';
import type { DeviceDrivers } from '../../../edge-service/src/services/device-drivers.ts';
import type { DeviceRecord } from '../../../edge-service/src/domain/device.ts';
import type { JobRecord } from '../../../edge-service/src/domain/job.ts';
import { DEFAULT_FAX_RETRY_POLICY } from '../../../edge-service/src/domain/fax-retry-policy.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/**
 * The fax job engine composed as the edge composes it (SQLite, spool, policies) on a temp folder,
 * with drivers of the test's choice. `restart()` stops the engine and opens a new one on the same
 * database and spool, as a restarted edge does.
 */
export class EngineHarness {
  readonly dir = tempDir('mfp-engine-');
  db!: Db;
  jobs!: SqliteJobRepository;
  devices!: SqliteDeviceRepository;
  directory!: SqliteDirectoryRepository;
  policies!: SqliteFaxPolicyRepository;
  spool!: Spool;
  engine!: FaxJobEngine;
  device!: DeviceRecord;
  readonly events: JobRecord[] = [];

  constructor(
    readonly drivers: DeviceDrivers,
    readonly options: {
      spoolFs?: SpoolFs;
      pollMs?: number;
      pollTimeoutMs?: number;
      withPolicies?: boolean;
      /** The edge's default pre-dial string (config faxPreDialString). */
      preDialString?: string;
      /** How long needs-attention waits for Resume (config jamWaitMinutes). */
      attentionTimeoutMs?: number;
    } = {},
  ) {}

  async start(): Promise<this> {
    this.db = openDatabase(join(this.dir.path, 'edge.db'));
    this.jobs = new SqliteJobRepository(this.db);
    this.devices = new SqliteDeviceRepository(this.db);
    this.directory = new SqliteDirectoryRepository(this.db);
    this.policies = new SqliteFaxPolicyRepository(this.db, {
      ...DEFAULT_FAX_RETRY_POLICY,
      preDialString: this.options.preDialString ?? '',
    });
    this.spool = new Spool(
      join(this.dir.path, 'spool'),
      this.options.spoolFs ? { fs: this.options.spoolFs } : {},
    );
    await this.spool.start();
    this.device ??= this.#createDevice();
    this.engine = new FaxJobEngine({
      jobs: this.jobs,
      devices: this.devices,
      drivers: this.drivers,
      spool: this.spool,
      logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
      pollMs: this.options.pollMs ?? 20,
      ...(this.options.pollTimeoutMs ? { pollTimeoutMs: this.options.pollTimeoutMs } : {}),
      pagesInFlight: 2,
      ...(this.options.attentionTimeoutMs ? { attentionTimeoutMs: this.options.attentionTimeoutMs } : {}),
      ...(this.options.withPolicies === false ? {} : { policies: this.policies }),
    });
    this.engine.on('job', (job) => this.events.push(job));
    this.engine.start();
    return this;
  }

  #createDevice(): DeviceRecord {
    const enterprise = this.directory.createEnterprise('Test Enterprise');
    return this.devices.create({
      enterpriseId: enterprise.id,
      name: 'Test MFP',
      authMode: 'shared-account',
      sharedUserId: null,
      scannerUrl: 'http://scanner.invalid/eSCL',
      faxUrl: 'ipp://fax.invalid/ipp/faxout',
      tokenHash: `hash-${Math.random()}`,
    });
  }

  setDeviceUrls(urls: { scannerUrl: string; faxUrl: string }): void {
    this.devices.setUrls(this.device.id, urls);
    this.device = this.devices.get(this.device.id)!;
  }

  submit(recipients: string[], options: Partial<JobRecord['options']> = {}): JobRecord {
    return this.engine.submit(
      this.device,
      null,
      { resolution: 'standard', source: 'adf', duplex: false, ...options },
      recipients,
    );
  }

  /** Resolves with the job once `predicate` holds for its stored record; polls, with a timeout. */
  async waitFor(
    jobId: string,
    predicate: (job: JobRecord) => boolean,
    timeoutMs = 15000,
  ): Promise<JobRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = this.jobs.get(jobId);
      if (job && predicate(job)) return job;
      if (Date.now() > deadline)
        throw new Error(`job ${jobId} did not reach the expected state; it is ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  waitForFinal(jobId: string, timeoutMs = 15000): Promise<JobRecord> {
    return this.waitFor(jobId, (j) => ['delivered', 'failed', 'cancelled'].includes(j.state), timeoutMs);
  }

  /** Stops the engine and closes the database, keeping the folder. */
  async halt(): Promise<void> {
    await this.engine.stop();
    this.db.close();
  }

  async restart(): Promise<this> {
    await this.halt();
    return this.start();
  }

  async stop(): Promise<void> {
    await this.engine?.stop();
    if (this.db?.open) this.db.close();
    this.dir.remove();
  }
}
