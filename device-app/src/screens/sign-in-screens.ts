import type { PasswordRuleView } from '../../../protocol/messages.ts';
import { h } from '../dom.ts';
import { groupKey } from '../sign-in-text.ts';
import { changeReasonText, canSubmitPassword, type SignInView } from '../sign-in-flow.ts';
import { t } from '../i18n/index.ts';

/*
 * The user-prompt sign-in screens. Each is one form with labelled fields and big buttons; what
 * comes from the edge goes in as text (h() never parses HTML). Password fields are emptied the
 * moment their value is handed on.
 */

type ViewOf<K extends SignInView['kind']> = Extract<SignInView, { kind: K }>;

let fieldIds = 0;

/** A labelled input; the label's `for` gives it its accessible name. */
function field(label: string, attrs: Parameters<typeof h>[1]): { row: HTMLElement; input: HTMLInputElement } {
  const id = `field-${++fieldIds}`;
  const input = h('input', { id, autocomplete: 'off', spellcheck: 'false', ...attrs }) as HTMLInputElement;
  const labelElement = h('label', { for: id }, label);
  return { row: h('div', { class: 'field' }, labelElement, input), input };
}

function form(onSubmit: () => void, ...children: (HTMLElement | null)[]): HTMLElement {
  const element = h('form', { novalidate: true }, ...children);
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    onSubmit();
  });
  return element;
}

function message(text: string): HTMLElement {
  return h('p', { class: 'message', role: 'alert' }, text);
}

function submitButton(label: string): HTMLButtonElement {
  return h('button', { class: 'primary', type: 'submit' }, label) as HTMLButtonElement;
}

function cancelButton(label: string, onClick: () => void): HTMLElement {
  return h('button', { type: 'button', onclick: onClick }, label);
}

export function signInScreen(
  view: ViewOf<'sign-in'>,
  email: string,
  actions: { signIn: (email: string, password: string) => void; phone: (() => void) | null },
): HTMLElement {
  const emailField = field(t('signIn.email'), {
    type: 'email',
    inputmode: 'email',
    autocapitalize: 'off',
    autocomplete: 'username',
    value: email || undefined,
  });
  const passwordField = field(t('signIn.password'), { type: 'password', autocomplete: 'current-password' });
  const submit = submitButton(t('signIn.submit'));
  const go = () => {
    const address = emailField.input.value.trim();
    const password = passwordField.input.value;
    if (!address) return emailField.input.focus();
    if (!password) return passwordField.input.focus();
    passwordField.input.value = '';
    submit.disabled = true;
    actions.signIn(address, password);
  };
  return h(
    'section',
    { class: 'sign-in', 'aria-label': t('signIn.label') },
    h('h1', {}, t('signIn.title')),
    view.notice ? h('p', { class: 'notice-line', role: 'status' }, view.notice) : null,
    // Nobody has to type a password on a shared panel: the phone is offered first.
    actions.phone
      ? h(
          'div',
          { class: 'actions phone-choice' },
          h('button', { type: 'button', class: 'primary', onclick: actions.phone }, t('phone.button')),
        )
      : null,
    actions.phone ? h('p', { class: 'hint' }, t('phone.orPassword')) : null,
    form(go, emailField.row, passwordField.row, h('div', { class: 'actions' }, submit)),
  );
}

export function totpScreen(
  view: ViewOf<'totp'>,
  actions: { submit: (code: string) => void; cancel: () => void },
): HTMLElement {
  const code = field(t('totp.code'), {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    autocapitalize: 'characters',
    maxlength: 32,
  });
  const label = code.row.querySelector('label')!;
  const switchButton = h(
    'button',
    { type: 'button', class: 'link' },
    t('totp.useRecovery'),
  ) as HTMLButtonElement;
  switchButton.addEventListener('click', () => {
    // Recovery codes have letters: the panel's keyboard has to offer them.
    code.input.setAttribute('inputmode', 'text');
    label.textContent = t('totp.recoveryCode');
    switchButton.hidden = true;
    code.input.focus();
  });
  const submit = submitButton(t('common.continue'));
  const go = submitCode(code.input, submit, actions.submit);
  return h(
    'section',
    { class: 'sign-in', 'aria-label': t('totp.label') },
    h('h1', {}, t('totp.title')),
    h('p', {}, t('totp.text')),
    form(
      go,
      code.row,
      message(view.message),
      h('div', { class: 'actions' }, cancelButton(t('common.cancel'), actions.cancel), switchButton, submit),
    ),
  );
}

export interface ChangePasswordHandle {
  element: HTMLElement;
  /** The rules the edge checked against `candidate`; ignored when the field holds something else by now. */
  setRules: (candidate: string, rules: PasswordRuleView[]) => void;
}

