import express from 'express';
import { sendError } from '../control-api/http-errors.ts';
import type { VirtualScanner } from './virtual-scanner.ts';

/**
 * `/sim/api/scanner` (read-only): `GET /last-settings` is the ScanSettings of the newest eSCL
 * ScanJobs request the scanner parsed, as it understood them, so a test or a tester can check what
 * a client really asked for (resolution, region, colour mode, intent):
 * `{receivedAt, jobUuid, settings: {source, duplex, colorMode, resolution, documentFormat, region, intent}}`
 * (`region` in 1/300 inch or null; `jobUuid` null when the scanner refused the job). 404
 * `NO_SCAN_YET` before the first request.
 */
export function createScannerRoutes(scanner: VirtualScanner): express.Router {
  const router = express.Router();
  router.get('/last-settings', (_req, res) => {
    const last = scanner.lastSettings();
    if (!last)
      return sendError(res, 404, 'NO_SCAN_YET', 'No scan job was requested since the simulator started.');
    res.json(last);
  });
  return router;
}
