import type { Router } from 'express';
import type { AuthEvents } from '../auth/auth-events.ts';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import type { AnyEndpoint } from '../api/endpoint.ts';
import type { Db } from '../db/database.ts';
import type { AuditTrail } from '../domain/audit.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import type { Logger } from '../logger.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { SqliteUserRepository } from '../storage/sqlite-user-repository.ts';
import { SamlProtocol } from './saml-protocol.ts';
import { ssoEndpoints } from './sso-endpoints.ts';
import { SsoSecrets, SsoSessionLinks } from './sso-records.ts';
import { SsoRequests } from './sso-requests.ts';
import { createSsoRoutes } from './sso-routes.ts';
import { SsoService, type SsoProtocols } from './sso-service.ts';
import { SsoSettingsService } from './sso-settings.ts';

export interface SsoServices {
  service: SsoService;
  settings: SsoSettingsService;
  /** The account page's sessions (`audience: 'account'`), beside the console's. */
  accountSessions: ConsoleSessions;
  /** Mounted at /auth. */
  router: Router;
  endpoints: AnyEndpoint[];
}

/** The company sign-in of a running edge (composition: edge-service.ts). */
export function createSsoServices(deps: {
  db: Db;
  masterKey: Buffer;
  secretBox: SecretBox;
  policies: PolicyService;
  directory: Pick<DirectoryRepository, 'findEnterpriseBySlug' | 'getEnterprise' | 'listEnterprises'>;
  users: SqliteUserRepository;
  audit: AuditTrail;
  events: AuthEvents;
  consoleSessions: ConsoleSessions;
  /** The account page's sessions (one instance for the whole edge: account/account-session.ts). */
  accountSessions: ConsoleSessions;
  publicOrigin: () => string;
  /** Other protocols (oidc, wsfed) beside SAML. */
  protocols?: SsoProtocols;
  logger?: Logger;
  now?: () => Date;
}): SsoServices {
  const accountSessions = deps.accountSessions;
  const secrets = new SsoSecrets(deps.db, deps.secretBox);
  const service = new SsoService({
    requests: new SsoRequests(deps.db, deps.now),
    secrets,
    links: new SsoSessionLinks(deps.db),
    protocols: { saml: new SamlProtocol(), ...deps.protocols },
    policies: deps.policies,
    directory: deps.directory,
    users: deps.users,
    consoleSessions: deps.consoleSessions,
    accountSessions,
    audit: deps.audit,
    publicOrigin: deps.publicOrigin,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const settings = new SsoSettingsService({
    policies: deps.policies,
    secrets,
    users: deps.users,
    audit: deps.audit,
    resolveIdp: (s) => service.idp(s),
  });
  return {
    service,
    settings,
    accountSessions,
    router: createSsoRoutes({
      sso: service,
      consoleSessions: deps.consoleSessions,
      accountSessions,
      users: deps.users,
      signInOptions: () =>
        deps.directory.listEnterprises().flatMap((e) => {
          const sso = deps.policies.get(e.id).document.sso;
          return sso
            ? [
                {
                  enterprise: { name: e.name, slug: e.slug },
                  protocol: sso.protocol,
                  startUrl: `/auth/${e.slug}/sso/start?purpose=console`,
                },
              ]
            : [];
        }),
      ...(deps.logger ? { logger: deps.logger } : {}),
    }),
    endpoints: ssoEndpoints({ settings, publicOrigin: deps.publicOrigin }),
  };
}
