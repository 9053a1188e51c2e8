import type express from 'express';
import type { AuditTrail } from '../domain/audit.ts';
import type { Db } from '../db/database.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import type { AnyEndpoint } from '../api/endpoint.ts';
import type { ApiTokens } from '../auth/api-tokens.ts';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import type { PanelSessions } from '../auth/panel-sessions.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import type { Logger } from '../logger.ts';
import type { Notifier } from '../mail/notifier.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { SqliteUserRepository } from '../storage/sqlite-user-repository.ts';
import { ProvisionedPeople } from './provisioned-people.ts';
import { ProvisioningStore } from './provisioning-store.ts';
import { provisioningEndpoints } from './provisioning-endpoints.ts';
import { LdapSyncSettingsStore } from './ldap/ldap-sync-settings.ts';
import { LdapSync } from './ldap/ldap-sync.ts';
import { LdapSyncScheduler } from './ldap/ldap-sync-scheduler.ts';
import { ScimGroups } from './scim/scim-groups.ts';
import { createScimRouter } from './scim/scim-router.ts';
import { ScimTokens } from './scim/scim-tokens.ts';

export interface ProvisioningDeps {
  db: Db;
  users: SqliteUserRepository;
  directory: DirectoryRepository;
  policies: PolicyService;
  notifier: Notifier;
  audit: AuditTrail;
  secretBox: SecretBox;
  sessions: PanelSessions;
  consoleSessions: ConsoleSessions;
  tokens: ApiTokens;
  publicOrigin: () => string;
  logger: Logger;
}

export interface ProvisioningServices {
  people: ProvisionedPeople;
  scimTokens: ScimTokens;
  scimGroups: ScimGroups;
  ldap: LdapSync;
  scheduler: LdapSyncScheduler;
  /** Mounted at /scim/v2. */
  scimRouter: express.Router;
  /** /enterprises/{enterprise}/scim-tokens, /scim-groups and /ldap-sync. */
  endpoints: AnyEndpoint[];
}

/** SCIM and the LDAP directory sync of a running edge (issue 16); the scheduler starts with the edge. */
export function createProvisioning(deps: ProvisioningDeps): ProvisioningServices {
  const store = new ProvisioningStore(deps.db);
  const people = new ProvisionedPeople({
    users: deps.users,
    store,
    policies: deps.policies,
    notifier: deps.notifier,
    audit: deps.audit,
    // Through PanelSessions: its 'revoked' event makes the panel socket end the panels now.
    endSessions: (userId, reason) => {
      deps.sessions.revoke({ userId }, reason);
      deps.consoleSessions.revoke({ userId }, reason);
      if (reason === 'user-disabled') deps.tokens.revoke({ userId });
    },
  });
  const scimTokens = new ScimTokens(deps.db);
  const scimGroups = new ScimGroups(deps.db);
  const settings = new LdapSyncSettingsStore(deps.db, deps.secretBox);
  const ldap = new LdapSync({
    db: deps.db,
    settings,
    store,
    people,
    users: deps.users,
    directory: deps.directory,
    audit: deps.audit,
    logger: deps.logger.child({ module: 'ldap-sync' }),
  });
  const scheduler = new LdapSyncScheduler({
    sync: ldap,
    settings,
    directory: deps.directory,
    logger: deps.logger.child({ module: 'ldap-sync' }),
  });
  const scimRouter = createScimRouter({
    directory: deps.directory,
    tokens: scimTokens,
    people,
    users: deps.users,
    store,
    groups: scimGroups,
    publicOrigin: deps.publicOrigin,
    logger: deps.logger.child({ module: 'scim' }),
  });
  const endpoints = provisioningEndpoints({
    scimTokens,
    scimGroups,
    people,
    store,
    users: deps.users,
    settings,
    ldap,
    audit: deps.audit,
  });
  return { people, scimTokens, scimGroups, ldap, scheduler, scimRouter, endpoints };
}
