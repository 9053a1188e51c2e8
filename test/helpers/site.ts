import { CliProcess } from './cli-process.ts';
import { DeviceProxy } from './device-proxy.ts';
import { PanelClient } from './panel-client.ts';
import { tempDir } from './temp-dir.ts';

export interface ReceivedFax {
  id: string;
  to: string;
  pages: number;
  status: string;
}

const TIME_FACTOR = '0.04';
/** The retry policy and poll timeout of a site: what bounds how long a job may take to end. */
export const SITE_ENV = { MFP_EDGE_FAX_RETRY_INTERVAL_SECONDS: '1', MFP_EDGE_FAX_POLL_TIMEOUT_SECONDS: '15' };

/**
 * A site: the edge and the simulator as their own processes (the simulator keeps its fax log and its
 * received faxes in its data folder, as a device keeps them in flash), and the network between them
 * a proxy the test controls.
 */
export class Site {
  readonly edgeDir = tempDir('mfp-site-edge-');
  readonly simDir = tempDir('mfp-site-sim-');
  readonly #env: NodeJS.ProcessEnv;
  readonly #timeFactor: string;
  proxy!: DeviceProxy;
  simulator: CliProcess | null = null;
  simUrl = '';
  edge: CliProcess | null = null;
  panel: PanelClient | null = null;

  /** `env`: the edge's environment (default: the crash matrix's retry policy and poll timeout). */
  constructor(options: { env?: NodeJS.ProcessEnv; timeFactor?: string } = {}) {
    this.#env = options.env ?? SITE_ENV;
    this.#timeFactor = options.timeFactor ?? TIME_FACTOR;
  }

  async start(): Promise<void> {
    this.proxy = await new DeviceProxy('http://127.0.0.1:1').start();
    await this.startSimulator();
    await this.startEdge();
  }

  async startSimulator(): Promise<void> {
    this.simulator = new CliProcess([
      'simulator',
      '--port',
      '0',
      '--time-factor',
      this.#timeFactor,
      '--data',
      this.simDir.path,
    ]);
    this.simUrl = (await this.simulator.waitFor(/console:\s+(http:\/\/[\d.]+:\d+)\//, 30_000))[1]!;
    this.proxy.target = this.simUrl;
  }

  async killSimulator(): Promise<void> {
    this.proxy.target = null;
    await this.simulator?.kill('SIGKILL');
    this.proxy.cut();
    this.simulator = null;
  }

  async startEdge(): Promise<void> {
    const edge = new CliProcess(
      ['start', '--port', '0', '--data', this.edgeDir.path, '--simulator-url', this.proxy.url],
      this.#env,
    );
    const panelUrl = (await edge.waitFor(/demo device panel:\s+(\S+)/, 30_000))[1]!;
    const url = new URL(panelUrl);
    const panel = await PanelClient.connect(`ws://${url.host}/ws`);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: /device-token=([\w-]+)/.exec(url.hash)![1]!,
      app: { name: 'crash', version: '1' },
    });
    this.edge = edge;
    this.panel = panel;
  }

  async killEdge(): Promise<void> {
    await this.edge?.kill('SIGKILL');
    this.panel?.close();
    this.edge = null;
    this.panel = null;
  }

  async simApi<T>(path: string): Promise<T> {
    return (await (await fetch(`${this.simUrl}/sim/api${path}`)).json()) as T;
  }

  async stop(): Promise<void> {
    this.panel?.close();
    await CliProcess.killAll();
    await this.proxy?.stop();
    this.edgeDir.remove();
    this.simDir.remove();
  }
}
