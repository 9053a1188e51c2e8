import type { Socket } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { SimulatorError } from './http-errors.ts';

/** How long the device stays off when the body says nothing: long enough for clients to notice. */
export const DEFAULT_OFF_MS = 1_000;
export const MAX_OFF_MS = 60_000;

const powerCycleBody = z.strictObject({
  offMs: z.number().int().min(0).max(MAX_OFF_MS).optional(),
});

/** What POST /sim/api/power-cycle answers once the device is back on. */
export interface PowerCycleReport {
  state: 'on';
  /** The power-on count now (the fax log's `boot`). */
  boot: number;
  offMs: number;
  poweredOffAt: string;
  poweredOnAt: string;
  /** Jobs that were not finished and are gone. */
  dropped: { scanJobs: number; faxJobs: number };
}

export interface PowerStatus {
  state: 'on';
  boot: number;
  poweredOnAt: string;
  /** printer-up-time, seconds since this power-on. */
  upTimeSeconds: number;
}

/** The device side the routes drive (the Simulator). */
export interface PowerSwitch {
  powerCycle(options: { offMs: number; keep?: Socket }): Promise<PowerCycleReport>;
  powerStatus(): PowerStatus;
}

/**
 * `POST /sim/api/power-cycle` (`{"offMs"}` optional) switches the device off and on like its power
 * button, and answers when it is back; `GET /sim/api/power` says which boot this is. Mounted at
 * /sim/api; unreadable bodies reach the app-level error handler (http-errors.ts).
 */
export function createPowerRoutes(device: PowerSwitch): express.Router {
  const router = express.Router();
  router.get('/power', (_req, res) => {
    res.json(device.powerStatus());
  });
  // Any content type is read as JSON: a script's `curl -d '{"offMs":0}'` sends form-urlencoded.
  router.post('/power-cycle', express.json({ limit: '1kb', type: () => true }), async (req, res) => {
    const parsed = powerCycleBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      const message = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ');
      throw new SimulatorError('INVALID_BODY', message, 400);
    }
    // The asking connection survives the power cut so it can hear that the device is back.
    const report = await device.powerCycle({ offMs: parsed.data.offMs ?? DEFAULT_OFF_MS, keep: req.socket });
    res.json(report);
  });
  return router;
}
