import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AvahiNamespace, freePort, waitUntil } from '../../../helpers/avahi-namespace.ts';

/**
 * CUPS's ippeveprinter as an independent IPP server on 127.0.0.1. It refuses to start without an
 * Avahi client connection even with `-r off` (no advertising), so it gets a private D-Bus and an
 * avahi-daemon confined to its own network namespace (test/helpers/avahi-namespace.ts): no mDNS can
 * leave the machine. ippeveprinter itself runs outside that namespace, on the real loopback, so the
 * test process can reach it. Needs root (unshare).
 */
export class IppEvePrinterPeer {
  #avahi: AvahiNamespace | null = null;
  url = '';

  constructor(private readonly options: { attributes?: string; name: string }) {}

  async start(timeoutMs = 15_000): Promise<string> {
    const avahi = new AvahiNamespace({ publishing: false });
    this.#avahi = avahi;
    await avahi.start(timeoutMs);
    const spool = join(avahi.dir, 'spool');
    await mkdir(spool);

    const port = await freePort();
    const args = ['-r', 'off', '-n', 'localhost', '-p', String(port), '-d', spool, '-k', '-c', '/bin/true'];
    if (this.options.attributes !== undefined) {
      await writeFile(join(avahi.dir, 'printer.conf'), this.options.attributes);
      args.push('-a', join(avahi.dir, 'printer.conf'));
    } else {
      args.push('-f', 'application/pdf,image/pwg-raster', '-M', 'Test', '-m', 'Peer');
    }
    avahi.spawnOutside('ippeveprinter', 'ippeveprinter', [...args, this.options.name]);
    this.url = `ipp://127.0.0.1:${port}/ipp/print`;
    await waitUntil(
      async () => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) })).ok,
      timeoutMs,
      'ippeveprinter',
      () => avahi.log(),
    );
    return this.url;
  }

  async stop(): Promise<void> {
    // The namespace stops its children in reverse order: the printer before the daemons it uses.
    await this.#avahi?.stop();
    this.#avahi = null;
  }
}
