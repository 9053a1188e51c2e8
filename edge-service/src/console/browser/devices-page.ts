/*
 * Devices: every paired printer with its live status (panel online, scanner, fax line, ADF, last
 * job) kept current by the event stream, and per device rename, auth mode, re-pair and revoke.
 */
import { del, describeFailure, get, patch } from './api.ts';
import type { PageContext } from './context.ts';
import { confirmAction, field, h, notice, select, show, when } from './dom.ts';
import { listen } from './live-events.ts';
import { listItems } from './listing.ts';

export interface DeviceStatus {
  panelOnline?: boolean;
  scanner?: string | null;
  faxLine?: string | null;
  adfLoaded?: boolean | null;
  lastJob?:
    { id?: string; state?: string; result?: string; at?: string; finishedAt?: string } | string | null;
}

export interface DeviceView extends DeviceStatus {
  id: string;
  name: string;
  authMode: string;
  sharedUserId?: string | null;
  sharedUser?: { id: string; email: string; displayName?: string } | null;
  scannerUrl?: string | null;
  faxUrl?: string | null;
  createdAt?: string;
  revokedAt?: string | null;
  status?: DeviceStatus;
}

export const AUTH_MODES = [
  ['user-prompt', 'User prompt (email, password, 2FA at the panel)'],
  ['shared-account', 'Shared account (nobody signs in)'],
  ['device-login', "Device login (the printer's own sign-in)"],
] as const;

function yesNo(v: boolean | null | undefined, yes: string, no: string): string {
  return v === true ? yes : v === false ? no : 'unknown';
}

function lastJobText(job: DeviceStatus['lastJob']): string {
  if (!job) return 'none';
  if (typeof job === 'string') return job;
  const at = job.finishedAt ?? job.at;
  return `${job.result ?? job.state ?? 'job'}${at ? ` (${when(at)})` : ''}`;
}

export function renderDevices(main: HTMLElement, ctx: PageContext): () => void {
  const region = h('div', { 'aria-live': 'polite' });
  const messages = h('div', { class: 'errors' });
  const live = h('p', { class: 'live-state', role: 'status', 'aria-label': 'Live updates' }, 'Connecting…');
  let devices: DeviceView[] = [];
  let editing: string | null = null;

  show(
    main,
    h('h1', {}, 'Devices'),
    h('p', {}, h('a', { href: '#/pair', class: 'button' }, 'Pair a printer')),
    live,
    messages,
    region,
  );

  const status = (d: DeviceView): DeviceStatus => ({ ...d, ...(d.status ?? {}) });

  function draw(): void {
    const active = devices.filter((d) => !d.revokedAt);
    if (active.length === 0) {
      show(region, h('p', {}, 'No printer is paired yet. Pair one with the code its panel shows.'));
      return;
    }
    const rows = active.map((d) => {
      const s = status(d);
      return h(
        'tr',
        { 'data-device-id': d.id },
        h('th', { scope: 'row' }, d.name),
        h('td', {}, d.authMode),
        h('td', { 'data-field': 'panel' }, yesNo(s.panelOnline, 'online', 'offline')),
        h('td', { 'data-field': 'scanner' }, s.scanner ?? 'unknown'),
        h('td', { 'data-field': 'fax-line' }, s.faxLine ?? 'unknown'),
        h('td', { 'data-field': 'adf' }, yesNo(s.adfLoaded, 'loaded', 'empty')),
        h('td', { 'data-field': 'last-job' }, lastJobText(s.lastJob)),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Edit ${d.name}`,
              onclick: () => {
                editing = d.id;
                draw();
              },
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
    const edit = editing ? devices.find((d) => d.id === editing) : undefined;
    show(region, tableEl, edit ? editForm(edit) : null);
  }

  function editForm(d: DeviceView): HTMLElement {
    const name = field('Device name', 'name', { value: d.name, required: true, maxlength: 100 });
    const mode = select('Auth mode', 'authMode', AUTH_MODES, d.authMode);
    const error = h('div', { class: 'errors' });
    const form = h(
      'form',
      { class: 'card', 'aria-label': `Edit ${d.name}` },
      h('h2', {}, `Edit ${d.name}`),
      name.wrap,
      mode.wrap,
      h(
        'p',
        { class: 'help' },
        'A shared account or a device credential is set when you re-pair the printer.',
      ),
      error,
      h('button', { type: 'submit' }, 'Save device'),
      ' ',
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            editing = null;
            draw();
          },
        },
        'Cancel',
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        try {
          await patch(`${ctx.ent}/devices/${encodeURIComponent(d.id)}`, {
            name: name.input.value.trim(),
            authMode: mode.input.value,
          });
          editing = null;
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
    ['device', 'device-status', 'device-paired', 'device-revoked', 'device-updated', 'job'],
    (data) => {
      // A status event for a known device patches its row; anything else re-reads the list.
      const o = data as { deviceId?: string; id?: string; status?: DeviceStatus } | null;
      const id = o?.deviceId ?? o?.id;
      const known = id ? devices.find((d) => d.id === id) : undefined;
      if (known && o?.status) {
        known.status = { ...(known.status ?? {}), ...o.status };
        draw();
        return;
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
