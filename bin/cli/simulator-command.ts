import { parseArgs } from 'node:util';
import { Simulator } from '../../simulator/src/simulator.ts';
import { untilSignal } from './shutdown.ts';
import { SCANNER_PROFILES, type ScannerProfile } from '../../simulator/src/scanner/escl-quirks.ts';

export async function simulatorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.MFP_SIMULATOR_PORT ?? '8090' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      'time-factor': { type: 'string', default: '1' },
      // Off by default: mDNS announcements leave the machine.
      'dns-sd': { type: 'boolean', default: false },
      // 'quirks': the scanner behaves like the real devices in QUIRKS.md (relative Location, gzip, 503s…).
      profile: { type: 'string', default: 'standard' },
    },
  });
  if (!(SCANNER_PROFILES as readonly string[]).includes(values.profile)) {
    process.stderr.write(`--profile must be one of: ${SCANNER_PROFILES.join(', ')}\n`);
    return 2;
  }
  const simulator = new Simulator({
    port: Number(values.port),
    host: values.host,
    timeFactor: Number(values['time-factor']),
    dnsSd: values['dns-sd'],
    scannerProfile: values.profile as ScannerProfile,
    ...(values.data === undefined ? {} : { dataDir: values.data }),
  });
  await simulator.start();
  process.stdout.write(
    `Virtual MFP running.\n  console:  ${simulator.url}/\n  eSCL:     ${simulator.deviceUrls.scannerUrl}\n  FaxOut:   ${simulator.deviceUrls.faxUrl}\n  control:  ${simulator.url}/sim/api/\n`,
  );
  if (values['dns-sd'])
    process.stdout.write('  DNS-SD:   advertising _uscan._tcp and _ipp._tcp (rfo=ipp/faxout)\n');
  return untilSignal(() => simulator.stop());
}
