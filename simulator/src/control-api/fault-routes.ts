import express from 'express';
import { FAULT_NAMES, isFaultName, type Faults } from '../faults.ts';
import { sendError } from './http-errors.ts';

/**
 * `/sim/api/faults`: raise (`POST {fault}`), clear (`DELETE /:fault`), list (`GET`). Unreadable
 * bodies reach the app-level error handler (http-errors.ts).
 */
export function createFaultRoutes(faults: Faults): express.Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.json({ faults: faults.list(), available: FAULT_NAMES });
  });
  router.post('/', express.json({ limit: '4kb' }), (req, res) => {
    const fault: unknown = req.body?.fault;
    if (!isFaultName(fault)) {
      const message = `Unknown fault ${JSON.stringify(fault)}; use one of ${FAULT_NAMES.join(', ')}.`;
      return sendError(res, 400, 'UNKNOWN_FAULT', message);
    }
    faults.raise(fault);
    res.status(201).json({ faults: faults.list() });
  });
  router.delete('/:fault', (req, res) => {
    const fault = req.params.fault;
    if (!isFaultName(fault)) return sendError(res, 404, 'UNKNOWN_FAULT', `Unknown fault "${fault}".`);
    faults.clear(fault);
    res.json({ faults: faults.list() });
  });
  return router;
}
