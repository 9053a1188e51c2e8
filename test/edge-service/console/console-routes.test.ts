import assert from 'node:assert/strict';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { CONSOLE_CSP, createConsoleRoutes } from '../../../edge-service/src/console/console-routes.ts';

/* The console's page and assets: served under its CSP, the page holding no inline script or style. */
describe('console routes', function () {
  this.timeout(30_000);
  let server: Server;
  let base: string;

  before(async () => {
    const app = express();
    app.use('/admin', createConsoleRoutes());
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('serves the page with the strict CSP, never framed, connect-src self', async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy')!;
    assert.equal(csp, CONSOLE_CSP);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)/, 'no inline script');
    assert.doesNotMatch(html, /<style|\sstyle=|\son\w+=/, 'no inline style or handler');
  });

  it('redirects /admin to /admin/ so relative asset URLs hold', async () => {
    const res = await fetch(base, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/admin/');
  });

  it('serves the bundled script and the stylesheet, and nothing else', async () => {
    const js = await fetch(`${base}/console.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type')!, /^text\/javascript/);
    const code = await js.text();
    assert.ok(code.length > 10_000);
    assert.doesNotMatch(
      code,
      /\.innerHTML\s*=|insertAdjacentHTML|document\.write/,
      'DOM built from text only',
    );
    const css = await fetch(`${base}/console.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type')!, /^text\/css/);
    for (const path of ['/index.html', '/main.ts', '/../console-routes.ts', '/browser/api.ts'])
      assert.equal((await fetch(`${base}${path}`)).status, 404, path);
  });
});
