import { startCommand } from './start-command.ts';
import { simulatorCommand } from './simulator-command.ts';

const USAGE = `mfp-edge — fax and scan at the office printer

Usage:
  mfp-edge start [--port N] [--host H] [--data DIR] [--no-simulator] [--simulator-url URL] [--simulator-port N]
  mfp-edge simulator [--port N] [--host H] [--data DIR] [--time-factor F]
  mfp-edge help

Environment: MFP_EDGE_PORT, MFP_EDGE_HOST, MFP_EDGE_DATA, MFP_EDGE_LOG_LEVEL,
             MFP_SIMULATOR_PORT, MFP_SIMULATOR_URL
`;

/** The composition root: the only code that knows both the edge service and the simulator. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await startCommand(rest);
      case 'simulator':
        return await simulatorCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        process.stderr.write(`mfp-edge: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    process.stderr.write(`mfp-edge ${command}: ${(error as Error).message}\n`);
    return 1;
  }
}
