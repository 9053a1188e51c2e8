import { h } from '../dom.ts';

export function homeScreen(actions: {
  fax: () => void;
  recentJob: (() => void) | null;
  /** The signed-in person's name (device-login, user-prompt); null on a shared account. */
  userName: string | null;
}): HTMLElement {
  return h(
    'section',
    { class: 'home', 'aria-label': 'Home' },
    actions.userName
      ? h('p', { class: 'greeting' }, 'Signed in as ', h('strong', {}, actions.userName))
      : null,
    h(
      'div',
      { class: 'home-buttons' },
      h('button', { class: 'primary', type: 'button', onclick: actions.fax }, 'Fax'),
      actions.recentJob ? h('button', { type: 'button', onclick: actions.recentJob }, 'Last fax') : null,
    ),
  );
}
