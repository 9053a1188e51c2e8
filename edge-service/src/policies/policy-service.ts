import { EventEmitter } from 'node:events';
import type { AuditTrail } from '../domain/audit.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { PolicyPatch } from './policy-assignments.ts';
import type { PolicyChange, PolicyRepository } from './policy-repository.ts';
import { PolicyDocumentSchema, type PolicyDocument, type VersionedPolicy } from './policy-schema.ts';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Nested objects merge key by key; arrays, scalars and null replace. */
export function mergePolicyPatch(base: unknown, patch: PolicyPatch): Record<string, unknown> {
  const result: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    result[key] = isPlainObject(value) ? mergePolicyPatch(result[key], value) : value;
  }
  return result;
}

/** The settings that differ, as dotted keys. */
export function diffPolicies(before: unknown, after: unknown, prefix = ''): PolicyChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) => diffPolicies(before[key], after[key], `${prefix}${key}.`));
  }
  return JSON.stringify(before) === JSON.stringify(after)
    ? []
    : [{ key: prefix.slice(0, -1), from: before ?? null, to: after ?? null }];
}

/** Validates a whole document; POLICY_INVALID names each key that is wrong and why. */
export function validatePolicy(input: unknown): PolicyDocument {
  const parsed = PolicyDocumentSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.join('.');
    if (issue.code === 'unrecognized_keys')
      return `unknown policy key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(', ')}`;
    return `${path || 'policy'}: ${issue.message}`;
  });
  throw new EdgeError('POLICY_INVALID', problems.join('; '));
}

export interface PolicyServiceEvents {
  /** A policy changed, here or (seen by a PolicyWatcher) in another process. */
  changed: [enterpriseId: string, policy: VersionedPolicy];
}

/**
 * Enterprise policies: read, change (validated, versioned, recorded), and told about. Panels and
 * services subscribe to 'changed' and always get the whole new document with its version.
 */
export class PolicyService extends EventEmitter<PolicyServiceEvents> {
  readonly #repository: PolicyRepository;
  readonly #log: Logger | undefined;
  readonly #audit: AuditTrail | undefined;
  /** The last version announced per enterprise, so a change is announced once. */
  readonly #announced = new Map<string, number>();
  #seeded = false;

  constructor(options: { repository: PolicyRepository; logger?: Logger; audit?: AuditTrail }) {
    super();
    this.#repository = options.repository;
    this.#log = options.logger;
    this.#audit = options.audit;
  }

  get(enterpriseId: string): VersionedPolicy {
    return this.#repository.get(enterpriseId);
  }

  /** Applies a patch for `actor` (e.g. `cli:root`, `admin:<user id>`); POLICY_INVALID leaves it unchanged. */
  update(
    enterpriseId: string,
    patch: PolicyPatch,
    actor: string,
    context: { source?: string | null } = {},
  ): VersionedPolicy {
    let changes: PolicyChange[] = [];
    const before = this.#repository.get(enterpriseId).version;
    const updated = this.#repository.update(enterpriseId, actor, (current) => {
      const document = validatePolicy(mergePolicyPatch(current.document, patch));
      changes = diffPolicies(current.document, document);
      return { document, changes };
    });
    // Every change is audited where it is made (the console, the API, the admin CLI), with before and after per key.
    if (updated.version !== before && changes.length > 0) {
      this.#audit?.record({
        enterpriseId,
        actor,
        action: 'policy.update',
        target: `policy v${updated.version}`,
        details: { version: updated.version, changes },
        source: context.source ?? null,
      });
    }
    this.#log?.info(
      { enterpriseId, version: updated.version, actor, keys: Object.keys(patch) },
      'enterprise policy updated',
    );
    this.#announce(updated);
    return updated;
  }

  /**
   * Looks for versions another process wrote and announces them. The first call only learns the
   * current versions. Called by PolicyWatcher; harmless to call any time.
   */
  refresh(): void {
    const versions = this.#repository.versions();
    if (!this.#seeded) {
      this.#seeded = true;
      for (const [enterpriseId, version] of versions)
        this.#announced.set(enterpriseId, Math.max(version, this.#announced.get(enterpriseId) ?? 0));
      return;
    }
    for (const [enterpriseId, version] of versions) {
      if (version > (this.#announced.get(enterpriseId) ?? 0))
        this.#announce(this.#repository.get(enterpriseId));
    }
  }

  #announce(policy: VersionedPolicy): void {
    const known = this.#announced.get(policy.enterpriseId) ?? 0;
    if (policy.version <= known) return;
    this.#announced.set(policy.enterpriseId, policy.version);
    this.emit('changed', policy.enterpriseId, policy);
  }
}
