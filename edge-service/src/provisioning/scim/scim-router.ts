import express, { type NextFunction, type Request, type Response } from 'express';
import { FailureRateLimiter } from '../../auth/rate-limiter.ts';
import type { DirectoryRepository, EnterpriseRecord } from '../../domain/device.ts';
import type { UserAccount } from '../../domain/user.ts';
import type { Logger } from '../../logger.ts';
import type { SqliteUserRepository } from '../../storage/sqlite-user-repository.ts';
import type { ProvisionedPeople } from '../provisioned-people.ts';
import type { ProvisioningStore } from '../provisioning-store.ts';
import { ScimError, scimErrorOf } from './scim-errors.ts';
import { parseFilter, type EqualityFilter } from './scim-filter.ts';
import { reconcileScimRoles, type ScimGroupRecord, type ScimGroups } from './scim-groups.ts';
import { applyPatch, GROUP_SCHEMA, USER_SCHEMA } from './scim-patch.ts';
import {
  attr,
  fromScimUser,
  LIST_SCHEMA,
  resourceTypes,
  schemas,
  scimGroup,
  scimUser,
  serviceProviderConfig,
} from './scim-resources.ts';
import type { ScimTokens } from './scim-tokens.ts';

export const SCIM_MEDIA_TYPE = 'application/scim+json';

export interface ScimRouterDeps {
  directory: Pick<DirectoryRepository, 'findEnterpriseBySlug'>;
  tokens: ScimTokens;
  people: ProvisionedPeople;
  users: SqliteUserRepository;
  store: ProvisioningStore;
  groups: ScimGroups;
  publicOrigin: () => string;
  logger?: Logger;
}

interface ScimLocals {
  enterprise: EnterpriseRecord;
  actor: string;
  base: string;
}

const MAX_COUNT = 200;

/**
 * The SCIM 2.0 service provider (RFC 7643 / 7644) of each enterprise, mounted at /scim/v2: one
 * bearer token per identity-provider app (ScimTokens), answers in application/scim+json, errors in
 * the SCIM Error schema. DELETE deletes the account (RFC 7644 §3.6: a deleted resource answers 404
 * afterwards); its jobs and audit entries stay, and the IdP's "deactivate" is active=false.
 */
