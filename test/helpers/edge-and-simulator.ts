import { EdgeService } from '../../edge-service/src/edge-service.ts';
import { ensureDemoEnterprise, type DemoPanel } from '../../edge-service/src/demo-enterprise.ts';
import type { DeviceIdentity } from '../../edge-service/src/domain/device-identity.ts';
import { NetworkDeviceDrivers, type DeviceDrivers } from '../../edge-service/src/services/device-drivers.ts';
import { createLogger as createEdgeLogger } from '../../edge-service/src/logger.ts';
import { Simulator } from '../../simulator/src/simulator.ts';
import { createLogger as createSimLogger } from '../../simulator/src/logger.ts';
import { tempDir } from './temp-dir.ts';

export interface Stack {
  edge: EdgeService;
  simulator: Simulator;
  token: string;
  panelUrl: string;
  /** The demo's three devices, one per auth mode. */
  panels: DemoPanel[];
  wsUrl: string;
  stop: () => Promise<void>;
}

/** A whole edge and simulator, in-process on port 0, as `npm start` wires them; stop() releases all. */
export async function startStack(
  options: {
    timeFactor?: number;
    faxPollMs?: number;
    /** The device-login driver to use for device-login devices (default: the edge's own, if any). */
    identity?: (simulator: Simulator) => DeviceIdentity;
  } = {},
): Promise<Stack> {
  const dir = tempDir();
  const level = process.env.LOG_LEVEL ?? 'silent';
  const simulator = new Simulator({
    port: 0,
    timeFactor: options.timeFactor ?? 0.02,
    logger: createSimLogger({ level }),
  });
  await simulator.start();
  const edge = new EdgeService({
    config: {
      port: 0,
      dataDir: dir.path,
      faxPollMs: options.faxPollMs ?? 100,
      panelFrameAncestors: [new URL(simulator.url).origin],
    },
    logger: createEdgeLogger({ level }),
    ...(options.identity ? { drivers: withIdentity(options.identity(simulator), level) } : {}),
  });
  try {
    await edge.start();
  } catch (error) {
    await simulator.stop();
    dir.remove();
    throw error;
  }
  const demo = await ensureDemoEnterprise(edge, simulator.deviceUrls);
  simulator.setPanelUrl(demo.panelUrl);
  return {
    edge,
    simulator,
    token: /device-token=([\w-]+)/.exec(demo.panelUrl)![1]!,
    panelUrl: demo.panelUrl,
    panels: demo.panels,
    wsUrl: `${edge.url.replace(/^http/, 'ws')}/ws`,
    stop: async () => {
      await edge.stop();
      await simulator.stop();
      dir.remove();
    },
  };
}

/** The network drivers, with `identity` as every device-login device's MFP sign-in. */
function withIdentity(identity: DeviceIdentity, level: string): DeviceDrivers {
  const network = new NetworkDeviceDrivers(createEdgeLogger({ level }).child({ module: 'drivers' }));
  return {
    scanner: (device) => network.scanner(device),
    faxLine: (device) => network.faxLine(device),
    identity: (device) => (device.authMode === 'device-login' ? identity : null),
  };
}
