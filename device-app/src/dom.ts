/** A tiny element builder: panels have no framework budget, and text always goes in as text (never HTML). */
type Attrs = { [name: string]: string | boolean | number | undefined | ((event: Event) => void) };

export function h(
  tag: string,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const name of Object.keys(attrs)) {
    const value = attrs[name];
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

export function show(container: HTMLElement, ...children: HTMLElement[]): void {
  while (container.firstChild) container.removeChild(container.firstChild);
  for (const child of children) container.appendChild(child);
}

/** A labelled group of radio buttons (one choice of several), each big enough to touch. */
export function radioGroup<T extends string>(
  legend: string,
  name: string,
  options: [T, string][],
  current: T,
  pick: (value: T) => void,
): HTMLElement {
  return h(
    'fieldset',
    { role: 'radiogroup', 'aria-label': legend },
    h('legend', {}, legend),
    ...options.map(([value, label]) =>
      h(
        'label',
        {},
        h('input', { type: 'radio', name, value, checked: value === current, onchange: () => pick(value) }),
        label,
      ),
    ),
  );
}
