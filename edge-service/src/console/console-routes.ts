import express, { type Router } from 'express';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleBrowserScript, pageSecurityHeaders } from '../http/browser-assets.ts';

/** Where the console is mounted by the composition. */
export const CONSOLE_PATH = '/admin';

/**
 * The console's policy: its own script and stylesheet only (no inline script or style, no style
 * attributes: geometry goes through SVG attributes or CSSOM), fetch and EventSource to this origin
 * only, never framed. QR codes arrive as data: images from the API.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const HERE = fileURLToPath(new URL('./', import.meta.url));

export interface ConsoleAssets {
  'index.html': Buffer;
  'console.js': Buffer;
  'console.css': Buffer;
}

const CONTENT_TYPES: Record<keyof ConsoleAssets, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/**
 * Builds the console once: the browser TypeScript bundled into one script. Desktop and tablet
 * browsers of the last few years: ES2020 is enough and keeps the bundle readable when not minified.
 */
export async function buildConsoleAssets(): Promise<ConsoleAssets> {
  return {
    'index.html': await readFile(`${HERE}browser/index.html`),
    'console.js': await bundleBrowserScript(`${HERE}browser/main.ts`, 'es2020', 'console'),
    'console.css': await readFile(`${HERE}browser/console.css`),
  };
}

/**
 * The admin console's page and assets (issue 10), mounted at CONSOLE_PATH. The page holds no data:
 * the script reads everything from /api/v1 with the console session cookie, so one static page
 * serves every route (hash routes such as `#/devices` or `#/pair?code=…`). Assets are built at the
 * first request unless given (the edge builds them at start so a broken build fails the start).
 */
export function createConsoleRoutes(
  options: { assets?: ConsoleAssets | Promise<ConsoleAssets> } = {},
): Router {
  let assets: Promise<ConsoleAssets> | undefined = options.assets
    ? Promise.resolve(options.assets)
    : undefined;
  const router = express.Router({ strict: true });
  router.use(pageSecurityHeaders(CONSOLE_CSP, 'no-cache'));
  const send = async (res: express.Response, file: keyof ConsoleAssets): Promise<void> => {
    assets ??= buildConsoleAssets();
    const built = await assets;
    res.setHeader('Content-Type', CONTENT_TYPES[file]);
    res.send(built[file]);
  };
  router.get('/', async (req, res) => {
    // Relative asset URLs need the trailing slash.
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, `${req.baseUrl}/`);
    await send(res, 'index.html');
  });
  router.get('/:file', async (req, res, next) => {
    const file = req.params.file as keyof ConsoleAssets;
    if (!Object.hasOwn(CONTENT_TYPES, file) || file === 'index.html') return next();
    await send(res, file);
  });
  router.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  return router;
}
