/**
 * The fax part of the simulator control API (DESIGN.md §5), mounted at /sim/api. Malformed or
 * oversized bodies reach the app-level error handler (control-api/http-errors.ts).
 */
import express from 'express';
import { z } from 'zod';
import { sendError } from '../control-api/http-errors.ts';
import {
  isDialable,
  LINE_BEHAVIORS,
  SLOW_BIT_RATE,
  type LineBehavior,
  type RemoteMachines,
} from './remote-machines.ts';
import type { FaxModem } from './fax-modem.ts';

const lineBody = z.object({
  behavior: z.enum(LINE_BEHAVIORS),
  page: z.number().int().min(1).max(10_000).optional(),
  bitRate: z.number().int().min(300).max(33_600).optional(),
});

export function createFaxRoutes(remotes: RemoteMachines, modem?: FaxModem): express.Router {
  const router = express.Router();

  // The modem's transmission log (printer-fax-log-uri), newest job first; shape in fax-log-entry.ts.
  if (modem) router.get('/fax-log', (_req, res) => res.json(modem.log.entries()));

  router.get('/faxes', (_req, res) => {
    res.json(remotes.list());
  });

  router.get('/faxes/:id', (req, res) => {
    const fax = remotes.get(req.params.id);
    if (!fax) return sendError(res, 404, 'FAX_NOT_FOUND', `no fax ${req.params.id}`);
    res.json(fax);
  });

  router.get('/faxes/:id/pages/:n', (req, res) => {
    const n = Number(req.params.n);
    if (!/^\d+$/.test(req.params.n) || n < 1)
      return sendError(res, 400, 'INVALID_PAGE', 'page numbers start at 1');
    if (!remotes.get(req.params.id)) return sendError(res, 404, 'FAX_NOT_FOUND', `no fax ${req.params.id}`);
    const png = remotes.page(req.params.id, n);
    if (!png) return sendError(res, 404, 'PAGE_NOT_FOUND', `fax ${req.params.id} has no page ${n}`);
    res.type('image/png').send(png);
  });

  router.get('/line', (_req, res) => {
    res.json(remotes.behaviors());
  });

  router.put('/line/:number', express.json({ limit: '10kb' }), (req, res) => {
    const number = req.params.number;
    if (!isDialable(number))
      return sendError(res, 400, 'INVALID_NUMBER', `"${number}" is not a phone number`);
    const parsed = lineBody.safeParse(req.body);
    if (!parsed.success) {
      return sendError(
        res,
        400,
        'INVALID_LINE_BEHAVIOR',
        parsed.error.issues.map((i) => i.message).join('; '),
      );
    }
    const { behavior, page, bitRate } = parsed.data;
    let line: LineBehavior;
    if (behavior === 'drop-at-page') {
      if (page === undefined)
        return sendError(res, 400, 'INVALID_LINE_BEHAVIOR', 'drop-at-page needs a page');
      line = { behavior, page };
    } else if (behavior === 'slow') line = { behavior, bitRate: bitRate ?? SLOW_BIT_RATE };
    else line = { behavior };
    remotes.setBehavior(number, line);
    res.json({ number, ...line });
  });

  return router;
}
