import { z } from 'zod';
import { defineEndpoint, type AnyEndpoint } from '../api/endpoint.ts';
import { actorName, ENTERPRISE_READERS, ENTERPRISE_WRITERS } from '../api/enterprise-access.ts';
import type { AuditTrail } from '../domain/audit.ts';
import { EdgeError } from '../edge-error.ts';
import type { SqliteUserRepository } from '../storage/sqlite-user-repository.ts';
import type { LdapSync, SyncReport } from './ldap/ldap-sync.ts';
import { AttributeMap, LdapSyncFields, type LdapSyncSettingsStore } from './ldap/ldap-sync-settings.ts';
import type { ProvisionedPeople } from './provisioned-people.ts';
import type { ProvisioningStore } from './provisioning-store.ts';
import { reconcileScimRoles, type ScimGroups } from './scim/scim-groups.ts';
import type { ScimTokenRecord, ScimTokens } from './scim/scim-tokens.ts';

const ScimTokenView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const tokenView = (r: ScimTokenRecord): z.input<typeof ScimTokenView> => ({
  id: r.id,
  name: r.name,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
});

const Item = z.object({ dn: z.string(), email: z.string().nullable() });
export const SyncReportView = z.object({
  id: z.string(),
  trigger: z.enum(['schedule', 'manual', 'cli']),
  startedAt: z.string(),
  finishedAt: z.string(),
  outcome: z.enum(['completed', 'stopped', 'failed']),
  message: z.string().nullable(),
  errorCode: z.string().nullable(),
  entries: z.number().int(),
  counts: z.object({
    created: z.number().int(),
    updated: z.number().int(),
    enabled: z.number().int(),
    disabled: z.number().int(),
    failed: z.number().int(),
  }),
  created: z.array(Item),
  updated: z.array(Item.extend({ changes: z.array(z.string()) })),
  enabled: z.array(Item),
  disabled: z.array(Item),
  failed: z.array(Item.extend({ reason: z.string(), retried: z.boolean() })),
  recovered: z.array(Item),
  tlsVerify: z.boolean(),
});
const reportView = (r: SyncReport): z.input<typeof SyncReportView> => {
  const { enterpriseId, ...rest } = r;
  void enterpriseId;
  return rest;
};

const SettingsView = z.object({
  url: z.string(),
  startTls: z.boolean(),
  bindDn: z.string(),
  baseDn: z.string(),
  filter: z.string(),
  caCertificates: z.string().nullable(),
  tlsVerify: z.boolean(),
  map: AttributeMap,
  adminGroup: z.string().nullable(),
  manageExisting: z.boolean(),
  maxDisableShare: z.number(),
  intervalMinutes: z.number().int(),
});

export interface ProvisioningEndpointDeps {
  scimTokens: ScimTokens;
  scimGroups: ScimGroups;
  people: ProvisionedPeople;
  store: ProvisioningStore;
  users: SqliteUserRepository;
  settings: LdapSyncSettingsStore;
  ldap: LdapSync;
  audit: AuditTrail;
}

