import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';

/**
 * The network between the panel and the edge, as a TCP forwarder on a fixed port: `cut()` closes
 * every connection and stops listening (the edge is gone, as after a network loss), `restore()`
 * listens again on the same port.
 */
class PanelLink {
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  restore = () => this.listen();
}

describe('panel offline and back (real edge behind a link the test cuts, 800×480)', function () {
  this.timeout(120000);
  let stack: Stack;
  let browser: Browser;
  let link: PanelLink;

  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
    const edge = new URL(stack.edge.url);
    link = new PanelLink({ host: edge.hostname, port: Number(edge.port) });
    await link.listen();
  });
  after(async () => {
    await link?.cut();
    await browser?.close();
    await stack?.stop();
  });

  it('shows the offline banner, keeps the typed number, fails a request at once, and sends once back', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 480 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const url = stack.panelUrl.replace(new URL(stack.edge.url).host, `127.0.0.1:${link.port}`);
    await page.goto(url);
    const badge = page.getByRole('status', { name: 'Connection' });
    await badge.filter({ hasText: 'Online' }).waitFor({ timeout: 15000 });

    await page.getByRole('button', { name: 'Fax', exact: true }).click();
    const number = page.getByRole('textbox', { name: 'Fax number' });
    for (const key of '+12125550100')
      await page.getByRole('button', { name: `Key ${key}`, exact: true }).click();
    assert.equal(await number.inputValue(), '+12125550100');

    await link.cut();
    const banner = page.getByRole('status').filter({ hasText: 'Offline — reconnecting…' });
    await banner.waitFor({ timeout: 10000 });
    assert.equal(await number.inputValue(), '+12125550100', 'the typed number survives the loss');

    // A request while offline fails at once with what to do, and the number is still there to retry.
    const started = Date.now();
    await page.getByRole('button', { name: 'Add number' }).click();
    await page.getByRole('alert').filter({ hasText: 'The panel is offline' }).waitFor({ timeout: 3000 });
    assert.ok(Date.now() - started < 3000, 'no hang');
    assert.equal(await number.inputValue(), '+12125550100');

    await link.restore();
    // Back-off is at most 30 s by design; the first retries come within a few seconds.
    await badge.filter({ hasText: 'Online' }).waitFor({ timeout: 40000 });
    await banner.waitFor({ state: 'hidden', timeout: 5000 });
    assert.equal(await number.inputValue(), '+12125550100', 'the typed number survives the reconnect');

    await page.getByRole('button', { name: 'Add number' }).click();
    await page
      .getByRole('list', { name: 'Recipients' })
      .getByText('+1 212 555 0100')
      .waitFor({ timeout: 10000 });
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-state="delivered"]').waitFor({ timeout: 90000 });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
