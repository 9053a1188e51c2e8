import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EdgeService } from '../../edge-service/src/edge-service.ts';
import {
  DEMO_ADMIN,
  DEMO_DEVICE_LOGIN_PEOPLE,
  DEMO_PROMPT_USER,
  DEMO_SHARED_USER,
  ensureDemoEnterprise,
} from '../../edge-service/src/demo-enterprise.ts';
import { createLogger } from '../../edge-service/src/logger.ts';
import { BonjourDeviceDiscovery } from '../../edge-service/src/discovery/bonjour-device-discovery.ts';
import { Simulator } from '../../simulator/src/simulator.ts';
import { untilSignal } from './shutdown.ts';

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'no-simulator': { type: 'boolean', default: false },
      'simulator-url': { type: 'string', default: process.env.MFP_SIMULATOR_URL },
      'simulator-port': { type: 'string', default: process.env.MFP_SIMULATOR_PORT ?? '8090' },
      // Real devices take real time (a fax page is ~30 s at 14.4 kbit/s); testers may want it faster.
      'simulator-time-factor': { type: 'string', default: '1' },
      // DNS-SD browsing for the console's device discovery: off by default (mDNS leaves the machine).
      'dns-sd': { type: 'boolean', default: false },
      // Email-to-fax intake (SMTP): a port or "off", and the address it listens on.
      'smtp-port': { type: 'string' },
      'smtp-host': { type: 'string' },
      'dns-server': { type: 'string' },
    },
  });
  const logger = createLogger({ level: process.env.MFP_EDGE_LOG_LEVEL });
  let simulator: Simulator | null = null;
  let simulatorUrl = values['simulator-url']?.replace(/\/+$/, '') ?? null;
  if (!values['no-simulator'] && !simulatorUrl) {
    const timeFactor = Number(values['simulator-time-factor']);
    if (!(timeFactor >= 0)) throw new Error('--simulator-time-factor must be a number >= 0');
    simulator = new Simulator({
      port: Number(values['simulator-port']),
      timeFactor,
      logger: logger.child({ module: 'simulator' }),
      // Beside the edge's own data: the demo device keeps its received faxes across restarts too.
      dataDir: join(values.data ?? './data', 'simulator'),
    });
    await simulator.start();
    simulatorUrl = simulator.url;
  }
  const edge = new EdgeService({
    logger,
    ...(values['dns-sd']
      ? {
          discovery: new BonjourDeviceDiscovery({
            onError: (error) => logger.warn({ err: error }, 'DNS-SD discovery error'),
          }),
        }
      : {}),
    config: {
      port: values.port,
      host: values.host,
      dataDir: values.data,
      tlsCertFile: values['tls-cert'],
      tlsKeyFile: values['tls-key'],
      smtpIntakePort: values['smtp-port'],
      smtpIntakeHost: values['smtp-host'],
      dnsServer: values['dns-server'],
      // The simulator console frames the demo device's panel.
      panelFrameAncestors: simulatorUrl ? [new URL(simulatorUrl).origin] : undefined,
    },
  });
  const stop = async () => {
    await edge.stop();
    await simulator?.stop();
  };
  try {
    await edge.start();
    const lines = [
      `mfp-edge is running.`,
      `  edge:              ${edge.url}/  (health: ${edge.url}/healthz)`,
    ];
    const certificate = edge.certificate;
    if (certificate)
      lines.push(
        `  TLS certificate:   ${certificate.certFile}${certificate.source === 'generated' ? ' (generated now, self-signed)' : ''}`,
        `  SHA-256 fingerprint: ${certificate.fingerprint256}  (trust this certificate on each panel's browser)`,
      );
    if (simulatorUrl) {
      const demo = await ensureDemoEnterprise(
        edge,
        {
          scannerUrl: `${simulatorUrl}/eSCL`,
          faxUrl: `${simulatorUrl.replace(/^http:/, 'ipp:')}/ipp/faxout`,
        },
        // The in-process simulator's admin credential is known here (a separate one's is not): it is
        // stored encrypted for the device-login demo device, as an admin enters a real printer's.
        simulator
          ? {
              deviceAdmin: {
                credential: simulator.adminCredentials,
                store: (id, credential) => edge.repositories.devices.setAdminCredential(id, credential),
              },
            }
          : {},
      );
      // The console frames a panel that pairs itself once with a one-time code, never a standing token.
      simulator?.setPanelUrl(demo.consolePanelUrl);
      const panel = (mode: string) => demo.panels.find((p) => p.mode === mode)!.panelUrl;
      const alice = DEMO_DEVICE_LOGIN_PEOPLE[0]!;
      lines.push(
        `  admin console:     ${edge.url}/admin/  (${DEMO_ADMIN.email}, ${
          demo.adminPassword
            ? `one-time password ${demo.adminPassword}, to be changed at first sign-in`
            : 'one-time password printed on the first start only'
        }; two-factor set-up at first sign-in)`,
        `  demo device panel: ${panel('shared-account')}  (shared-account: signed in as ${DEMO_SHARED_USER.displayName})`,
        `  device-login panel: ${panel('device-login')}  (device-login: sign in at the simulator console's device login, e.g. ${alice.name}, PIN ${alice.pin}${
          demo.deviceLoginReady
            ? ''
            : "; a separate simulator's admin credential is not known here: enter it for this device in the console"
        })`,
        `  user-prompt panel: ${panel('user-prompt')}  (user-prompt: ${DEMO_PROMPT_USER.email}, ${
          demo.promptPassword
            ? `initial password ${demo.promptPassword}, to be changed at first sign-in`
            : 'initial password printed on the first start only'
        })`,
        `  simulator console: ${simulatorUrl}/`,
      );
    }
    if (!simulatorUrl) {
      lines.push(`  admin console:     ${edge.url}/admin/`);
      const { directory, users } = edge.repositories;
      const hasAdmin = directory
        .listEnterprises()
        .some((e) => users.list(e.id).some((u) => u.role === 'admin' && u.disabledAt === null));
      // An edge without the demo starts empty: say how to get an administrator into the console.
      if (!hasAdmin)
        lines.push(
          `  no administrator yet: mfp-edge admin enterprise add "NAME", then`,
          `    mfp-edge admin user add --email E --name "N" --role admin --password-stdin  (--data as for start)`,
        );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    await stop();
    throw error;
  }
  return untilSignal(stop);
}
