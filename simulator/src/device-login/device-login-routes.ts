import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { DeviceLoginError } from './device-login-error.ts';
import type { DeviceLogin, SignInCredential } from './device-login.ts';

const field = z.string().trim().min(1).max(200);
const signInBody = z.union([
  z.strictObject({ email: field }),
  z.strictObject({ card: field }),
  z.strictObject({ pin: field }),
]);

function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * `/sim/api/device-login` (DESIGN.md §5): what a badge tap or PIN does at a real MFP. `GET` shows
 * who is signed in and the enrolled people; `PUT {email}|{card}|{pin}` signs one in; `DELETE` signs out.
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

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof DeviceLoginError) return sendError(res, error.httpStatus, error.code, error.message);
    const status = (error as { status?: unknown }).status;
    if (typeof status !== 'number' || status >= 500) return next(error);
    sendError(res, status, 'INVALID_BODY', (error as Error).message);
  });

  return router;
}
