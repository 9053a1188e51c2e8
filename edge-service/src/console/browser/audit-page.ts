/* Audit log: every admin action and security event, filterable, paginated, exportable. */
import type { PageContext } from './context.ts';
import { field, h, show, when } from './dom.ts';
import { createListing } from './listing.ts';

interface AuditView {
  id?: string;
  seq?: number;
  at: string;
  actor?: string | { email?: string; kind?: string; id?: string } | null;
  actorEmail?: string | null;
  action: string;
  target?: string | { kind?: string; id?: string; label?: string } | null;
  outcome?: string;
  source?: string | null;
  details?: unknown;
}

const text = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  return String(o.email ?? o.label ?? o.name ?? [o.kind, o.id].filter(Boolean).join(' '));
};

export function renderAudit(main: HTMLElement, ctx: PageContext): void {
  const action = field('Action', 'action', { placeholder: 'e.g. user.unlock' });
  const actor = field('Actor', 'actor', { placeholder: 'email' });
  const from = field('From', 'from', { type: 'date' });
  const to = field('To', 'to', { type: 'date' });
  const listing = createListing<AuditView>({
    caption: 'Audit entries',
    path: `${ctx.ent}/audit`,
    exportPath: `${ctx.ent}/audit/export`,
    exportName: 'the audit log',
    filters: [action.wrap, actor.wrap, from.wrap, to.wrap],
    pageSize: 50,
    columns: [
      { header: 'When', cell: (e) => when(e.at), rowHeader: true },
      { header: 'Who', cell: (e) => e.actorEmail ?? text(e.actor) },
      { header: 'Action', cell: (e) => e.action },
      { header: 'Target', cell: (e) => text(e.target) },
      { header: 'Outcome', cell: (e) => e.outcome ?? '' },
      { header: 'From', cell: (e) => e.source ?? '' },
      {
        header: 'Details',
        cell: (e) => (e.details ? h('code', { class: 'details' }, JSON.stringify(e.details)) : ''),
      },
    ],
  });
  show(
    main,
    h('h1', {}, 'Audit log'),
    h(
      'p',
      {},
      'Append-only: each entry carries the hash of the one before, so an edited entry is detected by `mfp-edge admin audit verify`.',
    ),
    listing.element,
  );
  void listing.refresh();
}
