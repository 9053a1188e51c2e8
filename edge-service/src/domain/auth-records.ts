/** Stored records of the people path that are not users: panel sessions and account links. */

export interface PanelSessionRecord {
  id: string;
  userId: string;
  deviceId: string;
  createdAt: string;
  lastActivityAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
}

export type SessionTarget = { sessionId: string } | { userId: string } | { deviceId: string };

export interface PanelSessionRepository {
  create(input: { id: string; userId: string; deviceId: string; at: Date }): PanelSessionRecord;
  get(id: string): PanelSessionRecord | null;
  /** Only sessions that are not revoked. */
  touch(id: string, at: Date): boolean;
  /** Revokes the live sessions of the target; returns those it revoked. */
  revoke(target: SessionTarget, reason: string, at: Date): PanelSessionRecord[];
}

export type AccountLinkKind = 'invitation' | 'reset';

export interface AccountLinkRecord {
  id: string;
  userId: string;
  kind: AccountLinkKind;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface AccountLinkRepository {
  create(input: {
    userId: string;
    kind: AccountLinkKind;
    tokenHash: string;
    at: Date;
    expiresAt: Date;
  }): AccountLinkRecord;
  findByTokenHash(tokenHash: string): AccountLinkRecord | null;
  /** Marks the link used if it was not; false when it already was (single use across processes). */
  markUsed(id: string, at: Date): boolean;
  /** Ends the user's unused links of a kind (a new link replaces older ones). */
  expireUnused(userId: string, kind: AccountLinkKind, at: Date): void;
}
