import express, { type Request, type Response, type NextFunction } from 'express';
import { randomUUID } from 'node:crypto';
import type { PanelAssets } from './panel-assets.ts';
import type { Logger } from '../logger.ts';
import { EDGE_VERSION } from '../version.ts';

const CONTENT_TYPES: Record<keyof PanelAssets, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * Security headers for every response: nothing inline, nothing from elsewhere, no framing by
 * strangers. connect-src 'self' covers the panel's WebSocket: CSP Level 3 matches ws:/wss: of the
 * page's own host and port against 'self' (Chromium, Firefox and Safari do).
 */
function securityHeaders(frameAncestors: readonly string[]) {
  const policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    `frame-ancestors ${["'self'", ...frameAncestors].join(' ')}; base-uri 'none'; form-action 'self'`;
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
}

export interface HttpAppDeps {
  assets: PanelAssets;
  /** Origins allowed to frame the panel, e.g. the simulator console. */
  frameAncestors: readonly string[];
  /** The account page's routes, mounted at /account (they set their own, stricter CSP). */
  account?: express.RequestHandler | express.RequestHandler[];
  /** Sign in with your phone (phone/phone-routes.ts), mounted at /auth. */
  phone?: express.RequestHandler;
  /** The admin console's page and assets, mounted at /admin (they set their own, stricter CSP). */
  console?: express.RequestHandler;
  /** Company sign-in (sso/sso-routes.ts), mounted at /auth. */
  auth?: express.RequestHandler;
  /** The REST API (api/api-services.ts), mounted at /api/v1. */
  api?: express.RequestHandler;
  /** Prometheus metrics (ops/edge-metrics.ts), at GET /metrics. */
  metrics?: express.RequestHandler;
  /** SCIM 2.0 provisioning (provisioning/scim/), mounted at /scim/v2. */
  scim?: express.RequestHandler;
  logger?: Logger;
}

/** An incoming X-Request-Id is kept when it is short and plain (a proxy's id), else a new one is made. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

export function createHttpApp(deps: HttpAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Every request has an id, answered in X-Request-Id and on the log lines about it.
  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    const id = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    next();
  });
  app.use(securityHeaders(deps.frameAncestors));

  // Anonymous callers learn only that the edge runs and its version; devices are behind the API.
  app.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok', version: EDGE_VERSION });
  });

  app.get('/', (_req, res) => res.redirect('/panel/'));
  // Routing is not strict, so this also matches /panel: redirect it, or relative asset URLs break.
  app.get('/panel/', (req, res) => {
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, '/panel/');
    sendAsset(res, deps.assets, 'index.html');
  });
  app.get('/panel/:file', (req, res, next) => {
    const file = req.params.file as keyof PanelAssets;
    if (!Object.hasOwn(CONTENT_TYPES, file) || file === 'index.html') return next();
    sendAsset(res, deps.assets, file);
  });

  if (deps.metrics) app.get('/metrics', deps.metrics);
  if (deps.account) app.use('/account', deps.account);
  if (deps.phone) app.use('/auth', deps.phone);
  if (deps.console) app.use('/admin', deps.console);
  if (deps.auth) app.use('/auth', deps.auth);

  if (deps.scim) app.use('/scim/v2', deps.scim);
  if (deps.api) app.use('/api/v1', deps.api);
  app.use('/api/v1', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such API resource.' } });
  });
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  // The last word on every error: a status and a plain line, never a stack trace or a file path
  // (Express's default handler prints both). API errors are answered as JSON by the API router.
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    void next;
    const status = (error as { status?: unknown }).status;
    const client = typeof status === 'number' && status >= 400 && status < 500;
    if (!client)
      deps.logger?.error({ err: error, path: req.path, req: res.locals.requestId }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const code = client ? (status as number) : 500;
    if (req.path.startsWith('/api/')) {
      res.status(code).json({
        error: client
          ? { code: 'VALIDATION_FAILED', message: 'The request is malformed.' }
          : { code: 'INTERNAL', message: 'The edge hit an unexpected error.' },
      });
      return;
    }
    res
      .status(code)
      .type('text/plain')
      .send(client ? 'Bad request' : 'Internal error');
  });
  return app;
}

function sendAsset(res: Response, assets: PanelAssets, file: keyof PanelAssets): void {
  res.setHeader('Content-Type', CONTENT_TYPES[file]);
  res.setHeader('Cache-Control', 'no-cache');
  res.send(assets[file]);
}
