import { h } from '../dom.ts';
import { secondsLeft } from '../sign-in-text.ts';
import { t } from '../i18n/index.ts';

/** device-login: nothing to type here; the person signs in at the printer itself. */
export function waitingScreen(notice: string): HTMLElement {
  return h(
    'section',
    { class: 'notice waiting', 'aria-label': t('waiting.label') },
    h('h1', {}, t('waiting.title')),
    h('p', {}, t('waiting.text')),
    notice ? h('p', { class: 'notice-line', role: 'status' }, notice) : null,
  );
}

/** device-login: the person signed in at the printer cannot fax here (no account, disabled, …); the edge says why. */
export function personRefusedScreen(title: string, message: string): HTMLElement {
  return h(
    'section',
    { class: 'notice refusal', role: 'alert', 'aria-label': title },
    h('h1', {}, title),
    h('p', {}, message),
  );
}

export interface Countdown {
  show: (at: string) => void;
  hide: () => void;
  readonly shown: boolean;
}

/**
 * "Signing out in 10 s — touch to stay": a full-screen layer over whatever is showing, so the
 * first touch anywhere lands on it and keeps the session.
 */
export function createCountdown(parent: HTMLElement, onTouch: () => void): Countdown {
  const text = h('span', { class: 'countdown-text' });
  const layer = h(
    'div',
    { class: 'countdown', role: 'alertdialog', 'aria-label': t('countdown.label'), hidden: true },
    h('button', { type: 'button', class: 'countdown-button' }, text),
  );
  parent.appendChild(layer);
  let at: string | null = null;
  let timer: number | null = null;
  const tick = () => {
    if (at === null) return;
    const left = secondsLeft(at);
    text.textContent = left > 0 ? t('countdown.text', { seconds: left }) : t('countdown.now');
  };
  const stop = () => {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  };
  const countdown = {
    show(next: string) {
      at = next;
      tick();
      layer.hidden = false;
      stop();
      timer = window.setInterval(tick, 250);
    },
    hide() {
      at = null;
      stop();
      layer.hidden = true;
    },
    get shown() {
      return !layer.hidden;
    },
  };
  const touched = (event: Event) => {
    event.preventDefault();
    countdown.hide();
    onTouch();
  };
  layer.addEventListener('mousedown', touched);
  layer.addEventListener('touchstart', touched);
  layer.addEventListener('click', touched);
  return countdown;
}
