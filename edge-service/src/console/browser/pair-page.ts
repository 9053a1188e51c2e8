/*
 * Pair a printer: the code its panel shows (or filled in from the panel's QR code,
 * #/pair?code=XXXXXXXX), a name, the auth mode (shared account picked from the users; device
 * login with the printer's admin credential), scanner and fax URLs offered from discovery or typed,
 * a connection test (probe) that says what was found or why not, and Approve.
 */
import { describeFailure, get, post } from './api.ts';
import type { PageContext } from './context.ts';
import { field, h, notice, select, show } from './dom.ts';
import { AUTH_MODES } from './devices-page.ts';
import { listItems } from './listing.ts';

interface Discovered {
  name?: string;
  host?: string;
  scannerUrl?: string | null;
  faxUrl?: string | null;
}

interface UserOption {
  id: string;
  email: string;
  displayName?: string;
}

/** `WDJBMJHT` / `wdjb-mjht` → `WDJB-MJHT` (what the panel shows). */
export function formatCode(raw: string): string {
  const c = raw.toUpperCase().replace(/[^A-Z]/g, '');
  return c.length > 4 ? `${c.slice(0, 4)}-${c.slice(4, 8)}` : c;
}

interface ProbePart {
  ok: boolean;
  message?: string;
  makeAndModel?: string | null;
  state?: string | null;
  adfLoaded?: boolean | null;
  sources?: { kind: string; resolutions?: number[]; colorModes?: string[]; duplex?: boolean }[];
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

export function renderPair(main: HTMLElement, ctx: PageContext, params: URLSearchParams): void {
  const reDevice = params.get('device');
  const code = field('Pairing code', 'code', {
    value: formatCode(params.get('code') ?? ''),
    required: true,
    autocomplete: 'off',
    maxlength: 9,
    help: 'The 8 letters the printer panel shows, such as WDJB-MJHT. A code is valid for 10 minutes and works once.',
  });
  code.input.addEventListener('change', () => {
    code.input.value = formatCode(code.input.value);
    void checkCode();
  });
  const codeState = h('div', { 'aria-live': 'polite' });
  const name = field('Device name', 'name', {
    required: true,
    maxlength: 100,
    help: 'How people and reports will call this printer, e.g. "2nd floor east".',
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
    type: 'url',
    placeholder: 'http://printer.local/eSCL',
    help: 'The root of the eSCL scanner service.',
  });
  const fax = field('Fax URL (IPP FaxOut)', 'faxUrl', {
    type: 'url',
    placeholder: 'ipp://printer.local/ipp/faxout',
    help: 'The IPP FaxOut printer URI.',
  });
  scanner.input.type = 'text';
  fax.input.type = 'text';
  const found = select('Printers found on the network', 'discovered', [['', 'Searching…']], '');
  const probeOut = h('div', { 'aria-live': 'polite', class: 'probe' });
  const error = h('div', { class: 'errors' });
  let discovered: Discovered[] = [];

  const showMode = () => {
    sharedBox.hidden = mode.input.value !== 'shared-account';
    loginBox.hidden = mode.input.value !== 'device-login';
  };
  mode.input.addEventListener('change', showMode);
  showMode();
  found.input.addEventListener('change', () => {
    const d = discovered[Number(found.input.value)];
    if (!d) return;
    scanner.input.value = d.scannerUrl ?? '';
    fax.input.value = d.faxUrl ?? '';
    if (!name.input.value && d.name) name.input.value = d.name;
  });

  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'pair-title' },
    code.wrap,
    codeState,
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
    error,
    h('button', { type: 'submit' }, 'Approve'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void approve();
  });
  show(
    main,
    h('h1', { id: 'pair-title' }, reDevice ? 'Re-pair a printer' : 'Pair a printer'),
    h(
      'p',
      {},
      reDevice
        ? 'The printer keeps its name and history; its panel shows a new code once its old credential is dropped.'
        : 'The printer panel shows a pairing code when it has no credential. Enter it here, or scan the QR code next to it.',
    ),
    form,
  );

  function body(): Record<string, unknown> {
    const b: Record<string, unknown> = {
      name: name.input.value.trim(),
      authMode: mode.input.value,
      scannerUrl: scanner.input.value.trim() || null,
      faxUrl: fax.input.value.trim() || null,
    };
    if (mode.input.value === 'shared-account') b.sharedUserId = shared.input.value || null;
    if (mode.input.value === 'device-login')
      b.adminCredential = { username: adminUser.input.value, password: adminPassword.input.value };
    if (reDevice) b.deviceId = reDevice;
    return b;
  }

  async function checkCode(): Promise<void> {
    const c = code.input.value.replace(/-/g, '');
    if (c.length !== 8) return show(codeState);
    try {
      await get(`${ctx.ent}/pairings/${encodeURIComponent(c)}`);
      show(codeState, notice('ok', 'A printer is waiting with this code.'));
    } catch (failure) {
      show(codeState, notice('error', describeFailure(failure)));
    }
  }

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

  async function approve(): Promise<void> {
    show(error);
    const c = code.input.value.replace(/-/g, '').toUpperCase();
    try {
      await post(`${ctx.ent}/pairings/${encodeURIComponent(c)}/approve`, body());
      ctx.go('#/devices');
    } catch (failure) {
      show(error, notice('error', describeFailure(failure)));
    }
  }

  void (async () => {
    try {
      const users = listItems<UserOption>(await get(`${ctx.ent}/users`, { limit: 200 }));
      show(
        shared.input,
        h('option', { value: '' }, 'Choose a user…'),
        ...users.map((u) => h('option', { value: u.id }, `${u.displayName || u.email} <${u.email}>`)),
      );
    } catch {
      // The list stays empty; the API refuses an approval without a shared account with a clear code.
    }
  })();
  void (async () => {
    try {
      discovered = listItems<Discovered>(await get(`${ctx.ent}/discovery`));
      show(
        found.input,
        h(
          'option',
          { value: '' },
          discovered.length ? 'Choose a printer, or type the URLs' : 'None found: type the URLs',
        ),
        ...discovered.map((d, i) =>
          h('option', { value: String(i) }, d.name ?? d.host ?? d.scannerUrl ?? d.faxUrl ?? 'printer'),
        ),
      );
    } catch {
      show(found.input, h('option', { value: '' }, 'Discovery is not available: type the URLs'));
    }
  })();
  if (code.input.value) void checkCode();
  (code.input.value ? name.input : code.input).focus();
}
