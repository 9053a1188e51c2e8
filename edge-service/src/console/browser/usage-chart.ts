/*
 * The pages-per-day chart, per result: stacked bars drawn as SVG elements with geometry in
 * attributes (the CSP forbids style attributes), with the same numbers as a table for screen
 * readers and anyone who wants the figures.
 */
import { h, svg } from './dom.ts';

export interface UsageDay {
  date: string;
  /** Pages per result on that day. */
  pages: Record<string, number>;
}

const RESULTS = ['delivered', 'partial', 'failed', 'cancelled'] as const;

/** Reads the API's usage answer: `{days: [{date, pages: {delivered: n, ...}}]}` or flat per-result rows. */
export function usageDays(answer: unknown): UsageDay[] {
  const o = (answer ?? {}) as Record<string, unknown>;
  const raw = (
    Array.isArray(answer) ? answer : Array.isArray(o.days) ? o.days : Array.isArray(o.items) ? o.items : []
  ) as Record<string, unknown>[];
  const byDate = new Map<string, UsageDay>();
  for (const r of raw) {
    const date = String(r.date ?? r.day ?? '');
    if (!date) continue;
    const day = byDate.get(date) ?? { date, pages: {} };
    byDate.set(date, day);
    if (r.pages && typeof r.pages === 'object') {
      for (const [k, v] of Object.entries(r.pages as Record<string, unknown>))
        if (typeof v === 'number') day.pages[k] = (day.pages[k] ?? 0) + v;
    } else if (typeof r.result === 'string' && typeof r.pages === 'number') {
      day.pages[r.result] = (day.pages[r.result] ?? 0) + r.pages;
    } else {
      for (const k of RESULTS)
        if (typeof r[k] === 'number') day.pages[k] = (day.pages[k] ?? 0) + (r[k] as number);
    }
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}

export function usageChart(days: UsageDay[]): HTMLElement {
  const results = [...new Set([...RESULTS, ...days.flatMap((d) => Object.keys(d.pages))])].filter((r) =>
    days.some((d) => (d.pages[r] ?? 0) > 0),
  );
  const total = (d: UsageDay) => results.reduce((s, r) => s + (d.pages[r] ?? 0), 0);
  const max = Math.max(1, ...days.map(total));
  const W = 640;
  const H = 200;
  const pad = 30;
  const bw = days.length ? Math.min(40, (W - pad) / days.length - 4) : 0;
  const bars: SVGElement[] = [];
  days.forEach((d, i) => {
    let y = H - pad;
    const x = pad + i * ((W - pad) / Math.max(1, days.length)) + 2;
    for (const r of results) {
      const v = d.pages[r] ?? 0;
      if (v === 0) continue;
      const bh = ((H - 2 * pad) * v) / max;
      y -= bh;
      bars.push(
        svg(
          'rect',
          { x, y, width: bw, height: bh, class: `bar bar-${r}` },
          svg('title', {}, `${d.date}: ${v} pages ${r}`),
        ),
      );
    }
    bars.push(
      svg(
        'text',
        { x: x + bw / 2, y: H - pad + 14, 'text-anchor': 'middle', class: 'axis' },
        d.date.slice(5),
      ),
    );
  });
  const picture = svg(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      width: W,
      height: H,
      role: 'img',
      'aria-label': `Pages per day and per result, ${days.length} days`,
      class: 'chart',
    },
    svg('line', { x1: pad, y1: H - pad, x2: W, y2: H - pad, class: 'axis-line' }),
    svg('text', { x: 2, y: pad, class: 'axis' }, String(max)),
    ...bars,
  );
  const legend = h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    ...results.map((r) => h('li', {}, h('span', { class: `swatch bar-${r}` }), r)),
  );
  const data = h(
    'table',
    { class: 'chart-data' },
    h('caption', {}, 'Pages per day and per result'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Day'),
        ...results.map((r) => h('th', { scope: 'col' }, r)),
        h('th', { scope: 'col' }, 'Total'),
      ),
    ),
    h(
      'tbody',
      {},
      ...days.map((d) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, d.date),
          ...results.map((r) => h('td', {}, String(d.pages[r] ?? 0))),
          h('td', {}, String(total(d))),
        ),
      ),
    ),
  );
  return h(
    'figure',
    { class: 'usage' },
    picture,
    legend,
    h('details', {}, h('summary', {}, 'Show the figures'), data),
  );
}
