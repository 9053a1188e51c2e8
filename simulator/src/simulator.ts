import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Faults } from './faults.ts';
import { SimClock } from './clock.ts';
import { createLogger, type Logger } from './logger.ts';
import { VirtualScanner } from './scanner/virtual-scanner.ts';
import type { ScannerProfile } from './scanner/escl-quirks.ts';
import { createEsclRouter } from './scanner/escl-router.ts';
import { createScannerRoutes } from './scanner/scanner-routes.ts';
import { createFeederRoutes } from './scanner/feeder-routes.ts';
import { FaxModem } from './fax/fax-modem.ts';
import { RemoteMachines } from './fax/remote-machines.ts';
import { createIppHandler } from './fax/ipp-handler.ts';
import { createFaxRoutes } from './fax/fax-routes.ts';
import { createFaultRoutes } from './control-api/fault-routes.ts';
import { createErrorHandler, notFoundHandler, SimulatorError } from './control-api/http-errors.ts';
import { createPowerRoutes, type PowerCycleReport, type PowerStatus } from './control-api/power-routes.ts';
import { FaxLog } from './fax/fax-log.ts';
import { createConsoleRoutes } from './console/console-routes.ts';
import { DeviceLogin } from './device-login/device-login.ts';
import { createDeviceLoginRoutes } from './device-login/device-login-routes.ts';
import { createDeviceApiRoutes } from './device-login/device-api-routes.ts';
import { FailedAttempts } from './device-login/failed-attempts.ts';
import { randomBytes } from 'node:crypto';
import type { DnsSdAdvertiser } from './dns-sd/dns-sd-advertiser.ts';
import { createSimulatorAdvertiser } from './dns-sd/simulator-advertisement.ts';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  /** Simulated time factor: 1 is real time, 0.01 runs a hundred times faster (tests). */
  timeFactor?: number;
  logger?: Logger;
  /** The panel URL the console frames, when an edge is known (the demo). */
  panelUrl?: string;
  /** The device's admin password for its device API (HTTP Basic, user `admin`); random per start if unset. */
  adminPassword?: string;
  /** Advertise `_uscan._tcp` and `_ipp._tcp` (FaxOut) over mDNS. Off by default: multicast leaves the machine. */
  dnsSd?: boolean;
  /** 'quirks': the scanner plays back real devices' eSCL quirks (QUIRKS.md) instead of the clean protocol. */
  scannerProfile?: ScannerProfile;
  /**
   * Keep what a tester expects to survive a restart here (received faxes, line behaviours, the fax
   * log); memory only if unset.
   */
  dataDir?: string;
}

/**
 * The virtual MFP: an eSCL scanner, an IPP FaxOut modem with a phone line and remote machines, and
 * its control API and console. It is a separate device on the network even when started in-process.
 */
export class Simulator {
  readonly faults = new Faults();
  readonly clock: SimClock;
  readonly scanner: VirtualScanner;
  readonly remotes: RemoteMachines;
  readonly modem: FaxModem;
  /** The modem's transmission log; survives power cycles, and restarts with `dataDir`. */
  readonly faxLog: FaxLog;
  /** The MFP's own sign-in; emits 'change' when the signed-in person changes. */
  readonly deviceLogin = new DeviceLogin();
  readonly #adminPassword: string;
  readonly #options: SimulatorOptions;
  readonly #logger: Logger;
  #server: Server | null = null;
  #advertiser: DnsSdAdvertiser | null = null;
  /** Open connections, so a power cut can drop them (server.close() only stops new ones). */
  readonly #sockets = new Set<Socket>();
  #powerCycling = false;
  /** The port listened on (kept: while the device is off nothing is bound). */
  #port = 0;

