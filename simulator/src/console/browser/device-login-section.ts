import { api, type DeviceLoginState } from './api.ts';
import { byId, h, replace, time } from './dom.ts';
import { attempt } from './notices.ts';

/** The MFP's own sign-in: who is at the device, and the badge/PIN actions a person would take. */
export function setUpDeviceLogin(): { refresh: () => Promise<void> } {
  const status = byId('login-status', HTMLElement);
  const people = byId('login-users', HTMLTableSectionElement);
  const signOut = byId('login-sign-out', HTMLButtonElement);
  const form = byId('login-form', HTMLFormElement);
  const method = byId('login-method', HTMLSelectElement);
  const secret = byId('login-secret', HTMLInputElement);
  const alert = byId('login-alert', HTMLElement);
  let shownUsers = '';

  const showSession = (state: Omit<DeviceLoginState, 'users'>) => {
    status.textContent =
      state.signedIn && state.user
        ? `Signed in: ${state.user.name} (${state.user.email}) since ${time(state.since)}`
        : 'No one is signed in at the device.';
    signOut.disabled = !state.signedIn;
  };

  const signIn = (credential: Record<string, string>) =>
    attempt(alert, async () => showSession(await api.putJson('/sim/api/device-login', credential)));

  const refresh = async () => {
    const state = await api.get<DeviceLoginState>('/sim/api/device-login');
    showSession(state);
    const key = JSON.stringify(state.users);
    if (key === shownUsers) return;
    shownUsers = key;
    replace(
      people,
      ...state.users.map((user) =>
        h(
          'tr',
          {},
          h('td', {}, user.name),
          h('td', {}, user.email),
          h('td', {}, user.card),
          h('td', {}, user.pin),
          h(
            'td',
            {},
            h(
              'button',
              { type: 'button', onclick: () => signIn({ card: user.card }) },
              `Sign in as ${user.name}`,
            ),
          ),
        ),
      ),
    );
  };

  signOut.addEventListener('click', () =>
    attempt(alert, async () => showSession(await api.delete('/sim/api/device-login'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn({ [method.value]: secret.value });
  });

  return { refresh };
}
