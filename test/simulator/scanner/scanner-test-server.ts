import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SimClock } from '../../../simulator/src/clock.ts';
import { Faults } from '../../../simulator/src/faults.ts';
import { createLogger } from '../../../simulator/src/logger.ts';
import { createErrorHandler, notFoundHandler } from '../../../simulator/src/control-api/http-errors.ts';
import { createEsclRouter } from '../../../simulator/src/scanner/escl-router.ts';
import { createFeederRoutes } from '../../../simulator/src/scanner/feeder-routes.ts';
import { VirtualScanner } from '../../../simulator/src/scanner/virtual-scanner.ts';
import type { EsclQuirks, ScannerProfile } from '../../../simulator/src/scanner/escl-quirks.ts';

/** A clock whose waits end only when the test says so (or at once, after `run()`). */
export class ManualClock extends SimClock {
  #pending: (() => void)[] = [];
  #running = false;

  override wait(_ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#running) return Promise.resolve();
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      this.#pending.push(resolve);
    });
  }

  /** Ends every wait now and every future one at once. */
  run(): void {
    this.#running = true;
    for (const resolve of this.#pending.splice(0)) resolve();
  }
}

export interface TestScanner {
  url: string;
  scanner: VirtualScanner;
  faults: Faults;
  close(): Promise<void>;
}

export async function startTestScanner(
  clock: SimClock = new SimClock(0.001),
  options: {
    profile?: ScannerProfile;
    quirks?: Partial<EsclQuirks>;
    nextDocumentHoldMs?: number;
    abandonAfterMs?: number;
  } = {},
): Promise<TestScanner> {
  const faults = new Faults();
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
  const scanner = new VirtualScanner({ clock, faults, logger, ...options });
  await scanner.start();
  const app = express();
  app.use('/eSCL', createEsclRouter(scanner, { logger }));
  app.use('/sim/api/feeder', createFeederRoutes(scanner));
  // Mounted as the simulator mounts them: the feeder's refusals are answered by the app-level handler.
  app.use(notFoundHandler);
  app.use(createErrorHandler(logger));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    scanner,
    faults,
    async close() {
      await scanner.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function scanSettingsXml(options: {
  source?: string;
  colorMode?: string;
  resolution?: number;
  format?: string;
  duplex?: boolean;
  region?: { width: number; height: number };
}): string {
  const region = options.region
    ? `<pwg:ScanRegions><pwg:ScanRegion><pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>` +
      `<pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset><pwg:Width>${options.region.width}</pwg:Width>` +
      `<pwg:Height>${options.region.height}</pwg:Height></pwg:ScanRegion></pwg:ScanRegions>`
    : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<scan:ScanSettings xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">' +
    '<pwg:Version>2.63</pwg:Version>' +
    region +
    `<pwg:InputSource>${options.source ?? 'Feeder'}</pwg:InputSource>` +
    (options.duplex === undefined ? '' : `<scan:Duplex>${options.duplex}</scan:Duplex>`) +
    `<scan:ColorMode>${options.colorMode ?? 'Grayscale8'}</scan:ColorMode>` +
    `<scan:DocumentFormatExt>${options.format ?? 'image/jpeg'}</scan:DocumentFormatExt>` +
    `<scan:XResolution>${options.resolution ?? 150}</scan:XResolution>` +
    `<scan:YResolution>${options.resolution ?? 150}</scan:YResolution>` +
    '</scan:ScanSettings>'
  );
}

export async function postJob(url: string, xml: string): Promise<Response> {
  return fetch(`${url}/eSCL/ScanJobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml' },
    body: xml,
  });
}

/** NextDocument, retrying 503 like real clients do; gives up after `timeoutMs`. */
export async function nextDocument(jobUrl: string, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${jobUrl}/NextDocument`);
    if (res.status !== 503) return res;
    await res.arrayBuffer();
    if (Date.now() > deadline) throw new Error('NextDocument kept answering 503');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
