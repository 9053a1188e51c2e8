/*
 * A filtered, paginated table with export links: what the users, jobs and audit pages share.
 * Filters are form controls whose names are the API's query parameters; the export links carry the
 * same filters, so the file holds exactly the filtered rows.
 */
import { apiUrl, describeFailure, get } from './api.ts';
import { h, notice, show, uid } from './dom.ts';

type Cell = Node | string | number | null | undefined;

export interface Column<T> {
  header: string;
  cell: (row: T) => Cell;
  /** The row's header cell (its accessible row name). */
  rowHeader?: boolean;
}

export interface ListingOptions<T> {
  caption: string;
  /** API path of the list, e.g. `/enterprises/demo/users`. */
  path: string;
  /** API path of the export (`?format=csv|xlsx` and the filters are added). */
  exportPath?: string;
  /** What is exported, for the link names ("users": "Export users as CSV"). */
  exportName?: string;
  filters: HTMLElement[];
  columns: Column<T>[];
  pageSize?: number;
  /** A checkbox per row, named after `rowName`; `selected()` returns the checked rows. */
  selectable?: (row: T) => string;
  /** Called with each page's answer (the jobs page draws its chart from it). */
  onPage?: (answer: Record<string, unknown>, rows: T[]) => void;
}

export interface Listing<T> {
  element: HTMLElement;
  refresh(): Promise<void>;
  selected(): T[];
  rows(): T[];
}

export function listItems<T>(answer: unknown): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const o = (answer ?? {}) as Record<string, unknown>;
  for (const key of ['items', 'users', 'jobs', 'entries', 'devices', 'messages', 'tokens', 'data'])
    if (Array.isArray(o[key])) return o[key] as T[];
  return (Object.values(o).find(Array.isArray) as T[] | undefined) ?? [];
}

export function createListing<T>(o: ListingOptions<T>): Listing<T> {
  const size = o.pageSize ?? 25;
  // The API's pages: `page` (from 1) and `pageSize`; answers carry `total`.
  let page = 1;
  let rows: T[] = [];
  const checks = new Map<HTMLInputElement, T>();
  const formId = uid('filters');
  const filterForm = h(
    'form',
    { id: formId, class: 'filters', role: 'search', 'aria-label': `Filter ${o.caption.toLowerCase()}` },
    ...o.filters,
    h('button', { type: 'submit' }, 'Apply filters'),
  );
  const tableBox = h('div', { class: 'table-box' });
  const pager = h('nav', { class: 'pager', 'aria-label': `Pages of ${o.caption.toLowerCase()}` });
  const messages = h('div', { class: 'errors' });
  const exports = h('p', { class: 'exports' });
  const element = h('div', { class: 'listing' }, filterForm, exports, messages, tableBox, pager);

  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    page = 1;
    void refresh();
  });
  filterForm.addEventListener('change', (event) => {
    if (
      (event.target as HTMLElement).tagName === 'SELECT' ||
      (event.target as HTMLInputElement).type === 'checkbox'
    )
      filterForm.requestSubmit();
  });

  function filterQuery(): Record<string, string> {
    const q: Record<string, string> = {};
    for (const [k, v] of new FormData(filterForm).entries())
      if (typeof v === 'string' && v.trim() !== '') q[k] = v.trim();
    return q;
  }

  function drawExports(): void {
    if (!o.exportPath) return;
    const q = filterQuery();
    const name = o.exportName ?? o.caption.toLowerCase();
    show(
      exports,
      h('a', { href: apiUrl(o.exportPath, { ...q, format: 'csv' }), download: '' }, `Export ${name} as CSV`),
      ' ',
      h(
        'a',
        { href: apiUrl(o.exportPath, { ...q, format: 'xlsx' }), download: '' },
        `Export ${name} as Excel`,
      ),
    );
  }

  async function refresh(): Promise<void> {
    drawExports();
    let answer: Record<string, unknown>;
    try {
      answer =
        (await get<Record<string, unknown>>(o.path, {
          ...filterQuery(),
          page,
          pageSize: size,
        })) ?? {};
    } catch (failure) {
      show(messages, notice('error', describeFailure(failure)));
      return;
    }
    show(messages);
    rows = listItems<T>(answer);
    o.onPage?.(answer, rows);
    checks.clear();
    const head = [
      ...(o.selectable ? [h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Select'))] : []),
      ...o.columns.map((c) => h('th', { scope: 'col' }, c.header)),
    ];
    const body = rows.map((row) => {
      const cells: HTMLElement[] = [];
      if (o.selectable) {
        const box = h('input', { type: 'checkbox', 'aria-label': `Select ${o.selectable(row)}` });
        checks.set(box, row);
        cells.push(h('td', {}, box));
      }
      for (const c of o.columns)
        cells.push(c.rowHeader ? h('th', { scope: 'row' }, c.cell(row)) : h('td', {}, c.cell(row)));
      return h('tr', {}, ...cells);
    });
    const total = typeof answer.total === 'number' ? answer.total : null;
    show(
      tableBox,
      rows.length === 0
        ? h('p', {}, `No ${o.caption.toLowerCase()} match.`)
        : h(
            'table',
            {},
            h('caption', {}, o.caption),
            h('thead', {}, h('tr', {}, ...head)),
            h('tbody', {}, ...body),
          ),
    );
    const offset = (page - 1) * size;
    const hasNext = total !== null ? offset + rows.length < total : rows.length === size;
    const range = rows.length
      ? `${offset + 1}–${offset + rows.length}${total !== null ? ` of ${total}` : ''}`
      : total !== null
        ? `0 of ${total}`
        : '';
    const turn = (by: number) => () => {
      page = Math.max(1, page + by);
      void refresh();
    };
    show(
      pager,
      h('button', { type: 'button', disabled: page === 1, onclick: turn(-1) }, 'Previous page'),
      h('span', { role: 'status', 'aria-label': 'Shown rows' }, range),
      h('button', { type: 'button', disabled: !hasNext, onclick: turn(1) }, 'Next page'),
    );
  }

  return {
    element,
    refresh,
    selected: () => [...checks].filter(([box]) => box.checked).map(([, row]) => row),
    rows: () => rows,
  };
}
