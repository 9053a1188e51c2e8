/**
 * The audit trail (DESIGN.md §9: every audit event carries a globally unique id and a monotonic
 * sequence). Append-only; each entry carries the hash of the one before, so an edited or deleted
 * row is detectable (`mfp-edge admin audit verify`).
 */
export interface AuditEntryInput {
  /** Null for events of the edge itself (not about one enterprise). */
  enterpriseId: string | null;
  /** Who: `user:<id>`, `token:<id>` (an API token's user), `cli:<os user>`, `device:<id>`, `system`. */
  actor: string;
  /** What, as a stable dotted name: `auth.sign-in`, `auth.sign-in-failed`, `user.unlock`, `policy.update`, `device.pair`, ... */
  action: string;
  /** What it was done to (a user id, device id, ...). */
  target?: string | null;
  /** Facts for the record (before and after of a policy change, the export's filter). Never a secret. */
  details?: Record<string, unknown>;
  /** The caller's network address, when there is one. */
  source?: string | null;
}

export interface AuditEntry extends Required<AuditEntryInput> {
  seq: number;
  id: string;
  at: string;
  /** SHA-256 (hex) of the previous entry's hash and this entry's fields. */
  hash: string;
  prevHash: string;
}

export interface AuditTrail {
  record(entry: AuditEntryInput): AuditEntry;
}
