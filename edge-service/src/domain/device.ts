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
  createdAt: string;
  revokedAt: string | null;
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
  create(input: Omit<DeviceRecord, 'id' | 'createdAt' | 'revokedAt'> & { tokenHash: string }): DeviceRecord;
  get(id: string): DeviceRecord | null;
  findByName(enterpriseId: string, name: string): DeviceRecord | null;
  /** Only devices that are not revoked. */
  findByTokenHash(tokenHash: string): DeviceRecord | null;
  setTokenHash(id: string, tokenHash: string): void;
  setUrls(id: string, urls: { scannerUrl: string | null; faxUrl: string | null }): void;
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
