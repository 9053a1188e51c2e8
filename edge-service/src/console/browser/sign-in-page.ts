/*
 * Sign-in: email and password, then what the account needs — a TOTP or recovery code, a new
 * password (with the rules), or 2FA enrolment (QR image, key, code) with the recovery codes shown
 * once. Each step answers with the next; `done` ends at the console.
 */
import { describeFailure, get, post } from './api.ts';
import { field, h, notice, show } from './dom.ts';
import type { SignInStep } from './session.ts';

export function renderSignIn(main: HTMLElement, onSignedIn: () => void, message?: string): void {
  const error = h('div', { class: 'errors' });
  const email = field('Email', 'email', { type: 'email', required: true, autocomplete: 'username' });
  const password = field('Password', 'password', {
    type: 'password',
    required: true,
    autocomplete: 'current-password',
  });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'sign-in-title' },
    email.wrap,
    password.wrap,
    error,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  onSubmit(
    form,
    error,
    '/session/password',
    () => ({
      email: email.input.value.trim(),
      password: password.input.value,
    }),
    (step) => next(main, step, onSignedIn),
  );
  const company = h('div', { class: 'company-sign-in' });
  show(
    main,
    h('h1', { id: 'sign-in-title' }, 'Sign in to the console'),
    message ? notice('info', message) : null,
    form,
    company,
  );
  email.input.focus();
  // Enterprises with company sign-in (SSO) get a button each: their IdP, their MFA.
  void get<{ items: { enterprise: { name: string }; startUrl: string }[] }>('/sso/sign-in-options')
    .then(({ items }) => {
      const label = (name: string) =>
        items.length === 1 ? 'Sign in with your company' : `Sign in with your company (${name})`;
      show(
        company,
        ...items.map((item) =>
          h(
            'a',
            { class: 'button', href: `${item.startUrl}&return=%2Fadmin%2F` },
            label(item.enterprise.name),
          ),
        ),
      );
    })
    .catch(() => undefined);
}

/**
 * On submit, posts the step's `body()` to `path` with the form disabled and hands the answered step
 * to `then`; errors shown in `error`. `refuse` may stop the post first with a message (a check the
 * browser can make itself).
 */
function onSubmit(
  form: HTMLFormElement,
  error: HTMLElement,
  path: string,
  body: () => object,
  then: (step: SignInStep) => void,
  refuse: () => string | null = () => null,
): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const refusal = refuse();
      if (refusal !== null) return show(error, notice('error', refusal));
      const button = form.querySelector('button[type="submit"]') as HTMLButtonElement | null;
      if (button) button.disabled = true;
      show(error);
      try {
        then(await post<SignInStep>(path, body()));
      } catch (failure) {
        show(error, notice('error', describeFailure(failure)));
      } finally {
        if (button) button.disabled = false;
      }
    })();
  });
}

function next(main: HTMLElement, step: SignInStep, onSignedIn: () => void): void {
  switch (step.step) {
    case 'totp':
      return totpStep(main, step, onSignedIn);
    case 'change-password':
      return passwordStep(main, step, onSignedIn);
    case 'enrol-2fa':
      return enrolStep(main, step, onSignedIn);
    case 'done':
      if (step.recoveryCodes && step.recoveryCodes.length > 0)
        return recoveryCodes(main, step.recoveryCodes, onSignedIn);
      return onSignedIn();
  }
}

function totpStep(main: HTMLElement, step: SignInStep, onSignedIn: () => void): void {
  const error = h('div', { class: 'errors' });
  const code = field('Code from your authenticator app', 'code', {
    required: true,
    autocomplete: 'one-time-code',
    inputmode: 'text',
    maxlength: 32,
    help: 'The 6-digit code your app shows now, or one of your recovery codes.',
  });
  const form = h('form', { class: 'card' }, code.wrap, error, h('button', { type: 'submit' }, 'Verify'));
  onSubmit(
    form,
    error,
    '/session/totp',
    () => ({
      stepToken: step.stepToken,
      code: code.input.value.trim(),
    }),
    (s) => next(main, s, onSignedIn),
  );
  show(main, h('h1', {}, 'Two-factor authentication'), form);
  code.input.focus();
}

