import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { loadConfig, type EdgeConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { openDatabase, type Db } from './db/database.ts';
import { SqliteDeviceRepository, SqliteDirectoryRepository } from './storage/sqlite-device-repository.ts';
import { SqliteJobRepository } from './storage/sqlite-job-repository.ts';
import { SqliteFaxPolicyRepository } from './storage/sqlite-fax-policy-repository.ts';
import { Spool } from './services/spool.ts';
import { NetworkDeviceDrivers, type DeviceDrivers } from './services/device-drivers.ts';
import { FaxJobEngine } from './services/fax-job-engine.ts';
import { PanelHandlers } from './panel/panel-handlers.ts';
import { FaxPreview } from './services/fax-preview.ts';
import { PanelSocket } from './http/panel-socket.ts';
import { buildPanelAssets } from './http/panel-assets.ts';
import { createHttpApp } from './http/http-app.ts';
import { AuthEvents } from './auth/auth-events.ts';
import { PanelSessions } from './auth/panel-sessions.ts';
import { PasswordChanger } from './auth/password-changer.ts';
import { PasswordHasher } from './auth/password-hasher.ts';
import { SecretBox } from './auth/secret-box.ts';
import { loadSecretKey } from './auth/secret-key.ts';
import { SessionTokens } from './auth/session-tokens.ts';
import { SignInService } from './auth/sign-in-service.ts';
import { createMail } from './mail/mail-setup.ts';
import type { MailTransport } from './mail/mail-transport.ts';
import type { Mailer } from './mail/mailer.ts';
import type { Notifier } from './mail/notifier.ts';
import { AccountLinks } from './auth/account-links.ts';
import { createAccountRoutes, type AccountRouter } from './account/account-routes.ts';
import { PasswordExpiryReminders } from './mail/password-expiry-reminders.ts';
import { PeopleNotifications, UserPasswordExpiries } from './mail/people-notifications.ts';
import { DeviceLoginSessions } from './panel/device-login-sessions.ts';
import type { PanelClock } from './panel/panel-clock.ts';
import { PanelSessionKeeper } from './panel/panel-session-keeper.ts';
import { PolicyService } from './policies/policy-service.ts';
import { PolicyWatcher } from './policies/policy-watcher.ts';
import { SqliteAccountLinkRepository, SqlitePanelSessionRepository } from './storage/sqlite-auth-records.ts';
import { SqlitePolicyRepository } from './storage/sqlite-policy-repository.ts';
import { SqliteUserRepository } from './storage/sqlite-user-repository.ts';
import { loadEdgeCertificate, type EdgeCertificate } from './tls/edge-certificate.ts';
import type { DeviceDiscovery } from './discovery/device-discovery.ts';
import { deviceEndpoints } from './api/device-endpoints.ts';
import type { AnyEndpoint } from './api/endpoint.ts';
import { DeviceAdmin } from './pairing/device-admin.ts';
import { DeviceProber } from './pairing/device-probe.ts';
import { DeviceStatusBoard } from './pairing/device-status.ts';
import { userCodeKey } from './pairing/pairing-codes.ts';
import { PairingService } from './pairing/pairing-service.ts';
import { PanelPairing } from './pairing/panel-pairing.ts';
import { SqlitePairingRepository } from './storage/sqlite-pairing-repository.ts';
import { SqliteAuditLog } from './audit/sqlite-audit-log.ts';
import { auditAuthEvents } from './audit/auth-audit.ts';
import { createApiServices, type ApiServices } from './api/api-services.ts';
import { withConsoleEvents } from './api/console-events-router.ts';
import { buildConsoleAssets, createConsoleRoutes } from './console/console-routes.ts';
import { jobEndpoints } from './api/job-endpoints.ts';
import { outboxEndpoints } from './api/outbox-endpoints.ts';
import { MailOutbox } from './mail/mail-outbox.ts';
import { SqliteJobHistory } from './storage/sqlite-job-history.ts';
import { directoryEndpoints } from './api/directory-endpoints.ts';
import { EmailToFax } from './email-intake/email-to-fax.ts';
import {
  SqliteContactRepository,
  SqliteFaxDirectoryRepository,
  SqliteRecentNumbers,
} from './storage/sqlite-fax-directory.ts';

export interface EdgeServiceOptions {
  config?: Record<string, unknown>;
  logger?: Logger;
  /** Replaces the network drivers (service tests inject fakes here). */
  drivers?: DeviceDrivers;
  /** The panels' inactivity timers (tests move a fake clock instead of waiting a minute). */
  clock?: PanelClock;
  /** Replaces SMTP / the outbox (tests record what is sent). */
  mailTransport?: MailTransport;
  /** How often panel sessions are checked for changes made by another process (default 500 ms). */
  sessionCheckMs?: number;
  /** DNS-SD browsing for the console's device discovery (off unless given; the edge starts and stops it). */
  discovery?: DeviceDiscovery;
  /** Checks every API answer against its response schema (tests): a mismatch is a 500. */
  validateApiResponses?: boolean;
  /** The API's clock (console session timeouts, token expiry): tests move it instead of waiting. */
  apiClock?: () => Date;
}

/** Devices and pairing, for the composition root and the REST router. */
export interface DeviceServices {
  pairing: PairingService;
  admin: DeviceAdmin;
  status: DeviceStatusBoard;
  prober: DeviceProber;
  discovery: DeviceDiscovery | null;
  /** The /enterprises/{enterprise}/devices, pairings, device-probe and discovery endpoints. */
  endpoints: AnyEndpoint[];
}

/** The people path of a running edge, for the composition root (demo, tests). */
export interface PeopleServices {
  users: SqliteUserRepository;
  policies: PolicyService;
  sessions: PanelSessions;
  signIn: SignInService;
  passwords: PasswordChanger;
  hasher: PasswordHasher;
  secretBox: SecretBox;
  events: AuthEvents;
  notifier: Notifier;
  mailer: Mailer;
  /** Invitation and password-reset links (the account page redeems them). */
  links: AccountLinks;
}

interface Running {
  db: Db;
  server: Server;
  engine: FaxJobEngine;
  socket: PanelSocket;
  devices: SqliteDeviceRepository;
  directory: SqliteDirectoryRepository;
  jobs: SqliteJobRepository;
  people: PeopleServices;
  stopPeople: () => Promise<void>;
  drivers: NetworkDeviceDrivers | null;
  account: AccountRouter;
  certificate: EdgeCertificate | null;
  deviceServices: DeviceServices;
  audit: SqliteAuditLog;
  api: ApiServices;
  faxDirectory: SqliteFaxDirectoryRepository;
  emailToFax: EmailToFax;
}

/** The edge service. The constructor only stores; start() opens, listens and resumes; stop() releases all. */
export class EdgeService {
  readonly config: EdgeConfig;
  readonly logger: Logger;
  readonly #options: EdgeServiceOptions;
  #running: Running | null = null;

  constructor(options: EdgeServiceOptions = {}) {
    const { config, warnings } = loadConfig(options.config ?? {});
    this.config = config;
    this.logger = options.logger ?? createLogger({ level: config.logLevel });
    for (const warning of warnings) this.logger.warn(warning);
    this.#options = options;
  }

  get dataDir(): string {
    return resolve(this.config.dataDir);
  }

  /** Repositories, for the composition root (demo set-up, admin CLI). Only while running. */
  get repositories() {
    const running = this.#require();
    return {
      devices: running.devices,
      directory: running.directory,
      jobs: running.jobs,
      users: running.people.users,
      policies: running.people.policies,
      faxDirectory: running.faxDirectory,
    };
  }

  /** Devices and pairing (approve, probe, status, endpoints). Only while running. */
  get devices(): DeviceServices {
    return this.#require().deviceServices;
  }

  /** The audit trail (hash chain). Only while running. */
  get audit(): SqliteAuditLog {
    return this.#require().audit;
  }

  /** The REST API: its endpoints, console sessions, API tokens, OpenAPI document. Only while running. */
  get api(): ApiServices {
    return this.#require().api;
  }

  /** The people services (sign-in, sessions, policies, mail). Only while running. */
  get people(): PeopleServices {
    return this.#require().people;
  }

  get url(): string {
    const running = this.#require();
    const address = running.server.address() as AddressInfo;
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    return `${running.certificate ? 'https' : 'http'}://${host}:${address.port}`;
  }

  /** The email-to-fax SMTP port listened on; null when the intake is off or could not listen. */
  get smtpPort(): number | null {
    return this.#require().emailToFax.port;
  }

  /** The certificate served (HTTPS and WSS), or null on plain HTTP (loopback without one). */
  get certificate(): EdgeCertificate | null {
    return this.#require().certificate;
  }

  async start(): Promise<void> {
    if (this.#running) throw new Error('edge already started');
    const log = this.logger;
    const db = openDatabase(join(this.dataDir, 'edge.db'));
    // Undone in reverse order when a later step fails, so a failed start leaves nothing behind.
    const undo: (() => Promise<void> | void)[] = [
      () => {
        db.close();
      },
    ];
    try {
      // Before anything listens: a certificate that cannot be read stops the start with its reason.
      const certificate = await loadEdgeCertificate({
        host: this.config.host,
        dataDir: this.dataDir,
        certFile: this.config.tlsCertFile,
        keyFile: this.config.tlsKeyFile,
      });
      const spool = new Spool(join(this.dataDir, 'spool'));
      await spool.start();
      // One secret key: TOTP secrets, devices' admin credentials and session tokens (DESIGN.md §11).
      const secret = await loadSecretKey(this.dataDir);
      if (secret.warning) log.warn(secret.warning);
      const secretBox = new SecretBox(secret.key);
      const devices = new SqliteDeviceRepository(db, { secretBox });
      const directory = new SqliteDirectoryRepository(db);
      const jobs = new SqliteJobRepository(db);
      const networkDrivers = this.#options.drivers
        ? null
        : new NetworkDeviceDrivers(log.child({ module: 'drivers' }), { adminCredentials: devices });
      const drivers: DeviceDrivers = this.#options.drivers ?? networkDrivers!;
      // Ends every device-login watch; undone last, after everything that uses the drivers.
      undo.push(() => networkDrivers?.close());
      const engine = new FaxJobEngine({
        jobs,
        devices,
        drivers,
        spool,
        logger: log.child({ module: 'jobs' }),
        pollMs: this.config.faxPollMs,
        pollTimeoutMs: this.config.faxPollTimeoutSeconds * 1000,
        pagesInFlight: this.config.pagesInFlight,
        attentionTimeoutMs: this.config.jamWaitMinutes * 60_000,
        policies: new SqliteFaxPolicyRepository(db, {
          attempts: this.config.faxRetryAttempts,
          intervalMs: this.config.faxRetryIntervalSeconds * 1000,
          preDialString: this.config.faxPreDialString,
        }),
        spoolRetentionMs: this.config.spoolRetentionHours * 3_600_000,
        spoolSweepMs: this.config.spoolSweepMinutes * 60_000,
      });

      // The people path: policies, users, sessions, sign-in, mail.
      const hasher = new PasswordHasher();
      const audit = new SqliteAuditLog(db);
      const policyRepository = new SqlitePolicyRepository(db);
      const policies = new PolicyService({
        repository: policyRepository,
        logger: log.child({ module: 'policies' }),
        audit,
      });
      const policyWatcher = new PolicyWatcher({
        service: policies,
        repository: policyRepository,
        logger: log.child({ module: 'policies' }),
      });
      const users = new SqliteUserRepository(db);
      const linkRepository = new SqliteAccountLinkRepository(db);
      const events = new AuthEvents();
      const authLog = log.child({ module: 'auth' });
      const sessions = new PanelSessions({
        repository: new SqlitePanelSessionRepository(db),
        tokens: new SessionTokens({ masterKey: secret.key }),
        logger: authLog,
      });
      const passwords = new PasswordChanger({ users, hasher, policies, events });
      const links = new AccountLinks({ links: linkRepository, users, policies, passwords });
      const signIn = new SignInService({
        users,
        devices,
        directory,
        policies,
        hasher,
        passwords,
        secretBox,
        sessions,
        events,
        logger: authLog,
      });
      // Whoever was signed in with the old password, or is now locked out, is signed out everywhere.
      events.on('password-changed', (e) => sessions.revoke({ userId: e.userId }, 'password-changed'));
      events.on('account-locked', (e) => sessions.revoke({ userId: e.userId }, 'user-locked'));
      const stopAuthAudit = auditAuthEvents(events, audit);
      const { mailer, notifier } = createMail({
        config: this.config,
        db,
        dataDir: this.dataDir,
        logger: log,
        ...(this.#options.mailTransport ? { transport: this.#options.mailTransport } : {}),
      });
      const notifications = new PeopleNotifications({
        events,
        users,
        devices,
        policies,
        notifier,
        logger: log.child({ module: 'notifications' }),
      });
      const expiries = new UserPasswordExpiries({ users, directory, policies });
      const reminders = new PasswordExpiryReminders({
        db,
        source: expiries,
        policy: expiries,
        notifier,
        logger: log.child({ module: 'password-expiry' }),
      });
      const panelLog = log.child({ module: 'panel-sessions' });
      const keeper = new PanelSessionKeeper({
        sessions,
        users,
        devices,
        policies,
        jobs,
        jobEvents: engine,
        externalChangeCounter: () => policyRepository.externalChangeCounter(),
        ...(this.#options.clock ? { clock: this.#options.clock } : {}),
        ...(this.#options.sessionCheckMs ? { checkIntervalMs: this.#options.sessionCheckMs } : {}),
        logger: panelLog,
      });
      const deviceLogin = new DeviceLoginSessions({
        identity: (device) => drivers.identity?.(device) ?? null,
        users,
        directory,
        sessions,
        keeper,
        ...(this.#options.clock ? { clock: this.#options.clock } : {}),
        logger: panelLog,
      });
      // Devices and pairing (DESIGN.md §2): codes over the panel socket, approval over the API.
      const pairing = new PairingService({
        repository: new SqlitePairingRepository(db),
        devices,
        users: { get: (id) => directory.getUser(id) },
        audit,
        userCodeKey: userCodeKey(secret.key),
        panels: keeper,
        logger: log.child({ module: 'pairing' }),
      });
      const panelPairing = new PanelPairing({
        service: pairing,
        publicOrigin: () => this.url,
        ...(this.#options.clock ? { clock: this.#options.clock } : {}),
        logger: log.child({ module: 'pairing' }),
      });
      const prober = new DeviceProber();
      const deviceStatus = new DeviceStatusBoard({
        devices,
        directory,
        jobs,
        onlineDevices: () => keeper.onlineDevices(),
        prober,
        logger: log.child({ module: 'device-status' }),
      });
      const deviceAdmin = new DeviceAdmin({
        devices,
        users: { get: (id) => directory.getUser(id) },
        audit,
        panels: keeper,
        changed: (id) => deviceStatus.touch(id),
      });
      const touchDevice = (e: { deviceId?: string; device?: { id: string } }) =>
        deviceStatus.touch(e.deviceId ?? e.device!.id);
      pairing.on('approved', touchDevice);
      pairing.on('claimed', touchDevice);
      engine.on('job', deviceStatus.onJob);
      const discovery = this.#options.discovery ?? null;
      const deviceServices: DeviceServices = {
        pairing,
        admin: deviceAdmin,
        status: deviceStatus,
        prober,
        discovery,
        endpoints: deviceEndpoints({
          pairing,
          admin: deviceAdmin,
          status: deviceStatus,
          prober,
          discovery,
          devices,
        }),
      };
      const people: PeopleServices = {
        users,
        policies,
        sessions,
        signIn,
        passwords,
        hasher,
        secretBox,
        events,
        notifier,
        mailer,
        links,
      };
      mailer.start();
      notifications.start();
      engine.on('job', notifications.onJob);
      reminders.start();
      policyWatcher.start();
      keeper.start();
      deviceLogin.start();
      panelPairing.start();
      if (discovery) await discovery.start();
      const stopPeople = async () => {
        await discovery?.stop();
        deviceStatus.stop();
        engine.off('job', deviceStatus.onJob);
        panelPairing.stop();
        stopAuthAudit();
        deviceLogin.stop();
        keeper.stop();
        policyWatcher.stop();
        engine.off('job', notifications.onJob);
        notifications.stop();
        await reminders.stop();
        await mailer.stop();
      };
      undo.push(stopPeople);

      // The composer's recipients (issue 11): the enterprise fax directory, contacts, recent numbers.
      const faxDirectory = new SqliteFaxDirectoryRepository(db);
      const handlers = new PanelHandlers({
        devices,
        directory,
        jobs,
        engine,
        spool,
        defaultCountry: this.config.defaultCountry,
        recipients: {
          directory: faxDirectory,
          contacts: new SqliteContactRepository(db),
          recent: new SqliteRecentNumbers(db),
        },
        users,
        signIn,
        keeper,
        deviceLogin,
        pairing: panelPairing,
        policies,
        preview: new FaxPreview({ drivers }),
      });
      const socket = new PanelSocket(handlers, log.child({ module: 'panel-socket' }), {
        extraOrigins: this.config.panelFrameAncestors,
      });
      engine.on('job', (job) => socket.publishJob(job));
      engine.on('page', (job, page) => socket.publishPage(job, page));
      // The account page: invited people set a password, and resets are completed (links from mail).
      const account = createAccountRoutes({
        links,
        passwords,
        policies,
        users,
        directory,
        secretBox,
        events,
        notifier,
        mailer,
        logger: log,
        publicOrigin: () => this.url,
      });
      // The REST API (api/): console sessions, API tokens, and the endpoints of every room.
      const api = createApiServices({
        db,
        masterKey: secret.key,
        people,
        directory,
        audit,
        logger: log.child({ module: 'api' }),
        endpoints: () => [
          ...deviceServices.endpoints,
          ...jobEndpoints({ history: new SqliteJobHistory(db), audit }),
          ...directoryEndpoints({
            directory: faxDirectory,
            audit,
            defaultCountry: this.config.defaultCountry,
          }),
          ...outboxEndpoints({
            outbox: new MailOutbox({
              db,
              // Only the default transport writes the outbox folder; SMTP (or a test's transport) does not.
              outboxDir:
                this.#options.mailTransport || this.config.smtpUrl ? null : join(this.dataDir, 'outbox'),
            }),
          }),
        ],
        publicOrigin: () => this.url,
        ...(this.#options.validateApiResponses ? { validateResponses: true } : {}),
        ...(this.#options.apiClock ? { now: this.#options.apiClock } : {}),
      });
      const assets = await buildPanelAssets();
      const app = createHttpApp({
        assets,
        frameAncestors: this.config.panelFrameAncestors,
        account,
        // Built at start like the panel: a console that does not build fails the start, not a request.
        console: createConsoleRoutes({ assets: await buildConsoleAssets() }),
        api: withConsoleEvents(api, users, { status: deviceStatus, pairing, policies }),
        logger: log.child({ module: 'http' }),
      });
      const server = certificate
        ? createTlsServer({ cert: certificate.cert, key: certificate.key }, app)
        : createServer(app);
      socket.attach(server);
      undo.push(() => socket.stop());
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.config.port, this.config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      undo.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      engine.start();
      undo.push(() => engine.stop());
      // Email-to-fax (issue 13): the SMTP intake feeds the same engine; its receipts follow its jobs.
      const emailToFax = new EmailToFax({
        config: this.config,
        dataDir: this.dataDir,
        db,
        jobs,
        engine,
        spool,
        devices,
        drivers,
        directory,
        users,
        policies,
        signIn,
        notifier,
        certificate,
        logger: log.child({ module: 'email-to-fax' }),
      });
      await emailToFax.start();
      undo.push(() => emailToFax.stop());
      this.#running = {
        db,
        server,
        engine,
        socket,
        devices,
        directory,
        jobs,
        people,
        stopPeople,
        drivers: networkDrivers,
        account,
        certificate,
        deviceServices,
        audit,
        api,
        faxDirectory,
        emailToFax,
      };
      log.info({ url: this.url }, 'edge service listening');
    } catch (error) {
      for (const step of undo.reverse()) await step();
      throw error;
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = null;
    await running.emailToFax.stop();
    await running.socket.stop();
    await running.engine.stop();
    // Reset mails the account page is still preparing go into the queue before mail stops.
    await running.account.settled();
    // After the engine: its last job events may still queue receipts. Mail stops before the db closes.
    await running.stopPeople();
    running.drivers?.close();
    running.server.closeAllConnections();
    await new Promise<void>((resolve) => running.server.close(() => resolve()));
    running.db.close();
  }

  #require(): Running {
    if (!this.#running) throw new Error('edge is not running');
    return this.#running;
  }
}
