import { api, type LineBehavior, type ReceivedFax } from './api.ts';
import { byId, h, replace, time } from './dom.ts';
import { attempt } from './notices.ts';

function describe(line: LineBehavior): string {
  if (line.behavior === 'drop-at-page') return `drops the call at page ${line.page}`;
  if (line.behavior === 'slow') return `slow line, ${line.bitRate} bit/s`;
  if (line.behavior === 'no-answer') return 'does not answer';
  return line.behavior === 'busy' ? 'busy' : 'answers';
}

function faxCard(fax: ReceivedFax): HTMLElement {
  const pages: HTMLElement[] = [];
  for (let n = 1; n <= fax.pages; n++) {
    const url = `/sim/api/faxes/${encodeURIComponent(fax.id)}/pages/${n}`;
    pages.push(
      h(
        'li',
        {},
        h(
          'a',
          { href: url, target: '_blank', rel: 'noopener' },
          h('img', { src: url, alt: `Fax to ${fax.to}, page ${n} of ${fax.pages}`, width: 172 }),
        ),
      ),
    );
  }
  const heading = `To ${fax.to} — ${fax.pages} page${fax.pages === 1 ? '' : 's'}, ${fax.status}, ${time(fax.receivedAt)}`;
  return h(
    'li',
    { 'data-fax-id': fax.id, 'aria-label': heading },
    h('h4', {}, heading),
    h('ul', { class: 'pages', 'aria-label': `Pages of the fax to ${fax.to}` }, ...pages),
  );
}

/** The phone line: how each remote machine behaves, and what the remote machines received. */
export function setUpLineMonitor(): { refresh: () => Promise<void> } {
  const form = byId('line-form', HTMLFormElement);
  const number = byId('line-number', HTMLInputElement);
  const behavior = byId('line-behavior', HTMLSelectElement);
  const page = byId('line-page', HTMLInputElement);
  const bitRate = byId('line-bit-rate', HTMLInputElement);
  const machines = byId('line-machines', HTMLTableSectionElement);
  const faxList = byId('fax-list', HTMLUListElement);
  const faxSummary = byId('fax-summary', HTMLElement);
  const alert = byId('line-alert', HTMLElement);
  // Rendered faxes are kept, so polling does not reload their page images.
  const cards = new Map<string, HTMLElement>();

  const setBehavior = (target: string, line: Record<string, unknown>) =>
    attempt(alert, async () => {
      await api.putJson(`/sim/api/line/${encodeURIComponent(target)}`, line);
      await refreshLine();
    });

  const refreshLine = async () => {
    const lines = await api.get<Record<string, LineBehavior>>('/sim/api/line');
    const rows = Object.entries(lines).map(([dialled, line]) =>
      h(
        'tr',
        {},
        h('td', {}, dialled),
        h('td', {}, describe(line)),
        h(
          'td',
          {},
          h(
            'button',
            { type: 'button', onclick: () => setBehavior(dialled, { behavior: 'answer' }) },
            `Answer ${dialled} normally`,
          ),
        ),
      ),
    );
    if (rows.length === 0) rows.push(h('tr', {}, h('td', { colspan: 3 }, 'Every number answers.')));
    replace(machines, ...rows);
  };

  const refreshFaxes = async () => {
    const faxes = (await api.get<ReceivedFax[]>('/sim/api/faxes')).slice().reverse();
    const seen = new Set(faxes.map((f) => f.id));
    for (const id of [...cards.keys()]) if (!seen.has(id)) cards.delete(id);
    const ordered = faxes.map((fax) => {
      let card = cards.get(fax.id);
      if (!card) cards.set(fax.id, (card = faxCard(fax)));
      return card;
    });
    faxSummary.textContent =
      faxes.length === 0
        ? 'No fax received yet.'
        : `${faxes.length} fax${faxes.length === 1 ? '' : 'es'} received.`;
    // Only touch the DOM when the list changed: moving nodes would restart nothing, but keeps focus stable.
    const same =
      ordered.length === faxList.children.length && ordered.every((card, i) => faxList.children[i] === card);
    if (!same) replace(faxList, ...ordered);
  };

  const syncFields = () => {
    page.disabled = behavior.value !== 'drop-at-page';
    bitRate.disabled = behavior.value !== 'slow';
  };
  behavior.addEventListener('change', syncFields);
  syncFields();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const line: Record<string, unknown> = { behavior: behavior.value };
    if (behavior.value === 'drop-at-page') line.page = Number(page.value);
    if (behavior.value === 'slow' && bitRate.value) line.bitRate = Number(bitRate.value);
    void setBehavior(number.value.trim(), line);
  });

  return {
    refresh: async () => {
      await Promise.all([refreshLine(), refreshFaxes()]);
    },
  };
}
