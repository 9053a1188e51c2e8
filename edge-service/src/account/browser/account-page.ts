/*
 * The account page's one script (served as /account/account.js, compiled by esbuild; no imports).
 * On the invitation and reset pages it moves the link token from the URL fragment (which browsers
 * never send to servers or in Referer) into the form, takes it out of the address bar, checks the
 * link, and shows the password rules as they are met while the person types. The server checks
 * everything again when the form is submitted; without this script the form still works with
 * `?token=` links.
 */

interface RuleResult {
  rule: string;
  ok: boolean | null;
  message: string;
}

interface ApiError {
  error: { code: string; message: string; title?: string; action?: { href: string; label: string } };
}

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

function base(): string {
  return location.pathname.replace(/\/[^/]*$/, '');
}

async function post<T>(path: string, body: Record<string, string>): Promise<T> {
  const response = await fetch(`${base()}${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
    body: JSON.stringify(body),
  });
  const json = (await response.json().catch(() => ({
    error: { code: 'INTERNAL', message: 'The edge did not answer. Try again in a moment.' },
  }))) as T | ApiError;
  if (!response.ok) throw json as ApiError;
  return json as T;
}

function stateText(ok: boolean | null): string {
  return ok === true ? 'Met: ' : ok === false ? 'Not met: ' : 'Checked when you save: ';
}

function renderRules(list: HTMLElement, rules: RuleResult[]): void {
  const items = rules.map((r) => {
    const li = document.createElement('li');
    li.dataset.rule = r.rule;
    li.dataset.ok = String(r.ok);
    const state = document.createElement('span');
    state.className = 'rule-state';
    state.textContent = stateText(r.ok);
    li.append(state, document.createTextNode(r.message));
    return li;
  });
  list.replaceChildren(...items);
}

function showRefusal(form: HTMLFormElement, status: HTMLElement, failure: unknown): void {
  const error = (failure as Partial<ApiError>)?.error;
  form.hidden = true;
  const heading = document.querySelector('h1');
  if (heading && error?.title) heading.textContent = error.title;
  status.setAttribute('role', 'alert');
  status.textContent = error?.message ?? 'The link could not be checked. Try again in a moment.';
  if (error?.action) {
    const p = document.createElement('p');
    const a = document.createElement('a');
    a.href = error.action.href;
    a.textContent = error.action.label;
    p.append(a);
    status.after(p);
  }
}

function passwordForm(form: HTMLFormElement): void {
  const kind = form.dataset.linkKind ?? '';
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  const token = field('token');
  const status = document.getElementById('link-status')!;
  const rules = document.getElementById('rules')!;
  const confirmStatus = document.getElementById('confirm-status')!;

  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) token.value = fromFragment;
  if (location.hash || location.search) {
    // Out of the address bar, the history and bookmarks (where the browser offers it).
    try {
      history.replaceState(null, '', location.pathname);
    } catch {
      /* no history API: the fragment stays, it is never sent anyway */
    }
  }
  if (!token.value) {
    showRefusal(form, status, {
      error: {
        code: 'LINK_INVALID',
        title: 'This link is not complete',
        message:
          'The link has no token: open the whole link from the email again. If it still does not work, ask for a new one.',
      },
    });
    return;
  }

  if (form.hidden) {
    post<{ user: { email: string }; greeting: string; rules: RuleResult[] }>('/api/link', {
      kind,
      token: token.value,
    }).then(
      (link) => {
        field('email').value = link.user.email;
        document.getElementById('greeting')!.textContent = link.greeting;
        renderRules(rules, link.rules);
        status.textContent = '';
        form.hidden = false;
        field('password').focus();
      },
      (failure) => showRefusal(form, status, failure),
    );
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const password = field('password');
  const confirm = field('confirm');
  const check = () => {
    const mine = ++asked;
    post<{ rules: RuleResult[] }>('/api/password-rules', {
      kind,
      token: token.value,
      password: password.value,
    }).then(
      (result) => {
        if (mine === asked) renderRules(rules, result.rules);
      },
      (failure) => {
        const code = (failure as Partial<ApiError>)?.error?.code ?? '';
        if (code.startsWith('LINK_')) showRefusal(form, status, failure);
      },
    );
  };
  const matchText = () => {
    confirmStatus.textContent =
      confirm.value === ''
        ? ''
        : confirm.value === password.value
          ? 'The passwords match.'
          : 'The passwords are not the same yet.';
    confirm.setCustomValidity(confirm.value === password.value ? '' : 'The two passwords are not the same.');
  };
  password.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(check, 150);
    matchText();
  });
  confirm.addEventListener('input', matchText);
}

const form = document.querySelector<HTMLFormElement>('form[data-link-kind]');
if (form) passwordForm(form);
