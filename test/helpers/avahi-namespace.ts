import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A private network namespace with only `lo` (up, multicast on), a private D-Bus system bus and an
 * avahi-daemon on that `lo`: mDNS advertising and browsing happen there and nothing leaves the
 * machine. Needs root (unshare/nsenter). Code under test joins the namespace as a child process
 * (`spawnInside`), since the test process itself stays outside it.
 *
 * The namespace is held by a process that exits when its stdin closes, so it goes away with the
 * test process even when stop() never runs.
 */
export class AvahiNamespace {
  #dir = '';
  #holder: ChildProcess | null = null;
  #children: ChildProcess[] = [];
  readonly #logs = new Map<string, string>();
  readonly #publishing: boolean;

  /** `publishing: false` keeps avahi from answering for its own host name (a pure D-Bus client host). */
  constructor(options: { publishing?: boolean } = {}) {
    this.#publishing = options.publishing ?? true;
  }

  /** The environment every child needs: the private system bus. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${join(this.#dir, 'bus.sock')}` };
  }

  get dir(): string {
    return this.#dir;
  }

  async start(timeoutMs = 15_000): Promise<void> {
    this.#dir = await mkdtemp(join(tmpdir(), 'avahi-ns-'));
    const socket = join(this.#dir, 'bus.sock');
    await writeFile(join(this.#dir, 'dbus.conf'), dbusConfig(socket));
    await writeFile(join(this.#dir, 'avahi.conf'), avahiConfig(this.#publishing));

    // The bus is a Unix socket in a folder: reachable from inside and outside the namespace.
    this.spawnOutside('dbus', 'dbus-daemon', ['--config-file', join(this.#dir, 'dbus.conf'), '--nofork']);
    await waitUntil(
      () => existsSync(socket),
      timeoutMs,
      'the private D-Bus socket',
      () => this.log(),
    );

    // A private /run too: avahi-daemon writes its pid file there and refuses to start twice.
    const holderScript =
      'ip link set lo up && ip link set lo multicast on && mount -t tmpfs tmpfs /run && echo ready && exec cat >/dev/null';
    const holder = spawn('unshare', ['-mn', '--propagation', 'private', 'sh', '-c', holderScript], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#holder = holder;
    this.#capture('namespace', holder);
    await waitUntil(
      () => (this.#logs.get('namespace') ?? '').includes('ready'),
      timeoutMs,
      'the network namespace',
      () => this.log(),
    );

    this.spawnInside(
      'avahi',
      'avahi-daemon',
      ['-f', join(this.#dir, 'avahi.conf'), '--no-drop-root', '--no-chroot', '--no-rlimits'],
      { mount: true },
    );
    await waitUntil(
      () => (this.#logs.get('avahi') ?? '').includes('Server startup complete'),
      timeoutMs,
      'avahi-daemon',
      () => this.log(),
    );
  }

  /** A long-running process inside the namespace; its output is kept for log(). */
  spawnInside(
    name: string,
    command: string,
    args: string[],
    options: { mount?: boolean; cwd?: string } = {},
  ): ChildProcess {
    const holder = this.#holder;
    if (!holder?.pid) throw new Error('the namespace is not running');
    const namespaces = options.mount ? ['-n', '-m'] : ['-n'];
    return this.#track(
      name,
      spawn('nsenter', ['-t', String(holder.pid), ...namespaces, command, ...args], {
        env: this.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(options.cwd ? { cwd: options.cwd } : {}),
      }),
    );
  }

  /** A process outside the namespace that still uses the private bus (ippeveprinter on 127.0.0.1). */
  spawnOutside(name: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    return this.#track(
      name,
      spawn(command, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], ...options }),
    );
  }

  /** Runs a command inside the namespace to its end (avahi-browse -t, avahi-publish one-shots…). */
  async run(
    command: string,
    args: string[],
    timeoutMs = 10_000,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const holder = this.#holder;
    if (!holder?.pid) throw new Error('the namespace is not running');
    const child = spawn('nsenter', ['-t', String(holder.pid), '-n', command, ...args], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await new Promise<number | null>((resolve) => {
      child.on('error', (error) => {
        stderr += `spawn failed: ${error.message}\n`;
        resolve(null);
      });
      child.on('close', (exitCode) => resolve(exitCode));
    });
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  async stop(): Promise<void> {
    // Reverse order: clients before the daemons they use, the namespace holder last.
    const all = [...this.#children.reverse(), ...(this.#holder ? [this.#holder] : [])];
    for (const child of all) await stopProcess(child);
    this.#children = [];
    this.#holder = null;
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }

  log(): string {
    return [...this.#logs].map(([name, text]) => `--- ${name}\n${text.slice(-2000)}`).join('\n');
  }

  #track(name: string, child: ChildProcess): ChildProcess {
    this.#capture(name, child);
    this.#children.push(child);
    return child;
  }

  #capture(name: string, child: ChildProcess): void {
    this.#logs.set(name, '');
    const append = (chunk: Buffer) => this.#logs.set(name, (this.#logs.get(name) ?? '') + chunk.toString());
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    child.on('error', (error) => append(Buffer.from(`spawn failed: ${error.message}\n`)));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
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

function avahiConfig(publishing: boolean): string {
  return `[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
[wide-area]
enable-wide-area=no
[publish]
disable-publishing=${publishing ? 'no' : 'yes'}
[reflector]
enable-reflector=no
`;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `check` every 100 ms until it is true; throws with `log()` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  log: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${timeoutMs} ms\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A TypeScript script run by node (with tsx) inside the namespace, talking JSON lines on stdout;
 * closing its stdin asks it to stop.
 */
export class NamespacedScript {
  readonly #child: ChildProcess;
  readonly #messages: Record<string, unknown>[] = [];
  readonly #waiters = new Set<() => void>();
  #output = '';

  constructor(namespace: AvahiNamespace, name: string, script: string, args: string[] = []) {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    this.#child = namespace.spawnInside(name, process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: root,
    });
    let partial = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString();
      partial += chunk.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          this.#messages.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a message: a log line
        }
      }
      for (const wake of this.#waiters) wake();
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
  }

  get exited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /** The first message with that `event` (and that `matches`), waiting up to `timeoutMs` for it. */
  async message(
    event: string,
    timeoutMs = 15_000,
    matches: (message: Record<string, unknown>) => boolean = () => true,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.#messages.find((m) => m.event === event && matches(m));
      if (found) return found;
      if (this.exited || Date.now() > deadline) {
        throw new Error(
          `no "${event}" message from the script (exited: ${this.exited})\n${this.#output.slice(-3000)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 100);
        this.#waiters.add(wake);
      });
    }
  }

  /** Closes stdin (the script stops itself) and waits for the exit, killing it after `timeoutMs`. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.stdin?.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** For scripts run by NamespacedScript: one JSON message per line. */
export function sendMessage(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);
}

/** For scripts run by NamespacedScript: runs `stop` when the parent closes stdin or sends SIGTERM. */
export function onParentGone(stop: () => Promise<void>): void {
  let stopping = false;
  const run = () => {
    if (stopping) return;
    stopping = true;
    void stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.stdin.on('end', run);
  process.stdin.resume();
  process.on('SIGTERM', run);
}
