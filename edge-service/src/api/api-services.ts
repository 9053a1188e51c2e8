import type express from 'express';
import { ApiTokens } from '../auth/api-tokens.ts';
import { ConsoleSessions } from '../auth/console-sessions.ts';
import type { SqliteAuditLog } from '../audit/sqlite-audit-log.ts';
import type { Db } from '../db/database.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import type { PeopleServices } from '../edge-service.ts';
import type { Logger } from '../logger.ts';
import {
  SqliteApiTokenRepository,
  SqliteConsoleSessionRepository,
} from '../storage/sqlite-console-records.ts';
import { ApiAuthenticator } from './api-auth.ts';
import { createApiRouter } from './api-router.ts';
import type { AnyEndpoint } from './endpoint.ts';
import { EnterpriseAccess } from './enterprise-access.ts';
import { openApiDocument } from './openapi.ts';
import { sessionEndpoints } from './session-endpoints.ts';
import { tokenEndpoints } from './token-endpoints.ts';
import { defineEndpoint } from './endpoint.ts';
import { policyEndpoints } from './policy-endpoints.ts';
import { userEndpoints } from './user-endpoints.ts';
import { auditEndpoints } from './audit-endpoints.ts';
import { z } from 'zod';

export interface ApiServicesDeps {
  db: Db;
  masterKey: Buffer;
  people: PeopleServices;
  directory: DirectoryRepository;
  audit: SqliteAuditLog;
  logger: Logger;
  /** The address people reach the edge at (invitation links). */
  publicOrigin: () => string;
  /** Endpoints of other rooms (devices and pairing, jobs, outbox), mounted and documented alike. */
  endpoints?: (api: Pick<ApiServices, 'consoleSessions' | 'tokens' | 'access'>) => AnyEndpoint[];
  validateResponses?: boolean;
  now?: () => Date;
}

export interface ApiServices {
  consoleSessions: ConsoleSessions;
  tokens: ApiTokens;
  access: EnterpriseAccess;
  endpoints: AnyEndpoint[];
  router: express.Router;
  openApi: () => Record<string, unknown>;
}

/** The REST API of a running edge: its credentials, its endpoints from the running services, its router. */
export function createApiServices(deps: ApiServicesDeps): ApiServices {
  const consoleSessions = new ConsoleSessions({
    repository: new SqliteConsoleSessionRepository(deps.db),
    masterKey: deps.masterKey,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const tokens = new ApiTokens({
    repository: new SqliteApiTokenRepository(deps.db),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const { people } = deps;
  const access = new EnterpriseAccess({
    directory: deps.directory,
    policies: people.policies,
    audit: deps.audit,
  });
  const endpoints: AnyEndpoint[] = [
    ...sessionEndpoints({
      signIn: people.signIn,
      consoleSessions,
      users: people.users,
      directory: deps.directory,
    }),
    ...tokenEndpoints({ tokens, audit: deps.audit, ...(deps.now ? { now: deps.now } : {}) }),
    ...policyEndpoints({
      policies: people.policies,
      users: people.users,
      tokens,
      directory: deps.directory,
      access,
    }),
    ...userEndpoints({
      users: people.users,
      directory: deps.directory,
      policies: people.policies,
      hasher: people.hasher,
      links: people.links,
      notifier: people.notifier,
      events: people.events,
      sessions: people.sessions,
      consoleSessions,
      tokens,
      audit: deps.audit,
      publicOrigin: deps.publicOrigin,
      ...(deps.now ? { now: deps.now } : {}),
    }),
    ...auditEndpoints({ audit: deps.audit, users: people.users }),
    ...(deps.endpoints?.({ consoleSessions, tokens, access }) ?? []),
  ];
  // A person locked out (too many failures) is signed out of the console too; their tokens stop
  // working while locked (ApiAuthenticator looks at the account on every request).
  people.events.on('account-locked', (e) => consoleSessions.revoke({ userId: e.userId }, 'user-locked'));
  let document: Record<string, unknown> | undefined;
  const openApi = () => (document ??= openApiDocument(endpoints));
  endpoints.push(
    defineEndpoint({
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This API as an OpenAPI 3.1 document.',
      tag: 'meta',
      access: 'public',
      response: z.record(z.string(), z.unknown()),
      handle: () => openApi(),
    }),
  );
  const auth = new ApiAuthenticator({
    sessions: consoleSessions,
    tokens,
    users: people.users,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const router = createApiRouter({
    endpoints,
    auth,
    access,
    logger: deps.logger,
    ...(deps.validateResponses ? { validateResponses: true } : {}),
  });
  return { consoleSessions, tokens, access, endpoints, router, openApi };
}
