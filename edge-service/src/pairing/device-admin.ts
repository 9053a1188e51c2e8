import { CLOSE_CODES, type AuthMode } from '../../../protocol/index.ts';
import type { AuditTrail } from '../domain/audit.ts';
import type { DeviceAdminCredential, DeviceRecord, DeviceRepository } from '../domain/device.ts';
import { EdgeError } from '../edge-error.ts';
import { checkDeviceUrl } from './device-urls.ts';

export interface DevicePatch {
  name?: string | undefined;
  authMode?: AuthMode | undefined;
  sharedUserId?: string | null | undefined;
  scannerUrl?: string | null | undefined;
  faxUrl?: string | null | undefined;
  deviceApiUrl?: string | null | undefined;
  /** Set (an object) or clear (null) the device's admin credential; absent: unchanged. */
  adminCredential?: DeviceAdminCredential | null | undefined;
}

/** How an admin change reaches the device's panels (the PanelSessionKeeper). */
export interface DevicePanels {
  disconnectDevice(deviceId: string, closeCode: number, endSessions: 'admin' | 'device-revoked' | null): void;
}

export interface Actor {
  actor: string;
  source: string;
}

export interface DeviceAdminOptions {
  devices: DeviceRepository;
  users: { get(id: string): { id: string; enterpriseId: string } | null };
  audit: AuditTrail;
  panels: DevicePanels;
  /** Called after each change (the console's live status). */
  changed?: (deviceId: string) => void;
}

/**
 * An admin's changes to a paired device (rename, auth mode, shared account, URLs, admin
 * credential) and its revocation, each audited and pushed to its panels at once: a revoked device's
 * panels close with DEVICE_REVOKED, a changed one's with DEVICE_CHANGED (they say hello again; a
 * new auth mode or shared account ends their sessions first).
 */
export class DeviceAdmin {
  readonly #o: DeviceAdminOptions;

  constructor(options: DeviceAdminOptions) {
    this.#o = options;
  }

  /** The enterprise's device, revoked or not; DEVICE_NOT_FOUND when another enterprise's. */
  get(enterpriseId: string, id: string): DeviceRecord {
    const device = this.#o.devices.get(id);
    if (!device || device.enterpriseId !== enterpriseId) throw new EdgeError('DEVICE_NOT_FOUND');
    return device;
  }

  update(enterpriseId: string, id: string, patch: DevicePatch, by: Actor): DeviceRecord {
    const before = this.get(enterpriseId, id);
    if (before.revokedAt !== null)
      throw new EdgeError('DEVICE_NOT_FOUND', 'That device is revoked: pair it again to change it.');
    const { devices } = this.#o;
    const name = patch.name?.trim();
    if (name !== undefined) {
      if (name === '' || name.length > 100)
        throw new EdgeError('VALIDATION_FAILED', 'name: give the device a name of 1 to 100 characters.');
      const clash = devices.findByName(enterpriseId, name);
      if (clash && clash.id !== id)
        throw new EdgeError(
          'VALIDATION_FAILED',
          `name: a device named "${name}" already exists in this enterprise.`,
        );
    }
    const authMode = patch.authMode ?? before.authMode;
    let sharedUserId = patch.sharedUserId === undefined ? before.sharedUserId : patch.sharedUserId;
    if (authMode !== 'shared-account') sharedUserId = null;
    else {
      const user = sharedUserId ? this.#o.users.get(sharedUserId) : null;
      if (!user || user.enterpriseId !== enterpriseId)
        throw new EdgeError(
          'VALIDATION_FAILED',
          'sharedUserId: a shared-account device needs a user of this enterprise.',
        );
    }
    // Every address is checked before anything is written.
    const scannerUrl =
      patch.scannerUrl === undefined ? before.scannerUrl : checkDeviceUrl('scannerUrl', patch.scannerUrl);
    const faxUrl = patch.faxUrl === undefined ? before.faxUrl : checkDeviceUrl('faxUrl', patch.faxUrl);
    const deviceApiUrl =
      patch.deviceApiUrl === undefined ? undefined : checkDeviceUrl('deviceApiUrl', patch.deviceApiUrl);

    devices.update(id, { ...(name !== undefined ? { name } : {}), authMode, sharedUserId });
    if (scannerUrl !== before.scannerUrl || faxUrl !== before.faxUrl)
      devices.setUrls(id, { scannerUrl, faxUrl });
    if (deviceApiUrl !== undefined) devices.setDeviceApiUrl(id, deviceApiUrl);
    if (patch.adminCredential !== undefined) devices.setAdminCredential(id, patch.adminCredential);
    const after = devices.get(id)!;

    const audit = (action: string, details: Record<string, unknown>) =>
      this.#o.audit.record({ enterpriseId, actor: by.actor, action, target: id, details, source: by.source });
    if (after.name !== before.name) audit('device.rename', { before: before.name, after: after.name });
    const modeChanged = after.authMode !== before.authMode || after.sharedUserId !== before.sharedUserId;
    if (modeChanged)
      audit('device.mode-change', {
        before: { authMode: before.authMode, sharedUserId: before.sharedUserId },
        after: { authMode: after.authMode, sharedUserId: after.sharedUserId },
      });
    const urlsChanged =
      after.scannerUrl !== before.scannerUrl ||
      after.faxUrl !== before.faxUrl ||
      (after.deviceApiUrl ?? null) !== (before.deviceApiUrl ?? null);
    if (urlsChanged || patch.adminCredential !== undefined)
      audit('device.update', {
        before: {
          scannerUrl: before.scannerUrl,
          faxUrl: before.faxUrl,
          deviceApiUrl: before.deviceApiUrl ?? null,
        },
        after: {
          scannerUrl: after.scannerUrl,
          faxUrl: after.faxUrl,
          deviceApiUrl: after.deviceApiUrl ?? null,
        },
        ...(patch.adminCredential !== undefined
          ? { adminCredential: patch.adminCredential ? 'set' : 'cleared' }
          : {}),
      });
    if (after.name !== before.name || modeChanged || urlsChanged || patch.adminCredential !== undefined)
      this.#o.panels.disconnectDevice(id, CLOSE_CODES.DEVICE_CHANGED, modeChanged ? 'admin' : null);
    this.#o.changed?.(id);
    return after;
  }

  /** Revokes the device: its credentials stop working and its panels drop to pairing at once. */
  revoke(enterpriseId: string, id: string, by: Actor): DeviceRecord {
    const device = this.get(enterpriseId, id);
    if (!this.#o.devices.revoke(id))
      throw new EdgeError('DEVICE_NOT_FOUND', 'That device is already revoked.');
    this.#o.panels.disconnectDevice(id, CLOSE_CODES.DEVICE_REVOKED, 'device-revoked');
    this.#o.audit.record({
      enterpriseId,
      actor: by.actor,
      action: 'device.revoke',
      target: id,
      details: { name: device.name },
      source: by.source,
    });
    this.#o.changed?.(id);
    return this.#o.devices.get(id)!;
  }
}
