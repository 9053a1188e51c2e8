import { z } from 'zod';
import { inviteUser } from '../account/account-invitations.ts';
import type { AccountLinks } from '../auth/account-links.ts';
import type { ApiTokens } from '../auth/api-tokens.ts';
import type { AuthEvents } from '../auth/auth-events.ts';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import type { PanelSessions, RevokeReason } from '../auth/panel-sessions.ts';
import type { PasswordHasher } from '../auth/password-hasher.ts';
import { enforcePassword } from '../auth/password-rules.ts';
import type { AuditTrail } from '../domain/audit.ts';
import type { DirectoryRepository, EnterpriseRecord } from '../domain/device.ts';
import {
  isLocked,
  USER_LANGUAGES,
  USER_ROLES,
  type UserAccount,
  type UserRole,
  type UserSettings,
} from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { Notifier } from '../mail/notifier.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { SqliteUserRepository } from '../storage/sqlite-user-repository.ts';
import {
  defineEndpoint,
  type AnyEndpoint,
  type ApiActor,
  type EndpointAccess,
  type EndpointContext,
} from './endpoint.ts';
import { actorName, ENTERPRISE_READERS, ENTERPRISE_WRITERS, isVendor } from './enterprise-access.ts';
import { personView } from './person-view.ts';
import { CSV_TYPE, exportFile, XLSX_TYPE, type ExportColumn } from './table-export.ts';

const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'an IANA time zone such as Europe/Paris or UTC' },
  );

export const UserView = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(USER_ROLES),
  language: z.enum(USER_LANGUAGES),
  timeZone: z.string(),
  /** The "Locked" tag. */
  locked: z.boolean(),
  lockedUntil: z.string().nullable().describe('null while locked: until an administrator unlocks.'),
  disabled: z.boolean(),
  twoFactorEnrolled: z.boolean(),
  twoFactorExcluded: z.boolean(),
  faxEnabled: z.boolean(),
  mustChangePassword: z.boolean(),
  passwordNeverExpires: z.boolean(),
  builtinPasswordDisabled: z.boolean(),
  hasPassword: z.boolean(),
  lastSignInAt: z.string().nullable(),
  createdAt: z.string(),
});

const userView = (u: UserAccount, now: Date): z.input<typeof UserView> => ({
  ...personView(u),
  locked: isLocked(u, now),
  lockedUntil: isLocked(u, now) ? u.lockedUntil : null,
  disabled: u.disabledAt !== null,
  twoFactorEnrolled: u.totpSecret !== null,
  twoFactorExcluded: u.twoFactorExcluded,
  faxEnabled: u.faxEnabled,
  mustChangePassword: u.mustChangePassword,
  passwordNeverExpires: u.passwordNeverExpires,
  builtinPasswordDisabled: u.builtinPasswordDisabled,
  hasPassword: u.passwordHash !== null,
  lastSignInAt: u.lastSignInAt,
  createdAt: u.createdAt,
});

/** Query filters of the list and the export (query values are strings: z.coerce / z.stringbool). */
const UserFilter = z.strictObject({
  role: z.enum(USER_ROLES).optional(),
  service: z.enum(['fax', 'no-fax']).optional().describe('fax: users with the fax service on; no-fax: off.'),
  locked: z.stringbool().optional(),
  disabled: z.stringbool().optional(),
  q: z.string().max(200).optional().describe('Part of the email or name.'),
});

const Page = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
};

const Id = z.strictObject({ id: z.uuid() });

const Settings = {
  displayName: z.string().trim().min(1).max(200),
  role: z.enum(USER_ROLES),
  language: z.enum(USER_LANGUAGES),
  timeZone: TimeZone,
  mustChangePassword: z.boolean(),
  passwordNeverExpires: z.boolean(),
  builtinPasswordDisabled: z.boolean(),
  twoFactorExcluded: z.boolean(),
  faxEnabled: z.boolean(),
};

export interface UserEndpointDeps {
  users: SqliteUserRepository;
  directory: Pick<DirectoryRepository, 'getEnterprise'>;
  policies: Pick<PolicyService, 'get'>;
  hasher: PasswordHasher;
  links: Pick<AccountLinks, 'create'>;
  notifier: Notifier;
  events: AuthEvents;
  sessions: PanelSessions;
  consoleSessions: ConsoleSessions;
  tokens: ApiTokens;
  audit: AuditTrail;
  publicOrigin: () => string;
  now?: () => Date;
}

