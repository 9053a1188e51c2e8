import type { DeviceIdentity } from '../domain/device-identity.ts';
import type { DeviceRecord } from '../domain/device.ts';
import type { Scanner } from '../domain/scanner.ts';
import type { FaxLine } from '../domain/fax-line.ts';
import type { Logger } from '../logger.ts';
import { EdgeError } from '../edge-error.ts';
import { EsclScanner } from '../drivers/escl/escl-scanner.ts';
import { IppFaxLine } from '../drivers/ipp/ipp-fax-line.ts';

export interface DeviceDrivers {
  scanner(device: DeviceRecord): Scanner;
  faxLine(device: DeviceRecord): FaxLine;
  /** The MFP's own sign-in, for device-login devices; null when the device has none configured. Optional for tests. */
  identity?(device: DeviceRecord): DeviceIdentity | null;
}

/**
 * The one factory that picks a driver per capability from a device's configuration. Today every
 * device speaks eSCL and IPP over the network; IPP-over-USB plugs in here.
 */
export class NetworkDeviceDrivers implements DeviceDrivers {
  readonly #logger: Logger;
  readonly #scanners = new Map<string, { url: string; scanner: Scanner }>();
  readonly #faxLines = new Map<string, { url: string; faxLine: FaxLine }>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  scanner(device: DeviceRecord): Scanner {
    if (!device.scannerUrl)
      throw new EdgeError('SCANNER_OFFLINE', `${device.name} has no scanner configured.`);
    const cached = this.#scanners.get(device.id);
    if (cached?.url === device.scannerUrl) return cached.scanner;
    const scanner = new EsclScanner({
      baseUrl: device.scannerUrl,
      logger: this.#logger.child({ module: 'escl', device: device.id }),
    });
    this.#scanners.set(device.id, { url: device.scannerUrl, scanner });
    return scanner;
  }

  faxLine(device: DeviceRecord): FaxLine {
    if (!device.faxUrl) throw new EdgeError('FAX_UNSUPPORTED', `${device.name} has no fax modem configured.`);
    const cached = this.#faxLines.get(device.id);
    if (cached?.url === device.faxUrl) return cached.faxLine;
    const faxLine = new IppFaxLine({
      url: device.faxUrl,
      logger: this.#logger.child({ module: 'ipp', device: device.id }),
    });
    this.#faxLines.set(device.id, { url: device.faxUrl, faxLine });
    return faxLine;
  }
}
