import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The command operators run (bin/mfp-edge: it sets the malloc settings before node starts). */
const BIN = fileURLToPath(new URL('../../mfp-edge', import.meta.url));
/** Children still running, killed if the load process exits without stopping them (Ctrl-C, a crash). */
const RUNNING = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of RUNNING) child.kill('SIGKILL');
});

/**
 * The edge under load as its own process (`mfp-edge start --no-simulator` on a fixed port and data
 * folder), so the load generator's CPU and memory never count as the edge's. Restartable on the same
 * folder and port, as an operator's service manager would.
 */
export class EdgeProcess {
  #child: ChildProcess | null = null;
  #output = '';

  constructor(
    readonly options: { port: number; dataDir: string; env: NodeJS.ProcessEnv; startTimeoutMs: number },
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
    const child = spawn(
      BIN,
      ['start', '--no-simulator', '--host', '127.0.0.1', '--port', String(this.options.port), '--data', this.options.dataDir],
      { env: { ...process.env, ...this.options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    RUNNING.add(child);
    child.once('exit', () => RUNNING.delete(child));
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
