import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatLoadReport, runLoad } from './load/run-load.ts';

function count(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}`);
  return n;
}

/**
 * `mfp-edge load` (`npm run load`): panels and faxes against an edge in its own process, printed as a
 * report (not a test); `--soak` adds random SIGKILL restarts and checks every fax ended once. Exits 1
 * when a promise broke (a lost reply or job, a duplicate). Ctrl-C stops everything it started.
 */
export async function loadCommand(
  argv: string[],
  stdout: { write: (text: string) => unknown } = process.stdout,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      panels: { type: 'string' },
      seconds: { type: 'string' },
      faxes: { type: 'string' },
      'prompt-panels': { type: 'string' },
      soak: { type: 'boolean', default: false },
      restarts: { type: 'string' },
      'check-every-ms': { type: 'string' },
      'list-every-ms': { type: 'string' },
      'time-factor': { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const soak = values.soak === true;
  const timeFactor = values['time-factor'] === undefined ? undefined : Number(values['time-factor']);
  if (timeFactor !== undefined && !(timeFactor > 0 && timeFactor <= 1))
    throw new Error('--time-factor must be a number in (0, 1]');
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const report = await runLoad({
      panels: count(values.panels, 'panels', 500, 1),
      seconds: count(values.seconds, 'seconds', soak ? 120 : 60, 1),
      faxes: count(values.faxes, 'faxes', 10, 0),
      soak,
      ...(values['prompt-panels'] === undefined
        ? {}
        : { promptPanels: count(values['prompt-panels'], 'prompt-panels', 0, 0) }),
      ...(values.restarts === undefined ? {} : { restarts: count(values.restarts, 'restarts', 1, 1) }),
      ...(values['check-every-ms'] === undefined
        ? {}
        : { checkEveryMs: count(values['check-every-ms'], 'check-every-ms', 3000, 10) }),
      ...(values['list-every-ms'] === undefined
        ? {}
        : { listEveryMs: count(values['list-every-ms'], 'list-every-ms', 10_000, 10) }),
      ...(timeFactor === undefined ? {} : { timeFactor }),
      ...(values.seed === undefined ? {} : { seed: count(values.seed, 'seed', 0, 0) }),
      log: (line) => process.stderr.write(`${line}\n`),
      signal: controller.signal,
    });
    stdout.write(`${formatLoadReport(report)}\n`);
    if (values.json === '-') stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return report.problems.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