function passwordStep(main: HTMLElement, step: SignInStep, onSignedIn: () => void): void {
  const error = h('div', { class: 'errors' });
  const password = field('New password', 'new-password', {
    type: 'password',
    required: true,
    autocomplete: 'new-password',
  });
  const confirm = field('Repeat the new password', 'confirm', {
    type: 'password',
    required: true,
    autocomplete: 'new-password',
  });
  type Rule = { rule: string; ok: boolean | null; message: string };
  const list = h('ul', { 'aria-label': 'Your password needs', class: 'rules' });
  const drawRules = (rules: Rule[]) =>
    show(
      list,
      ...rules.map((r) =>
        h(
          'li',
          { 'data-rule': r.rule, 'data-ok': String(r.ok) },
          r.ok === true ? 'Met: ' : r.ok === false ? 'Not met: ' : 'Checked when you save: ',
          r.message,
        ),
      ),
    );
  // The rules of the enterprise against what is typed, as one types (the server checks again).
  let asked = 0;
  const checkRules = async () => {
    const mine = ++asked;
    try {
      const answer = await post<{ rules: Rule[] }>('/session/password-rules', {
        stepToken: step.stepToken,
        password: password.input.value,
      });
      if (mine === asked) drawRules(answer.rules);
    } catch {
      // The rules stay as they were; the change itself reports what is wrong.
    }
  };
  password.input.addEventListener('input', () => void checkRules());
  void checkRules();
  const form = h(
    'form',
    { class: 'card' },
    list,
    password.wrap,
    confirm.wrap,
    error,
    h('button', { type: 'submit' }, 'Change password'),
  );
  onSubmit(
    form,
    error,
    '/session/change-password',
    () => ({ stepToken: step.stepToken, password: password.input.value }),
    (s) => next(main, s, onSignedIn),
    () => (password.input.value !== confirm.input.value ? 'The passwords are not the same.' : null),
  );
  show(
    main,
    h('h1', {}, 'Choose a new password'),
    notice(
      'info',
      step.reason === 'expired'
        ? 'Your password has expired: choose a new one to continue.'
        : 'You must change your password before you continue.',
    ),
    form,
  );
  password.input.focus();
}

function enrolStep(main: HTMLElement, step: SignInStep, onSignedIn: () => void): void {
  const error = h('div', { class: 'errors' });
  const code = field('Code from your authenticator app', 'code', {
    required: true,
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    maxlength: 8,
  });
  const key = (step.secret ?? '').replace(/(.{4})/g, '$1 ').trim();
  const form = h(
    'form',
    { class: 'card' },
    code.wrap,
    error,
    h('button', { type: 'submit' }, 'Turn on two-factor authentication'),
  );
  onSubmit(
    form,
    error,
    '/session/enrol-2fa',
    () => ({
      stepToken: step.stepToken,
      code: code.input.value.trim(),
    }),
    (s) => next(main, s, onSignedIn),
  );
  show(
    main,
    h('h1', {}, 'Set up two-factor authentication'),
    h(
      'p',
      {},
      'Administrators must use two-factor authentication. Scan this code with your authenticator app, or type the key, then enter the code it shows.',
    ),
    step.qrPng
      ? h('img', {
          src: step.qrPng,
          alt: 'QR code to scan with your authenticator app',
          width: 200,
          height: 200,
        })
      : null,
    h(
      'p',
      {},
      'Key: ',
      h('code', { class: 'key', role: 'note', 'aria-label': 'Key for your authenticator app' }, key),
    ),
    form,
  );
  code.input.focus();
}

function recoveryCodes(main: HTMLElement, codes: string[], onSignedIn: () => void): void {
  show(
    main,
    h('h1', {}, 'Your recovery codes'),
    h(
      'p',
      {},
      'Keep these codes somewhere safe: each one signs you in once if you lose your authenticator app. They are shown only now.',
    ),
    h(
      'ul',
      { 'aria-label': 'Recovery codes', class: 'codes' },
      ...codes.map((c) => h('li', {}, h('code', {}, c))),
    ),
    h('button', { type: 'button', onclick: () => onSignedIn() }, 'I have saved my recovery codes'),
  );
}
