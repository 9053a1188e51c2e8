import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';

export function homeScreen(actions: {
  fax: () => void;
  recentJob: (() => void) | null;
  /** "My recent jobs": the person's (or the shared account's) last faxes. */
  recentJobs: () => void;
  /** The signed-in person's name (device-login, user-prompt); null on a shared account. */
  userName: string | null;
}): HTMLElement {
  return h(
    'section',
    { class: 'home', 'aria-label': t('home.label') },
    actions.userName
      ? h('p', { class: 'greeting' }, t('home.signedInAs') + ' ', h('strong', {}, actions.userName))
      : null,
    h(
      'div',
      { class: 'home-buttons' },
      h('button', { class: 'primary', type: 'button', onclick: actions.fax }, t('home.fax')),
      actions.recentJob
        ? h('button', { type: 'button', onclick: actions.recentJob }, t('home.lastFax'))
        : null,
      h('button', { type: 'button', onclick: actions.recentJobs }, t('home.recentJobs')),
    ),
  );
}
