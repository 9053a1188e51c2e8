import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';

export interface PairingView {
  kind: 'pairing';
  /** `XXXX-XXXX`. */
  userCode: string;
  qrPng: string;
  expiresAt: string;
  /** Why the panel is here again (revoked, code expired), or ''. */
  notice: string;
}

/** "9:41" for the time left until `expiresAt`; "0:00" once it passed. */
export function timeLeft(expiresAt: string, now: number): string {
  const seconds = Math.max(0, Math.ceil((Date.parse(expiresAt) - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * What a panel with no device credential shows (DESIGN.md §2): the code large, the QR code of the
 * console's approve page, and the time left. The countdown ticks while the screen is shown and
 * stops by itself once it is replaced.
 */
export function pairingScreen(view: PairingView): HTMLElement {
  const countdown = h('span', { class: 'pairing-countdown' }, timeLeft(view.expiresAt, Date.now()));
  const timer = window.setInterval(() => {
    if (!countdown.isConnected) return window.clearInterval(timer);
    countdown.textContent = timeLeft(view.expiresAt, Date.now());
  }, 1000);
  return h(
    'section',
    { class: 'pairing', 'aria-labelledby': 'pairing-heading' },
    h(
      'div',
      { class: 'pairing-text' },
      h('h1', { id: 'pairing-heading' }, t('pairing.title')),
      view.notice ? h('p', { class: 'notice-line', role: 'status' }, view.notice) : null,
      h('p', { class: 'pairing-code', 'aria-label': t('pairing.codeLabel') }, view.userCode),
      h('p', {}, t('pairing.instructions')),
      h(
        'p',
        { class: 'pairing-expiry', role: 'timer', 'aria-label': t('pairing.expiresIn') },
        t('pairing.expiresIn') + ' ',
        countdown,
      ),
    ),
    h('img', {
      class: 'qr',
      src: view.qrPng,
      width: 200,
      height: 200,
      alt: t('pairing.qrAlt'),
    }),
  );
}
