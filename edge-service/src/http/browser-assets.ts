import { build } from 'esbuild';
import type { RequestHandler } from 'express';

/**
 * The edge's browser TypeScript (panel app, admin console) as one script: bundled into an IIFE (no
 * modules), minified, without source map or legal comments. `target` is what the oldest browser
 * that must run it understands; `name` says which build failed.
 */
export async function bundleBrowserScript(entry: string, target: string, name: string): Promise<Buffer> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    target: [target],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error(`${name} build produced no output`);
  return Buffer.from(js.contents);
}

/**
 * The headers of a page that runs only its own script (the admin console, the account page): its
 * policy, no referrer, no sniffing, never framed, nothing shared with other origins' windows or pages.
 */
export function pageSecurityHeaders(csp: string, cacheControl: string): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', cacheControl);
    next();
  };
}
