import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/mfp-edge.js', import.meta.url));

/**
 * `node bin/mfp-edge.js …` as a child process, as an operator runs it: output collected, lines
 * awaited with a timeout, killed with any signal. Every instance is remembered so after() can kill
 * whatever a failing test left running (killAll).
 */
export class CliProcess {
  static readonly #all = new Set<CliProcess>();
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `prefix`: a command that runs node for us, e.g. `unshare -m …` (node and the arguments follow it). */
  constructor(args: string[], env: NodeJS.ProcessEnv = {}, options: { prefix?: string[] } = {}) {
    const [command, ...before] = options.prefix ?? [process.execPath];
    const nodeArgs = options.prefix ? [process.execPath, BIN, ...args] : [BIN, ...args];
    this.child = spawn(command!, [...before, ...nodeArgs], {
      // No email-to-fax intake unless a test asks (the real port 2525 may be taken on this machine).
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        MFP_EDGE_LOG_LEVEL: 'warn',
        MFP_EDGE_SMTP_INTAKE_PORT: 'off',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    CliProcess.#all.add(this);
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        CliProcess.#all.delete(this);
        resolve({ code, signal });
      }),
    );
  }

  /** The first match of `pattern` in the output so far or to come. */
  async waitFor(pattern: RegExp, timeoutMs = 20000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`process exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exited,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`process ${this.child.pid} ignored ${signal}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  static async killAll(): Promise<void> {
    await Promise.allSettled([...CliProcess.#all].map((p) => p.kill('SIGKILL')));
  }
}

/**
 * One `mfp-edge …` run to its end, as an operator runs it: `input` on its standard input (secrets
 * come only from there), its output collected. The email-to-fax intake stays off unless `env` asks.
 */
export function runCli(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', MFP_EDGE_SMTP_INTAKE_PORT: 'off', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
