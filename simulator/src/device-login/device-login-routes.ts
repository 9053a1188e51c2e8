import express from 'express';
import { z } from 'zod';
import { sendError } from '../control-api/http-errors.ts';
import type { DeviceLogin, SignInCredential } from './device-login.ts';

const field = z.string().trim().min(1).max(200);
const signInBody = z.union([
  z.strictObject({ email: field }),
  z.strictObject({ card: field }),
  z.strictObject({ pin: field }),
]);

/**
 * `/sim/api/device-login` (DESIGN.md §5): what a badge tap or PIN does at a real MFP. `GET` shows
 * who is signed in and the enrolled people; `PUT {email}|{card}|{pin}` signs one in; `DELETE` signs out.
 * Refusals (UNKNOWN_USER) and unreadable bodies reach the app-level error handler.
 */
export function createDeviceLoginRoutes(login: DeviceLogin): express.Router {
  const router = express.Router();

  router.get('/', (_req, res) => {
    res.json({ ...login.session(), users: login.users() });
  });

  router.put('/', express.json({ limit: '4kb' }), (req, res) => {
    const parsed = signInBody.safeParse(req.body);
    if (!parsed.success) {
      return sendError(res, 400, 'INVALID_SIGN_IN', 'send exactly one of {"email"}, {"card"} or {"pin"}');
    }
    res.json(login.signIn(parsed.data as SignInCredential));
  });

  router.delete('/', (_req, res) => {
    res.json(login.signOut());
  });

  return router;
}
