import express from 'express';
import { FAULT_NAMES, isFaultName, type Faults } from '../faults.ts';

/** `/sim/api/faults`: raise (`POST {fault}`), clear (`DELETE /:fault`), list (`GET`). */
export function createFaultRoutes(faults: Faults): express.Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.json({ faults: faults.list(), available: FAULT_NAMES });
  });
  router.post('/', express.json(), (req, res) => {
    const fault: unknown = req.body?.fault;
    if (!isFaultName(fault)) {
      res.status(400).json({
        error: {
          code: 'UNKNOWN_FAULT',
          message: `Unknown fault ${JSON.stringify(fault)}; use one of ${FAULT_NAMES.join(', ')}.`,
        },
      });
      return;
    }
    faults.raise(fault);
    res.status(201).json({ faults: faults.list() });
  });
  router.delete('/:fault', (req, res) => {
    const fault = req.params.fault;
    if (!isFaultName(fault)) {
      res.status(404).json({ error: { code: 'UNKNOWN_FAULT', message: `Unknown fault "${fault}".` } });
      return;
    }
    faults.clear(fault);
    res.json({ faults: faults.list() });
  });
  return router;
}