/** SCIM tokens and groups, and the LDAP directory sync ("ldap-sync": "directory" is the fax directory's). */
export function provisioningEndpoints(deps: ProvisioningEndpointDeps): AnyEndpoint[] {
  const scim = '/enterprises/{enterprise}/scim';
  const ldap = '/enterprises/{enterprise}/ldap-sync';
  return [
    defineEndpoint({
      method: 'get',
      path: `${scim}/tokens`,
      operationId: 'listScimTokens',
      summary: 'The SCIM bearer tokens of the enterprise (never the secrets).',
      tag: 'provisioning',
      access: ENTERPRISE_READERS,
      response: z.object({ items: z.array(ScimTokenView) }),
      handle: (c) => ({ items: deps.scimTokens.list(c.enterprise!.id).map(tokenView) }),
    }),
    defineEndpoint({
      method: 'post',
      path: `${scim}/tokens`,
      operationId: 'createScimToken',
      summary: 'A SCIM bearer token for the identity provider: the secret is shown in this answer only.',
      tag: 'provisioning',
      access: ENTERPRISE_WRITERS,
      status: 201,
      body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
      response: z.object({ token: z.string(), record: ScimTokenView, scimUrl: z.string() }),
      handle(c) {
        const { token, record } = deps.scimTokens.create(c.enterprise!.id, c.body.name, actorName(c.actor!));
        deps.audit.record({
          enterpriseId: c.enterprise!.id,
          actor: actorName(c.actor!),
          action: 'scim-token.create',
          target: record.id,
          details: { name: record.name },
          source: c.source,
        });
        return { token, record: tokenView(record), scimUrl: `/scim/v2/${c.enterprise!.slug}` };
      },
    }),
    defineEndpoint({
      method: 'delete',
      path: `${scim}/tokens/{id}`,
      operationId: 'revokeScimToken',
      summary: 'Revokes a SCIM token: the identity provider’s next request is refused.',
      tag: 'provisioning',
      access: ENTERPRISE_WRITERS,
      params: z.strictObject({ id: z.uuid() }),
      response: ScimTokenView,
      handle(c) {
        const record = deps.scimTokens.revoke(c.enterprise!.id, c.params.id);
        deps.audit.record({
          enterpriseId: c.enterprise!.id,
          actor: actorName(c.actor!),
          action: 'scim-token.revoke',
          target: record.id,
          details: { name: record.name },
          source: c.source,
        });
        return tokenView(record);
      },
    }),
    defineEndpoint({
      method: 'get',
      path: `${scim}/groups`,
      operationId: 'listScimGroups',
      summary: 'Groups the identity provider pushed, and the role each gives its members.',
      tag: 'provisioning',
      access: ENTERPRISE_READERS,
      response: z.object({
        items: z.array(
          z.object({
            id: z.string(),
            displayName: z.string(),
            role: z.enum(['admin']).nullable(),
            members: z.number().int(),
          }),
        ),
      }),
      handle: (c) => ({
        items: deps.scimGroups
          .list(c.enterprise!.id)
          .map((g) => ({ id: g.id, displayName: g.displayName, role: g.role, members: g.members.length })),
      }),
    }),
    defineEndpoint({
      method: 'patch',
      path: `${scim}/groups/{id}`,
      operationId: 'setScimGroupRole',
      summary: 'Maps a SCIM group to a role (admin) or to none; its SCIM-made members change role now.',
      tag: 'provisioning',
      access: ENTERPRISE_WRITERS,
      params: z.strictObject({ id: z.uuid() }),
      body: z.strictObject({ role: z.enum(['admin']).nullable() }),
      response: z.object({ id: z.string(), role: z.enum(['admin']).nullable() }),
      handle(c) {
        const g = deps.scimGroups.get(c.enterprise!.id, c.params.id);
        if (!g) throw new EdgeError('NOT_FOUND', 'No such SCIM group in this enterprise.');
        deps.scimGroups.setRole(g.id, c.body.role);
        const actor = actorName(c.actor!);
        deps.audit.record({
          enterpriseId: c.enterprise!.id,
          actor,
          action: 'scim-group.role',
          target: g.id,
          details: { displayName: g.displayName, from: g.role, to: c.body.role },
          source: c.source,
        });
        reconcileScimRoles(
          { groups: deps.scimGroups, users: deps.users, store: deps.store, people: deps.people },
          actor,
          g.members,
        );
        return { id: g.id, role: c.body.role };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: ldap,
      operationId: 'getLdapSync',
      summary: 'The directory sync settings (without the password) and the last run’s report.',
      tag: 'provisioning',
      access: ENTERPRISE_READERS,
      response: z.object({
        settings: SettingsView.nullable(),
        updatedAt: z.string().nullable(),
        updatedBy: z.string().nullable(),
        running: z.boolean(),
        lastRun: SyncReportView.nullable(),
      }),
      handle(c) {
        const stored = deps.settings.get(c.enterprise!.id);
        const last = deps.ldap.lastReport(c.enterprise!.id);
        return {
          settings: stored?.settings ?? null,
          updatedAt: stored?.updatedAt ?? null,
          updatedBy: stored?.updatedBy ?? null,
          running: deps.ldap.isRunning(c.enterprise!.id),
          lastRun: last ? reportView(last) : null,
        };
      },
    }),
    defineEndpoint({
      method: 'put',
      path: ldap,
      operationId: 'setLdapSync',
      summary:
        'Sets the directory sync (LDAPS or StartTLS; the bind password is kept encrypted and never shown). tlsVerify false is audited.',
      tag: 'provisioning',
      access: ENTERPRISE_WRITERS,
      body: LdapSyncFields.extend({
        password: z.string().min(1).max(1024).optional().describe('Needed the first time; absent: kept.'),
      }),
      response: z.object({ settings: SettingsView, warnings: z.array(z.string()) }),
      handle(c) {
        const { password, ...input } = c.body;
        const stored = deps.settings.set(c.enterprise!.id, input, password, actorName(c.actor!));
        const warnings = stored.settings.tlsVerify
          ? []
          : [
              'Certificate validation is off: anyone on the network path can pose as the directory and read the bind password.',
            ];
        deps.audit.record({
          enterpriseId: c.enterprise!.id,
          actor: actorName(c.actor!),
          action: 'ldap-sync.configure',
          target: null,
          details: {
            ...stored.settings,
            caCertificates: stored.settings.caCertificates !== null,
            passwordChanged: password !== undefined,
          },
          source: c.source,
        });
        return { settings: stored.settings, warnings };
      },
    }),
    defineEndpoint({
      method: 'post',
      path: `${ldap}/run`,
      operationId: 'runLdapSync',
      summary:
        'Runs the directory sync now and answers its report; force: true lets it disable more than maxDisableShare.',
      tag: 'provisioning',
      access: ENTERPRISE_WRITERS,
      body: z.strictObject({ force: z.boolean().default(false) }),
      response: SyncReportView,
      async handle(c) {
        const report = await deps.ldap.run(c.enterprise!, {
          trigger: 'manual',
          actor: actorName(c.actor!),
          force: c.body.force,
        });
        return reportView(report);
      },
    }),
  ];
}
