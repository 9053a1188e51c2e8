import { h } from '../dom.ts';

/** A full-screen message: not paired, revoked, cannot reach the edge. */
export function noticeScreen(title: string, text: string): HTMLElement {
  return h(
    'section',
    { class: 'notice', role: 'alert', 'aria-label': title },
    h('h1', {}, title),
    h('p', {}, text),
  );
}
