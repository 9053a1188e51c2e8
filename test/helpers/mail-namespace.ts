import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';

/** Set inside the namespace: the test file runs its cases instead of re-running itself. */
export const INSIDE_MAIL_NAMESPACE = 'MFP_MAIL_NAMESPACE';

export const insideMailNamespace = (): boolean => process.env[INSIDE_MAIL_NAMESPACE] === '1';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs `testFile` with mocha inside a private network namespace (`unshare -n`, root): only `lo`,
 * up, with the extra addresses given on it (127.0.0.2, …; with a prefix such as 10.9.9.1/32 an
 * address that is not loopback) so SMTP clients can come from several addresses, and free fixed ports (2525, 5300) for the edge and dnsmasq. Nothing there can reach
 * the machine's network. The inner run's output is passed through; resolves with its exit code.
 */
export function runInMailNamespace(
  testFile: string,
  addresses: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  const setup = [
    'ip link set lo up',
    ...addresses.map((a) => `ip addr add ${a.includes('/') ? a : `${a}/8`} dev lo`),
    `exec ${JSON.stringify(process.execPath)} node_modules/.bin/mocha --timeout 60000 ${JSON.stringify(testFile)}`,
  ].join(' && ');
  const child = spawn('unshare', ['-n', 'sh', '-c', setup], {
    cwd: ROOT,
    env: { ...process.env, [INSIDE_MAIL_NAMESPACE]: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (process.env.MAIL_NS_VERBOSE) process.stdout.write(chunk);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * dnsmasq as the test domains' DNS server (only inside the namespace): TXT records (SPF) as given,
 * and every name under `blackholeDomain` forwarded to a UDP socket that never answers, so a look-up
 * there times out (an SPF temperror). Stopped with stop().
 */
export class TestDns {
  #dnsmasq: ChildProcess | null = null;
  #blackhole: Socket | null = null;
  output = '';

  constructor(
    readonly port: number,
    readonly txt: Record<string, string>,
    readonly blackholeDomain: string,
  ) {}

  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const blackhole = createSocket('udp4');
    await new Promise<void>((resolve) => blackhole.bind(0, '127.0.0.1', resolve));
    this.#blackhole = blackhole;
    const holePort = blackhole.address().port;
    const args = [
      '--no-daemon',
      '--no-resolv',
      '--no-hosts',
      `--port=${this.port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--local=/test/',
      `--server=/${this.blackholeDomain}/127.0.0.1#${holePort}`,
      '--log-queries',
      ...Object.entries(this.txt).map(([name, value]) => `--txt-record=${name},${value}`),
    ];
    const dnsmasq = spawn('dnsmasq', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#dnsmasq = dnsmasq;
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    dnsmasq.stdout!.on('data', collect);
    dnsmasq.stderr!.on('data', collect);
    const deadline = Date.now() + 10_000;
    while (!/started, version/.test(this.output)) {
      if (dnsmasq.exitCode !== null) throw new Error(`dnsmasq exited:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`dnsmasq did not start:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const dnsmasq = this.#dnsmasq;
    this.#dnsmasq = null;
    if (dnsmasq && dnsmasq.exitCode === null) {
      const exited = new Promise((resolve) => dnsmasq.once('exit', resolve));
      dnsmasq.kill('SIGTERM');
      await exited;
    }
    this.#blackhole?.close();
    this.#blackhole = null;
  }
}

export interface SwaksResult {
  code: number | null;
  /** swaks' transcript: server lines start with `<-` (or `<**` for errors). */
  output: string;
  /** The server's reply lines, without the prefix. */
  replies: string[];
}

/** One swaks run (the real SMTP client), bounded in time. */
export function swaks(args: string[], timeoutMs = 60_000): Promise<SwaksResult> {
  const child = spawn('swaks', ['--timeout', '30', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const replies = output
        .split('\n')
        .filter((l) => /^ *<(-|\*\*) /.test(l))
        .map((l) => l.replace(/^ *<(-|\*\*) +/, '').trim());
      resolve({ code, output, replies });
    });
  });
}
