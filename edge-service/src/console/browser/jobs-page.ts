/*
 * Jobs and usage: every fax with who, device, pages, destinations with country, result, duration
 * and line time; filters by date, user, device and result; pagination; CSV and Excel exports of
 * the filtered list; a chart of pages per day and per result for the same filters.
 */
import { describeFailure, get } from './api.ts';
import type { PageContext } from './context.ts';
import { field, h, notice, select, show, when } from './dom.ts';
import { createListing, listItems } from './listing.ts';
import { usageChart, usageDays } from './usage-chart.ts';

interface JobView {
  id: string;
  result?: string;
  state?: string;
  createdAt: string;
  finishedAt?: string | null;
  durationMs?: number | null;
  user?: { email?: string; displayName?: string } | null;
  device?: { name?: string } | null;
  pages?: number;
  lineMs?: number;
  recipients?: { number: string; country?: string | null; state?: string }[];
}

/** 75000 → "1 min 15 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A date input (yyyy-mm-dd) as the start of that day in the browser's zone, ISO 8601. */
function dayStart(value: string, plusDays = 0): string {
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y!, m! - 1, d! + plusDays).toISOString();
}

export function renderJobs(main: HTMLElement, ctx: PageContext): void {
  const chartBox = h(
    'section',
    { 'aria-labelledby': 'usage-title' },
    h('h2', { id: 'usage-title' }, 'Usage'),
  );
  const messages = h('div', { class: 'errors' });
  const from = field('From', 'fromDay', { type: 'date' });
  const to = field('To', 'toDay', { type: 'date' });
  const user = select('User', 'userId', [['', 'Anyone']]);
  const device = select('Device', 'deviceId', [['', 'Any device']]);
  const result = select('Result', 'result', [
    ['', 'Any result'],
    ['delivered', 'Delivered'],
    ['partial', 'Partly delivered'],
    ['failed', 'Failed'],
    ['cancelled', 'Cancelled'],
    ['active', 'In progress'],
  ]);
  // The API wants instants: the day fields are turned into hidden from/to fields.
  const fromIso = h('input', { type: 'hidden', name: 'from' });
  const toIso = h('input', { type: 'hidden', name: 'to' });
  const sync = () => {
    fromIso.value = from.input.value ? dayStart(from.input.value) : '';
    toIso.value = to.input.value ? dayStart(to.input.value, 1) : '';
    from.input.name = '';
    to.input.name = '';
  };
  from.input.addEventListener('change', sync);
  to.input.addEventListener('change', sync);
  sync();

  const listing = createListing<JobView>({
    caption: 'Jobs',
    path: `${ctx.ent}/jobs`,
    exportPath: `${ctx.ent}/jobs/export`,
    exportName: 'jobs',
    filters: [from.wrap, to.wrap, fromIso, toIso, user.wrap, device.wrap, result.wrap],
    columns: [
      { header: 'Sent', cell: (j) => when(j.createdAt), rowHeader: true },
      { header: 'Who', cell: (j) => j.user?.displayName || j.user?.email || '—' },
      { header: 'Device', cell: (j) => j.device?.name ?? '—' },
      { header: 'Pages', cell: (j) => String(j.pages ?? 0) },
      {
        header: 'Destinations',
        cell: (j) =>
          h(
            'ul',
            { class: 'plain' },
            ...(j.recipients ?? []).map((r) =>
              h(
                'li',
                {},
                `${r.number}${r.country ? ` (${r.country})` : ''}${r.state ? ` — ${r.state}` : ''}`,
              ),
            ),
          ),
      },
      { header: 'Result', cell: (j) => j.result ?? j.state ?? '' },
      {
        header: 'Duration',
        cell: (j) =>
          duration(
            j.durationMs ?? (j.finishedAt ? Date.parse(j.finishedAt) - Date.parse(j.createdAt) : null),
          ),
      },
      { header: 'Line time', cell: (j) => duration(j.lineMs ?? 0) },
    ],
    onPage: () => void drawChart(),
  });

  async function drawChart(): Promise<void> {
    const q: Record<string, string> = {};
    for (const el of [fromIso, toIso, user.input, device.input]) if (el.value) q[el.name] = el.value;
    try {
      const days = usageDays(await get(`${ctx.ent}/jobs/usage`, q));
      show(
        chartBox,
        h('h2', { id: 'usage-title' }, 'Usage'),
        days.length ? usageChart(days) : h('p', {}, 'No finished fax in this period.'),
      );
    } catch (failure) {
      show(chartBox, h('h2', { id: 'usage-title' }, 'Usage'), notice('error', describeFailure(failure)));
    }
  }

  show(main, h('h1', {}, 'Jobs and usage'), messages, listing.element, chartBox);
  void (async () => {
    try {
      const [users, devices] = await Promise.all([
        get(`${ctx.ent}/users`, { limit: 200 }),
        get(`${ctx.ent}/devices`),
      ]);
      user.input.append(
        ...listItems<{ id: string; email: string }>(users).map((u) => h('option', { value: u.id }, u.email)),
      );
      device.input.append(
        ...listItems<{ id: string; name: string }>(devices).map((d) => h('option', { value: d.id }, d.name)),
      );
    } catch {
      // Without the lists the filters offer "any" only; the table still works.
    }
  })();
  void listing.refresh();
}
