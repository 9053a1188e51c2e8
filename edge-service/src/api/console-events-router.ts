import express from 'express';
import type { UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import { ApiAuthenticator } from './api-auth.ts';
import type { ApiServices } from './api-services.ts';
import { consoleEventsRoute, type ConsoleEventsDeps } from './console-events-route.ts';
import { ENTERPRISE_READERS } from './enterprise-access.ts';
import { httpStatusOf } from './http-status.ts';

/** Where the stream is, beside the endpoints (documented in README; not an OpenAPI operation). */
export const CONSOLE_EVENTS_PATH = '/enterprises/{enterprise}/events';

/**
 * The API router with the console's event stream beside it: a plain route, because it streams and
 * the endpoint router answers JSON once. It is authenticated and scoped to the enterprise exactly as
 * an endpoint that reads devices (console cookie or bearer token; restricted access applies).
 */
export function withConsoleEvents(
  api: ApiServices,
  users: UserRepository,
  sources: Pick<ConsoleEventsDeps, 'status' | 'pairing' | 'policies'>,
): express.Router {
  const auth = new ApiAuthenticator({ sessions: api.consoleSessions, tokens: api.tokens, users });
  const router = express.Router();
  router.get(
    '/enterprises/:enterprise/events',
    consoleEventsRoute({
      ...sources,
      authorize: (req, slug) => {
        const found = auth.authenticate(req.headers, req.secure);
        if (!found) throw new EdgeError('UNAUTHENTICATED');
        const enterprise = api.access.resolve(found.actor, slug, {
          method: 'GET',
          path: CONSOLE_EVENTS_PATH,
          source: req.socket.remoteAddress ?? 'unknown',
        });
        if (!ENTERPRISE_READERS.includes(found.actor.user.role)) throw new EdgeError('FORBIDDEN');
        return enterprise;
      },
      statusOf: (e) => httpStatusOf(e.code),
    }),
  );
  router.use(api.router);
  return router;
}
