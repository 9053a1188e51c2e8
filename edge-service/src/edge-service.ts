import { createServer, type Server } from 'node:http';
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
import { PanelSocket } from './http/panel-socket.ts';
import { buildPanelAssets } from './http/panel-assets.ts';
import { createHttpApp } from './http/http-app.ts';

export interface EdgeServiceOptions {
  config?: Record<string, unknown>;
  logger?: Logger;
  /** Replaces the network drivers (service tests inject fakes here). */
  drivers?: DeviceDrivers;
}

interface Running {
  db: Db;
  server: Server;
  engine: FaxJobEngine;
  socket: PanelSocket;
  devices: SqliteDeviceRepository;
  directory: SqliteDirectoryRepository;
  jobs: SqliteJobRepository;
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
    return { devices: running.devices, directory: running.directory, jobs: running.jobs };
  }

  get url(): string {
    const address = this.#require().server.address() as AddressInfo;
    return `http://${this.config.host}:${address.port}`;
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
      const spool = new Spool(join(this.dataDir, 'spool'));
      await spool.start();
      const devices = new SqliteDeviceRepository(db);
      const directory = new SqliteDirectoryRepository(db);
      const jobs = new SqliteJobRepository(db);
      const drivers = this.#options.drivers ?? new NetworkDeviceDrivers(log.child({ module: 'drivers' }));
      const engine = new FaxJobEngine({
        jobs,
        devices,
        drivers,
        spool,
        logger: log.child({ module: 'jobs' }),
        pollMs: this.config.faxPollMs,
        pollTimeoutMs: this.config.faxPollTimeoutSeconds * 1000,
        pagesInFlight: this.config.pagesInFlight,
        policies: new SqliteFaxPolicyRepository(db, {
          attempts: this.config.faxRetryAttempts,
          intervalMs: this.config.faxRetryIntervalSeconds * 1000,
          preDialString: this.config.faxPreDialString,
        }),
        spoolRetentionMs: this.config.spoolRetentionHours * 3_600_000,
        spoolSweepMs: this.config.spoolSweepMinutes * 60_000,
      });
      const handlers = new PanelHandlers({
        devices,
        directory,
        jobs,
        engine,
        defaultCountry: this.config.defaultCountry,
      });
      const socket = new PanelSocket(handlers, log.child({ module: 'panel-socket' }));
      engine.on('job', (job) => socket.publishJob(job));
      const assets = await buildPanelAssets();
      const app = createHttpApp({
        assets,
        devices,
        connectedDevices: () => socket.connectedDevices(),
        frameAncestors: this.config.panelFrameAncestors,
      });
      const server = createServer(app);
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
      this.#running = { db, server, engine, socket, devices, directory, jobs };
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
    await running.socket.stop();
    await running.engine.stop();
    running.server.closeAllConnections();
    await new Promise<void>((resolve) => running.server.close(() => resolve()));
    running.db.close();
  }

  #require(): Running {
    if (!this.#running) throw new Error('edge is not running');
    return this.#running;
  }
}
