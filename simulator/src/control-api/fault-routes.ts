import express from 'express';
import { FAULT_NAMES, isFaultName, type Faults } from '../faults.ts';
import { sendError } from './http-errors.ts';

/**
 * `/sim/api/faults`: raise (`POST {fault}`; `{"fault":"jam","atPage":n}` arms a jam on sheet n of the
 * next feeder job), clear (`DELETE /:fault`, which also disarms), list (`GET`). Unreadable
 * bodies reach the app-level error handler (http-errors.ts).
 */
export function createFaultRoutes(faults: Faults): express.Router {
  const router = express.Router();
  const armed = () => (faults.jamAtPage === null ? {} : { armed: { jam: { atPage: faults.jamAtPage } } });
  router.get('/', (_req, res) => {
    res.json({ faults: faults.list(), available: FAULT_NAMES, ...armed() });
  });
  router.post('/', express.json({ limit: '4kb' }), (req, res) => {
    const fault: unknown = req.body?.fault;
    if (!isFaultName(fault)) {
      const message = `Unknown fault ${JSON.stringify(fault)}; use one of ${FAULT_NAMES.join(', ')}.`;
      return sendError(res, 400, 'UNKNOWN_FAULT', message);
    }
    // `atPage` (jam only): the feeder jams on that sheet of the next feeder job, not now.
    const atPage: unknown = req.body?.atPage;
    if (atPage !== undefined) {
      if (
        fault !== 'jam' ||
        typeof atPage !== 'number' ||
        !Number.isInteger(atPage) ||
        atPage < 1 ||
        atPage > 1000
      )
        return sendError(
          res,
          400,
          'BAD_FAULT',
          'atPage applies to the jam fault only and must be a whole number from 1 to 1000 (the sheet the feeder jams on).',
        );
      faults.armJam(atPage);
      return res.status(201).json({ faults: faults.list(), ...armed() });
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
