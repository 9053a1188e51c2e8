import { parseArgs } from 'node:util';
import { EdgeService } from '../../edge-service/src/edge-service.ts';
import { ensureDemoEnterprise } from '../../edge-service/src/demo-enterprise.ts';
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
    },
  });
  const edge = new EdgeService({ config: { port: values.port, host: values.host, dataDir: values.data } });
  let simulator: Simulator | null = null;
  let simulatorUrl = values['simulator-url'] ?? null;
  if (!values['no-simulator'] && !simulatorUrl) {
    simulator = new Simulator({
      port: Number(values['simulator-port']),
      logger: edge.logger.child({ module: 'simulator' }),
    });
    await simulator.start();
    simulatorUrl = simulator.url;
  }
  try {
    await edge.start();
  } catch (error) {
    await simulator?.stop();
    throw error;
  }
  const lines = [`mfp-edge is running.`, `  edge:              ${edge.url}/  (health: ${edge.url}/healthz)`];
  if (simulatorUrl) {
    const base = simulatorUrl.replace(/\/+$/, '');
    const demo = await ensureDemoEnterprise(edge, {
      scannerUrl: `${base}/eSCL`,
      faxUrl: `${base.replace(/^http:/, 'ipp:')}/ipp/faxout`,
    });
    simulator?.setPanelUrl(demo.panelUrl);
    lines.push(`  demo device panel: ${demo.panelUrl}`, `  simulator console: ${base}/`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return untilSignal(async () => {
    await edge.stop();
    await simulator?.stop();
  });
}
