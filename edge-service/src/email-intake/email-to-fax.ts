import type { SignInService } from '../auth/sign-in-service.ts';
import type { EdgeConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { DeviceRepository, DirectoryRepository } from '../domain/device.ts';
import type { JobRecord, JobRepository } from '../domain/job.ts';
import type { UserRepository } from '../domain/user.ts';
import type { Logger } from '../logger.ts';
import type { Notifier } from '../mail/notifier.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { DeviceDrivers } from '../services/device-drivers.ts';
import type { Spool } from '../services/spool.ts';
import { SqliteEmailJobs } from '../storage/sqlite-email-jobs.ts';
import { isLoopbackHost, loadEdgeCertificate, type EdgeCertificate } from '../tls/edge-certificate.ts';
import { EmailJobIntake } from './email-job-intake.ts';
import { EmailJobMover } from './email-job-mover.ts';
import { EmailReceipts } from './email-receipts.ts';
import { SenderPolicy } from './sender-policy.ts';
import { SmtpIntake } from './smtp-intake.ts';
import { createSpfChecker } from './spf-check.ts';
import { hostname } from 'node:os';

export interface EmailToFaxDeps {
  config: EdgeConfig;
  dataDir: string;
  db: Db;
  jobs: JobRepository;
  engine: {
    adopt(job: JobRecord): void;
    reassign(jobId: string, deviceId: string): Promise<JobRecord | null>;
    on(event: 'job', listener: (job: JobRecord) => void): unknown;
    off(event: 'job', listener: (job: JobRecord) => void): unknown;
  };
  spool: Spool;
  devices: Pick<DeviceRepository, 'list' | 'get'>;
  drivers: DeviceDrivers;
  directory: Pick<DirectoryRepository, 'listEnterprises'>;
  users: Pick<UserRepository, 'findByEmail' | 'get'>;
  policies: Pick<PolicyService, 'get'>;
  signIn: Pick<SignInService, 'password'>;
  notifier: Notifier;
  /** The edge's HTTPS certificate, if it has one: STARTTLS uses the same. */
  certificate: EdgeCertificate | null;
  logger: Logger;
}

/**
 * Email-to-fax as one part of the edge (issue 13): the receipts (always, so receipts of jobs accepted
 * before a restart still go) and the SMTP intake unless the configuration turns it off. An intake
 * that cannot listen (the port taken) is a logged warning, not a failed edge: faxing from the panels
 * goes on.
 */
export class EmailToFax {
  readonly #d: EmailToFaxDeps;
  readonly #receipts: EmailReceipts;
  #smtp: SmtpIntake | null = null;
  #mover: EmailJobMover | null = null;

  constructor(deps: EmailToFaxDeps) {
    this.#d = deps;
    this.#receipts = new EmailReceipts({
      emailJobs: new SqliteEmailJobs(deps.db),
      jobs: deps.jobs,
      notifier: deps.notifier,
      logger: deps.logger,
    });
  }

  /** The SMTP port listened on; null when the intake is off or could not listen. */
  get port(): number | null {
    return this.#smtp?.port ?? null;
  }

  async start(): Promise<void> {
    const d = this.#d;
    d.engine.on('job', this.#receipts.onJob);
    this.#receipts.start();
    const { smtpIntakePort: port, smtpIntakeHost: host } = d.config;
    if (port === 'off') return;
    // STARTTLS always: the edge's certificate, or (an edge on plain loopback HTTP) the one it
    // generates for a non-loopback name and keeps in its data folder. Mail clients prefer TLS even
    // on a local network, and AUTH beyond loopback requires it.
    const certificate =
      d.certificate ??
      (await loadEdgeCertificate({
        host: isLoopbackHost(host) ? hostname() : host,
        dataDir: d.dataDir,
      }).catch((error: unknown) => {
        d.logger.warn({ err: error }, 'no certificate for STARTTLS: AUTH only from loopback');
        return null;
      }));
    const emailJobs = new SqliteEmailJobs(d.db);
    const intake = new EmailJobIntake({
      jobs: d.jobs,
      emailJobs,
      engine: d.engine,
      spool: d.spool,
      devices: d.devices,
      drivers: d.drivers,
      logger: d.logger,
    });
    this.#mover = new EmailJobMover({
      jobs: d.jobs,
      devices: d.devices,
      policies: d.policies,
      intake,
      engine: d.engine,
      intervalMs: d.config.emailToFaxMoveSeconds * 1000,
      logger: d.logger,
    });
    this.#mover.start();
    const smtp = new SmtpIntake({
      port,
      host,
      certificate,
      senders: new SenderPolicy({
        directory: d.directory,
        policies: d.policies,
        users: d.users,
        spf: createSpfChecker({ dnsServer: d.config.dnsServer, mta: hostname() }),
        defaultCountry: d.config.defaultCountry,
      }),
      intake,
      signIn: d.signIn,
      directory: d.directory,
      users: d.users,
      policies: d.policies,
      logger: d.logger,
    });
    try {
      await smtp.start();
      this.#smtp = smtp;
    } catch (error) {
      d.logger.warn(
        { err: error, host, port },
        'email-to-fax intake not started: the SMTP port cannot be used (set --smtp-port or MFP_EDGE_SMTP_INTAKE_PORT)',
      );
    }
  }

  async stop(): Promise<void> {
    await this.#smtp?.stop();
    this.#smtp = null;
    await this.#mover?.stop();
    this.#mover = null;
    this.#d.engine.off('job', this.#receipts.onJob);
  }
}
