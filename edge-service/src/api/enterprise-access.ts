import type { AuditTrail } from '../domain/audit.ts';
import type { DirectoryRepository, EnterpriseRecord } from '../domain/device.ts';
import type { UserRole } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { ApiActor } from './endpoint.ts';

/** Vendor-side roles: they act on customers' enterprises, unless an enterprise turned restrictedAccess on. */
export const VENDOR_ROLES: readonly UserRole[] = ['support-agent', 'reseller-admin'];
/** Who may read an enterprise's data (the access list of enterprise GET endpoints). */
export const ENTERPRISE_READERS: readonly UserRole[] = ['admin', 'support-agent', 'reseller-admin'];
/** Who may change it. support-agent is read-only, except where an endpoint lists it (unlock, reset 2FA). */
export const ENTERPRISE_WRITERS: readonly UserRole[] = ['admin', 'reseller-admin'];

export const isVendor = (role: UserRole): boolean => VENDOR_ROLES.includes(role);

/**
 * Whether the caller may touch the enterprise of an `{enterprise}` path, checked before anything
 * of the request is validated or read (so a refusal reveals nothing about the route's input):
 * a `user` never (FORBIDDEN); an `admin` only their own (another one answers ENTERPRISE_NOT_FOUND,
 * as an unknown one does: slugs are not enumerable); vendor roles any, unless the enterprise's
 * policy has restrictedAccess on (RESTRICTED_ACCESS, recorded in that enterprise's audit log).
 */
export class EnterpriseAccess {
  readonly #directory: Pick<
    DirectoryRepository,
    'findEnterpriseBySlug' | 'getEnterprise' | 'listEnterprises'
  >;
  readonly #policies: Pick<PolicyService, 'get'>;
  readonly #audit: AuditTrail;

  constructor(options: {
    directory: Pick<DirectoryRepository, 'findEnterpriseBySlug' | 'getEnterprise' | 'listEnterprises'>;
    policies: Pick<PolicyService, 'get'>;
    audit: AuditTrail;
  }) {
    this.#directory = options.directory;
    this.#policies = options.policies;
    this.#audit = options.audit;
  }

  resolve(
    actor: ApiActor,
    slug: string,
    request: { method: string; path: string; source: string },
  ): EnterpriseRecord {
    const { user } = actor;
    if (user.role === 'user')
      throw new EdgeError('FORBIDDEN', 'Only administrators may use the console and the API.');
    const enterprise = typeof slug === 'string' ? this.#directory.findEnterpriseBySlug(slug) : null;
    if (!enterprise) throw new EdgeError('ENTERPRISE_NOT_FOUND');
    if (user.role === 'admin') {
      if (enterprise.id !== user.enterpriseId) throw new EdgeError('ENTERPRISE_NOT_FOUND');
      return enterprise;
    }
    if (enterprise.id !== user.enterpriseId && this.#policies.get(enterprise.id).document.restrictedAccess) {
      this.#audit.record({
        enterpriseId: enterprise.id,
        actor: actorName(actor),
        action: 'access.restricted-refused',
        target: `${request.method} ${request.path}`,
        details: { role: user.role, email: user.email },
        source: request.source,
      });
      throw new EdgeError('RESTRICTED_ACCESS');
    }
    return enterprise;
  }

  /** The enterprises the caller may see (GET /enterprises). */
  visible(actor: ApiActor): { enterprise: EnterpriseRecord; restricted: boolean }[] {
    const { user } = actor;
    if (user.role === 'user') return [];
    if (user.role === 'admin') {
      const own = this.#directory.getEnterprise(user.enterpriseId);
      return own ? [{ enterprise: own, restricted: false }] : [];
    }
    return this.#directory.listEnterprises().map((enterprise) => ({
      enterprise,
      restricted:
        enterprise.id !== user.enterpriseId && this.#policies.get(enterprise.id).document.restrictedAccess,
    }));
  }
}

/** The audit actor of an API caller: `user:<id>`, or `token:<id>` for a script's token. */
export function actorName(actor: ApiActor): string {
  return actor.via === 'token' ? `token:${actor.credentialId}` : `user:${actor.user.id}`;
}
