/** Each command's module loads only when it runs: `convert` need not carry the service and simulator. */
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  start: async () => (await import('./start-command.ts')).startCommand,
  simulator: async () => (await import('./simulator-command.ts')).simulatorCommand,
  convert: async () => (await import('./convert-command.ts')).convertCommand,
  bench: async () => (await import('./bench-command.ts')).benchCommand,
  load: async () => (await import('./load-command.ts')).loadCommand,
  admin: async () => (await import('./admin-command.ts')).adminCommand,
  backup: async () => (await import('./backup-command.ts')).backupCommand,
  restore: async () => (await import('./backup-command.ts')).restoreCommand,
};

const USAGE = `mfp-edge — fax and scan at the office printer

Usage:
  mfp-edge start [--port N] [--host H] [--data DIR] [--no-simulator] [--simulator-url URL] [--simulator-port N] [--simulator-time-factor F]
                 [--smtp-port N|off] [--smtp-host H] [--dns-server HOST:PORT]
  mfp-edge simulator [--port N] [--host H] [--data DIR] [--time-factor F] [--profile standard|quirks] [--dns-sd]
  mfp-edge convert --to fax-fine|fax-standard|fax-superfine|pdf [--mode text|photo] [--drop-blank] -o OUT IN...
  mfp-edge bench [--pages N] [--no-tools]
  mfp-edge load [--panels N] [--seconds S] [--faxes F] [--soak [--restarts N]] [--json FILE|-]
  mfp-edge admin [--data DIR] [--enterprise NAME] enterprise|user|policy|device ...   (mfp-edge admin help)
  mfp-edge backup FILE [--data DIR]
  mfp-edge restore FILE [--data DIR] [--replace]
  mfp-edge help

Environment: MFP_EDGE_PORT, MFP_EDGE_HOST, MFP_EDGE_DATA, MFP_EDGE_LOG_LEVEL,
             MFP_SIMULATOR_PORT, MFP_SIMULATOR_URL
`;

/** The composition root: the only code that knows both the edge service and the simulator. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const load = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (load) return await (await load())(rest);
    switch (command) {
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