export function createScimRouter(deps: ScimRouterDeps): express.Router {
  const router = express.Router();
  const failures = new FailureRateLimiter({ maxFailures: 20, windowMs: 60_000 });

  router.use(express.json({ type: [SCIM_MEDIA_TYPE, 'application/json'], limit: '1mb' }));

  router.use('/:slug', (req: Request, res: Response, next: NextFunction) => {
    const source = req.socket.remoteAddress ?? 'unknown';
    if (failures.blockedUntil(source))
      return send(res, new ScimError(429, 'Too many failed authentications: wait a minute.').body(), 429);
    const slug = String(req.params.slug);
    const enterprise = deps.directory.findEnterpriseBySlug(slug);
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    try {
      if (!enterprise || !token) throw new ScimError(401, 'A bearer token of this enterprise is required.');
      const record = deps.tokens.verify(token, enterprise.id);
      const locals: ScimLocals = {
        enterprise,
        actor: `scim:${record.id}`,
        base: `${deps.publicOrigin()}/scim/v2/${enterprise.slug}`,
      };
      res.locals.scim = locals;
      next();
    } catch (error) {
      failures.recordFailure(source);
      res.setHeader('WWW-Authenticate', 'Bearer realm="scim"');
      sendError(
        res,
        scimErrorOf(error) ?? new ScimError(401, 'A bearer token of this enterprise is required.'),
      );
    }
  });

  const scim = (res: Response): ScimLocals => res.locals.scim as ScimLocals;

  const handle =
    (fn: (req: Request, res: Response, s: ScimLocals) => void) =>
    (req: Request, res: Response): void => {
      try {
        fn(req, res, scim(res));
      } catch (error) {
        const e = scimErrorOf(error);
        if (!e) {
          deps.logger?.error({ err: error, path: req.path }, 'SCIM request failed');
          sendError(res, new ScimError(500, 'The edge hit an unexpected error.'));
          return;
        }
        sendError(res, e);
      }
    };

  const findUser = (s: ScimLocals, id: string): UserAccount => {
    const user = deps.users.get(id);
    if (!user || user.enterpriseId !== s.enterprise.id || user.deletedAt !== null)
      throw new ScimError(404, `No user ${id}.`);
    return user;
  };

  const userResource = (s: ScimLocals, user: UserAccount) =>
    scimUser(s.base, user, deps.store.link(user.id)!, deps.groups.ofUser(user.id));

  const reconcileRoles = (s: ScimLocals, userIds: Iterable<string>) =>
    reconcileScimRoles(deps, s.actor, userIds);

  const matchUser = (u: UserAccount, f: EqualityFilter): boolean => {
    const v = f.value.toLowerCase();
    switch (f.attribute) {
      case 'username':
        return (deps.store.link(u.id)?.scimUserName ?? u.email).toLowerCase() === v;
      case 'emails.value':
      case 'emails':
        return u.email.toLowerCase() === v;
      case 'id':
        return u.id === f.value;
      case 'displayname':
        return u.displayName.toLowerCase() === v;
      case 'externalid':
        return deps.store.link(u.id)?.externalId === f.value;
      case 'active':
        return String(u.disabledAt === null) === v;
      default:
        throw new ScimError(400, `Filtering on ${f.attribute} is not supported.`, 'invalidFilter');
    }
  };

  const page = (req: Request) => {
    const startIndex = Math.max(1, Number.parseInt(String(req.query.startIndex ?? '1'), 10) || 1);
    const raw = Number.parseInt(String(req.query.count ?? String(MAX_COUNT)), 10);
    const count = Math.min(MAX_COUNT, Math.max(0, Number.isNaN(raw) ? MAX_COUNT : raw));
    return { startIndex, count };
  };

  const list = (res: Response, req: Request, all: Record<string, unknown>[]) => {
    const { startIndex, count } = page(req);
    const items = all.slice(startIndex - 1, startIndex - 1 + count);
    send(res, {
      schemas: [LIST_SCHEMA],
      totalResults: all.length,
      startIndex,
      itemsPerPage: items.length,
      Resources: items,
    });
  };

  // Discovery (RFC 7644 §4): what clients read before anything else.
  router.get(
    '/:slug/ServiceProviderConfig',
    handle((_req, res, s) => send(res, serviceProviderConfig(s.base))),
  );
  router.get(
    '/:slug/ResourceTypes',
    handle((req, res, s) => list(res, req, resourceTypes(s.base))),
  );
  router.get(
    '/:slug/ResourceTypes/:id',
    handle((req, res, s) => {
      const found = resourceTypes(s.base).find((r) => r.id === req.params.id);
      if (!found) throw new ScimError(404, `No resource type ${String(req.params.id)}.`);
      send(res, found);
    }),
  );
  router.get(
    '/:slug/Schemas',
    handle((req, res, s) => list(res, req, schemas(s.base))),
  );
  router.get(
    '/:slug/Schemas/:id',
    handle((req, res, s) => {
      const found = schemas(s.base).find((r) => r.id === req.params.id);
      if (!found) throw new ScimError(404, `No schema ${String(req.params.id)}.`);
      send(res, found);
    }),
  );

  // Users
  router.get(
    '/:slug/Users',
    handle((req, res, s) => {
      const filter = typeof req.query.filter === 'string' ? parseFilter(req.query.filter) : [];
      const users = deps.users.list(s.enterprise.id).filter((u) => filter.every((f) => matchUser(u, f)));
      list(
        res,
        req,
        users.map((u) => userResource(s, u)),
      );
    }),
  );
  router.get(
    '/:slug/Users/:id',
    handle((req, res, s) => send(res, userResource(s, findUser(s, String(req.params.id))))),
  );
  router.post(
    '/:slug/Users',
    handle((req, res, s) => {
      const { person, active } = fromScimUser(req.body);
      const taken = deps.users
        .list(s.enterprise.id)
        .some(
          (u) =>
            (deps.store.link(u.id)?.scimUserName ?? '').toLowerCase() ===
            (person.scimUserName ?? '\0').toLowerCase(),
        );
      if (taken || deps.users.findByEmail(s.enterprise.id, person.email))
        throw new ScimError(409, `A user with userName ${person.email} already exists.`, 'uniqueness');
      const created = deps.people.create(s.enterprise, 'scim', person, { actor: s.actor, active });
      res.setHeader('Location', `${s.base}/Users/${created.id}`);
      send(res, userResource(s, created), 201);
    }),
  );

  /** PUT and PATCH end here: the resource as it should be, applied to the user. */
  const replaceUser = (s: ScimLocals, user: UserAccount, body: unknown) => {
    const link = deps.store.link(user.id)!;
    const { person, active } = fromScimUser(body, {
      email: user.email,
      userName: link.scimUserName ?? user.email,
    });
    const other = deps.users.findByEmail(s.enterprise.id, person.email);
    if (other && other.id !== user.id)
      throw new ScimError(409, `A user with userName ${person.email} already exists.`, 'uniqueness');
    if (user.role !== 'admin' && user.role !== 'user')
      throw new ScimError(403, `${user.email} has a vendor-side role: provisioning does not change them.`);
    deps.people.update(
      user,
      'scim',
      {
        ...person,
        // A PUT without them keeps what we have (we do not wipe settings an IdP does not send).
        language: person.language ?? user.language,
        timeZone: person.timeZone ?? user.timeZone,
        country: person.country ?? link.country,
      },
      { actor: s.actor },
    );
    deps.people.setActive(deps.users.get(user.id)!, active, 'scim', { actor: s.actor });
  };

  router.put(
    '/:slug/Users/:id',
    handle((req, res, s) => {
      const user = findUser(s, String(req.params.id));
      replaceUser(s, user, req.body);
      send(res, userResource(s, deps.users.get(user.id)!));
    }),
  );
  router.patch(
    '/:slug/Users/:id',
    handle((req, res, s) => {
      const user = findUser(s, String(req.params.id));
      const before = userResource(s, user);
      const after = applyPatch(before, req.body);
      for (const key of ['id', 'meta', 'groups'])
        if (JSON.stringify(attr(after, key)) !== JSON.stringify(before[key]))
          throw new ScimError(400, `${key} is read-only.`, 'mutability');
      replaceUser(s, user, after);
      send(res, userResource(s, deps.users.get(user.id)!));
    }),
  );
  router.delete(
    '/:slug/Users/:id',
    handle((req, res, s) => {
      const user = findUser(s, String(req.params.id));
      if (user.role !== 'admin' && user.role !== 'user')
        throw new ScimError(403, `${user.email} has a vendor-side role: provisioning does not delete them.`);
      deps.people.delete(user, 'scim', { actor: s.actor });
      res.status(204).end();
    }),
  );

  // Groups
  const emails = (s: ScimLocals) => new Map(deps.users.list(s.enterprise.id).map((u) => [u.id, u.email]));
  const findGroup = (s: ScimLocals, id: string): ScimGroupRecord => {
    const g = deps.groups.get(s.enterprise.id, id);
    if (!g) throw new ScimError(404, `No group ${id}.`);
    return g;
  };
  const groupResource = (s: ScimLocals, g: ScimGroupRecord, withMembers = true) => {
    const r = scimGroup(s.base, g, emails(s));
    if (!withMembers) delete r.members;
    return r;
  };
  /** The member ids of a Group body, each a live user of this enterprise (invalidValue otherwise). */
  const memberIds = (s: ScimLocals, body: Record<string, unknown>): string[] => {
    const members = attr(body, 'members');
    if (members === undefined || members === null) return [];
    if (!Array.isArray(members)) throw new ScimError(400, 'members must be a list.', 'invalidValue');
    return members.map((m) => {
      const id =
        typeof m === 'object' && m !== null ? attr(m as Record<string, unknown>, 'value') : undefined;
      if (typeof id !== 'string')
        throw new ScimError(400, 'Each member needs a value (a user id).', 'invalidValue');
      const u = deps.users.get(id);
      if (!u || u.enterpriseId !== s.enterprise.id || u.deletedAt !== null)
        throw new ScimError(400, `Member ${id} is not a user of this enterprise.`, 'invalidValue');
      return id;
    });
  };
  const groupName = (body: Record<string, unknown>): string => {
    const name = attr(body, 'displayName');
    if (typeof name !== 'string' || name.trim() === '' || name.length > 256)
      throw new ScimError(400, 'displayName is required (1–256 characters).', 'invalidValue');
    return name.trim();
  };
  const saveGroup = (s: ScimLocals, g: ScimGroupRecord, body: Record<string, unknown>) => {
    const name = groupName(body);
    const clash = deps.groups
      .list(s.enterprise.id)
      .find((o) => o.id !== g.id && o.displayName.toLowerCase() === name.toLowerCase());
    if (clash) throw new ScimError(409, `A group named "${name}" already exists.`, 'uniqueness');
    const ext = attr(body, 'externalId');
    deps.groups.rename(g.id, name, typeof ext === 'string' ? ext : g.externalId);
    const ids = memberIds(s, body);
    deps.groups.setMembers(g.id, ids);
    reconcileRoles(s, [...g.members, ...ids]);
  };

  router.get(
    '/:slug/Groups',
    handle((req, res, s) => {
      const filter = typeof req.query.filter === 'string' ? parseFilter(req.query.filter) : [];
      const withMembers = !String(req.query.excludedAttributes ?? '')
        .toLowerCase()
        .includes('members');
      const groups = deps.groups.list(s.enterprise.id).filter((g) =>
        filter.every((f) => {
          if (f.attribute === 'displayname') return g.displayName.toLowerCase() === f.value.toLowerCase();
          if (f.attribute === 'externalid') return g.externalId === f.value;
          if (f.attribute === 'id') return g.id === f.value;
          throw new ScimError(400, `Filtering groups on ${f.attribute} is not supported.`, 'invalidFilter');
        }),
      );
      list(
        res,
        req,
        groups.map((g) => groupResource(s, g, withMembers)),
      );
    }),
  );
  router.get(
    '/:slug/Groups/:id',
    handle((req, res, s) => send(res, groupResource(s, findGroup(s, String(req.params.id))))),
  );
  router.post(
    '/:slug/Groups',
    handle((req, res, s) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const ids = memberIds(s, body);
      const ext = attr(body, 'externalId');
      const g = deps.groups.create(s.enterprise.id, {
        displayName: groupName(body),
        externalId: typeof ext === 'string' ? ext : null,
      });
      deps.groups.setMembers(g.id, ids);
      reconcileRoles(s, ids);
      const made = findGroup(s, g.id);
      res.setHeader('Location', `${s.base}/Groups/${g.id}`);
      send(res, groupResource(s, made), 201);
    }),
  );
  router.put(
    '/:slug/Groups/:id',
    handle((req, res, s) => {
      const g = findGroup(s, String(req.params.id));
      saveGroup(s, g, (req.body ?? {}) as Record<string, unknown>);
      send(res, groupResource(s, findGroup(s, g.id)));
    }),
  );
  router.patch(
    '/:slug/Groups/:id',
    handle((req, res, s) => {
      const g = findGroup(s, String(req.params.id));
      const before = groupResource(s, g);
      const after = applyPatch(before, req.body);
      saveGroup(s, g, after);
      // Entra ID and Okta accept 204 or 200 with the group; 204 spares a members list.
      res.status(204).end();
    }),
  );
  router.delete(
    '/:slug/Groups/:id',
    handle((req, res, s) => {
      const g = findGroup(s, String(req.params.id));
      deps.groups.delete(g.id);
      reconcileRoles(s, g.members);
      res.status(204).end();
    }),
  );

  router.use('/:slug', (_req: Request, res: Response) =>
    sendError(res, new ScimError(404, 'No such SCIM resource.')),
  );
  // Malformed JSON (express.json) and other errors before a handler: SCIM errors too.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    void next;
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500)
      return sendError(res, new ScimError(status, 'The request body is not valid JSON.', 'invalidSyntax'));
    deps.logger?.error({ err: error }, 'SCIM request failed');
    sendError(res, new ScimError(500, 'The edge hit an unexpected error.'));
  });
  void USER_SCHEMA;
  void GROUP_SCHEMA;
  return router;
}

function send(res: Response, body: unknown, status = 200): void {
  res.status(status).setHeader('Content-Type', `${SCIM_MEDIA_TYPE}; charset=utf-8`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(JSON.stringify(body));
}

function sendError(res: Response, error: ScimError): void {
  send(res, error.body(), error.status);
}
