import express, { type NextFunction, type Request, type Response } from 'express';
import { sendError } from '../control-api/http-errors.ts';
import { credentialsMatch, parseBasicAuth, type BasicCredentials } from './basic-auth.ts';
import type { DeviceLogin, DeviceSession } from './device-login.ts';
import type { FailedAttempts } from './failed-attempts.ts';

const REALM = 'Basic realm="mfp-edge virtual MFP", charset="UTF-8"';
/** Comment lines keep idle proxies and clients from closing the event stream. */
const KEEPALIVE_MS = 25_000;

export interface DeviceApiOptions {
  login: DeviceLogin;
  credentials: () => BasicCredentials;
  failures: FailedAttempts;
}

/** HTTP Basic with the device's admin credential, as MFP web services require of a paired server. */
function requireAdmin(options: DeviceApiOptions) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const client = req.socket.remoteAddress ?? 'unknown';
    const wait = options.failures.retryAfterMs(client);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      return sendError(res, 429, 'TOO_MANY_ATTEMPTS', 'Too many failed sign-ins; try again later.');
    }
    const given = parseBasicAuth(req.get('authorization'));
    if (given && credentialsMatch(given, options.credentials())) {
      options.failures.recordSuccess(client);
      return next();
    }
    if (given) options.failures.recordFailure(client);
    res.setHeader('WWW-Authenticate', REALM);
    sendError(res, 401, 'UNAUTHORIZED', 'The device admin credential is required.');
  };
}

function writeEvent(res: Response, session: DeviceSession): void {
  res.write(`event: session\ndata: ${JSON.stringify(session)}\n\n`);
}

/**
 * The device API a paired edge reads (mounted at /device/api/v1): who is signed in at the MFP, so the
 * edge, never the browser, learns the device-login identity (DESIGN.md §3).
 */
export function createDeviceApiRoutes(options: DeviceApiOptions): express.Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(requireAdmin(options));

  router.get('/session', (_req, res) => {
    res.json(options.login.session());
  });

  // Server-sent events: the current session at once, then every change.
  router.get('/session/events', (_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    writeEvent(res, options.login.session());
    const onChange = (session: DeviceSession) => writeEvent(res, session);
    options.login.on('change', onChange);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    res.on('close', () => {
      clearInterval(keepalive);
      options.login.off('change', onChange);
    });
  });

  router.use((_req, res) => sendError(res, 404, 'NOT_FOUND', 'No such device API resource.'));
  return router;
}
