/*
 * Jobs and usage: every fax with who, device, pages, destinations with country, result, duration
 * and line time; filters by date, user, device and result; pagination; CSV and Excel exports of
 * the filtered list; a chart of pages per day and per result for the same dates.
 */
import { describeFailure, get } from './api.ts';
import type { PageContext } from './context.ts';
import { field, h, notice, select, show, when } from './dom.ts';
import { createListing, listItems } from './listing.ts';
import { usageChart, usageDays } from './usage-chart.ts';

interface Destination {
  number: string;
  display?: string;
  country?: { code: string; name: string } | null;
  state?: string;
}

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
  pagesSent?: number;
  lineMs?: number;
  destinations?: Destination[];
  error?: { code: string; message: string } | null;
  source?: 'panel' | 'email';
  emailSender?: string | null;
}

/** 75000 → "1 min 15 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function destination(d: Destination): string {
  const country = d.country ? ` (${d.country.name}, ${d.country.code})` : '';
  return `${d.display ?? d.number}${country}${d.state ? ` — ${d.state}` : ''}`;
}

export function renderJobs(main: HTMLElement, ctx: PageContext): void {
  const chartBox = h('section', { 'aria-labelledby': 'usage-title' });
  // Days are calendar days of the browser's zone; the API counts them in the zone it is given.
  const zone = h('input', { type: 'hidden', name: 'timeZone', value: browserZone() });
  const from = field('From', 'from', { type: 'date' });
  const to = field('To', 'to', { type: 'date', help: 'Included.' });
  const user = select('User', 'user', [['', 'Anyone']]);
  const device = select('Device', 'device', [['', 'Any device']]);
  const result = select('Result', 'result', [
    ['', 'Any result'],
    ['delivered', 'Delivered'],
    ['partial', 'Partly delivered'],
    ['failed', 'Failed'],
    ['cancelled', 'Cancelled'],
    ['active', 'In progress'],
  ]);

  const listing = createListing<JobView>({
    caption: 'Jobs',
    path: `${ctx.ent}/jobs`,
    exportPath: `${ctx.ent}/jobs/export`,
    exportName: 'jobs',
    filters: [zone, from.wrap, to.wrap, user.wrap, device.wrap, result.wrap],
    columns: [
      { header: 'Sent', cell: (j) => when(j.createdAt), rowHeader: true },
      { header: 'Who', cell: (j) => j.user?.displayName || j.user?.email || j.emailSender || '—' },
      { header: 'Source', cell: (j) => (j.source === 'email' ? 'Email' : 'Panel') },
      { header: 'Device', cell: (j) => j.device?.name ?? '—' },
      { header: 'Pages', cell: (j) => String(j.pages ?? 0) },
      {
        header: 'Destinations',
        cell: (j) =>
          h('ul', { class: 'plain' }, ...(j.destinations ?? []).map((d) => h('li', {}, destination(d)))),
      },
      {
        header: 'Result',
        // A running job's state says more than "active" (needs-attention: waiting for Resume after a jam).
        cell: (j) =>
          `${(j.result === 'active' ? j.state : j.result) ?? j.state ?? ''}${j.error ? ` (${j.error.message})` : ''}`,
      },
      { header: 'Duration', cell: (j) => duration(j.durationMs) },
      { header: 'Line time', cell: (j) => duration(j.lineMs ?? 0) },
    ],
    onPage: () => void drawChart(),
  });

  async function drawChart(): Promise<void> {
    const q: Record<string, string> = { timeZone: zone.value };
    if (from.input.value) q.from = from.input.value;
    if (to.input.value) q.to = to.input.value;
    const title = h('h2', { id: 'usage-title' }, 'Pages per day');
    try {
      const days = usageDays(await get(`${ctx.ent}/jobs/usage`, q));
      const any = days.some((d) => Object.values(d.pages).some((n) => n > 0));
      show(chartBox, title, any ? usageChart(days) : h('p', {}, 'No finished fax in this period.'));
    } catch (failure) {
      show(chartBox, title, notice('error', describeFailure(failure)));
    }
  }

  show(main, h('h1', {}, 'Jobs and usage'), listing.element, chartBox);
  void (async () => {
    try {
      const [users, devices] = await Promise.all([
        get(`${ctx.ent}/users`, { pageSize: 200 }),
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
