import express from 'express';
import { ScannerError } from './scanner-error.ts';
import type { VirtualScanner } from './virtual-scanner.ts';

const MAX_UPLOAD = '50mb';

function badRequest(message: string): ScannerError {
  return new ScannerError('INVALID_ORIGINAL', message);
}

function reloadOf(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw badRequest('reload must be true or false');
}

/**
 * The simulator's feeder control API (mounted at /sim/api/feeder): what is in the ADF, and loading
 * built-in samples (JSON) or an uploaded image or PDF (raw body). Omitting `reload` keeps the current mode.
 * Refusals are ScannerErrors (SimulatorErrors) and, like body-parser errors, reach the app-level
 * handler (control-api/http-errors.ts), so the codes are the control API's.
 */
export function createFeederRoutes(scanner: VirtualScanner): express.Router {
  const router = express.Router();

  router.get('/', (_req, res) => {
    res.json(scanner.feederContents());
  });

  router.put(
    '/',
    express.json({ limit: '64kb' }),
    express.raw({ type: ['image/*', 'application/pdf'], limit: MAX_UPLOAD }),
    async (req, res) => {
      const contentType = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (contentType === 'application/json') {
        const body = req.body as { originals?: unknown; reload?: unknown } | undefined;
        const originals = body?.originals;
        if (!Array.isArray(originals) || !originals.every((name) => typeof name === 'string')) {
          throw new ScannerError('UNKNOWN_SAMPLE', 'originals must be an array of sample names');
        }
        res.json(scanner.loadSamples(originals, reloadOf(body?.reload)));
        return;
      }
      if (contentType.startsWith('image/') || contentType === 'application/pdf') {
        if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw badRequest('the upload is empty');
        const name = typeof req.query.name === 'string' && req.query.name ? req.query.name : undefined;
        res.json(
          await scanner.loadUpload(req.body, contentType, { name, reload: reloadOf(req.query.reload) }),
        );
        return;
      }
      throw badRequest(
        'send JSON {"originals": [...]}, an image (image/jpeg, image/png) or a PDF (application/pdf) as the body',
      );
    },
  );

  return router;
}
