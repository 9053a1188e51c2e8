/*
 * Users: filters (role, service, locked), search, pagination; create or invite, edit, bulk edit
 * of the selected rows (language, time zone, fax on/off), unlock, reset 2FA, disable, delete
 * (confirmed); exports of the filtered list as CSV and Excel.
 */
import { del, describeFailure, patch, post } from './api.ts';
import type { PageContext } from './context.ts';
import { checkbox, confirmAction, field, h, notice, select, show } from './dom.ts';
import { createListing, type Listing } from './listing.ts';

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  role: string;
  language?: string;
  timeZone?: string;
  locked?: boolean;
  lockedAt?: string | null;
  lockedUntil?: string | null;
  disabled?: boolean;
  disabledAt?: string | null;
  twoFactorEnrolled?: boolean;
  twoFactorExcluded?: boolean;
  faxEnabled?: boolean;
  mustChangePassword?: boolean;
  passwordNeverExpires?: boolean;
  builtinPasswordDisabled?: boolean;
  hasPassword?: boolean;
  lastSignInAt?: string | null;
}

const ROLES = [
  ['user', 'User'],
  ['admin', 'Administrator'],
] as const;
const LANGUAGES = [
  ['en', 'English'],
  ['fr', 'Français'],
  ['de', 'Deutsch'],
] as const;

const isLocked = (u: UserView) => u.locked ?? Boolean(u.lockedAt);
const isDisabled = (u: UserView) => u.disabled ?? Boolean(u.disabledAt);

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return (
    intl.supportedValuesOf?.('timeZone') ?? [
      'UTC',
      'Europe/Paris',
      'Europe/Berlin',
      'Europe/London',
      'America/New_York',
    ]
  );
}

function timeZoneField(value: string, allowEmpty = false): { wrap: HTMLElement; input: HTMLSelectElement } {
  const zones = timeZones();
  const options: [string, string][] = [
    ...(allowEmpty ? [['', 'Keep as is'] as [string, string]] : []),
    ...zones.map((z) => [z, z] as [string, string]),
  ];
  if (value && !zones.includes(value)) options.push([value, value]);
  return select(
    'Time zone',
    'timeZone',
    options,
    value,
    'Times in mails and at the panel are shown in this zone.',
  );
}

function tags(u: UserView): HTMLElement {
  const list: string[] = [];
  if (isLocked(u)) list.push('Locked');
  if (isDisabled(u)) list.push('Disabled');
  if (u.faxEnabled === false) list.push('Fax off');
  if (u.twoFactorEnrolled) list.push('2FA');
  return h(
    'span',
    { class: 'tags' },
    ...list.map((t) => h('span', { class: `tag tag-${t.toLowerCase().replace(/\W+/g, '-')}` }, t)),
  );
}

