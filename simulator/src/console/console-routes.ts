import express, { type Response } from 'express';
import { consoleAssets, type ConsoleAssets } from './console-assets.ts';
import { consolePage } from './console-page.ts';

const CONTENT_TYPES: Record<keyof ConsoleAssets, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

/** The origin a URL's page runs at, for the CSP's frame-src; null when it is not http(s). */
function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/**
 * Nothing inline, nothing from elsewhere but the framed panel; the console itself is not frameable
 * (it drives the device, so a stranger's page must not overlay it).
 */
function setSecurityHeaders(res: Response, panelUrl: string | null): void {
  const frame = originOf(panelUrl);
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self'",
      "connect-src 'self'",
      `frame-src ${frame ?? "'none'"}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
}

/** `/` (the console page) and `/console/*` (its script, style sheet and icon). */
export function createConsoleRoutes(options: { panelUrl: () => string | null }): express.Router {
  const router = express.Router();

  router.get('/', (_req, res) => {
    const panelUrl = options.panelUrl();
    setSecurityHeaders(res, panelUrl);
    res.type('html').send(consolePage({ panelUrl: originOf(panelUrl) ? panelUrl : null }));
  });

  router.get('/console/:file', async (req, res, next) => {
    const file = req.params.file as keyof ConsoleAssets;
    if (!Object.hasOwn(CONTENT_TYPES, file)) return next();
    try {
      const assets = await consoleAssets();
      setSecurityHeaders(res, null);
      res.setHeader('Content-Type', CONTENT_TYPES[file]);
      res.send(assets[file]);
    } catch (error) {
      next(error);
    }
  });

  return router;
}
