import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The command operators run (bin/mfp-edge: it sets the malloc settings before node starts). */
const BIN = fileURLToPath(new URL('../../mfp-edge', import.meta.url));
const BIN_JS = fileURLToPath(new URL('../../mfp-edge.js', import.meta.url));
/** Children still running, killed if the load process exits without stopping them (Ctrl-C, a crash). */
const RUNNING = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of RUNNING) child.kill('SIGKILL');
});

/** Remembers a child until it exits, so the load process never leaves one behind. */
export function track(child: ChildProcess): ChildProcess {
  RUNNING.add(child);
  child.once('exit', () => RUNNING.delete(child));
  return child;
}

/**
 * The edge under load as its own process (`mfp-edge start --no-simulator` on a fixed port and data
 * folder), so the load generator's CPU and memory never count as the edge's. Restartable on the same
 * folder and port, as an operator's service manager would.
 */
export class EdgeProcess {
  #child: ChildProcess | null = null;
  #output = '';

  constructor(
    readonly options: {
      port: number;
      dataDir: string;
      env: NodeJS.ProcessEnv;
      startTimeoutMs: number;
      /** Node options for the edge (a profiler): node is then started directly, with the wrapper's malloc settings. */
      nodeArgs?: string[];
    },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error('the edge is already running');
    this.#output = '';
    const args = ['start', '--no-simulator', '--host', '127.0.0.1', '--port', String(this.options.port)];
    args.push('--data', this.options.dataDir);
    const nodeArgs = this.options.nodeArgs ?? [];
    const env = { ...process.env, ...this.options.env };
    const child = nodeArgs.length
      ? spawn(process.execPath, [...nodeArgs, BIN_JS, ...args], {
          env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = track(child);
    // Only the start of the output is kept: enough to say why a start failed.
    const collect = (chunk: Buffer) => {
      if (this.#output.length < 64 * 1024) this.#output += chunk.toString();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const deadline = Date.now() + this.options.startTimeoutMs;
    while (!this.#output.includes('mfp-edge is running.')) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the edge exited at start:\n${this.#output}`);
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`the edge did not start within ${this.options.startTimeoutMs} ms:\n${this.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** SIGKILL (the soak's crash) or SIGTERM (a clean stop); SIGKILL anyway if it outlives timeoutMs. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 15_000): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
    if (await Promise.race([exited.then(() => false), late])) {
      child.kill('SIGKILL');
      await exited;
    }
    clearTimeout(timer);
  }

  /** The edge's own figures (GET /metrics: allowed from loopback). */
  async metrics(): Promise<string> {
    const response = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
    return response.text();
  }
}

const FARM = fileURLToPath(new URL('./simulator-farm.ts', import.meta.url));

/** `count` simulators in one child process (simulator-farm.ts); stop() ends them all. */
export async function startSimulatorFarm(
  count: number,
  timeFactor: number,
  timeoutMs = 60_000,
): Promise<{ urls: string[]; stop: () => Promise<void> }> {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', FARM, String(count), String(timeFactor)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    if (output.length < 64 * 1024) output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = /READY (\[.*\])\n/.exec(output);
    if (ready) return { urls: JSON.parse(ready[1]!) as string[], stop };
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the simulators did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
