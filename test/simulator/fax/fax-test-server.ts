import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { SimClock } from '../../../simulator/src/clock.ts';
import { Faults } from '../../../simulator/src/faults.ts';
import { createLogger } from '../../../simulator/src/logger.ts';
import { FaxModem, type LineTimings } from '../../../simulator/src/fax/fax-modem.ts';
import { RemoteMachines } from '../../../simulator/src/fax/remote-machines.ts';
import { createIppHandler } from '../../../simulator/src/fax/ipp-handler.ts';
import { createFaxRoutes } from '../../../simulator/src/fax/fax-routes.ts';
import type { FaxLimits } from '../../../simulator/src/fax/fax-limits.ts';
import { createErrorHandler, notFoundHandler } from '../../../simulator/src/control-api/http-errors.ts';

/** The fax side of the simulator on 127.0.0.1:0, mounted the way the lead mounts it. */
export interface FaxTestServer {
  baseUrl: string;
  ippUrl: string;
  port: number;
  modem: FaxModem;
  remotes: RemoteMachines;
  faults: Faults;
  close(): Promise<void>;
}

export async function startFaxTestServer(
  options: {
    timeFactor?: number;
    timings?: Partial<LineTimings>;
    multipleOperationTimeoutS?: number;
    limits?: Partial<FaxLimits>;
  } = {},
): Promise<FaxTestServer> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
  const faults = new Faults();
  const remotes = new RemoteMachines();
  const modem = new FaxModem({
    clock: new SimClock(options.timeFactor ?? 0.001),
    faults,
    logger,
    remotes,
    ...(options.timings ? { timings: options.timings } : {}),
    ...(options.multipleOperationTimeoutS
      ? { multipleOperationTimeoutS: options.multipleOperationTimeoutS }
      : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const app = express();
  app.post('/ipp/faxout', express.raw({ type: 'application/ipp', limit: '200mb' }), createIppHandler(modem));
  app.use('/sim/api', createFaxRoutes(remotes, modem));
  app.use(notFoundHandler);
  app.use(createErrorHandler(logger));
  modem.start();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    ippUrl: `ipp://127.0.0.1:${port}/ipp/faxout`,
    port,
    modem,
    remotes,
    faults,
    close: async () => {
      modem.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
