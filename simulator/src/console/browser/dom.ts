/** A tiny element builder. Data only ever goes in as text nodes or attributes, never as HTML. */
type Attrs = { [name: string]: string | number | boolean | undefined | ((event: Event) => void) };
type Child = Node | string | null | undefined | false;

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element: HTMLElement, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function replace(container: Element, ...children: Child[]): void {
  while (container.firstChild) container.removeChild(container.firstChild);
  append(container as HTMLElement, children);
}

/** The element with this id, of the expected kind: the page's markup is part of the contract. */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`console markup lacks #${id}`);
  return element;
}

export function time(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}
