import type { AuthMode } from '../../../protocol/index.ts';

export interface DeviceRecord {
  id: string;
  enterpriseId: string;
  name: string;
  authMode: AuthMode;
  sharedUserId: string | null;
  /** eSCL root, e.g. http://printer/eSCL */
  scannerUrl: string | null;
  /** IPP FaxOut printer URI, e.g. ipp://printer/ipp/faxout */
  faxUrl: string | null;
  /**
   * The device API root (device login), e.g. https://printer/device/api/v1; absent or null: the
   * scanner URL's origin + /device/api/v1 (drivers/device-login/device-api-url.ts).
   */
  deviceApiUrl?: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * The device's own admin account (HTTP Basic on its device API), with which the edge reads who is
 * signed in at the MFP. Stored encrypted (DESIGN.md §11); never sent to a panel, never logged.
 */
export interface DeviceAdminCredential {
  username: string;
  password: string;
}

export interface UserRecord {
  id: string;
  enterpriseId: string;
  email: string;
  displayName: string;
}

export interface EnterpriseRecord {
  id: string;
  name: string;
  /** Short unique identifier used in URLs (domain/enterprise-slug.ts). */
  slug: string;
}

export interface DeviceRepository {
  /** A null tokenHash: a device approved by pairing whose panel has not claimed its credential yet. */
  create(
    input: Omit<DeviceRecord, 'id' | 'createdAt' | 'revokedAt'> & { tokenHash: string | null },
  ): DeviceRecord;
  get(id: string): DeviceRecord | null;
  findByName(enterpriseId: string, name: string): DeviceRecord | null;
  /** Only devices that are not revoked. */
  findByTokenHash(tokenHash: string): DeviceRecord | null;
  setTokenHash(id: string, tokenHash: string): void;
  /** One more credential of the device (pairing.claim), beside the ones it has. */
  addCredential(id: string, tokenHash: string, pairingId?: string | null): void;
  /** Every credential of the device stops working (a re-pairing); the device stays. */
  clearCredentials(id: string): void;
  /** Name, auth mode, shared account; DEVICE_NOT_FOUND when unknown. */
  update(id: string, patch: Partial<Pick<DeviceRecord, 'name' | 'authMode' | 'sharedUserId'>>): DeviceRecord;
  /** A revoked device paired again keeps its record (and its job history). */
  reinstate(id: string): void;
  setUrls(id: string, urls: { scannerUrl: string | null; faxUrl: string | null }): void;
  /** Null: derive it from the scanner URL again. */
  setDeviceApiUrl(id: string, url: string | null): void;
  /** Stores the device's admin credential encrypted (null removes it); DEVICE_NOT_FOUND when unknown. */
  setAdminCredential(id: string, credential: DeviceAdminCredential | null): void;
  /** The decrypted admin credential; null when none is stored; SECRET_INVALID when it does not open. */
  adminCredential(id: string): DeviceAdminCredential | null;
  /** Marks the device revoked (its credential stops working); false when unknown or already revoked. */
  revoke(id: string, at?: Date): boolean;
  list(): DeviceRecord[];
}

export interface DirectoryRepository {
  /** The slug is made from the name (unique) unless given. */
  createEnterprise(name: string, slug?: string): EnterpriseRecord;
  findEnterpriseByName(name: string): EnterpriseRecord | null;
  findEnterpriseBySlug(slug: string): EnterpriseRecord | null;
  getEnterprise(id: string): EnterpriseRecord | null;
  listEnterprises(): EnterpriseRecord[];
  createUser(input: Omit<UserRecord, 'id'>): UserRecord;
  findUserByEmail(enterpriseId: string, email: string): UserRecord | null;
  getUser(id: string): UserRecord | null;
}
