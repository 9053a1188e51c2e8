import { parseArgs } from 'node:util';
import { Simulator } from '../../simulator/src/simulator.ts';
import { untilSignal } from './shutdown.ts';

export async function simulatorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.MFP_SIMULATOR_PORT ?? '8090' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      'time-factor': { type: 'string', default: '1' },
    },
  });
  const simulator = new Simulator({
    port: Number(values.port),
    host: values.host,
    timeFactor: Number(values['time-factor']),
  });
  await simulator.start();
  process.stdout.write(
    `Virtual MFP running.\n  console:  ${simulator.url}/\n  eSCL:     ${simulator.deviceUrls.scannerUrl}\n  FaxOut:   ${simulator.deviceUrls.faxUrl}\n  control:  ${simulator.url}/sim/api/\n`,
  );
  return untilSignal(() => simulator.stop());
}
