/*
 * Devices: every paired printer with its live status (panel online, scanner, fax line, ADF, last
 * job) kept current by the event stream, and per device rename, auth mode, re-pair and revoke.
 */
import { del, describeFailure, get, patch } from './api.ts';
import type { PageContext } from './context.ts';
import { deviceFields } from './device-fields.ts';
import { confirmAction, h, notice, show, when } from './dom.ts';
import { listen } from './live-events.ts';
import { listItems } from './listing.ts';

interface PartStatus {
  state: string;
  adfLoaded?: boolean | null;
  reasons?: string[];
  message?: string;
}

export interface DeviceView {
  id: string;
  name: string;
  authMode: string;
  sharedUser?: { id: string; email: string; displayName?: string } | null;
  scannerUrl?: string | null;
  faxUrl?: string | null;
  adminCredentialSet?: boolean;
  createdAt?: string;
  revokedAt?: string | null;
  panelOnline?: boolean;
  scanner?: PartStatus | null;
  faxLine?: PartStatus | null;
  lastJob?: { id: string; state: string; at: string } | null;
}

function partText(p: PartStatus | null | undefined): string {
  if (!p) return 'not checked yet';
  const extra = p.message ?? (p.reasons?.filter((r) => r !== 'none').join(', ') || '');
  return extra ? `${p.state} (${extra})` : p.state;
}

function adfText(p: PartStatus | null | undefined): string {
  if (!p || p.adfLoaded === null || p.adfLoaded === undefined) return 'unknown';
  return p.adfLoaded ? 'loaded' : 'empty';
}

function lastJobText(job: DeviceView['lastJob']): string {
  return job ? `${job.state} (${when(job.at)})` : 'none';
}

export function renderDevices(main: HTMLElement, ctx: PageContext): () => void {
  const region = h('div', {});
  const messages = h('div', { class: 'errors' });
  const live = h('p', { class: 'live-state', role: 'status', 'aria-label': 'Live updates' }, 'Connecting…');
  let devices: DeviceView[] = [];
  // The edit form lives outside the table, which live updates redraw.
  const editBox = h('div', {});
  const waiting = h('div', {});

  show(
    main,
    h('h1', {}, 'Devices'),
    h('p', {}, h('a', { href: '#/pair', class: 'button' }, 'Pair a printer')),
    live,
    waiting,
    messages,
    region,
    editBox,
  );

  function draw(): void {
    const active = devices.filter((d) => !d.revokedAt);
    if (active.length === 0) {
      show(region, h('p', {}, 'No printer is paired yet. Pair one with the code its panel shows.'));
      return;
    }
    const rows = active.map((d) => {
      return h(
        'tr',
        { 'data-device-id': d.id },
        h('th', { scope: 'row' }, d.name),
        h('td', {}, d.authMode),
        h('td', { 'data-field': 'panel' }, d.panelOnline ? 'online' : 'offline'),
        h('td', { 'data-field': 'scanner' }, partText(d.scanner)),
        h('td', { 'data-field': 'fax-line' }, partText(d.faxLine)),
        h('td', { 'data-field': 'adf' }, adfText(d.scanner)),
        h('td', { 'data-field': 'last-job' }, lastJobText(d.lastJob)),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Edit ${d.name}`,
              onclick: () => show(editBox, editForm(d)),
            },
            'Edit',
          ),
          ' ',
          h(
            'a',
            { href: `#/pair?device=${encodeURIComponent(d.id)}`, 'aria-label': `Re-pair ${d.name}` },
            'Re-pair',
          ),
          ' ',
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              'aria-label': `Revoke ${d.name}`,
              onclick: () => void revoke(d),
            },
            'Revoke',
          ),
        ),
      );
    });
    const tableEl = h(
      'table',
      {},
      h('caption', {}, 'Paired printers'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Name', 'Auth mode', 'Panel', 'Scanner', 'Fax line', 'Feeder', 'Last job', 'Actions'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h('tbody', {}, ...rows),
    );
    show(region, tableEl);
  }

  function editForm(d: DeviceView): HTMLElement {
    const settings = deviceFields(ctx, d);
    const error = h('div', { class: 'errors' });
    const form = h(
      'form',
      { class: 'card', 'aria-label': `Edit ${d.name}` },
      h('h2', {}, `Edit ${d.name}`),
      settings.element,
      error,
      h('button', { type: 'submit' }, 'Save device'),
      ' ',
      h('button', { type: 'button', onclick: () => show(editBox) }, 'Cancel'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        try {
          await patch(`${ctx.ent}/devices/${encodeURIComponent(d.id)}`, settings.body());
          show(editBox);
          show(messages, notice('ok', 'Device saved.'));
          await refresh();
        } catch (failure) {
          show(error, notice('error', describeFailure(failure)));
        }
      })();
    });
    return form;
  }

  async function revoke(d: DeviceView): Promise<void> {
    const sure = await confirmAction(
      `Revoke ${d.name}?`,
      'Its panel goes back to the pairing screen and its credential stops working at once. Pair it again with a new code to use it.',
      'Revoke device',
    );
    if (!sure) return;
    try {
      await del(`${ctx.ent}/devices/${encodeURIComponent(d.id)}`);
      show(messages, notice('ok', `${d.name} is revoked.`));
      await refresh();
    } catch (failure) {
      show(messages, notice('error', describeFailure(failure)));
    }
  }

  async function refresh(): Promise<void> {
    try {
      devices = listItems<DeviceView>(await get(`${ctx.ent}/devices`));
      draw();
    } catch (failure) {
      show(messages, notice('error', describeFailure(failure)));
    }
  }

  let pending: ReturnType<typeof setTimeout> | null = null;
  const stop = listen(
    ctx.ent,
    ['ready', 'device', 'pairing.pending', 'pairing.approved', 'pairing.claimed'],
    (data, event) => {
      if (event === 'pairing.pending') {
        show(
          waiting,
          h(
            'p',
            { class: 'notice info', role: 'status' },
            'A printer panel is waiting to be paired: ',
            h('a', { href: '#/pair' }, 'enter the code it shows'),
            '.',
          ),
        );
        return;
      }
      if (event === 'pairing.claimed') show(waiting);
      // An event carrying a whole device view replaces its row; anything else re-reads the list.
      const view = data as Partial<DeviceView> | null;
      if (
        view &&
        typeof view.id === 'string' &&
        typeof view.name === 'string' &&
        typeof view.authMode === 'string'
      ) {
        const at = devices.findIndex((d) => d.id === view.id);
        if (at >= 0) {
          devices[at] = { ...devices[at]!, ...view };
          draw();
          return;
        }
      }
      pending ??= setTimeout(() => {
        pending = null;
        void refresh();
      }, 100);
    },
    (open) => show(live, open ? 'Live: status updates as it changes.' : 'Reconnecting to live updates…'),
  );
  void refresh();
  return () => {
    stop();
    if (pending) clearTimeout(pending);
  };
}
