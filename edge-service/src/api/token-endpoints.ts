import { z } from 'zod';
import { API_TOKEN, type ApiTokens } from '../auth/api-tokens.ts';
import type { AuditTrail } from '../domain/audit.ts';
import { EdgeError } from '../edge-error.ts';
import type { ApiTokenRecord } from '../storage/sqlite-console-records.ts';
import { defineEndpoint, type AnyEndpoint } from './endpoint.ts';
import { actorName, ENTERPRISE_READERS } from './enterprise-access.ts';

export const ApiTokenView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

const view = (r: ApiTokenRecord) => ({
  id: r.id,
  name: r.name,
  createdAt: r.createdAt,
  expiresAt: r.expiresAt,
  revokedAt: r.revokedAt,
  lastUsedAt: r.lastUsedAt,
});

/**
 * Personal API tokens of the caller. A token is created only from a console session (a signed-in
 * person, with 2FA), never with another token: a leaked token cannot mint itself successors. A
 * token may revoke tokens of its own user (a script cleaning up after itself).
 */
export function tokenEndpoints(deps: {
  tokens: ApiTokens;
  audit: AuditTrail;
  now?: () => Date;
}): AnyEndpoint[] {
  const now = deps.now ?? (() => new Date());
  return [
    defineEndpoint({
      method: 'get',
      path: '/tokens',
      operationId: 'listApiTokens',
      summary: 'Your personal API tokens (never their secret).',
      tag: 'tokens',
      access: ENTERPRISE_READERS,
      response: z.object({ items: z.array(ApiTokenView) }),
      handle: (c) => ({ items: deps.tokens.list(c.actor!.user.id).map(view) }),
    }),
    defineEndpoint({
      method: 'post',
      path: '/tokens',
      operationId: 'createApiToken',
      summary: 'Creates a personal API token; its secret is in this answer only. Console sessions only.',
      tag: 'tokens',
      access: ENTERPRISE_READERS,
      status: 201,
      body: z
        .strictObject({
          name: z.string().trim().min(1).max(100),
          expiresAt: z.iso.datetime({ offset: true }).optional().describe('When it stops working.'),
          expiresInDays: z.number().int().min(1).max(API_TOKEN.maxLifetimeDays).optional(),
        })
        .refine((b) => (b.expiresAt === undefined) !== (b.expiresInDays === undefined), {
          message: `give one of expiresAt or expiresInDays (at most ${API_TOKEN.maxLifetimeDays} days)`,
        }),
      response: ApiTokenView.extend({ token: z.string().describe('The secret: shown once, store it now.') }),
      handle(c) {
        const actor = c.actor!;
        if (actor.via !== 'session')
          throw new EdgeError(
            'FORBIDDEN',
            'API tokens are created in the console, not with another API token.',
          );
        const expiresAt = c.body.expiresAt
          ? new Date(c.body.expiresAt)
          : new Date(now().getTime() + c.body.expiresInDays! * 86_400_000);
        const { token, record } = deps.tokens.create(actor.user.id, c.body.name, expiresAt);
        deps.audit.record({
          enterpriseId: actor.user.enterpriseId,
          actor: actorName(actor),
          action: 'token.create',
          target: record.id,
          details: { name: record.name, expiresAt: record.expiresAt },
          source: c.source,
        });
        return { ...view(record), token };
      },
    }),
    defineEndpoint({
      method: 'delete',
      path: '/tokens/{id}',
      operationId: 'revokeApiToken',
      summary: 'Revokes one of your API tokens: it is refused from the next request on.',
      tag: 'tokens',
      access: ENTERPRISE_READERS,
      params: z.strictObject({ id: z.uuid() }),
      response: z.undefined(),
      status: 204,
      handle(c) {
        const actor = c.actor!;
        const record = deps.tokens.get(c.params.id);
        if (!record || record.userId !== actor.user.id)
          throw new EdgeError('NOT_FOUND', 'No such API token of yours.');
        if (deps.tokens.revoke({ tokenId: record.id }) > 0) {
          deps.audit.record({
            enterpriseId: actor.user.enterpriseId,
            actor: actorName(actor),
            action: 'token.revoke',
            target: record.id,
            details: { name: record.name },
            source: c.source,
          });
        }
        return undefined;
      },
    }),
  ];
}
