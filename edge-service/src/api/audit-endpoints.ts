import { z } from 'zod';
import type { AuditFilter, SqliteAuditLog } from '../audit/sqlite-audit-log.ts';
import type { AuditEntry } from '../domain/audit.ts';
import type { EnterpriseRecord } from '../domain/device.ts';
import type { UserRepository } from '../domain/user.ts';
import { defineEndpoint, type AnyEndpoint } from './endpoint.ts';
import { actorName, ENTERPRISE_READERS } from './enterprise-access.ts';
import { CSV_TYPE, exportFile, XLSX_TYPE, type ExportColumn } from './table-export.ts';

export const AuditEntryView = z.object({
  seq: z.number().int(),
  id: z.string(),
  at: z.string(),
  actor: z.string().describe('user:<id>, token:<id>, cli:<os user>, device:<id>, system, anonymous'),
  actorEmail: z.string().nullable().describe('The email of a user: actor, when known.'),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  source: z.string().nullable(),
  hash: z.string(),
  prevHash: z.string(),
});

const Filter = z.strictObject({
  action: z
    .string()
    .max(100)
    .optional()
    .describe('An action (user.unlock), or a prefix ending in a dot (user.).'),
  actor: z.string().max(254).optional().describe('An actor (user:<id>, cli:root) or a user’s email.'),
  from: z.coerce.date().optional().describe('Entries at or after (ISO 8601).'),
  to: z.coerce.date().optional().describe('Entries before (ISO 8601).'),
});

/** The enterprise's audit log: filtered pages and exports (an export is itself audited, with its filter). */
export function auditEndpoints(deps: {
  audit: SqliteAuditLog;
  users: Pick<UserRepository, 'get' | 'findByEmail'>;
}): AnyEndpoint[] {
  const emails = new Map<string, string | null>();
  const actorEmail = (actor: string): string | null => {
    if (!actor.startsWith('user:')) return null;
    if (!emails.has(actor)) emails.set(actor, deps.users.get(actor.slice(5))?.email ?? null);
    return emails.get(actor)!;
  };
  const view = (e: AuditEntry): z.input<typeof AuditEntryView> => ({
    seq: e.seq,
    id: e.id,
    at: e.at,
    actor: e.actor,
    actorEmail: actorEmail(e.actor),
    action: e.action,
    target: e.target,
    details: e.details,
    source: e.source,
    hash: e.hash,
    prevHash: e.prevHash,
  });
  const filter = (enterprise: EnterpriseRecord, q: z.output<typeof Filter>): AuditFilter => {
    let actor = q.actor;
    if (actor?.includes('@')) {
      const user = deps.users.findByEmail(enterprise.id, actor);
      actor = user ? `user:${user.id}` : `unknown:${actor}`;
    }
    return {
      enterpriseId: enterprise.id,
      ...(q.action ? { action: q.action } : {}),
      ...(actor ? { actor } : {}),
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
    };
  };
  const columns: ExportColumn<AuditEntry>[] = [
    { header: 'Seq', type: 'number', value: (e) => e.seq },
    { header: 'At', type: 'date', value: (e) => new Date(e.at) },
    { header: 'Actor', type: 'text', value: (e) => e.actor },
    { header: 'Actor email', type: 'text', value: (e) => actorEmail(e.actor) },
    { header: 'Action', type: 'text', value: (e) => e.action },
    { header: 'Target', type: 'text', value: (e) => e.target },
    { header: 'Details', type: 'text', value: (e) => JSON.stringify(e.details) },
    { header: 'Source', type: 'text', value: (e) => e.source },
    { header: 'Hash', type: 'text', value: (e) => e.hash },
  ];
  return [
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/audit',
      operationId: 'listAuditEntries',
      summary: 'The audit log of the enterprise, newest first, filtered and paginated.',
      tag: 'audit',
      access: ENTERPRISE_READERS,
      query: Filter.extend({
        page: z.coerce.number().int().min(1).max(100_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(500).default(50),
      }),
      response: z.object({
        items: z.array(AuditEntryView),
        total: z.number().int(),
        page: z.number().int(),
        pageSize: z.number().int(),
      }),
      handle(c) {
        const { page, pageSize, ...q } = c.query;
        const { items, total } = deps.audit.list(filter(c.enterprise!, q), {
          offset: (page - 1) * pageSize,
          limit: pageSize,
        });
        return { items: items.map(view), total, page, pageSize };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/audit/export',
      operationId: 'exportAuditEntries',
      summary: 'The filtered audit log as CSV or Excel; the export is audited with its filter.',
      tag: 'audit',
      access: ENTERPRISE_READERS,
      query: Filter.extend({ format: z.enum(['csv', 'xlsx']).default('csv') }),
      response: { files: [CSV_TYPE, XLSX_TYPE] },
      async handle(c) {
        const { format, ...q } = c.query;
        const rows = [...deps.audit.all(filter(c.enterprise!, q))];
        deps.audit.record({
          enterpriseId: c.enterprise!.id,
          actor: actorName(c.actor!),
          action: 'audit.export',
          details: { format, filter: { ...q }, rows: rows.length },
          source: c.source,
        });
        return exportFile(format, `audit-${c.enterprise!.slug}`, 'Audit log', columns, rows);
      },
    }),
  ];
}
