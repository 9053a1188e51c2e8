import { EdgeService } from '../../edge-service/src/edge-service.ts';
import { ensureDemoEnterprise, type DemoPanel } from '../../edge-service/src/demo-enterprise.ts';
import { createLogger as createEdgeLogger } from '../../edge-service/src/logger.ts';
import { FAULT_NAMES } from '../../simulator/src/faults.ts';
import { Simulator } from '../../simulator/src/simulator.ts';
import { createLogger as createSimLogger } from '../../simulator/src/logger.ts';
import { tempDir } from './temp-dir.ts';

export interface Stack {
  edge: EdgeService;
  simulator: Simulator;
  token: string;
  panelUrl: string;
  /** What the simulator console frames: a one-time pre-approved pairing of the shared-account device. */
  consolePanelUrl: string;
  /** The demo's three devices, one per auth mode. */
  panels: DemoPanel[];
  /** The user-prompt demo person's initial password (changed at first sign-in). */
  promptPassword: string | null;
  wsUrl: string;
  /** The edge's data folder (kept across restartEdge). */
  dataDir: string;
  /**
   * Stops the edge and starts a new one on the same data folder (an edge restart; the simulator
   * keeps running). `edge`, `wsUrl` are the new edge's afterwards.
   */
  restartEdge: () => Promise<void>;
  stop: () => Promise<void>;
}

/** A whole edge and simulator, in-process on port 0, as `npm start` wires them; stop() releases all. */
export async function startStack(
  options: {
    timeFactor?: number;
    faxPollMs?: number;
    /** The wait between attempts for a busy or unanswered recipient (the edge's default: 120 s). */
    faxRetryIntervalSeconds?: number;
    /** More edge configuration (e.g. jamWaitMinutes). */
    edgeConfig?: Record<string, unknown>;
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
  const newEdge = () =>
    new EdgeService({
      config: {
        port: 0,
        dataDir: dir.path,
        faxPollMs: options.faxPollMs ?? 100,
        ...(options.faxRetryIntervalSeconds === undefined
          ? {}
          : { faxRetryIntervalSeconds: options.faxRetryIntervalSeconds }),
        panelFrameAncestors: [new URL(simulator.url).origin],
        // Tests never take the real intake port; those that test email-to-fax ask for port 0.
        smtpIntakePort: 'off',
        ...options.edgeConfig,
      },
      logger: createEdgeLogger({ level }),
    });
  const edge = newEdge();
  try {
    await edge.start();
  } catch (error) {
    await simulator.stop();
    dir.remove();
    throw error;
  }
  // As `npm start`: the device-login demo device reads the simulator's sign-in with its admin credential.
  const demo = await ensureDemoEnterprise(edge, simulator.deviceUrls, {
    deviceAdmin: {
      credential: simulator.adminCredentials,
      store: (id, credential) => edge.repositories.devices.setAdminCredential(id, credential),
    },
  });
  simulator.setPanelUrl(demo.consolePanelUrl);
  const stack: Stack = {
    edge,
    simulator,
    token: /device-token=([\w-]+)/.exec(demo.panelUrl)![1]!,
    panelUrl: demo.panelUrl,
    consolePanelUrl: demo.consolePanelUrl,
    panels: demo.panels,
    promptPassword: demo.promptPassword,
    wsUrl: `${edge.url.replace(/^http/, 'ws')}/ws`,
    dataDir: dir.path,
    restartEdge: async () => {
      await stack.edge.stop();
      stack.edge = newEdge();
      await stack.edge.start();
      stack.wsUrl = `${stack.edge.url.replace(/^http/, 'ws')}/ws`;
    },
    stop: async () => {
      await stack.edge.stop();
      await simulator.stop();
      dir.remove();
    },
  };
  return stack;
}

/**
 * Puts the virtual MFP back as it started, so one stack serves several runs of a test (e.g. at
 * each panel size): no fault raised or armed, the feeder holding one Letter sheet that reloads,
 * every line answering, no fax received.
 */
export function resetSimulator(stack: Pick<Stack, 'simulator'>): void {
  const { simulator } = stack;
  for (const fault of FAULT_NAMES) simulator.faults.clear(fault);
  simulator.scanner.loadSamples(['letter'], true);
  simulator.remotes.resetBehaviors();
  simulator.remotes.clearFaxes();
}
