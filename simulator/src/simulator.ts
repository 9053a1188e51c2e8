import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults } from './faults.ts';
import { SimClock } from './clock.ts';
import { createLogger, type Logger } from './logger.ts';
import { VirtualScanner } from './scanner/virtual-scanner.ts';
import type { ScannerProfile } from './scanner/escl-quirks.ts';
import { createEsclRouter } from './scanner/escl-router.ts';
import { createFeederRoutes } from './scanner/feeder-routes.ts';
import { FaxModem } from './fax/fax-modem.ts';
import { RemoteMachines } from './fax/remote-machines.ts';
import { createIppHandler } from './fax/ipp-handler.ts';
import { createFaxRoutes } from './fax/fax-routes.ts';
import { createFaultRoutes } from './control-api/fault-routes.ts';
import { createErrorHandler, notFoundHandler } from './control-api/http-errors.ts';
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
  /** Keep what a tester expects to survive a restart here (received faxes, line behaviours); memory only if unset. */
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
  /** The MFP's own sign-in; emits 'change' when the signed-in person changes. */
  readonly deviceLogin = new DeviceLogin();
  readonly #adminPassword: string;
  readonly #options: SimulatorOptions;
  readonly #logger: Logger;
  #server: Server | null = null;
  #advertiser: DnsSdAdvertiser | null = null;

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
    this.modem = new FaxModem({
      clock: this.clock,
      faults: this.faults,
      logger: this.#logger.child({ module: 'fax' }),
      remotes: this.remotes,
    });
  }

  get url(): string {
    if (!this.#server) throw new Error('simulator is not running');
    const address = this.#server.address() as AddressInfo;
    return `http://${this.#options.host ?? '127.0.0.1'}:${address.port}`;
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
    app.use('/sim/api/faults', createFaultRoutes(this.faults));
    app.use('/sim/api/device-login', createDeviceLoginRoutes(this.deviceLogin));
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
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port ?? 8090, this.#options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#logger.info({ url: this.url }, 'simulator listening');
    if (this.#options.dnsSd) {
      this.#advertiser = createSimulatorAdvertiser({
        scanner: this.scanner.identity,
        address: this.#options.host ?? '127.0.0.1',
        port: (server.address() as AddressInfo).port,
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
