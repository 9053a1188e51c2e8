import { EventEmitter } from 'node:events';
import type { AuthMode, JobState } from '../../../protocol/index.ts';
import type { DeviceRecord, DeviceRepository, DirectoryRepository } from '../domain/device.ts';
import type { JobRecord, JobRepository } from '../domain/job.ts';
import type { Logger } from '../logger.ts';
import type { DeviceProber, FaxProbe, ProbeFailure, ScannerProbe } from './device-probe.ts';

/** How often the scanner and fax line of each device are asked, while someone watches. */
export const STATUS_PROBE_MS = 5000;
/** How often panel presence and last jobs are compared, while someone watches. */
export const STATUS_TICK_MS = 1000;

export interface ScannerStatusView {
  /** eSCL ScannerStatus (idle, processing, testing, stopped, down) or `unreachable`. */
  state: string;
  /** From AdfState; null when the scanner does not say. */
  adfLoaded: boolean | null;
  /** Why it is unreachable. */
  message?: string;
  checkedAt: string;
}

export interface FaxLineStatusView {
  /** IPP printer-state (idle, processing, stopped) or `unreachable`. */
  state: string;
  reasons: string[];
  message?: string;
  checkedAt: string;
}

/** A device as the console lists it: its settings and its live state. Never a credential. */
export interface DeviceStatusView {
  id: string;
  name: string;
  authMode: AuthMode;
  sharedUser: { id: string; email: string; displayName: string } | null;
  scannerUrl: string | null;
  faxUrl: string | null;
  /** As stored; null: derived from the scanner URL. */
  deviceApiUrl: string | null;
  /** Whether a device admin credential is stored (the credential itself never leaves the edge). */
  adminCredentialSet: boolean;
  createdAt: string;
  revokedAt: string | null;
  panelOnline: boolean;
  /** Null until first asked (only while someone watches the status, or on GET of one device). */
  scanner: ScannerStatusView | null;
  faxLine: FaxLineStatusView | null;
  lastJob: { id: string; state: JobState; at: string } | null;
}

export interface DeviceStatusEvents {
  /** Something of the device's live state changed (presence, scanner, fax line, last job). */
  changed: [view: DeviceStatusView, enterpriseId: string];
}

export interface DeviceStatusOptions {
  devices: DeviceRepository;
  directory: Pick<DirectoryRepository, 'getUser'>;
  jobs: Pick<JobRepository, 'listByDevice'>;
  /** Devices with a panel that said hello (PanelSessionKeeper.onlineDevices). */
  onlineDevices: () => Set<string>;
  prober: DeviceProber;
  probeMs?: number;
  tickMs?: number;
  logger?: Logger;
}

/**
 * Devices' live status for the console: panel presence, scanner and fax line state (asked over
 * eSCL and IPP only while someone watches, every STATUS_PROBE_MS), and their last job.
 */
export class DeviceStatusBoard extends EventEmitter<DeviceStatusEvents> {
  readonly #o: DeviceStatusOptions;
  readonly #scanner = new Map<string, ScannerStatusView>();
  readonly #fax = new Map<string, FaxLineStatusView>();
  /** The last view sent per device, to send only changes. */
  readonly #sent = new Map<string, string>();
  #watchers = 0;
  #tick: NodeJS.Timeout | undefined;
  #probe: NodeJS.Timeout | undefined;
  #probing = false;

  constructor(options: DeviceStatusOptions) {
    super();
    this.#o = options;
  }

  view(device: DeviceRecord): DeviceStatusView {
    const shared = device.sharedUserId ? this.#o.directory.getUser(device.sharedUserId) : null;
    const last: JobRecord | undefined = this.#o.jobs.listByDevice(device.id, 1)[0];
    let adminCredentialSet = false;
    try {
      adminCredentialSet = this.#o.devices.adminCredential(device.id) !== null;
    } catch {
      // Stored but not decryptable (SECRET_INVALID): set, yet useless; the device-login panel says so.
      adminCredentialSet = true;
    }
    return {
      id: device.id,
      name: device.name,
      authMode: device.authMode,
      sharedUser: shared ? { id: shared.id, email: shared.email, displayName: shared.displayName } : null,
      scannerUrl: device.scannerUrl,
      faxUrl: device.faxUrl,
      deviceApiUrl: device.deviceApiUrl ?? null,
      adminCredentialSet,
      createdAt: device.createdAt,
      revokedAt: device.revokedAt,
      panelOnline: this.#o.onlineDevices().has(device.id),
      scanner: this.#scanner.get(device.id) ?? null,
      faxLine: this.#fax.get(device.id) ?? null,
      lastJob: last ? { id: last.id, state: last.state, at: last.updatedAt } : null,
    };
  }

