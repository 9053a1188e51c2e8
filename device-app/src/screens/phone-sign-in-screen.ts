import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { timeLeft } from './pairing-screen.ts';

/** "Sign in with your phone": the code to confirm on a phone, or how it ended. */
export type PhoneView =
  | { kind: 'phone-starting' }
  | {
      kind: 'phone';
      /** `XXXX-XXXX`. */
      userCode: string;
      qrPng: string;
      verificationUri: string;
      expiresAt: string;
    }
  | { kind: 'phone-ended'; reason: 'denied' | 'expired' | 'failed'; message: string };

export interface PhoneActions {
  /** A new code. */
  again: () => void;
  /** Back to the password form; null when this person's company signs in by phone only. */
  password: (() => void) | null;
  cancel: () => void;
}

function buttons(...items: (HTMLElement | null)[]): HTMLElement {
  return h('div', { class: 'actions' }, ...items);
}

function button(label: string, onClick: () => void, primary = false): HTMLElement {
  return h('button', { type: 'button', ...(primary ? { class: 'primary' } : {}), onclick: onClick }, label);
}

/**
 * The QR code of the phone's page and the code, large, with the time left: the person scans it,
 * signs in on the phone (their company's sign-in and its MFA, or password + code) and confirms;
 * the edge tells the panel within a second. The countdown stops by itself once replaced.
 */
export function phoneScreen(view: PhoneView, actions: PhoneActions): HTMLElement {
  if (view.kind === 'phone-starting')
    return h(
      'section',
      { class: 'notice phone', 'aria-label': t('phone.label') },
      h('h1', {}, t('phone.title')),
      h('p', { role: 'status' }, t('phone.starting')),
    );
  if (view.kind === 'phone-ended') {
    const title =
      view.reason === 'denied'
        ? t('phone.denied.title')
        : view.reason === 'expired'
          ? t('phone.expired.title')
          : t('phone.failed.title');
    const text =
      view.reason === 'denied'
        ? t('phone.denied.text')
        : view.reason === 'expired'
          ? t('phone.expired.text')
          : view.message;
    return h(
      'section',
      { class: 'notice refusal', role: 'alert', 'aria-label': title },
      h('h1', {}, title),
      h('p', {}, text),
      buttons(
        actions.password ? button(t('phone.usePassword'), actions.password) : null,
        button(t('phone.again'), actions.again, true),
      ),
    );
  }
  const countdown = h('span', { class: 'pairing-countdown' }, timeLeft(view.expiresAt, Date.now()));
  const timer = window.setInterval(() => {
    if (!countdown.isConnected) return window.clearInterval(timer);
    countdown.textContent = timeLeft(view.expiresAt, Date.now());
  }, 1000);
  return h(
    'section',
    { class: 'pairing phone', 'aria-labelledby': 'phone-heading' },
    h(
      'div',
      { class: 'pairing-text' },
      h('h1', { id: 'phone-heading' }, t('phone.title')),
      h('p', {}, t('phone.instructions', { url: view.verificationUri })),
      h('p', { class: 'pairing-code', 'aria-label': t('phone.codeLabel') }, view.userCode),
      h(
        'p',
        { class: 'pairing-expiry', role: 'timer', 'aria-label': t('phone.expiresIn') },
        t('phone.expiresIn') + ' ',
        countdown,
      ),
      buttons(
        button(t('common.cancel'), actions.cancel),
        actions.password ? button(t('phone.usePassword'), actions.password) : null,
      ),
    ),
    h('img', { class: 'qr', src: view.qrPng, width: 200, height: 200, alt: t('phone.qrAlt') }),
  );
}
