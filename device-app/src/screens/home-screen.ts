import { h } from '../dom.ts';

export function homeScreen(actions: { fax: () => void; recentJob: (() => void) | null }): HTMLElement {
  return h(
    'section',
    { class: 'home', 'aria-label': 'Home' },
    h('button', { class: 'primary', type: 'button', onclick: actions.fax }, 'Fax'),
    actions.recentJob ? h('button', { type: 'button', onclick: actions.recentJob }, 'Last fax') : null,
  );
}
