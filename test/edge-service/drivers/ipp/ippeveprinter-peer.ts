import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * CUPS's ippeveprinter as an independent IPP server on 127.0.0.1. It refuses to start without an
 * Avahi client connection even with `-r off` (no advertising), so this starts a private D-Bus
 * (socket in a temp folder) and avahi-daemon inside its own network and mount namespaces: no
 * mDNS can leave the machine, and /run (its pid file) is a private tmpfs. Needs root (unshare).
 */
export class IppEvePrinterPeer {
  #dir = '';
  #children: ChildProcess[] = [];
  #logs = new Map<string, string>();
  url = '';

  constructor(private readonly options: { attributes?: string; name: string }) {}

  async start(timeoutMs = 15_000): Promise<string> {
    this.#dir = await mkdtemp(join(tmpdir(), 'ippeve-'));
    const socket = join(this.#dir, 'bus.sock');
    await writeFile(join(this.#dir, 'dbus.conf'), dbusConfig(socket));
    await writeFile(join(this.#dir, 'avahi.conf'), AVAHI_CONFIG);
    await mkdir(join(this.#dir, 'spool'));
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socket}` };

    this.#spawn('dbus', 'dbus-daemon', ['--config-file', join(this.#dir, 'dbus.conf'), '--nofork'], env);
    await waitFor(
      () => existsSync(socket),
      timeoutMs,
      'the private D-Bus socket',
      () => this.#log(),
    );

    const avahi = `mount -t tmpfs tmpfs /run && exec avahi-daemon -f '${join(this.#dir, 'avahi.conf')}' --no-drop-root --no-chroot --no-rlimits`;
    this.#spawn('avahi', 'unshare', ['-mn', '--propagation', 'private', 'sh', '-c', avahi], env);
    await waitFor(
      () => (this.#logs.get('avahi') ?? '').includes('Server startup complete'),
      timeoutMs,
      'avahi-daemon',
      () => this.#log(),
    );

    const port = await freePort();
    const args = [
      '-r',
      'off',
      '-n',
      'localhost',
      '-p',
      String(port),
      '-d',
      join(this.#dir, 'spool'),
      '-k',
      '-c',
      '/bin/true',
    ];
    if (this.options.attributes !== undefined) {
      await writeFile(join(this.#dir, 'printer.conf'), this.options.attributes);
      args.push('-a', join(this.#dir, 'printer.conf'));
    } else {
      args.push('-f', 'application/pdf,image/pwg-raster', '-M', 'Test', '-m', 'Peer');
    }
    this.#spawn('ippeveprinter', 'ippeveprinter', [...args, this.options.name], env);
    this.url = `ipp://127.0.0.1:${port}/ipp/print`;
    await waitForAsync(
      async () => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) })).ok,
      timeoutMs,
      'ippeveprinter',
      () => this.#log(),
    );
    return this.url;
  }

  async stop(): Promise<void> {
    // Reverse order: the printer before the daemons it is a client of.
    for (const child of this.#children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.#children = [];
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }

  #spawn(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): void {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#logs.set(name, '');
    const append = (chunk: Buffer) => this.#logs.set(name, (this.#logs.get(name) ?? '') + chunk.toString());
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    child.on('error', (error) => append(Buffer.from(`spawn failed: ${error.message}\n`)));
    this.#children.push(child);
  }

  #log(): string {
    return [...this.#logs].map(([name, text]) => `--- ${name}\n${text.slice(-2000)}`).join('\n');
  }
}

function dbusConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
`;
}

const AVAHI_CONFIG = `[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
[wide-area]
enable-wide-area=no
[publish]
disable-publishing=yes
[reflector]
enable-reflector=no
`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitFor(
  check: () => boolean,
  timeoutMs: number,
  what: string,
  log: () => string,
): Promise<void> {
  await waitForAsync(async () => check(), timeoutMs, what, log);
}

async function waitForAsync(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs} ms\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
