import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Faults } from './faults.ts';
import { SimClock } from './clock.ts';
import { createLogger, type Logger } from './logger.ts';
import { VirtualScanner } from './scanner/virtual-scanner.ts';
import { createEsclRouter } from './scanner/escl-router.ts';
import { createFeederRoutes } from './scanner/feeder-routes.ts';
import { FaxModem } from './fax/fax-modem.ts';
import { RemoteMachines } from './fax/remote-machines.ts';
import { createIppHandler } from './fax/ipp-handler.ts';
import { createFaxRoutes } from './fax/fax-routes.ts';
import { createFaultRoutes } from './control-api/fault-routes.ts';
import { consolePage } from './console/console-page.ts';

export interface SimulatorOptions {
  host?: string;
  port?: number;
  /** Simulated time factor: 1 is real time, 0.01 runs a hundred times faster (tests). */
  timeFactor?: number;
  logger?: Logger;
  /** The panel URL the console frames, when an edge is known (the demo). */
  panelUrl?: string;
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
  readonly #options: SimulatorOptions;
  readonly #logger: Logger;
  #server: Server | null = null;

  constructor(options: SimulatorOptions = {}) {
    this.#options = options;
    this.#logger = options.logger ?? createLogger();
    this.clock = new SimClock(options.timeFactor ?? 1);
    this.scanner = new VirtualScanner({
      clock: this.clock,
      faults: this.faults,
      logger: this.#logger.child({ module: 'scanner' }),
    });
    this.remotes = new RemoteMachines();
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

  /** Lets the console frame the panel of the edge this device is paired with. */
  setPanelUrl(url: string): void {
    this.#options.panelUrl = url;
  }

  async start(): Promise<void> {
    if (this.#server) throw new Error('simulator already started');
    await this.scanner.start();
    await this.modem.start();
    const app = express();
    app.disable('x-powered-by');
    app.use('/eSCL', createEsclRouter(this.scanner));
    app.post(
      '/ipp/faxout',
      express.raw({ type: 'application/ipp', limit: '200mb' }),
      createIppHandler(this.modem),
    );
    app.use('/sim/api/feeder', createFeederRoutes(this.scanner));
    app.use('/sim/api/faults', createFaultRoutes(this.faults));
    app.use('/sim/api', createFaxRoutes(this.remotes));
    app.get('/', (_req, res) => {
      res.type('html').send(consolePage({ panelUrl: this.#options.panelUrl ?? null }));
    });
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
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await this.modem.stop();
    await this.scanner.stop();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
