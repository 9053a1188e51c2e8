import type { AuditTrail } from '../domain/audit.ts';
import type { EnterpriseRecord } from '../domain/device.ts';
import type { UserAccount, UserLanguage, UserRepository, UserSettings } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { Notifier } from '../mail/notifier.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { SqliteUserRepository } from '../storage/sqlite-user-repository.ts';
import type { ProvisioningLink, ProvisioningStore } from './provisioning-store.ts';

/** What a source (SCIM, LDAP) says of a person; absent fields are left as they are. */
export interface ProvisionedPerson {
  email: string;
  displayName: string;
  language?: UserLanguage | undefined;
  timeZone?: string | undefined;
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string | null | undefined;
  /** Only 'admin' or 'user': a source never hands out the vendor-side roles. */
  role?: 'admin' | 'user' | undefined;
  externalId?: string | null | undefined;
  ldapDn?: string | null | undefined;
  ldapUid?: string | null | undefined;
  scimUserName?: string | null | undefined;
}

export interface Change {
  key: string;
  from: unknown;
  to: unknown;
}

export interface ProvisionedPeopleDeps {
  users: SqliteUserRepository;
  store: ProvisioningStore;
  policies: Pick<PolicyService, 'get'>;
  /** Welcome mail per policy; null: none (never in tests that do not care). */
  notifier: Pick<Notifier, 'welcome'> | null;
  audit: AuditTrail;
  /**
   * Ends the person's panel and console sessions and API tokens at once. In the edge this goes
   * through PanelSessions (the panel socket closes them now); in the CLI through the tables (the
   * running edge's session keeper ends the panels at its next check).
   */
  endSessions: (userId: string, reason: 'user-disabled' | 'admin') => void;
  now?: () => Date;
}

/**
 * The one way provisioning (SCIM and LDAP sync) creates, changes, disables and deletes people, so
 * both get the same rules as the console: the enterprise's policies (no built-in password when
 * SSO is set, welcome mail, 2FA enrolment at sign-in), the last active administrator kept,
 * sessions ended at once on disable, and an audit entry naming the source for every change.
 */
export class ProvisionedPeople {
  readonly #d: ProvisionedPeopleDeps;
  readonly #now: () => Date;

