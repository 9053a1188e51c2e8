import { parseArgs } from 'node:util';
import { formatReport, runBench } from '../../edge-service/bench/run-bench.ts';

/** `mfp-edge bench`: the image pipeline against the usual tools, printed as a table (not a test). */
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
    },
  });
  const report = await runBench({
    ...(values.pages === undefined ? {} : { pages: Number(values.pages) }),
    ...(values.repeat === undefined ? {} : { repeat: Number(values.repeat) }),
    ...(values['job-pages'] === undefined ? {} : { jobPages: Number(values['job-pages']) }),
    noTools: values['no-tools'] === true,
    install: values['no-install'] !== true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  stdout.write(`${formatReport(report)}\n`);
  return 0;
}
