import express, { type Request, type Response, type NextFunction } from 'express';
import type { PanelAssets } from './panel-assets.ts';
import type { DeviceRepository } from '../domain/device.ts';
import { EDGE_VERSION } from '../version.ts';

const CONTENT_TYPES: Record<keyof PanelAssets, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** Security headers for every response: nothing inline, nothing from elsewhere, no framing by strangers. */
function securityHeaders(frameAncestors: readonly string[]) {
  const policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; " +
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
  devices: DeviceRepository;
  connectedDevices: () => Set<string>;
  /** Origins allowed to frame the panel, e.g. the simulator console. */
  frameAncestors: readonly string[];
  /** The account page's routes, mounted at /account (they set their own, stricter CSP). */
  account?: express.RequestHandler;
  /** The admin console's page and assets, mounted at /admin (they set their own, stricter CSP). */
  console?: express.RequestHandler;
}

export function createHttpApp(deps: HttpAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders(deps.frameAncestors));

  app.get('/healthz', (_req, res) => {
    const connected = deps.connectedDevices();
    res.json({
      status: 'ok',
      version: EDGE_VERSION,
      devices: deps.devices
        .list()
        .filter((d) => !d.revokedAt)
        .map((d) => ({ id: d.id, name: d.name, authMode: d.authMode, panelConnected: connected.has(d.id) })),
    });
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

  if (deps.account) app.use('/account', deps.account);
  if (deps.console) app.use('/admin', deps.console);

  app.use('/api/v1', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such API resource.' } });
  });
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  return app;
}

function sendAsset(res: Response, assets: PanelAssets, file: keyof PanelAssets): void {
  res.setHeader('Content-Type', CONTENT_TYPES[file]);
  res.setHeader('Cache-Control', 'no-cache');
  res.send(assets[file]);
}
