import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EdgeService } from '../../edge-service/src/edge-service.ts';
import { ensureDemoEnterprise } from '../../edge-service/src/demo-enterprise.ts';
import { createLogger } from '../../edge-service/src/logger.ts';
import { Simulator } from '../../simulator/src/simulator.ts';
import { untilSignal } from './shutdown.ts';

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'no-simulator': { type: 'boolean', default: false },
      'simulator-url': { type: 'string', default: process.env.MFP_SIMULATOR_URL },
      'simulator-port': { type: 'string', default: process.env.MFP_SIMULATOR_PORT ?? '8090' },
      // Real devices take real time (a fax page is ~30 s at 14.4 kbit/s); testers may want it faster.
      'simulator-time-factor': { type: 'string', default: '1' },
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
    config: {
      port: values.port,
      host: values.host,
      dataDir: values.data,
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
    if (simulatorUrl) {
      const demo = await ensureDemoEnterprise(edge, {
        scannerUrl: `${simulatorUrl}/eSCL`,
        faxUrl: `${simulatorUrl.replace(/^http:/, 'ipp:')}/ipp/faxout`,
      });
      simulator?.setPanelUrl(demo.panelUrl);
      lines.push(`  demo device panel: ${demo.panelUrl}`, `  simulator console: ${simulatorUrl}/`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    await stop();
    throw error;
  }
  return untilSignal(stop);
}
