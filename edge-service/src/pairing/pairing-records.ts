/** One pairing as stored (codes only as hashes). */
export interface PairingRecord {
  id: string;
  /** Null for a pairing made approved (the demo's console frame): it has no code to type. */
  userCodeHash: string | null;
  deviceCodeHash: string;
  createdAt: string;
  expiresAt: string;
  /** The address pairing.begin came from. */
  source: string;
  /** What the panel said of itself in pairing.begin. */
  panel: PanelDescription | null;
  approvedAt: string | null;
  /** The audit actor who approved (`user:<id>`, `token:<id>`, `system`). */
  approvedBy: string | null;
  enterpriseId: string | null;
  deviceId: string | null;
  claimedAt: string | null;
}

export interface PanelDescription {
  app: { name: string; version: string };
  screen?: { width: number; height: number };
}

export interface PairingRepository {
  insert(
    record: Omit<PairingRecord, 'approvedAt' | 'approvedBy' | 'enterpriseId' | 'deviceId' | 'claimedAt'>,
  ): void;
  get(id: string): PairingRecord | null;
  /** Unclaimed rows with that user code hash (expired ones included: the caller checks the time). */
  findByUserCodeHash(hash: string): PairingRecord[];
  findByDeviceCodeHash(hash: string): PairingRecord | null;
  /** False when it was approved (or claimed) meanwhile. */
  approve(id: string, approval: { at: string; by: string; enterpriseId: string; deviceId: string }): boolean;
  /** Single use: false when it was claimed meanwhile. */
  claim(id: string, at: string): boolean;
  /** Pending (unapproved, unexpired) pairings: the console's live list. */
  listPending(now: string): PairingRecord[];
  /** Drops rows that expired before `before` and were never claimed (the audit log keeps the story). */
  purgeExpired(before: string): number;
}
