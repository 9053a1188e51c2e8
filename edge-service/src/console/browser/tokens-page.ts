/* API tokens: create (name, expiry) with the token shown once, list, revoke. */
import { del, describeFailure, get, post } from './api.ts';
import type { PageContext } from './context.ts';
import { confirmAction, field, h, notice, show, when } from './dom.ts';
import { listItems } from './listing.ts';

interface TokenView {
  id: string;
  name: string;
  createdAt?: string;
  expiresAt?: string | null;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

export function renderTokens(main: HTMLElement, _ctx: PageContext): void {
  const messages = h('div', { class: 'errors', 'aria-live': 'polite' });
  const created = h('div', {});
  const list = h('div', {});
  const name = field('Token name', 'name', {
    required: true,
    maxlength: 100,
    help: 'What the token is for, e.g. "nightly user sync".',
  });
  const days = field('Expires after (days)', 'expiresInDays', {
    type: 'number',
    min: 1,
    max: 365,
    value: '30',
    required: true,
    help: '1 to 365 days.',
  });
  const form = h(
    'form',
    { class: 'card', 'aria-label': 'New API token' },
    name.wrap,
    days.wrap,
    h('button', { type: 'submit' }, 'Create token'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const t = await post<TokenView & { token: string }>('/tokens', {
          name: name.input.value.trim(),
          expiresInDays: Number(days.input.value),
        });
        show(
          created,
          h(
            'div',
            { class: 'notice ok', role: 'status' },
            h('p', {}, `Token “${t.name}” created. Copy it now: it is shown only once.`),
            h('p', {}, h('code', { class: 'token', 'aria-label': 'New API token value' }, t.token)),
            h('p', { class: 'help' }, 'Send it as Authorization: Bearer <token>.'),
          ),
        );
        name.input.value = '';
        await refresh();
      } catch (failure) {
        show(messages, notice('error', describeFailure(failure)));
      }
    })();
  });

  async function refresh(): Promise<void> {
    try {
      const tokens = listItems<TokenView>(await get('/tokens')).filter((t) => !t.revokedAt);
      show(
        list,
        tokens.length === 0
          ? h('p', {}, 'You have no API token.')
          : h(
              'table',
              {},
              h('caption', {}, 'Your API tokens'),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...['Name', 'Created', 'Expires', 'Last used', 'Actions'].map((t) =>
                    h('th', { scope: 'col' }, t),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                ...tokens.map((t) =>
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'row' }, t.name),
                    h('td', {}, when(t.createdAt)),
                    h('td', {}, when(t.expiresAt)),
                    h('td', {}, when(t.lastUsedAt)),
                    h(
                      'td',
                      {},
                      h(
                        'button',
                        {
                          type: 'button',
                          class: 'danger',
                          'aria-label': `Revoke ${t.name}`,
                          onclick: () => void revoke(t),
                        },
                        'Revoke',
                      ),
                    ),
                  ),
                ),
              ),
            ),
      );
    } catch (failure) {
      show(messages, notice('error', describeFailure(failure)));
    }
  }

  async function revoke(t: TokenView): Promise<void> {
    if (!(await confirmAction(`Revoke ${t.name}?`, 'Scripts using it are refused at once.', 'Revoke token')))
      return;
    try {
      await del(`/tokens/${encodeURIComponent(t.id)}`);
      show(messages, notice('ok', `${t.name} is revoked.`));
      await refresh();
    } catch (failure) {
      show(messages, notice('error', describeFailure(failure)));
    }
  }

  show(
    main,
    h('h1', {}, 'API tokens'),
    h('p', {}, 'Personal tokens for scripts calling /api/v1 with your rights.'),
    messages,
    form,
    created,
    list,
  );
  void refresh();
}