export function renderUsers(main: HTMLElement, ctx: PageContext): void {
  const messages = h('div', { class: 'errors', 'aria-live': 'polite' });
  const side = h('div', { class: 'side' });
  const say = (kind: 'ok' | 'error', text: string) => show(messages, notice(kind, text));
  const failed = (failure: unknown) => say('error', describeFailure(failure));
  const base = `${ctx.ent}/users`;

  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      say('ok', done);
      await listing.refresh();
    } catch (failure) {
      failed(failure);
    }
  };

  const actions = (u: UserView): HTMLElement => {
    const id = encodeURIComponent(u.id);
    const b = (label: string, onclick: () => void, danger = false) =>
      h(
        'button',
        { type: 'button', class: danger ? 'danger' : null, 'aria-label': `${label} ${u.email}`, onclick },
        label,
      );
    return h(
      'span',
      { class: 'row-actions' },
      b('Edit', () => editForm(u)),
      u.hasPassword === false && !u.builtinPasswordDisabled && !isDisabled(u)
        ? b(
            'Invite',
            () =>
              void act(() => post(`${base}/${id}/invite`, {}), `An invitation is on its way to ${u.email}.`),
          )
        : null,
      isLocked(u)
        ? b('Unlock', () => void act(() => post(`${base}/${id}/unlock`, {}), `${u.email} is unlocked.`))
        : null,
      u.twoFactorEnrolled !== false
        ? b(
            'Reset 2FA',
            () =>
              void confirmThen(
                `Reset two-factor authentication of ${u.email}?`,
                'They enrol an authenticator app again at their next sign-in; their recovery codes stop working.',
                'Reset 2FA',
                () => post(`${base}/${id}/reset-2fa`, {}),
                `2FA of ${u.email} is reset.`,
              ),
          )
        : null,
      isDisabled(u)
        ? b(
            'Enable',
            () => void act(() => patch(`${base}/${id}`, { disabled: false }), `${u.email} is enabled.`),
          )
        : b(
            'Disable',
            () =>
              void confirmThen(
                `Disable ${u.email}?`,
                'They are signed out everywhere and cannot sign in until enabled again.',
                'Disable user',
                () => patch(`${base}/${id}`, { disabled: true }),
                `${u.email} is disabled.`,
              ),
          ),
      b(
        'Delete',
        () =>
          void confirmThen(
            `Delete ${u.email}?`,
            'The account is removed; their past jobs stay in the reports. This cannot be undone.',
            'Delete user',
            () => del(`${base}/${id}`),
            `${u.email} is deleted.`,
          ),
        true,
      ),
    );
  };

  async function confirmThen(
    title: string,
    text: string,
    label: string,
    what: () => Promise<unknown>,
    done: string,
  ) {
    if (await confirmAction(title, text, label)) await act(what, done);
  }

  const search = field('Search', 'q', { type: 'search', placeholder: 'Name or email' });
  const role = select('Role', 'role', [['', 'Any role'], ...ROLES]);
  const service = select('Service', 'service', [
    ['', 'Any service'],
    ['fax', 'Fax on'],
    ['no-fax', 'Fax off'],
  ]);
  const locked = checkbox('Locked only', 'locked');
  locked.input.value = 'true';

  const listing: Listing<UserView> = createListing<UserView>({
    caption: 'Users',
    path: base,
    exportPath: `${base}/export`,
    exportName: 'users',
    filters: [search.wrap, role.wrap, service.wrap, locked.wrap],
    selectable: (u) => u.email,
    columns: [
      { header: 'Email', cell: (u) => u.email, rowHeader: true },
      { header: 'Name', cell: (u) => u.displayName },
      { header: 'Role', cell: (u) => u.role },
      { header: 'Language', cell: (u) => u.language ?? '' },
      { header: 'Time zone', cell: (u) => u.timeZone ?? '' },
      { header: 'Status', cell: (u) => tags(u) },
      { header: 'Actions', cell: (u) => actions(u) },
    ],
  });

  function userForm(u: UserView | null): HTMLElement {
    const email = field('Email', 'email', {
      type: 'email',
      required: true,
      value: u?.email ?? '',
      maxlength: 254,
    });
    if (u) email.input.readOnly = true;
    const name = field('Name', 'displayName', {
      required: true,
      value: u?.displayName ?? '',
      maxlength: 200,
    });
    const r = select('Role', 'role', ROLES, u?.role ?? 'user');
    const lang = select(
      'Language',
      'language',
      LANGUAGES,
      u?.language ?? 'en',
      'Of the mails and the panel.',
    );
    const tz = timeZoneField(u?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC');
    const must = checkbox(
      'Must change password at next sign-in',
      'mustChangePassword',
      u?.mustChangePassword ?? false,
    );
    const never = checkbox(
      'Password never expires',
      'passwordNeverExpires',
      u?.passwordNeverExpires ?? false,
      'Exempt from the password expiry of the policy.',
    );
    const noPw = checkbox(
      'Built-in password disabled',
      'builtinPasswordDisabled',
      u?.builtinPasswordDisabled ?? false,
      'Signs in only with company sign-in (SSO) or at the printer; no password reset.',
    );
    const no2fa = checkbox(
      'Exclude from two-factor authentication',
      'twoFactorExcluded',
      u?.twoFactorExcluded ?? false,
      'Not asked to enrol when 2FA is mandatory. Not possible for administrators.',
    );
    const faxOn = checkbox('Fax service', 'faxEnabled', u?.faxEnabled ?? true, 'May send faxes.');
    const password = u
      ? null
      : field('Initial password', 'password', {
          type: 'password',
          autocomplete: 'new-password',
          help: 'Leave empty and send an invitation instead: the person chooses their own password.',
        });
    const invite = u
      ? null
      : checkbox(
          'Send an invitation email',
          'invite',
          true,
          'A link valid as long as the policy says (invitation link validity).',
        );
    const error = h('div', { class: 'errors' });
    const form = h(
      'form',
      { class: 'card', 'aria-label': u ? `Edit ${u.email}` : 'New user' },
      h('h2', {}, u ? `Edit ${u.email}` : 'New user'),
      email.wrap,
      name.wrap,
      r.wrap,
      lang.wrap,
      tz.wrap,
      must.wrap,
      never.wrap,
      noPw.wrap,
      no2fa.wrap,
      faxOn.wrap,
      password?.wrap,
      invite?.wrap,
      error,
      h('button', { type: 'submit' }, u ? 'Save user' : 'Create user'),
      ' ',
      h('button', { type: 'button', onclick: () => show(side) }, 'Cancel'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body: Record<string, unknown> = {
        displayName: name.input.value.trim(),
        role: r.input.value,
        language: lang.input.value,
        timeZone: tz.input.value,
        mustChangePassword: must.input.checked,
        passwordNeverExpires: never.input.checked,
        builtinPasswordDisabled: noPw.input.checked,
        twoFactorExcluded: no2fa.input.checked,
        faxEnabled: faxOn.input.checked,
      };
      if (!u) {
        body.email = email.input.value.trim();
        // An initial password, or an invitation (the person chooses it), or neither (SSO / device login only).
        if (password?.input.value) body.password = password.input.value;
        body.invite = !password?.input.value && !noPw.input.checked && (invite?.input.checked ?? false);
      }
      void (async () => {
        try {
          if (u) await patch(`${base}/${encodeURIComponent(u.id)}`, body);
          else await post(base, body);
          show(side);
          say(
            'ok',
            u
              ? `${u.email} is saved.`
              : `${String(body.email)} is created${body.invite ? ' and invited' : ''}.`,
          );
          await listing.refresh();
        } catch (failure) {
          show(error, notice('error', describeFailure(failure)));
        }
      })();
    });
    return form;
  }

  function editForm(u: UserView): void {
    show(side, userForm(u));
    side.querySelector('input:not([readonly])')?.dispatchEvent(new Event('focus'));
  }

  function bulkForm(): void {
    const chosen = listing.selected();
    if (chosen.length === 0) {
      say('error', 'Select the users to change first (the checkbox of each row).');
      return;
    }
    const lang = select('Language', 'language', [['', 'Keep as is'], ...LANGUAGES]);
    const tz = timeZoneField('', true);
    const fax = select('Fax service', 'faxEnabled', [
      ['', 'Keep as is'],
      ['true', 'On'],
      ['false', 'Off'],
    ]);
    const error = h('div', { class: 'errors' });
    const form = h(
      'form',
      { class: 'card', 'aria-label': 'Change the selected users' },
      h('h2', {}, `Change ${chosen.length} selected user${chosen.length === 1 ? '' : 's'}`),
      lang.wrap,
      tz.wrap,
      fax.wrap,
      error,
      h('button', { type: 'submit' }, 'Apply to selected users'),
      ' ',
      h('button', { type: 'button', onclick: () => show(side) }, 'Cancel'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const changes: Record<string, unknown> = {};
      if (lang.input.value) changes.language = lang.input.value;
      if (tz.input.value) changes.timeZone = tz.input.value;
      if (fax.input.value) changes.faxEnabled = fax.input.value === 'true';
      void (async () => {
        try {
          await post(`${base}/bulk`, { ids: chosen.map((u) => u.id), set: changes });
          show(side);
          say('ok', `${chosen.length} user${chosen.length === 1 ? '' : 's'} changed.`);
          await listing.refresh();
        } catch (failure) {
          show(error, notice('error', describeFailure(failure)));
        }
      })();
    });
    show(side, form);
  }

  show(
    main,
    h('h1', {}, 'Users'),
    h(
      'p',
      { class: 'toolbar' },
      h('button', { type: 'button', onclick: () => show(side, userForm(null)) }, 'New user'),
      ' ',
      h('button', { type: 'button', onclick: bulkForm }, 'Change selected users'),
    ),
    messages,
    side,
    listing.element,
  );
  void listing.refresh();
}