  constructor(deps: ProvisionedPeopleDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  get users(): UserRepository & Pick<SqliteUserRepository, 'delete'> {
    return this.#d.users;
  }

  link(userId: string): ProvisioningLink {
    return this.#d.store.link(userId)!;
  }

  create(
    enterprise: EnterpriseRecord,
    source: 'scim' | 'ldap',
    person: ProvisionedPerson,
    options: { actor: string; active?: boolean },
  ): UserAccount {
    const policy = this.#d.policies.get(enterprise.id).document;
    const db = this.#d.store.db;
    const created = db
      .transaction(() => {
        const user = this.#d.users.create({
          enterpriseId: enterprise.id,
          email: person.email,
          displayName: person.displayName,
          role: person.role ?? 'user',
          language: person.language ?? 'en',
          timeZone: person.timeZone ?? 'UTC',
          // With company sign-in on, people sign in through it: no password of ours to phish.
          builtinPasswordDisabled: policy.sso !== null,
        });
        this.#d.store.setLink(user.id, {
          provisionedBy: source,
          externalId: person.externalId ?? null,
          ldapDn: person.ldapDn ?? null,
          ldapUid: person.ldapUid ?? null,
          country: person.country ?? null,
          scimUserName: person.scimUserName ?? null,
        });
        if (options.active === false)
          this.#d.users.update(user.id, { disabledAt: this.#now().toISOString() });
        return this.#d.users.get(user.id)!;
      })
      .immediate();
    this.#d.audit.record({
      enterpriseId: enterprise.id,
      actor: options.actor,
      action: 'user.create',
      target: created.id,
      details: { email: created.email, role: created.role, source, active: created.disabledAt === null },
    });
    if (policy.welcomeEmail && created.disabledAt === null)
      this.#d.notifier?.welcome({
        to: created.email,
        name: created.displayName,
        language: created.language,
        timeZone: created.timeZone,
        enterpriseName: enterprise.name,
      });
    return created;
  }

  /** Applies what the source says; returns the changes made (none: nothing written, nothing audited). */
  update(
    user: UserAccount,
    source: 'scim' | 'ldap',
    person: Partial<ProvisionedPerson>,
    options: { actor: string },
  ): Change[] {
    const link = this.link(user.id);
    const changes: Change[] = [];
    const settings: UserSettings = {};
    const note = (key: string, from: unknown, to: unknown) => {
      if (to !== undefined && JSON.stringify(from) !== JSON.stringify(to)) {
        changes.push({ key, from, to });
        return true;
      }
      return false;
    };
    if (note('displayName', user.displayName, person.displayName)) settings.displayName = person.displayName!;
    if (note('language', user.language, person.language)) settings.language = person.language!;
    if (note('timeZone', user.timeZone, person.timeZone)) settings.timeZone = person.timeZone!;
    if (note('role', user.role, person.role)) {
      if (user.role !== 'admin' && user.role !== 'user')
        throw new EdgeError(
          'FORBIDDEN',
          `${user.email} has a vendor-side role: provisioning does not change it.`,
        );
      if (person.role === 'user') this.#keepAnAdmin(user);
      settings.role = person.role!;
    }
    const emailChanged =
      person.email !== undefined && person.email.toLowerCase() !== user.email.toLowerCase()
        ? note('email', user.email, person.email)
        : false;
    const linkChanges: Partial<Omit<ProvisioningLink, 'userId'>> = {};
    if (note('country', link.country, person.country)) linkChanges.country = person.country ?? null;
    if (note('externalId', link.externalId, person.externalId))
      linkChanges.externalId = person.externalId ?? null;
    if (note('ldapDn', link.ldapDn, person.ldapDn)) linkChanges.ldapDn = person.ldapDn ?? null;
    if (note('ldapUid', link.ldapUid, person.ldapUid)) linkChanges.ldapUid = person.ldapUid ?? null;
    if (note('scimUserName', link.scimUserName, person.scimUserName))
      linkChanges.scimUserName = person.scimUserName ?? null;
    if (changes.length === 0) return changes;
    this.#d.store.db
      .transaction(() => {
        if (emailChanged) this.#d.store.setEmail(user.id, person.email!);
        this.#d.users.update(user.id, settings);
        this.#d.store.setLink(user.id, linkChanges);
      })
      .immediate();
    // A new role or sign-in name: sessions made under the old one end.
    if (settings.role !== undefined || emailChanged) this.#d.endSessions(user.id, 'admin');
    this.#d.audit.record({
      enterpriseId: user.enterpriseId,
      actor: options.actor,
      action: 'user.update',
      target: user.id,
      details: { email: user.email, source, changes },
    });
    return changes;
  }

  /** Disables or enables; disabling ends every session and token at once. False: already so. */
  setActive(
    user: UserAccount,
    active: boolean,
    source: 'scim' | 'ldap',
    options: { actor: string },
  ): boolean {
    if (active === (user.disabledAt === null)) return false;
    if (!active) this.#keepAnAdmin(user);
    this.#d.users.update(user.id, { disabledAt: active ? null : this.#now().toISOString() });
    if (!active) this.#d.endSessions(user.id, 'user-disabled');
    this.#d.audit.record({
      enterpriseId: user.enterpriseId,
      actor: options.actor,
      action: active ? 'user.enable' : 'user.disable',
      target: user.id,
      details: { email: user.email, source },
    });
    return true;
  }

  /** Deletes the account (the row stays: jobs and audit entries name it). */
  delete(user: UserAccount, source: 'scim' | 'ldap', options: { actor: string }): void {
    this.#keepAnAdmin(user);
    this.#d.endSessions(user.id, 'user-disabled');
    this.#d.users.delete(user.id, this.#now());
    this.#d.audit.record({
      enterpriseId: user.enterpriseId,
      actor: options.actor,
      action: 'user.delete',
      target: user.id,
      details: { email: user.email, role: user.role, source },
    });
  }

  /** LAST_ADMIN when `user` is the enterprise's last active administrator. */
  #keepAnAdmin(user: UserAccount): void {
    const active = (u: UserAccount) => u.role === 'admin' && u.disabledAt === null && u.deletedAt === null;
    if (!active(user)) return;
    if (!this.#d.users.list(user.enterpriseId).some((u) => u.id !== user.id && active(u)))
      throw new EdgeError('LAST_ADMIN');
  }
}