  /** One device with its scanner and fax line asked now. */
  async fresh(device: DeviceRecord): Promise<DeviceStatusView> {
    await this.#probeDevice(device);
    return this.view(device);
  }

  /** Someone watches (the console's event stream): polling runs until every watcher left. */
  watch(): () => void {
    if (this.#watchers++ === 0) this.#startPolling();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.#watchers === 0) this.#stopPolling();
    };
  }

  /** A job changed: its device's last job may have (the engine's 'job' event). */
  readonly onJob = (job: JobRecord): void => {
    if (this.#watchers === 0) return;
    const device = this.#o.devices.get(job.deviceId);
    if (device) this.#publish(device);
  };

  /** Re-sends a device's view if it changed (after an admin change, a pairing). */
  touch(deviceId: string): void {
    const device = this.#o.devices.get(deviceId);
    if (device) this.#publish(device);
  }

  stop(): void {
    this.#watchers = 0;
    this.#stopPolling();
  }

  #startPolling(): void {
    this.#tick = setInterval(() => this.#publishAll(), this.#o.tickMs ?? STATUS_TICK_MS);
    this.#tick.unref();
    this.#probe = setInterval(() => void this.#probeAll(), this.#o.probeMs ?? STATUS_PROBE_MS);
    this.#probe.unref();
    void this.#probeAll();
  }

  #stopPolling(): void {
    clearInterval(this.#tick);
    clearInterval(this.#probe);
    this.#tick = undefined;
    this.#probe = undefined;
  }

  #active(): DeviceRecord[] {
    return this.#o.devices.list().filter((d) => d.revokedAt === null);
  }

  #publishAll(): void {
    try {
      for (const device of this.#active()) this.#publish(device);
    } catch (error) {
      this.#o.logger?.warn({ err: error }, 'device status update failed');
    }
  }

  #publish(device: DeviceRecord): void {
    const view = this.view(device);
    // checkedAt moves on every probe: compare without it, so only real changes are sent.
    const key = JSON.stringify({
      ...view,
      scanner: view.scanner && { ...view.scanner, checkedAt: '' },
      faxLine: view.faxLine && { ...view.faxLine, checkedAt: '' },
    });
    if (this.#sent.get(device.id) === key) return;
    this.#sent.set(device.id, key);
    this.emit('changed', view, device.enterpriseId);
  }

  async #probeAll(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    try {
      const devices = this.#active();
      await Promise.all(devices.map((d) => this.#probeDevice(d)));
      if (this.#watchers > 0) for (const d of devices) this.#publish(d);
    } catch (error) {
      this.#o.logger?.warn({ err: error }, 'device status probe failed');
    } finally {
      this.#probing = false;
    }
  }

  async #probeDevice(device: DeviceRecord): Promise<void> {
    const at = new Date().toISOString();
    const [scanner, fax] = await Promise.all([
      device.scannerUrl ? this.#o.prober.scanner(device.scannerUrl) : null,
      device.faxUrl ? this.#o.prober.fax(device.faxUrl) : null,
    ]);
    if (scanner) this.#scanner.set(device.id, scannerView(scanner, at));
    else this.#scanner.delete(device.id);
    if (fax) this.#fax.set(device.id, faxView(fax, at));
    else this.#fax.delete(device.id);
  }
}

function scannerView(probe: ScannerProbe | ProbeFailure, checkedAt: string): ScannerStatusView {
  if (!probe.ok) return { state: 'unreachable', adfLoaded: null, message: probe.message, checkedAt };
  return { state: probe.state ?? 'unknown', adfLoaded: probe.adfLoaded, checkedAt };
}

function faxView(probe: FaxProbe | ProbeFailure, checkedAt: string): FaxLineStatusView {
  if (!probe.ok) return { state: 'unreachable', reasons: [], message: probe.message, checkedAt };
  return { state: probe.state ?? 'unknown', reasons: probe.stateReasons, checkedAt };
}