/**
 * People of an enterprise. The last active administrator can be neither deleted, disabled nor
 * demoted (LAST_ADMIN); administrators and vendor roles cannot be excluded from 2FA
 * (TWO_FACTOR_REQUIRED_FOR_ADMINS). Disabling or deleting someone ends their panel and console
 * sessions and revokes their API tokens at once.
 */
export function userEndpoints(deps: UserEndpointDeps): AnyEndpoint[] {
  const now = deps.now ?? (() => new Date());
  const base = '/enterprises/{enterprise}/users';

  const find = (enterprise: EnterpriseRecord, id: string): UserAccount => {
    const user = deps.users.get(id);
    if (!user || user.enterpriseId !== enterprise.id || user.deletedAt !== null)
      throw new EdgeError('USER_NOT_FOUND', 'No such user in this enterprise.');
    return user;
  };

  const activeAdmin = (u: UserAccount) => u.role === 'admin' && u.disabledAt === null && u.deletedAt === null;

  /** Refuses leaving the enterprise without an active administrator. */
  const keepAnAdmin = (
    user: UserAccount,
    after: { role?: UserRole; disabled?: boolean; deleted?: boolean },
  ) => {
    if (!activeAdmin(user)) return;
    const stays = !after.deleted && !after.disabled && (after.role ?? user.role) === 'admin';
    if (stays) return;
    const others = deps.users.list(user.enterpriseId).filter((u) => u.id !== user.id && activeAdmin(u));
    if (others.length === 0) throw new EdgeError('LAST_ADMIN');
  };

  /** Who may hand out which role: vendor roles only by a reseller-admin, in their own enterprise. */
  const mayAssign = (actor: ApiActor, enterprise: EnterpriseRecord, role: UserRole) => {
    if (!isVendor(role)) return;
    if (actor.user.role !== 'reseller-admin' || actor.user.enterpriseId !== enterprise.id)
      throw new EdgeError(
        'FORBIDDEN',
        `Only a reseller administrator of the vendor's own enterprise may give the ${role} role.`,
      );
  };

  const twoFactorRule = (role: UserRole, excluded: boolean) => {
    if (excluded && role !== 'user') throw new EdgeError('TWO_FACTOR_REQUIRED_FOR_ADMINS');
  };

  const endSessions = (userId: string, reason: RevokeReason, tokensToo: boolean) => {
    deps.sessions.revoke({ userId }, reason);
    deps.consoleSessions.revoke({ userId }, reason);
    if (tokensToo) deps.tokens.revoke({ userId });
  };

  const record = (
    actor: ApiActor,
    enterprise: EnterpriseRecord,
    action: string,
    target: string | null,
    source: string,
    details: Record<string, unknown> = {},
  ) =>
    deps.audit.record({
      enterpriseId: enterprise.id,
      actor: actorName(actor),
      action,
      target,
      details,
      source,
    });

  /** Mails the person a new invitation link, from `actor`. */
  const invite = (userId: string, actor: ApiActor) =>
    inviteUser(
      {
        links: deps.links,
        users: deps.users,
        directory: deps.directory,
        notifier: deps.notifier,
        publicOrigin: deps.publicOrigin(),
      },
      userId,
      { invitedBy: actor.user.displayName },
    );

  /** The person as they are now (after a change). */
  const current = (id: string) => userView(deps.users.get(id)!, now());

  /** POST …/users/{id}/<verb>: `act` on the person, answered with them as they are afterwards. */
  const userAction = (
    spec: { verb: string; operationId: string; summary: string; access: EndpointAccess },
    act: (user: UserAccount, c: EndpointContext<{ id: string }, unknown, unknown>) => void,
  ): AnyEndpoint =>
    defineEndpoint({
      method: 'post',
      path: `${base}/{id}/${spec.verb}`,
      operationId: spec.operationId,
      summary: spec.summary,
      tag: 'users',
      access: spec.access,
      params: Id,
      response: UserView,
      handle(c) {
        const user = find(c.enterprise!, c.params.id);
        act(user, c);
        return current(user.id);
      },
    });

  const filtered = (enterprise: EnterpriseRecord, f: z.output<typeof UserFilter>): UserAccount[] => {
    const at = now();
    const q = f.q?.trim().toLowerCase();
    return deps.users
      .list(enterprise.id)
      .filter(
        (u) =>
          (f.role === undefined || u.role === f.role) &&
          (f.service === undefined || u.faxEnabled === (f.service === 'fax')) &&
          (f.locked === undefined || isLocked(u, at) === f.locked) &&
          (f.disabled === undefined || (u.disabledAt !== null) === f.disabled) &&
          (!q || u.email.toLowerCase().includes(q) || u.displayName.toLowerCase().includes(q)),
      );
  };

  const columns = (at: Date): ExportColumn<UserAccount>[] => [
    { header: 'Email', type: 'text', value: (u) => u.email },
    { header: 'Name', type: 'text', value: (u) => u.displayName },
    { header: 'Role', type: 'text', value: (u) => u.role },
    { header: 'Language', type: 'text', value: (u) => u.language },
    { header: 'Time zone', type: 'text', value: (u) => u.timeZone },
    { header: 'Locked', type: 'boolean', value: (u) => isLocked(u, at) },
    { header: 'Disabled', type: 'boolean', value: (u) => u.disabledAt !== null },
    { header: '2FA', type: 'boolean', value: (u) => u.totpSecret !== null },
    { header: 'Fax', type: 'boolean', value: (u) => u.faxEnabled },
    {
      header: 'Last sign-in',
      type: 'date',
      value: (u) => (u.lastSignInAt ? new Date(u.lastSignInAt) : null),
    },
    { header: 'Created', type: 'date', value: (u) => new Date(u.createdAt) },
  ];

  return [
    defineEndpoint({
      method: 'get',
      path: base,
      operationId: 'listUsers',
      summary: 'People of the enterprise, filtered and paginated.',
      tag: 'users',
      access: ENTERPRISE_READERS,
      query: UserFilter.extend(Page),
      response: z.object({
        items: z.array(UserView),
        total: z.number().int(),
        page: z.number().int(),
        pageSize: z.number().int(),
      }),
      handle(c) {
        const all = filtered(c.enterprise!, c.query);
        const at = now();
        const start = (c.query.page - 1) * c.query.pageSize;
        return {
          items: all.slice(start, start + c.query.pageSize).map((u) => userView(u, at)),
          total: all.length,
          page: c.query.page,
          pageSize: c.query.pageSize,
        };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: `${base}/export`,
      operationId: 'exportUsers',
      summary: 'The filtered list as CSV or Excel (typed columns); audited with the filter.',
      tag: 'users',
      access: ENTERPRISE_READERS,
      query: UserFilter.extend({ format: z.enum(['csv', 'xlsx']).default('csv') }),
      response: { files: [CSV_TYPE, XLSX_TYPE] },
      async handle(c) {
        const { format, ...filter } = c.query;
        const rows = filtered(c.enterprise!, filter);
        record(c.actor!, c.enterprise!, 'user.export', null, c.source, { format, filter, rows: rows.length });
        const cols = columns(now());
        return exportFile(format, `users-${c.enterprise!.slug}`, 'Users', cols, rows);
      },
    }),
    defineEndpoint({
      method: 'post',
      path: base,
      operationId: 'createUser',
      summary: 'Adds a person; `invite: true` mails an invitation link, or give an initial password.',
      tag: 'users',
      access: ENTERPRISE_WRITERS,
      status: 201,
      body: z
        .strictObject({
          email: z.email().max(254),
          displayName: Settings.displayName,
          role: Settings.role.default('user'),
          language: Settings.language.default('en'),
          timeZone: Settings.timeZone.default('UTC'),
          mustChangePassword: z.boolean().default(false),
          passwordNeverExpires: z.boolean().default(false),
          builtinPasswordDisabled: z.boolean().default(false),
          twoFactorExcluded: z.boolean().default(false),
          faxEnabled: z.boolean().default(true),
          invite: z.boolean().default(false),
          password: z.string().min(1).max(1024).optional().describe('An initial password (the rules apply).'),
        })
        .refine((b) => !(b.invite && b.password !== undefined), {
          message: 'give either invite or an initial password, not both',
          path: ['invite'],
        })
        .refine((b) => !(b.builtinPasswordDisabled && (b.invite || b.password !== undefined)), {
          message: 'a user without a built-in password gets neither an invitation nor a password',
          path: ['builtinPasswordDisabled'],
        }),
      response: UserView.extend({ invitationExpiresAt: z.string().nullable() }),
      async handle(c) {
        const enterprise = c.enterprise!;
        const b = c.body;
        mayAssign(c.actor!, enterprise, b.role);
        twoFactorRule(b.role, b.twoFactorExcluded);
        if (deps.users.findByEmail(enterprise.id, b.email))
          throw new EdgeError('USER_EXISTS', `${b.email} already has an account in this enterprise.`);
        let hash: string | undefined;
        if (b.password !== undefined) {
          await enforcePassword(b.password, deps.policies.get(enterprise.id).document, {
            email: b.email,
            hasher: deps.hasher,
          });
          hash = await deps.hasher.hash(b.password);
        }
        const created = deps.users.create({
          enterpriseId: enterprise.id,
          email: b.email,
          displayName: b.displayName,
          role: b.role,
          language: b.language,
          timeZone: b.timeZone,
          mustChangePassword: b.mustChangePassword,
          passwordNeverExpires: b.passwordNeverExpires,
          builtinPasswordDisabled: b.builtinPasswordDisabled,
          twoFactorExcluded: b.twoFactorExcluded,
          faxEnabled: b.faxEnabled,
        });
        if (hash) deps.users.setPasswordHash(created.id, hash, now(), { mustChange: b.mustChangePassword });
        let invitationExpiresAt: string | null = null;
        if (b.invite) {
          const { expiresAt } = invite(created.id, c.actor!);
          invitationExpiresAt = expiresAt.toISOString();
        } else if (deps.policies.get(enterprise.id).document.welcomeEmail) {
          deps.notifier.welcome({
            to: created.email,
            name: created.displayName,
            language: created.language,
            timeZone: created.timeZone,
            enterpriseName: enterprise.name,
          });
        }
        record(c.actor!, enterprise, 'user.create', created.id, c.source, {
          email: created.email,
          role: created.role,
          invited: b.invite,
          initialPassword: hash !== undefined,
        });
        return { ...current(created.id), invitationExpiresAt };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: `${base}/{id}`,
      operationId: 'getUser',
      summary: 'One person.',
      tag: 'users',
      access: ENTERPRISE_READERS,
      params: Id,
      response: UserView,
      handle: (c) => userView(find(c.enterprise!, c.params.id), now()),
    }),
    defineEndpoint({
      method: 'patch',
      path: `${base}/{id}`,
      operationId: 'updateUser',
      summary: 'Changes settings of a person (disabled: true ends their sessions and tokens).',
      tag: 'users',
      access: ENTERPRISE_WRITERS,
      params: Id,
      body: z
        .strictObject({
          displayName: Settings.displayName.optional(),
          role: Settings.role.optional(),
          language: Settings.language.optional(),
          timeZone: Settings.timeZone.optional(),
          mustChangePassword: z.boolean().optional(),
          passwordNeverExpires: z.boolean().optional(),
          builtinPasswordDisabled: z.boolean().optional(),
          twoFactorExcluded: z.boolean().optional(),
          faxEnabled: z.boolean().optional(),
          disabled: z.boolean().optional(),
        })
        .refine((b) => Object.keys(b).length > 0, { message: 'give at least one setting to change' }),
      response: UserView,
      handle(c) {
        const enterprise = c.enterprise!;
        const user = find(enterprise, c.params.id);
        const { disabled, ...rest } = c.body;
        if (rest.role !== undefined && rest.role !== user.role) {
          mayAssign(c.actor!, enterprise, rest.role);
          if (isVendor(user.role)) mayAssign(c.actor!, enterprise, user.role);
        }
        keepAnAdmin(user, { ...(rest.role ? { role: rest.role } : {}), ...(disabled ? { disabled } : {}) });
        twoFactorRule(rest.role ?? user.role, rest.twoFactorExcluded ?? user.twoFactorExcluded);
        const settings: UserSettings = { ...rest };
        if (disabled !== undefined && disabled !== (user.disabledAt !== null))
          settings.disabledAt = disabled ? now().toISOString() : null;
        const updated = deps.users.update(user.id, settings);
        const changes = Object.entries(settings)
          .map(([key, to]) => ({ key, from: (user as unknown as Record<string, unknown>)[key] ?? null, to }))
          .filter((ch) => JSON.stringify(ch.from) !== JSON.stringify(ch.to));
        if (settings.disabledAt) endSessions(user.id, 'user-disabled', true);
        else if (rest.builtinPasswordDisabled === true || (rest.role && rest.role !== user.role))
          endSessions(user.id, 'admin', false);
        if (changes.length > 0) {
          const action = settings.disabledAt
            ? 'user.disable'
            : settings.disabledAt === null
              ? 'user.enable'
              : 'user.update';
          record(c.actor!, enterprise, action, user.id, c.source, { email: user.email, changes });
        }
        return userView(updated, now());
      },
    }),
    defineEndpoint({
      method: 'delete',
      path: `${base}/{id}`,
      operationId: 'deleteUser',
      summary: 'Deletes a person (their jobs stay in the history); ends their sessions and tokens.',
      tag: 'users',
      access: ENTERPRISE_WRITERS,
      params: Id,
      response: z.undefined(),
      status: 204,
      handle(c) {
        const user = find(c.enterprise!, c.params.id);
        if (isVendor(user.role)) mayAssign(c.actor!, c.enterprise!, user.role);
        keepAnAdmin(user, { deleted: true });
        endSessions(user.id, 'user-disabled', true);
        deps.users.delete(user.id, now());
        record(c.actor!, c.enterprise!, 'user.delete', user.id, c.source, {
          email: user.email,
          role: user.role,
        });
        return undefined;
      },
    }),
    ...(['disable', 'enable'] as const).map((verb) =>
      userAction(
        {
          verb,
          operationId: `${verb}User`,
          summary:
            verb === 'disable'
              ? 'Disables a person: they cannot sign in; their sessions and tokens end at once.'
              : 'Enables a disabled person again.',
          access: ENTERPRISE_WRITERS,
        },
        (user, c) => {
          const disable = verb === 'disable';
          if (disable) keepAnAdmin(user, { disabled: true });
          if (disable !== (user.disabledAt !== null)) {
            deps.users.update(user.id, { disabledAt: disable ? now().toISOString() : null });
            if (disable) endSessions(user.id, 'user-disabled', true);
            record(c.actor!, c.enterprise!, `user.${verb}`, user.id, c.source, { email: user.email });
          }
        },
      ),
    ),
    userAction(
      {
        verb: 'unlock',
        operationId: 'unlockUser',
        summary: 'Unlocks an account locked after failed sign-ins (support agents may too).',
        access: ENTERPRISE_READERS,
      },
      (user, c) => {
        const wasLocked = isLocked(user, now());
        deps.users.resetFailures(user.id);
        record(c.actor!, c.enterprise!, 'user.unlock', user.id, c.source, { email: user.email, wasLocked });
      },
    ),
    userAction(
      {
        verb: 'reset-2fa',
        operationId: 'resetUserTwoFactor',
        summary:
          'Removes a person’s authenticator (a lost phone): they enrol again at their next sign-in where 2FA is required (support agents may too).',
        access: ENTERPRISE_READERS,
      },
      (user, c) => {
        if (user.totpSecret !== null) {
          const at = now();
          deps.users.setTotp(user.id, null);
          deps.users.replaceRecoveryCodes(user.id, [], at);
          endSessions(user.id, 'two-factor-reset', false);
          // The audit entry (user.2fa-disabled) and the mail to the person come from this event.
          deps.events.emit('two-factor-disabled', {
            userId: user.id,
            enterpriseId: user.enterpriseId,
            at,
            by: actorName(c.actor!),
          });
        }
      },
    ),
    defineEndpoint({
      method: 'post',
      path: `${base}/{id}/invite`,
      operationId: 'inviteUser',
      summary: 'Mails a new invitation link (valid as the policy says); older unused ones end.',
      tag: 'users',
      access: ENTERPRISE_WRITERS,
      params: Id,
      response: z.object({ expiresAt: z.string() }),
      handle(c) {
        const user = find(c.enterprise!, c.params.id);
        if (user.builtinPasswordDisabled) throw new EdgeError('BUILTIN_PASSWORD_DISABLED');
        const { expiresAt } = invite(user.id, c.actor!);
        record(c.actor!, c.enterprise!, 'user.invite', user.id, c.source, { email: user.email });
        return { expiresAt: expiresAt.toISOString() };
      },
    }),
    defineEndpoint({
      method: 'post',
      path: `${base}/bulk`,
      operationId: 'bulkUpdateUsers',
      summary: 'Sets language, time zone or the fax service of several people at once.',
      tag: 'users',
      access: ENTERPRISE_WRITERS,
      body: z.strictObject({
        ids: z.array(z.uuid()).min(1).max(1000),
        set: z
          .strictObject({
            language: Settings.language.optional(),
            timeZone: Settings.timeZone.optional(),
            faxEnabled: z.boolean().optional(),
          })
          .refine((s) => Object.keys(s).length > 0, { message: 'give at least one setting' }),
      }),
      response: z.object({ updated: z.number().int() }),
      handle(c) {
        const ids = [...new Set(c.body.ids)];
        const users = ids.map((id) => find(c.enterprise!, id));
        for (const user of users) deps.users.update(user.id, c.body.set);
        record(c.actor!, c.enterprise!, 'user.bulk-update', null, c.source, { ids, set: c.body.set });
        return { updated: users.length };
      },
    }),
  ];
}
