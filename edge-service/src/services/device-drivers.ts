import type { DeviceIdentity } from '../domain/device-identity.ts';
import type { DeviceAdminCredential, DeviceRecord, DeviceRepository } from '../domain/device.ts';
import type { Scanner } from '../domain/scanner.ts';
import type { FaxLine } from '../domain/fax-line.ts';
import type { Logger } from '../logger.ts';
import { EdgeError } from '../edge-error.ts';
import { EsclScanner } from '../drivers/escl/escl-scanner.ts';
import { IppFaxLine } from '../drivers/ipp/ipp-fax-line.ts';
import { createHash } from 'node:crypto';
import { deviceApiBaseUrl } from '../drivers/device-login/device-api-url.ts';
import {
  DeviceLoginClient,
  type DeviceLoginClientLimits,
  type DeviceLoginClientTimeouts,
} from '../drivers/device-login/device-login-client.ts';
import {
  DeviceIdentityClosedError,
  DeviceLoginIdentity,
  type DeviceLoginTimings,
} from '../drivers/device-login/device-login-identity.ts';

export interface DeviceDrivers {
  scanner(device: DeviceRecord): Scanner;
  faxLine(device: DeviceRecord): FaxLine;
  /** The MFP's own sign-in, for device-login devices; null when the device has none configured. Optional for tests. */
  identity?(device: DeviceRecord): DeviceIdentity | null;
}

export interface NetworkDeviceDriversOptions {
  /**
   * Where the devices' admin credentials come from, decrypted: the SqliteDeviceRepository opened
   * with the edge's SecretBox. Without it no device has a DeviceIdentity (identity() is null).
   */
  adminCredentials?: Pick<DeviceRepository, 'adminCredential'>;
  /** The device-login driver's settings (tests shorten them); fetch for other transports. */
  deviceLogin?: {
    fetch?: typeof fetch;
    timeouts?: Partial<DeviceLoginClientTimeouts>;
    limits?: Partial<DeviceLoginClientLimits>;
    timings?: Partial<DeviceLoginTimings>;
  };
}

/**
 * The one factory that picks a driver per capability from a device's configuration. Today every
 * device speaks eSCL and IPP over the network; IPP-over-USB plugs in here.
 */
export class NetworkDeviceDrivers implements DeviceDrivers {
  readonly #logger: Logger;
  readonly #options: NetworkDeviceDriversOptions;
  readonly #scanners = new Map<string, { url: string; scanner: Scanner }>();
  readonly #faxLines = new Map<string, { url: string; faxLine: FaxLine }>();
  readonly #identities = new Map<string, { key: string; identity: DeviceLoginIdentity }>();

  constructor(logger: Logger, options: NetworkDeviceDriversOptions = {}) {
    this.#logger = logger;
    this.#options = options;
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

  /**
   * The device's own sign-in over its device API, with its stored admin credential; null when the
   * device has no credential stored or no device API address. One instance per device, replaced
   * when the address or the credential changes: the next call after such a change closes the old
   * instance, whose watchers hear a DeviceIdentityClosedError and should ask again. SECRET_INVALID
   * when the stored credential cannot be decrypted.
   */
  identity(device: DeviceRecord): DeviceIdentity | null {
    const baseUrl = deviceApiBaseUrl(device);
    const credential =
      baseUrl === null ? null : (this.#options.adminCredentials?.adminCredential(device.id) ?? null);
    if (baseUrl === null || credential === null) {
      this.#identities
        .get(device.id)
        ?.identity.close(
          new DeviceIdentityClosedError('its admin credential or device API address was removed'),
        );
      this.#identities.delete(device.id);
      return null;
    }
    // The cache key holds a digest, not the password: the map is one more place a heap dump shows.
    const key = `${baseUrl}\n${credentialDigest(credential)}`;
    const cached = this.#identities.get(device.id);
    if (cached?.key === key) return cached.identity;
    cached?.identity.close(
      new DeviceIdentityClosedError('its admin credential or device API address changed'),
    );
    const logger = this.#logger.child({ module: 'device-login', device: device.id });
    const settings = this.#options.deviceLogin ?? {};
    const identity = new DeviceLoginIdentity({
      client: new DeviceLoginClient({
        baseUrl,
        credential,
        logger,
        ...(settings.fetch ? { fetch: settings.fetch } : {}),
        ...(settings.timeouts ? { timeouts: settings.timeouts } : {}),
        ...(settings.limits ? { limits: settings.limits } : {}),
      }),
      logger,
      ...(settings.timings ? { timings: settings.timings } : {}),
    });
    this.#identities.set(device.id, { key, identity });
    return identity;
  }

  /** Ends every device-login watch (the edge's stop()). */
  close(): void {
    for (const { identity } of this.#identities.values()) identity.close();
    this.#identities.clear();
  }
}

function credentialDigest(credential: DeviceAdminCredential): string {
  return createHash('sha256')
    .update(credential.username)
    .update('\0')
    .update(credential.password)
    .digest('base64url');
}
