import type { Request } from 'express';

/**
 * The request's Origin is one of this site's. Under `Referrer-Policy: no-referrer` browsers send
 * `Origin: null` with form posts (Fetch: non-CORS requests), so `null` passes only when the
 * browser itself says `Sec-Fetch-Site: same-origin` (a header no page can set). Any other
 * Sec-Fetch-Site refuses, whatever the Origin.
 */
export function fromThisSite(req: Request, origins: ReadonlySet<string>): boolean {
  const origin = req.get('origin');
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  if (origin !== undefined && origins.has(origin)) return true;
  return (origin === undefined || origin === 'null') && site === 'same-origin';
}
