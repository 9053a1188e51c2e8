/*
 * Enterprise settings: every policy key with its default and range, explained in place; the
 * current version and who changed it last; restricted access with its warning. Saving sends the
 * changed top-level keys (nested objects whole) as one PATCH: one new policy version.
 */
import { describeFailure, get, patch } from './api.ts';
import type { PageContext } from './context.ts';
import { checkbox, confirmAction, field, h, notice, select, show, when } from './dom.ts';
import { POLICY_SECTIONS, readPath, writePath, type PolicyField } from './policy-fields.ts';

interface PolicyAnswer {
  version?: number;
  document?: Record<string, unknown>;
  policy?: Record<string, unknown>;
  updatedAt?: string | null;
  updatedBy?: string | { email?: string; displayName?: string } | null;
}

type Control = HTMLInputElement | HTMLSelectElement;

function control(f: PolicyField, value: unknown): { wrap: HTMLElement; read: () => unknown } {
  const c = f.control;
  switch (c.kind) {
    case 'number': {
      const x = field(f.label, f.path, {
        type: 'number',
        min: c.min,
        max: c.max,
        step: 1,
        value: String(value ?? ''),
        help: `${f.help} Range ${c.min}–${c.max}.`,
      });
      return { wrap: x.wrap, read: () => Number(x.input.value) };
    }
    case 'boolean': {
      const x = checkbox(f.label, f.path, value === true, f.help);
      return { wrap: x.wrap, read: () => x.input.checked };
    }
    case 'choice': {
      const x = select(f.label, f.path, c.options, String(value ?? ''), f.help);
      return { wrap: x.wrap, read: () => x.input.value };
    }
    case 'list': {
      const x = field(f.label, f.path, {
        value: Array.isArray(value) ? value.join(', ') : '',
        placeholder: c.placeholder,
        help: f.help,
      });
      return {
        wrap: x.wrap,
        read: () =>
          x.input.value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
      };
    }
    case 'text': {
      const x = field(f.label, f.path, {
        type: c.type ?? 'text',
        value: String(value ?? ''),
        maxlength: c.maxlength,
        help: f.help || undefined,
      });
      return { wrap: x.wrap, read: () => x.input.value.trim() };
    }
    case 'optional-text': {
      const x = field(f.label, f.path, {
        value: typeof value === 'string' ? value : '',
        maxlength: c.maxlength,
        help: f.help,
      });
      return { wrap: x.wrap, read: () => x.input.value.trim() || null };
    }
  }
}

function who(by: PolicyAnswer['updatedBy']): string {
  if (!by) return 'nobody yet (the defaults)';
  return typeof by === 'string' ? by : (by.displayName ?? by.email ?? 'an administrator');
}

export function renderSettings(main: HTMLElement, ctx: PageContext): void {
  const messages = h('div', { class: 'errors' });
  const body = h('div', {}, h('p', {}, 'Loading the policy…'));
  // Allowed but unsafe settings the edge points out (email-to-fax without an allow-list or SPF check).
  const warnings = h('div', { class: 'warnings' });
  show(main, h('h1', {}, 'Enterprise settings'), messages, warnings, body);

  async function load(): Promise<void> {
    try {
      draw(await get<PolicyAnswer>(`${ctx.ent}/policy`));
    } catch (failure) {
      show(messages, notice('error', describeFailure(failure)));
    }
  }

  function draw(answer: PolicyAnswer): void {
    const doc = answer.document ?? answer.policy ?? {};
    const readers: { f: PolicyField; read: () => unknown }[] = [];
    const sections = POLICY_SECTIONS.map((s) => {
      const controls = s.fields.map((f) => {
        const c = control(f, readPath(doc, f.path));
        readers.push({ f, read: c.read });
        return c.wrap;
      });
      return h('fieldset', {}, h('legend', {}, s.title), ...controls);
    });
    const restricted = checkbox('Restricted access', 'restrictedAccess', doc.restrictedAccess === true);
    const warning = h(
      'p',
      { class: 'warning', id: 'restricted-warning' },
      'With restricted access on, vendor support agents and reseller administrators lose all access to this enterprise’s data and settings: support can no longer help without you. Turning it off again is an administrator action, audited like turning it on.',
    );
    restricted.input.setAttribute('aria-describedby', warning.id);
    const sso = doc.sso as Record<string, unknown> | null | undefined;
    const form = h(
      'form',
      { 'aria-label': 'Enterprise policy' },
      ...sections,
      h('fieldset', {}, h('legend', {}, 'Restricted access'), restricted.wrap, warning),
      h(
        'section',
        { 'aria-labelledby': 'sso-title' },
        h('h2', { id: 'sso-title' }, 'Company sign-in (SSO)'),
        h(
          'p',
          {},
          sso
            ? `${String(sso.protocol).toUpperCase()} is set up.`
            : 'Not set up: people sign in with their built-in password or at the printer.',
        ),
        h('p', { class: 'help' }, 'Set with `mfp-edge admin sso set` or the API (policy key sso).'),
      ),
      h('button', { type: 'submit' }, 'Save settings'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void save(doc, readers, restricted.input);
    });
    show(
      warnings,
      ...((answer as { warnings?: string[] }).warnings ?? []).map((w) =>
        h('p', { class: 'notice warning', role: 'alert' }, w),
      ),
    );
    show(
      body,
      h(
        'p',
        { class: 'version', role: 'status', 'aria-label': 'Policy version' },
        `Version ${answer.version ?? 0}, last changed by ${who(answer.updatedBy)}${answer.updatedAt ? ` on ${when(answer.updatedAt)}` : ''}.`,
      ),
      form,
    );
  }

  async function save(
    doc: Record<string, unknown>,
    readers: { f: PolicyField; read: () => unknown }[],
    restricted: Control & HTMLInputElement,
  ): Promise<void> {
    const next = structuredClone(doc);
    for (const { f, read } of readers) writePath(next, f.path, read());
    next.restrictedAccess = restricted.checked;
    if (next.restrictedAccess === true && doc.restrictedAccess !== true) {
      const sure = await confirmAction(
        'Turn on restricted access?',
        'Support can no longer help without you: vendor support agents and reseller administrators lose all access to this enterprise.',
        'Turn on restricted access',
      );
      if (!sure) return;
    }
    const changes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(next))
      if (JSON.stringify(value) !== JSON.stringify(doc[key])) changes[key] = value;
    if (Object.keys(changes).length === 0) {
      show(messages, notice('info', 'Nothing changed.'));
      return;
    }
    try {
      const answer = await patch<PolicyAnswer>(`${ctx.ent}/policy`, changes);
      show(messages, notice('ok', `Settings saved: version ${answer?.version ?? ''}.`));
      if (answer && (answer.document || answer.policy)) draw(answer);
      else await load();
    } catch (failure) {
      show(messages, notice('error', describeFailure(failure)));
    }
  }

  void load();
}
