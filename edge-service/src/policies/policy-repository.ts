import type { PolicyDocument, VersionedPolicy } from './policy-schema.ts';

/** One changed setting of a policy change, for the change record. */
export interface PolicyChange {
  key: string;
  from: unknown;
  to: unknown;
}

export interface PolicyChangeRecord {
  id: string;
  enterpriseId: string;
  version: number;
  actor: string;
  changes: PolicyChange[];
  changedAt: string;
}

/**
 * One versioned policy document per enterprise. An enterprise with no stored document has the
 * defaults at version 0. Every write bumps the version by one and records who changed what.
 */
export interface PolicyRepository {
  get(enterpriseId: string): VersionedPolicy;
  /**
   * Runs `change` on the current document inside one write transaction (so the edge and the admin
   * CLI never lose each other's change) and stores what it returns as the next version. Nothing is
   * written when `change` finds nothing changed.
   */
  update(
    enterpriseId: string,
    actor: string,
    change: (current: VersionedPolicy) => { document: PolicyDocument; changes: PolicyChange[] },
  ): VersionedPolicy;
  /** The stored version of every enterprise that has one. */
  versions(): Map<string, number>;
  history(enterpriseId: string, limit?: number): PolicyChangeRecord[];
  /** A number that changes whenever another connection commits to the store (PRAGMA data_version). */
  externalChangeCounter(): number;
}