function ruleItem(rule: PasswordRuleView): HTMLElement {
  const state =
    rule.ok === true
      ? t('password.ruleMet')
      : rule.ok === false
        ? t('password.ruleNotMet')
        : t('password.ruleLater');
  const mark = rule.ok === true ? '✓' : rule.ok === false ? '✗' : '•';
  return h(
    'li',
    {
      class: `rule rule-${rule.ok === true ? 'ok' : rule.ok === false ? 'bad' : 'later'}`,
      'data-ok': String(rule.ok),
    },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, mark),
    h('span', {}, rule.message),
    h('span', { class: 'sr-only' }, ` (${state})`),
  );
}

export function changePasswordScreen(
  view: ViewOf<'change-password'>,
  actions: { check: (candidate: string) => void; submit: (password: string) => void; cancel: () => void },
): ChangePasswordHandle {
  const password = field(t('password.new'), { type: 'password', autocomplete: 'new-password' });
  const confirm = field(t('password.confirm'), { type: 'password', autocomplete: 'new-password' });
  const list = h('ul', { class: 'rules', 'aria-label': t('password.rules') });
  const mismatch = h('p', { class: 'hint', role: 'status' });
  const submit = submitButton(t('password.submit'));
  let rules = view.rules;
  // Rules are only trusted for the exact text they were checked against.
  let rulesFor: string | null = null;

  const update = () => {
    while (list.firstChild) list.removeChild(list.firstChild);
    for (const rule of rules) list.appendChild(ruleItem(rule));
    const a = password.input.value;
    const b = confirm.input.value;
    mismatch.textContent = b && a !== b ? t('password.mismatch') : '';
    submit.disabled = !(rulesFor === a && canSubmitPassword(rules, a, b));
  };
  password.input.addEventListener('input', () => {
    update();
    actions.check(password.input.value);
  });
  confirm.input.addEventListener('input', update);
  const go = () => {
    if (submit.disabled) return;
    const value = password.input.value;
    password.input.value = '';
    confirm.input.value = '';
    submit.disabled = true;
    actions.submit(value);
  };
  update();
  const element = h(
    'section',
    { class: 'change-password', 'aria-label': t('password.title') },
    h(
      'div',
      {},
      h('h1', {}, t('password.title')),
      h('p', { class: 'reason' }, changeReasonText(view.reason)),
      form(
        go,
        password.row,
        confirm.row,
        mismatch,
        message(view.message),
        h('div', { class: 'actions' }, cancelButton(t('common.cancel'), actions.cancel), submit),
      ),
    ),
    h('div', { class: 'rules-box' }, h('h2', {}, t('password.needs')), list),
  );
  return {
    element,
    setRules: (candidate, next) => {
      if (candidate !== password.input.value) return;
      rules = next;
      rulesFor = candidate;
      update();
    },
  };
}

export function enrolScreen(
  view: ViewOf<'enrol-2fa'>,
  actions: { submit: (code: string) => void; cancel: () => void },
): HTMLElement {
  const code = field(t('enrol.code'), {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: 16,
  });
  const submit = submitButton(t('common.confirm'));
  const go = submitCode(code.input, submit, actions.submit);
  return h(
    'section',
    { class: 'enrol', 'aria-label': t('enrol.label') },
    view.qrPng
      ? h('img', {
          class: 'qr',
          src: view.qrPng,
          width: 200,
          height: 200,
          alt: t('enrol.qrAlt'),
        })
      : null,
    h(
      'div',
      {},
      h('h1', {}, t('enrol.title')),
      h('p', {}, view.qrPng ? t('enrol.scanOrKey') : t('enrol.keyOnly')),
      h('p', { class: 'key', 'aria-label': t('enrol.keyLabel') }, groupKey(view.secret)),
      form(
        go,
        code.row,
        message(view.message),
        h('div', { class: 'actions' }, cancelButton(t('common.cancel'), actions.cancel), submit),
      ),
    ),
  );
}

export function recoveryCodesScreen(
  view: ViewOf<'recovery-codes'>,
  actions: { done: () => void },
): HTMLElement {
  return h(
    'section',
    { class: 'recovery', 'aria-label': t('recovery.label') },
    h('h1', {}, t('recovery.title')),
    h('p', {}, t('recovery.text')),
    h(
      'ol',
      { class: 'codes', 'aria-label': t('recovery.label') },
      ...view.codes.map((code) => h('li', {}, code)),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'primary', type: 'button', onclick: actions.done }, t('recovery.done')),
    ),
  );
}

/** A refused sign-in: what happened, and the way back to the start. */
export function refusalScreen(
  view: { title: string; text: string },
  actions: { again: () => void },
): HTMLElement {
  return h(
    'section',
    { class: 'notice refusal', role: 'alert', 'aria-label': view.title },
    h('h1', {}, view.title),
    h('p', {}, view.text),
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'primary', type: 'button', onclick: actions.again }, t('refusal.back')),
    ),
  );
}

/** Sends a typed code once: nothing when empty, the field cleared and the button off while it is checked. */
function submitCode(
  input: HTMLInputElement,
  submit: HTMLButtonElement,
  send: (code: string) => void,
): () => void {
  return () => {
    const value = input.value.trim();
    if (!value) return input.focus();
    input.value = '';
    submit.disabled = true;
    send(value);
  };
}
