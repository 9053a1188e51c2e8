import { z } from 'zod';
import type { EnterpriseRecord } from '../domain/device.ts';
import { EdgeError } from '../edge-error.ts';
import type { MailOutbox } from '../mail/mail-outbox.ts';
import { defineEndpoint, type AnyEndpoint } from './endpoint.ts';

/**
 * The console's "Outbox" page (issue 10): the notification mail sent to the enterprise's users,
 * readable in the page. See mail/mail-outbox.ts for whose mail it is, why only the text part is
 * given, and why invitation and password-reset links are removed. Read-only: admins, reseller
 * admins and support agents (restrictedAccess shuts the vendor-side roles out).
 */
export interface OutboxEndpointDeps {
  outbox: Pick<MailOutbox, 'list' | 'count' | 'get'>;
}

const ACCESS = ['admin', 'reseller-admin', 'support-agent'] as const;
const Instant = z.string().describe('ISO 8601 instant (UTC)');

export const OutboxQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const OutboxItem = z.object({
  id: z.string(),
  kind: z.string().describe('invitation, password-reset, welcome, fax-receipt, account-locked, ...'),
  to: z.string(),
  subject: z.string().nullable().describe('null once delivered over SMTP (the queue keeps no content then)'),
  state: z.enum(['queued', 'sent', 'failed']),
  queuedAt: Instant,
  sentAt: Instant.nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
});

export const OutboxPage = z.object({
  items: z.array(OutboxItem),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const OutboxMessageSchema = OutboxItem.extend({
  messageId: z.string(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
  text: z.string().nullable().describe('the text/plain part; show it as text, never as HTML'),
  linksRemoved: z.boolean().describe('invitation and reset links are removed: they would sign the reader in'),
  source: z.enum(['queue', 'outbox-file', 'none']),
});

function enterpriseOf(enterprise: EnterpriseRecord | null): EnterpriseRecord {
  if (!enterprise) throw new EdgeError('INTERNAL');
  return enterprise;
}

export function outboxEndpoints(deps: OutboxEndpointDeps): AnyEndpoint[] {
  return [
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/outbox',
      operationId: 'listOutbox',
      summary: "Notification mail to the enterprise's users, newest first (kept 30 days after delivery)",
      tag: 'outbox',
      access: ACCESS,
      query: OutboxQuery,
      response: OutboxPage,
      handle: async ({ enterprise, query }) => {
        const { id } = enterpriseOf(enterprise);
        const { page, pageSize } = query;
        return {
          items: await deps.outbox.list(id, { offset: (page - 1) * pageSize, limit: pageSize }),
          total: deps.outbox.count(id),
          page,
          pageSize,
        };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/outbox/{id}',
      operationId: 'getOutboxMessage',
      summary: 'One notification: its headers and text (account links removed)',
      tag: 'outbox',
      access: ACCESS,
      params: z.strictObject({ id: z.string().min(1).max(64) }),
      response: OutboxMessageSchema,
      handle: async ({ enterprise, params }) => {
        const message = await deps.outbox.get(enterpriseOf(enterprise).id, params.id);
        if (!message) throw new EdgeError('NOT_FOUND', "No such message in this enterprise's outbox.");
        return message;
      },
    }),
  ];
}
