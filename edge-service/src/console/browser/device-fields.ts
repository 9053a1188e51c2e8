/*
 * A device's settings as a form part, shared by pairing, re-pairing and editing: name, auth mode
 * (shared account picked from the users; device login with the printer's admin credential),
 * scanner and fax URLs offered from DNS-SD discovery or typed, and a connection test (probe).
 */
import { describeFailure, get, post } from './api.ts';
import type { PageContext } from './context.ts';
import { field, h, notice, select, show } from './dom.ts';
import { listItems } from './listing.ts';

export const AUTH_MODES = [
  ['user-prompt', 'User prompt (email, password, 2FA at the panel)'],
  ['shared-account', 'Shared account (nobody signs in)'],
  ['device-login', "Device login (the printer's own sign-in)"],
] as const;

export interface DeviceSettings {
  name?: string;
  authMode?: string;
  sharedUser?: { id: string } | null;
  scannerUrl?: string | null;
  faxUrl?: string | null;
  adminCredentialSet?: boolean;
}

interface Discovered {
  name?: string;
  host?: string;
  scannerUrl?: string | null;
  faxUrl?: string | null;
}

interface ProbePart {
  ok: boolean;
  message?: string;
  makeAndModel?: string | null;
  state?: string | null;
  adfLoaded?: boolean | null;
  sources?: { kind: string; resolutions?: number[]; duplex?: boolean }[];
  stateReasons?: string[];
  faxOut?: boolean;
}

/** What the probe found, one sentence per part: make and model, state, sources; or why it failed. */
export function describeProbe(result: unknown): string[] {
  const o = (result ?? {}) as { scanner?: ProbePart | null; fax?: ProbePart | null };
  const lines: string[] = [];
  const s = o.scanner;
  if (s && !s.ok) lines.push(`Scanner: not found. ${s.message ?? ''}`.trim());
  else if (s) {
    const sources = (s.sources ?? [])
      .map(
        (x) =>
          `${x.kind === 'adf' ? `feeder${x.duplex ? ' (duplex)' : ''}` : 'glass'}${x.resolutions?.length ? ` up to ${Math.max(...x.resolutions)} dpi` : ''}`,
      )
      .join(', ');
    lines.push(
      `Scanner: ${s.makeAndModel || 'eSCL scanner'}${s.state ? `, ${s.state}` : ''}${sources ? `; ${sources}` : ''}${s.adfLoaded ? '; originals in the feeder' : ''}.`,
    );
  }
  const f = o.fax;
  if (f && !f.ok) lines.push(`Fax: not found. ${f.message ?? ''}`.trim());
  else if (f)
    lines.push(
      `Fax: ${f.makeAndModel || 'IPP printer'}${f.state ? `, ${f.state}` : ''}${f.faxOut === false ? ' — not a FaxOut service' : ', FaxOut ready'}${f.stateReasons?.length ? ` (${f.stateReasons.join(', ')})` : ''}.`,
    );
  if (lines.length === 0) lines.push('Give a scanner or fax URL to test.');
  return lines;
}

export interface DeviceFields {
  element: HTMLElement;
  /** The API body: name, authMode, sharedUserId, URLs, adminCredential (only when typed). */
  body(): Record<string, unknown>;
  /** Fills the fields from a device (re-pair). */
  fill(d: DeviceSettings): void;
  focusName(): void;
}

