import { parseArgs } from 'node:util';
import { formatReport, runBench } from '../../edge-service/bench/run-bench.ts';
import { formatPanelReport, runPanelBench } from './panel-bench.ts';

/**
 * `mfp-edge bench`: the image pipeline against the usual tools, then the panel's budgets (download,
 * first paint, keypad), printed as tables (not a test). `--panel-only` / `--no-panel` pick one.
 */
export async function benchCommand(
  argv: string[],
  stdout: { write: (text: string) => unknown } = process.stdout,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pages: { type: 'string' },
      repeat: { type: 'string' },
      'no-tools': { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
      'job-pages': { type: 'string' },
      'panel-only': { type: 'boolean', default: false },
      'no-panel': { type: 'boolean', default: false },
    },
  });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (values['panel-only'] !== true) {
    const report = await runBench({
      ...(values.pages === undefined ? {} : { pages: Number(values.pages) }),
      ...(values.repeat === undefined ? {} : { repeat: Number(values.repeat) }),
      ...(values['job-pages'] === undefined ? {} : { jobPages: Number(values['job-pages']) }),
      noTools: values['no-tools'] === true,
      install: values['no-install'] !== true,
      log,
    });
    stdout.write(`${formatReport(report)}\n`);
  }
  if (values['no-panel'] !== true) stdout.write(`${formatPanelReport(await runPanelBench({ log }))}\n`);
  return 0;
}
