/*
 * Pair a printer: the code its panel shows (or filled in from the panel's QR code,
 * #/pair?code=XXXXXXXX), the device's settings, a connection test, and Approve. With
 * `?device=ID` it re-pairs that device: same record and history, a new credential.
 */
import { describeFailure, get, post } from './api.ts';
import type { PageContext } from './context.ts';
import { deviceFields, type DeviceSettings } from './device-fields.ts';
import { field, h, notice, show } from './dom.ts';

/** `WDJBMJHT` / `wdjb-mjht` → `WDJB-MJHT` (what the panel shows). */
export function formatCode(raw: string): string {
  const c = raw.toUpperCase().replace(/[^A-Z]/g, '');
  return c.length > 4 ? `${c.slice(0, 4)}-${c.slice(4, 8)}` : c;
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
  const codeState = h('div', { 'aria-live': 'polite' });
  code.input.addEventListener('change', () => {
    code.input.value = formatCode(code.input.value);
    void checkCode();
  });
  const settings = deviceFields(ctx);
  const error = h('div', { class: 'errors' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'pair-title' },
    code.wrap,
    codeState,
    settings.element,
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
        ? 'Enter the code the printer panel shows now: the device keeps its name and history, gets a new credential, and its old credential is refused from then on.'
        : 'A printer panel with no credential shows a pairing code. Enter it here, or scan the QR code next to it.',
    ),
    form,
  );

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

  async function approve(): Promise<void> {
    show(error);
    const c = code.input.value.replace(/-/g, '').toUpperCase();
    try {
      await post(`${ctx.ent}/pairings/${encodeURIComponent(c)}/approve`, {
        ...settings.body(),
        ...(reDevice ? { deviceId: reDevice } : {}),
      });
      ctx.go('#/devices');
    } catch (failure) {
      show(error, notice('error', describeFailure(failure)));
    }
  }

  if (reDevice)
    void get<DeviceSettings>(`${ctx.ent}/devices/${encodeURIComponent(reDevice)}`)
      .then((d) => settings.fill(d))
      .catch((failure: unknown) => show(error, notice('error', describeFailure(failure))));
  if (code.input.value) void checkCode();
  if (code.input.value) settings.focusName();
  else code.input.focus();
}