  constructor(options: SimulatorOptions = {}) {
    this.#options = options;
    this.#logger = options.logger ?? createLogger();
    this.#adminPassword = options.adminPassword ?? randomBytes(18).toString('base64url');
    this.clock = new SimClock(options.timeFactor ?? 1);
    this.scanner = new VirtualScanner({
      clock: this.clock,
      faults: this.faults,
      logger: this.#logger.child({ module: 'scanner' }),
      profile: options.scannerProfile ?? 'standard',
    });
    this.remotes = new RemoteMachines({
      logger: this.#logger.child({ module: 'remote-machines' }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    });
    this.faxLog = new FaxLog({
      logger: this.#logger.child({ module: 'fax-log' }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    });
    this.modem = new FaxModem({
      clock: this.clock,
      faults: this.faults,
      logger: this.#logger.child({ module: 'fax' }),
      remotes: this.remotes,
      log: this.faxLog,
    });
  }

  get url(): string {
    if (!this.#server) throw new Error('simulator is not running');
    return `http://${this.#options.host ?? '127.0.0.1'}:${this.#port}`;
  }

  /** eSCL root and IPP FaxOut URI, as an edge is configured with them. */
  get deviceUrls(): { scannerUrl: string; faxUrl: string } {
    return { scannerUrl: `${this.url}/eSCL`, faxUrl: `${this.url.replace(/^http:/, 'ipp:')}/ipp/faxout` };
  }

  /** The credential a paired edge uses on the device API (`/device/api/v1/`). */
  get adminCredentials(): { username: 'admin'; password: string } {
    return { username: 'admin', password: this.#adminPassword };
  }

  /** Lets the console frame the panel of the edge this device is paired with. */
  setPanelUrl(url: string): void {
    this.#options.panelUrl = url;
  }

  async start(): Promise<void> {
    if (this.#server) throw new Error('simulator already started');
    await this.remotes.start();
    this.faxLog.start();
    await this.scanner.start();
    await this.modem.start();
    const app = express();
    app.disable('x-powered-by');
    app.use('/eSCL', createEsclRouter(this.scanner, { logger: this.#logger.child({ module: 'escl' }) }));
    app.post(
      '/ipp/faxout',
      express.raw({ type: 'application/ipp', limit: '200mb' }),
      createIppHandler(this.modem),
    );
    app.use('/sim/api/feeder', createFeederRoutes(this.scanner));
    app.use('/sim/api/scanner', createScannerRoutes(this.scanner));
    app.use('/sim/api/faults', createFaultRoutes(this.faults));
    app.use('/sim/api/device-login', createDeviceLoginRoutes(this.deviceLogin));
    app.use('/sim/api', createPowerRoutes(this));
    app.use('/sim/api', createFaxRoutes(this.remotes, this.modem));
    app.use(
      '/device/api/v1',
      createDeviceApiRoutes({
        login: this.deviceLogin,
        credentials: () => this.adminCredentials,
        failures: new FailedAttempts(),
      }),
    );
    app.use(createConsoleRoutes({ panelUrl: () => this.#options.panelUrl ?? null }));
    // Last: JSON for what no route answered and for every error, never Express's HTML page.
    app.use(notFoundHandler);
    app.use(createErrorHandler(this.#logger.child({ module: 'http' })));
    const server = createServer(app);
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    await this.#listen(server, this.#options.port ?? 8090);
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    this.#logger.info({ url: this.url }, 'simulator listening');
    if (this.#options.dnsSd) {
      this.#advertiser = createSimulatorAdvertiser({
        scanner: this.scanner.identity,
        address: this.#options.host ?? '127.0.0.1',
        port: this.#port,
        logger: this.#logger.child({ module: 'dns-sd' }),
      });
      try {
        await this.#advertiser.start();
      } catch (error) {
        await this.stop();
        throw error;
      }
    }
  }

  #listen(server: Server, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.#options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  powerStatus(): PowerStatus {
    return {
      state: 'on',
      boot: this.faxLog.boot,
      poweredOnAt: this.faxLog.bootedAt.toISOString(),
      upTimeSeconds: this.modem.upTime(),
    };
  }

  /**
   * Switches the device off and, after `offMs` real milliseconds, on again, as its power button does.
   * Off means gone from the network: the listener closes, so new connections are refused
   * (ECONNREFUSED), and open ones are cut (ECONNRESET), except `keep` (the control API request that
   * asked, so it can be answered). Unfinished scan and fax jobs are lost; the fax being sent is cut
   * off, its remote machine keeping a partial fax. After power-on there are no jobs, job ids start at
   * 1, printer-up-time counts from the power-on; printer-uuid, the fax log, received faxes, line
   * behaviours, the feeder and raised faults stay. The person signed in at the device is signed out.
   */
  async powerCycle(options: { offMs: number; keep?: Socket }): Promise<PowerCycleReport> {
    const server = this.#server;
    if (!server) throw new SimulatorError('DEVICE_OFF', 'the simulator is not running', 503);
    if (this.#powerCycling)
      throw new SimulatorError('POWER_CYCLE_IN_PROGRESS', 'the device is already restarting', 409);
    this.#powerCycling = true;
    const log = this.#logger.child({ module: 'power' });
    try {
      const port = this.#port;
      const poweredOffAt = new Date();
      const dropped = {
        scanJobs: this.scanner.activeJob() ? 1 : 0,
        faxJobs: this.modem.queuedJobCount(),
      };
      server.close();
      for (const socket of this.#sockets) if (socket !== options.keep) socket.destroy();
      log.info({ offMs: options.offMs, dropped }, 'device switched off');
      await this.scanner.powerOff();
      await this.modem.powerOff();
      this.deviceLogin.signOut();
      // The partial fax the cut-off call left is on disk before the device claims to be back.
      await this.remotes.stop();
      await delay(options.offMs);
      // stop() while it was off: it stays off.
      if (this.#server !== server) throw new SimulatorError('DEVICE_OFF', 'the simulator was stopped', 503);
      this.faxLog.powerOn();
      this.modem.powerOn();
      this.scanner.powerOn();
      try {
        await this.#listen(server, port);
      } catch (error) {
        log.error({ err: error, port }, 'could not listen again after the power cycle');
        throw new SimulatorError('POWER_ON_FAILED', `the device could not take port ${port} again`, 500, {
          cause: error,
        });
      }
      log.info({ boot: this.faxLog.boot }, 'device switched on');
      return {
        state: 'on',
        boot: this.faxLog.boot,
        offMs: options.offMs,
        poweredOffAt: poweredOffAt.toISOString(),
        poweredOnAt: this.faxLog.bootedAt.toISOString(),
        dropped,
      };
    } finally {
      this.#powerCycling = false;
    }
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await this.#advertiser?.stop();
    this.#advertiser = null;
    await this.modem.stop();
    await this.remotes.stop();
    await this.scanner.stop();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
