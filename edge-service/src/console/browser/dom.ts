/*
 * The console's one way to make DOM: elements with text content and attributes, never HTML
 * strings, so every value from the API is shown as text (names, notes, messages). No style
 * attributes either (the CSP has no 'unsafe-inline'): classes, or CSSOM from script.
 */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

/** `h('button', { type: 'button', onclick: f }, 'Save')`: attributes, `on*` listeners, children as text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element: geometry through attributes (allowed by the CSP, unlike style attributes). */
export function svg(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: Child[]
): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  append(el, children);
  return el as SVGElement;
}

function setAttrs(el: HTMLElement, attrs: Attrs): void {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(key.replace(/^on/, ''), value);
    } else if (key === 'style') {
      throw new Error('no style attributes under the console CSP');
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

let ids = 0;
/** A unique id for label/description links. */
export function uid(prefix = 'f'): string {
  ids += 1;
  return `${prefix}-${ids}`;
}

export interface FieldOptions {
  type?: string;
  value?: string;
  required?: boolean;
  autocomplete?: string;
  min?: number;
  max?: number;
  step?: number;
  placeholder?: string;
  inputmode?: string;
  pattern?: string;
  maxlength?: number;
  /** Explanation shown under the field and linked with aria-describedby. */
  help?: string;
}

/** A labelled input with its explanation: `{ wrap, input }`. */
export function field(
  label: string,
  name: string,
  o: FieldOptions = {},
): { wrap: HTMLElement; input: HTMLInputElement } {
  const id = uid(name);
  const input = h('input', {
    id,
    name,
    type: o.type ?? 'text',
    required: o.required,
    autocomplete: o.autocomplete,
    min: o.min,
    max: o.max,
    step: o.step,
    placeholder: o.placeholder,
    inputmode: o.inputmode,
    pattern: o.pattern,
    maxlength: o.maxlength,
  });
  if (o.value !== undefined) input.value = o.value;
  const help = o.help ? h('p', { class: 'help', id: `${id}-help` }, o.help) : null;
  if (help) input.setAttribute('aria-describedby', help.id);
  return { wrap: h('div', { class: 'field' }, h('label', { for: id }, label), input, help), input };
}

/** A labelled checkbox with its explanation. */
export function checkbox(
  label: string,
  name: string,
  checked = false,
  helpText?: string,
): { wrap: HTMLElement; input: HTMLInputElement } {
  const id = uid(name);
  const input = h('input', { id, name, type: 'checkbox' });
  input.checked = checked;
  const help = helpText ? h('p', { class: 'help', id: `${id}-help` }, helpText) : null;
  if (help) input.setAttribute('aria-describedby', help.id);
  return { wrap: h('div', { class: 'field check' }, input, h('label', { for: id }, label), help), input };
}

/** A labelled select of `[value, text]` options. */
export function select(
  label: string,
  name: string,
  options: readonly (readonly [string, string])[],
  value = '',
  helpText?: string,
): { wrap: HTMLElement; input: HTMLSelectElement } {
  const id = uid(name);
  const input = h('select', { id, name }, ...options.map(([v, t]) => h('option', { value: v }, t)));
  input.value = value;
  const help = helpText ? h('p', { class: 'help', id: `${id}-help` }, helpText) : null;
  if (help) input.setAttribute('aria-describedby', help.id);
  return { wrap: h('div', { class: 'field' }, h('label', { for: id }, label), input, help), input };
}

/** A table with a caption and column headers; rows are cells (text or nodes). */
export function table(
  caption: string,
  headers: readonly string[],
  rows: readonly Child[][],
): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

/** A message region: role alert for errors (announced at once), status otherwise. */
export function notice(kind: 'error' | 'ok' | 'info', text: string): HTMLElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Replaces what `where` shows. */
export function show(where: Element, ...children: Child[]): void {
  where.replaceChildren();
  append(where, children);
}

/** Says `text` to screen readers (the page's live region). */
export function announce(text: string): void {
  const live = document.getElementById('live');
  if (live) live.textContent = text;
}

/** A date and time in the browser's locale, or a dash. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/**
 * Asks before a destructive action, in the page (a modal dialog with an accessible name, not the
 * browser's confirm()): resolves true when `confirmLabel` is pressed.
 */
export function confirmAction(title: string, text: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uid('dialog');
    const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'confirm' });
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.append(
      h('h2', { id: titleId }, title),
      h('p', {}, text),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'danger', onclick: () => done(true) }, confirmLabel),
        ' ',
        h('button', { type: 'button', onclick: () => done(false) }, 'Cancel'),
      ),
    );
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