export function deviceFields(ctx: PageContext, initial: DeviceSettings = {}): DeviceFields {
  const name = field('Device name', 'name', {
    required: true,
    maxlength: 100,
    help: 'How people and reports call this printer, e.g. "2nd floor east".',
  });
  const mode = select(
    'Auth mode',
    'authMode',
    AUTH_MODES,
    'user-prompt',
    'How people are signed in at this printer.',
  );
  const shared = select(
    'Shared account',
    'sharedUserId',
    [['', 'Choose a user…']],
    '',
    'Faxes from this printer are sent as this account.',
  );
  const adminUser = field("Printer's admin username", 'deviceUsername', { autocomplete: 'off' });
  const adminPassword = field("Printer's admin password", 'devicePassword', {
    type: 'password',
    autocomplete: 'new-password',
    help: 'The edge reads who is signed in at the printer with it; stored encrypted, never shown again.',
  });
  const sharedBox = h('div', {}, shared.wrap);
  const loginBox = h('fieldset', {}, h('legend', {}, 'Device login'), adminUser.wrap, adminPassword.wrap);
  const scanner = field('Scanner URL (eSCL)', 'scannerUrl', {
    placeholder: 'http://printer.local/eSCL',
    help: 'The root of the eSCL scanner service.',
  });
  const fax = field('Fax URL (IPP FaxOut)', 'faxUrl', {
    placeholder: 'ipp://printer.local/ipp/faxout',
    help: 'The IPP FaxOut printer URI.',
  });
  const found = select('Printers found on the network', 'discovered', [['', 'Searching…']], '');
  const probeOut = h('div', { 'aria-live': 'polite', class: 'probe' });
  let discovered: Discovered[] = [];
  let sharedWanted = '';

  const showMode = () => {
    sharedBox.hidden = mode.input.value !== 'shared-account';
    loginBox.hidden = mode.input.value !== 'device-login';
  };
  mode.input.addEventListener('change', showMode);
  found.input.addEventListener('change', () => {
    const d = discovered[Number(found.input.value)];
    if (!d) return;
    scanner.input.value = d.scannerUrl ?? '';
    fax.input.value = d.faxUrl ?? '';
    if (!name.input.value && d.name) name.input.value = d.name;
  });

  const fill = (d: DeviceSettings) => {
    if (d.name !== undefined) name.input.value = d.name;
    if (d.authMode) mode.input.value = d.authMode;
    sharedWanted = d.sharedUser?.id ?? '';
    shared.input.value = sharedWanted;
    if (d.scannerUrl !== undefined) scanner.input.value = d.scannerUrl ?? '';
    if (d.faxUrl !== undefined) fax.input.value = d.faxUrl ?? '';
    if (d.adminCredentialSet) adminPassword.input.placeholder = 'stored: leave empty to keep';
    showMode();
  };
  fill(initial);

  async function probe(): Promise<void> {
    show(probeOut, notice('info', 'Testing the connection…'));
    try {
      const result = await post(`${ctx.ent}/device-probe`, {
        scannerUrl: scanner.input.value.trim() || null,
        faxUrl: fax.input.value.trim() || null,
      });
      show(
        probeOut,
        h(
          'ul',
          { 'aria-label': 'Connection test result' },
          ...describeProbe(result).map((l) => h('li', {}, l)),
        ),
      );
    } catch (failure) {
      show(probeOut, notice('error', describeFailure(failure)));
    }
  }

  const element = h(
    'div',
    {},
    name.wrap,
    mode.wrap,
    sharedBox,
    loginBox,
    h(
      'fieldset',
      {},
      h('legend', {}, 'Scanner and fax'),
      found.wrap,
      scanner.wrap,
      fax.wrap,
      h('button', { type: 'button', onclick: () => void probe() }, 'Test connection'),
      probeOut,
    ),
  );

  void (async () => {
    try {
      const users = listItems<{ id: string; email: string; displayName?: string }>(
        await get(`${ctx.ent}/users`, { pageSize: 200 }),
      );
      shared.input.append(
        ...users.map((u) => h('option', { value: u.id }, `${u.displayName || u.email} <${u.email}>`)),
      );
      shared.input.value = sharedWanted;
    } catch {
      // The list stays empty; the API refuses a shared-account device without its account, with a clear code.
    }
  })();
  void (async () => {
    try {
      const answer = (await get<{ enabled?: boolean; devices?: Discovered[] }>(`${ctx.ent}/discovery`)) ?? {};
      discovered = listItems<Discovered>(answer);
      const none =
        answer.enabled === false
          ? 'Discovery is off on this edge: type the URLs'
          : 'None found: type the URLs';
      show(
        found.input,
        h('option', { value: '' }, discovered.length ? 'Choose a printer, or type the URLs' : none),
        ...discovered.map((d, i) =>
          h(
            'option',
            { value: String(i) },
            `${d.name ?? d.host ?? 'printer'}${d.host && d.name ? ` (${d.host})` : ''}`,
          ),
        ),
      );
    } catch {
      show(found.input, h('option', { value: '' }, 'Discovery is not available: type the URLs'));
    }
  })();

  return {
    element,
    fill,
    focusName: () => name.input.focus(),
    body() {
      const b: Record<string, unknown> = {
        name: name.input.value.trim(),
        authMode: mode.input.value,
        scannerUrl: scanner.input.value.trim() || null,
        faxUrl: fax.input.value.trim() || null,
      };
      if (mode.input.value === 'shared-account') b.sharedUserId = shared.input.value || null;
      if (mode.input.value === 'device-login' && adminPassword.input.value)
        b.adminCredential = { username: adminUser.input.value, password: adminPassword.input.value };
      return b;
    },
  };
}
