import type {
  ContactView,
  DirectoryEntryView,
  RecentNumberView,
  ReplyPayload,
  RequestPayload,
  RequestType,
} from '../../../protocol/messages.ts';
import { MAX_FAX_RECIPIENTS } from '../../../protocol/limits.ts';
import { h } from '../dom.ts';
import { debounce } from '../timing.ts';
import { t, type MessageKey, type Params } from '../i18n/index.ts';

/*
 * The composer's recipients (issue 11): a big keypad that also takes the panel's keyboard, the
 * number checked by the edge as it is typed (formats, country, the enterprise's destination rules),
 * several recipients, and the Recent, Directory and Contacts sources. Its state lives in the fax
 * draft, so a re-render (or a reconnect) keeps what was typed; typing itself only updates the
 * check line and the Add button, never the input the person types in.
 */

/** Words from the panel's catalog (device-app/src/i18n/, keys `picker.*`). */
type TextKey = Extract<MessageKey, `picker.${string}`>;
const text = (key: TextKey, params?: Params): string => t(key, params);

/** The checkNumber reply, with the destination-rule verdict the options work adds (absent: allowed). */
export type CheckedNumber = ReplyPayload<'fax.checkNumber'> & {
  allowed?: boolean;
  message?: string;
  rule?: string;
};

/** A recipient in the draft: `input` is the E.164 the edge confirmed (what fax.send gets). */
export interface PickedRecipient {
  input: string;
  display: string;
  country: string | null;
  countryName: string | null;
  /** From the directory, contacts or recent numbers; null for a typed number. */
  name: string | null;
}

export type PickerTab = 'keypad' | 'recent' | 'directory' | 'contacts';

export interface PickerState {
  typed: string;
  /** The edge's verdict on `typed` (null while none is known for it). */
  check: { input: string; number: CheckedNumber | null; error: string | null } | null;
  tab: PickerTab;
  query: string;
  contactName: string;
  /** Lists as last read from the edge (null: not read yet). */
  recent: RecentNumberView[] | null;
  directory: { entries: DirectoryEntryView[]; total: number } | null;
  contacts: ContactView[] | null;
  /** The last refusal or problem, shown as an alert. */
  message: string;
}

export function newPickerState(): PickerState {
  return {
    typed: '',
    check: null,
    tab: 'keypad',
    query: '',
    contactName: '',
    recent: null,
    directory: null,
    contacts: null,
    message: '',
  };
}

export interface PickerEdge {
  request<T extends RequestType>(type: T, payload: RequestPayload<T>): Promise<ReplyPayload<T>>;
}

export interface PickerHost {
  edge: PickerEdge;
  /** Personal contacts exist only where people sign in (not on shared-account devices). */
  contactsAvailable: boolean;
  /** The recipients changed: the host updates what depends on them (Send). */
  changed: () => void;
  /** A refusal as the panel words it (the shell's error texts). */
  errorText: (error: unknown) => string;
}

/** Numbers are checked once typing pauses this long. */
const CHECK_DEBOUNCE_MS = 250;
const SEARCH_DEBOUNCE_MS = 250;
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '0', ' '];
/** What the panel's keyboard may type into the number (the rest is ignored). */
const NUMBER_KEY = /^[\d+\s().-]$/;

const digitsOf = (s: string) => s.replace(/\D/g, '');

export interface RecipientPicker {
  /** The number entry, check line, source tabs and their panel. */
  main: HTMLElement;
  /** The recipients chosen so far, each removable. */
  list: HTMLElement;
}

export function recipientPicker(
  draft: { recipients: PickedRecipient[]; picker: PickerState },
  host: PickerHost,
): RecipientPicker {
  const s = draft.picker;
  if (s.tab === 'contacts' && !host.contactsAvailable) s.tab = 'keypad';

  const input = h('input', {
    id: 'fax-number',
    type: 'tel',
    inputmode: 'tel',
    autocomplete: 'off',
    'aria-label': text('picker.number'),
    placeholder: text('picker.number'),
    'aria-describedby': 'number-check',
  }) as HTMLInputElement;
  input.value = s.typed;
  const addButton = h(
    'button',
    { type: 'button', class: 'primary' },
    text('picker.add'),
  ) as HTMLButtonElement;
  const checkLine = h('p', {
    id: 'number-check',
    class: 'number-check',
    role: 'status',
    'aria-label': text('picker.numberCheck'),
  });
  const alert = h('p', { class: 'message', role: 'alert', id: 'picker-message' }, s.message);
  const panel = h('div', { class: 'picker-panel', role: 'tabpanel', id: 'picker-panel' });
  const list = h('ul', { class: 'recipients', 'aria-label': text('picker.recipients') });

  const say = (message: string) => {
    s.message = message;
    // Every key press clears the message, nearly always already empty: no DOM work then. A message
    // is set again even when the same, so an alert repeated is announced again.
    if (message || alert.firstChild) alert.textContent = message;
  };

  /** What the check line shows last, so a key press that leaves it as it was touches no node. */
  let shownLine = '';
  /** The check line and the Add button, from what is known of the typed number. */
  const showCheck = () => {
    const known = s.check && s.check.input === s.typed ? s.check : null;
    const full = draft.recipients.length >= MAX_FAX_RECIPIENTS;
    let refusedLine = false;
    /** The line's parts: a bare text, or a span of a class. */
    const parts: { text: string; class?: string }[] = [];
    if (!s.typed.trim()) addButton.disabled = true;
    else if (!known) {
      addButton.disabled = full;
      if (digitsOf(s.typed).length >= 3) parts.push({ text: text('picker.checking') });
    } else if (known.error !== null) {
      addButton.disabled = full;
      refusedLine = true;
      parts.push({ text: known.error });
    } else if (known.number) {
      const n = known.number;
      const refused = n.allowed === false;
      addButton.disabled = full || refused;
      refusedLine = refused;
      parts.push({ class: 'international', text: n.display });
      if (n.national && n.national !== n.display) parts.push({ class: 'national', text: n.national });
      if (n.country)
        parts.push({
          class: 'country',
          text: n.countryName ? `${n.countryName} (${n.country})` : n.country,
        });
      if (refused && n.message) parts.push({ class: 'rule', text: n.message });
    }
    const line = JSON.stringify([refusedLine, parts]);
    if (line === shownLine) return;
    shownLine = line;
    while (checkLine.firstChild) checkLine.removeChild(checkLine.firstChild);
    checkLine.className = refusedLine ? 'number-check refused' : 'number-check';
    for (const part of parts)
      checkLine.appendChild(
        part.class ? h('span', { class: part.class }, part.text) : document.createTextNode(part.text),
      );
  };

  const check = (typed: string): Promise<CheckedNumber | null> =>
    host.edge.request('fax.checkNumber', { number: typed }).then(
      (number: CheckedNumber) => {
        if (s.typed === typed) s.check = { input: typed, number, error: null };
        return number;
      },
      (error: unknown) => {
        if (s.typed === typed) s.check = { input: typed, number: null, error: host.errorText(error) };
        return null;
      },
    );
  const checkLater = debounce((typed: string) => {
    if (s.typed !== typed || digitsOf(typed).length < 3) return;
    void check(typed).then(() => showCheck());
  }, CHECK_DEBOUNCE_MS);

  const typedChanged = () => {
    s.typed = input.value;
    say('');
    showCheck();
    checkLater(s.typed);
  };
  input.addEventListener('input', typedChanged);

  const press = (key: string) => {
    input.value += key;
    typedChanged();
  };

  /** Adds a number after the edge's check (its verdict on destination rules included). */
  const add = (typed: string, name: string | null) => {
    if (draft.recipients.length >= MAX_FAX_RECIPIENTS)
      return say(text('picker.full', { max: MAX_FAX_RECIPIENTS }));
    void host.edge.request('fax.checkNumber', { number: typed }).then(
      (n: CheckedNumber) => {
        if (n.allowed === false) return say(n.message ?? host.errorText(n));
        if (draft.recipients.some((r) => r.input === n.e164))
          return say(text('picker.already', { number: n.display }));
        draft.recipients.push({
          input: n.e164,
          display: n.display,
          country: n.country,
          countryName: n.countryName ?? null,
          name,
        });
        if (typed === s.typed) {
          s.typed = '';
          s.check = null;
          input.value = '';
        }
        say('');
        showCheck();
        showList();
        host.changed();
      },
      (error: unknown) => say(host.errorText(error)),
    );
  };
  const addTyped = () => {
    if (s.typed.trim()) add(s.typed, null);
  };
  addButton.addEventListener('click', addTyped);
  input.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Enter') addTyped();
  });

  const showList = () => {
    while (list.firstChild) list.removeChild(list.firstChild);
    if (draft.recipients.length === 0)
      list.appendChild(h('li', { class: 'empty' }, text('picker.noRecipients')));
    draft.recipients.forEach((r, index) => {
      const label = r.name ? `${r.name} ${r.display}` : r.display;
      list.appendChild(
        h(
          'li',
          { 'aria-label': label },
          h(
            'span',
            { class: 'who' },
            r.name ? h('span', { class: 'name' }, r.name) : null,
            h('span', { class: 'number' }, r.display),
            h('span', { class: 'country' }, r.countryName ?? r.country ?? ''),
          ),
          h(
            'button',
            {
              type: 'button',
              'aria-label': text('picker.remove', { name: label }),
              onclick: () => {
                draft.recipients.splice(index, 1);
                showList();
                showCheck();
                host.changed();
              },
            },
            '✕',
          ),
        ),
      );
    });
  };

  /** One entry of a source list: a big button that adds it, its name, number and country. */
  const pickItem = (
    item: { name: string | null; display: string; e164: string; countryName: string | null; detail?: string },
    extra?: HTMLElement,
  ) => {
    const label = item.name ? `${item.name} ${item.display}` : item.display;
    return h(
      'li',
      { 'aria-label': label },
      h(
        'button',
        {
          type: 'button',
          class: 'pick',
          'aria-label': text('picker.pick', { name: label }),
          onclick: () => add(item.e164, item.name),
        },
        item.name ? h('span', { class: 'name' }, item.name) : null,
        h('span', { class: 'number' }, item.display),
        h('span', { class: 'country' }, [item.countryName, item.detail].filter(Boolean).join(' · ')),
      ),
      extra ?? null,
    );
  };

  const note = (key: TextKey, params?: Params) => h('p', { class: 'picker-note' }, text(key, params));

  const keypad = () =>
    h(
      'div',
      { class: 'keypad', role: 'group', 'aria-label': text('picker.keypad') },
      ...KEYS.map((key) =>
        h(
          'button',
          {
            type: 'button',
            'aria-label': key === ' ' ? text('picker.space') : text('picker.key', { key }),
            onclick: () => press(key),
          },
          key === ' ' ? '␣' : key,
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          'aria-label': text('picker.deleteDigit'),
          onclick: () => {
            input.value = input.value.slice(0, -1);
            typedChanged();
          },
        },
        '⌫',
      ),
      h(
        'button',
        {
          type: 'button',
          'aria-label': text('picker.clear'),
          onclick: () => {
            input.value = '';
            typedChanged();
          },
        },
        'C',
      ),
    );

  const recentPanel = () => {
    if (s.recent === null) return note('picker.loading');
    if (s.recent.length === 0) return note('picker.recentEmpty');
    return h(
      'ul',
      { class: 'sources', 'aria-label': text('picker.recentList') },
      ...s.recent.map((n) => pickItem(n)),
    );
  };

  const directoryResults = h('div', { class: 'results' });
  const showDirectoryResults = () => {
    while (directoryResults.firstChild) directoryResults.removeChild(directoryResults.firstChild);
    const found = s.directory;
    if (found === null) return directoryResults.appendChild(note('picker.loading'));
    if (found.entries.length === 0) return directoryResults.appendChild(note('picker.directoryEmpty'));
    directoryResults.appendChild(
      h(
        'ul',
        { class: 'sources', 'aria-label': text('picker.directoryList') },
        ...found.entries.map((e) =>
          pickItem({ ...e, detail: [e.company, e.department].filter(Boolean).join(', ') }),
        ),
      ),
    );
    if (found.total > found.entries.length)
      directoryResults.appendChild(
        note('picker.directoryMore', { shown: found.entries.length, total: found.total }),
      );
  };
  const search = (query: string) =>
    host.edge.request('directory.search', { query, limit: 20 }).then(
      (found) => {
        if (s.query !== query) return;
        s.directory = found;
        if (s.tab === 'directory') showDirectoryResults();
      },
      (error: unknown) => say(host.errorText(error)),
    );
  const searchLater = debounce((query: string) => void search(query), SEARCH_DEBOUNCE_MS);
  const directoryPanel = () => {
    const field = h('input', {
      type: 'search',
      class: 'search',
      autocomplete: 'off',
      'aria-label': text('picker.search'),
      placeholder: text('picker.searchHint'),
    }) as HTMLInputElement;
    field.value = s.query;
    field.addEventListener('input', () => {
      s.query = field.value;
      searchLater(s.query);
    });
    showDirectoryResults();
    return h('div', {}, field, directoryResults);
  };

  const contactsPanel = () => {
    const name = h('input', {
      type: 'text',
      autocomplete: 'off',
      maxlength: 100,
      'aria-label': text('picker.contactName'),
      placeholder: text('picker.contactName'),
    }) as HTMLInputElement;
    name.value = s.contactName;
    name.addEventListener('input', () => (s.contactName = name.value));
    const save = h(
      'button',
      {
        type: 'button',
        onclick: () => {
          const known = s.check && s.check.input === s.typed ? s.check.number : null;
          if (!s.typed.trim() || (s.check && s.check.input === s.typed && !known))
            return say(text('picker.contactNeedsNumber'));
          if (!name.value.trim()) {
            name.focus();
            return say(text('picker.contactName'));
          }
          void host.edge.request('contacts.add', { name: name.value, number: s.typed }).then(
            ({ contact }) => {
              s.contactName = '';
              s.contacts = (s.contacts ?? []).concat([contact]).sort((a, b) => a.name.localeCompare(b.name));
              say('');
              showPanel();
            },
            (error: unknown) => say(host.errorText(error)),
          );
        },
      },
      text('picker.saveContact'),
    );
    const contacts = s.contacts;
    const listing =
      contacts === null
        ? note('picker.loading')
        : contacts.length === 0
          ? note('picker.contactsEmpty')
          : h(
              'ul',
              { class: 'sources', 'aria-label': text('picker.contactsList') },
              ...contacts.map((c) =>
                pickItem(
                  c,
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'forget',
                      'aria-label': text('picker.removeContact', { name: c.name }),
                      onclick: () =>
                        void host.edge.request('contacts.remove', { id: c.id }).then(
                          () => {
                            s.contacts = (s.contacts ?? []).filter((x) => x.id !== c.id);
                            showPanel();
                          },
                          (error: unknown) => say(host.errorText(error)),
                        ),
                    },
                    '✕',
                  ),
                ),
              ),
            );
    return h('div', {}, h('div', { class: 'entry' }, name, save), listing);
  };

  const showPanel = () => {
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    panel.setAttribute('aria-labelledby', `picker-tab-${s.tab}`);
    if (s.tab === 'keypad') panel.appendChild(keypad());
    else if (s.tab === 'recent') panel.appendChild(recentPanel());
    else if (s.tab === 'directory') panel.appendChild(directoryPanel());
    else panel.appendChild(contactsPanel());
  };

  /** Opening a source reads it again: a fax just sent is in Recent, an entry just added in Directory. */
  const refresh = (tab: PickerTab) => {
    const failed = (error: unknown) => say(host.errorText(error));
    if (tab === 'recent')
      void host.edge.request('recipients.recent', { limit: 10 }).then(({ numbers }) => {
        s.recent = numbers;
        if (s.tab === 'recent') showPanel();
      }, failed);
    else if (tab === 'directory') void search(s.query);
    else if (tab === 'contacts')
      void host.edge.request('contacts.list', {}).then(({ contacts }) => {
        s.contacts = contacts;
        if (s.tab === 'contacts') showPanel();
      }, failed);
  };

  const tabs: PickerTab[] = host.contactsAvailable
    ? ['keypad', 'recent', 'directory', 'contacts']
    : ['keypad', 'recent', 'directory'];
  const tabButtons = tabs.map((tab) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `picker-tab-${tab}`,
        'aria-controls': 'picker-panel',
        'aria-selected': tab === s.tab ? 'true' : 'false',
        tabindex: tab === s.tab ? 0 : -1,
        onclick: () => select(tab),
      },
      text(`picker.tab.${tab}`),
    ),
  );
  const select = (tab: PickerTab) => {
    s.tab = tab;
    tabButtons.forEach((b, i) => {
      b.setAttribute('aria-selected', tabs[i] === tab ? 'true' : 'false');
      b.setAttribute('tabindex', tabs[i] === tab ? '0' : '-1');
    });
    showPanel();
    refresh(tab);
  };
  const tablist = h(
    'div',
    { class: 'picker-tabs', role: 'tablist', 'aria-label': text('picker.sources') },
    ...tabButtons,
  );
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  tablist.addEventListener('keydown', (event) => {
    const key = (event as KeyboardEvent).key;
    if (key !== 'ArrowRight' && key !== 'ArrowLeft') return;
    const next = (tabs.indexOf(s.tab) + (key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
    select(tabs[next]!);
    tabButtons[next]!.focus();
  });

  const main = h(
    'div',
    { class: 'picker' },
    h('div', { class: 'entry' }, input, addButton),
    checkLine,
    alert,
    tablist,
    panel,
  );
  // The panel's keyboard: digits typed while a keypad key or tab has focus still go into the number.
  main.addEventListener('keydown', (event) => {
    const e = event as KeyboardEvent;
    const target = e.target as HTMLElement;
    if (target.tagName === 'INPUT' || e.ctrlKey || e.metaKey || e.altKey) return;
    if (NUMBER_KEY.test(e.key)) {
      e.preventDefault();
      press(e.key);
      input.focus();
    } else if (e.key === 'Backspace') {
      e.preventDefault();
      input.value = input.value.slice(0, -1);
      typedChanged();
    } else if (e.key === 'Enter' && target === main) addTyped();
  });

  showCheck();
  showList();
  showPanel();
  if (s.tab !== 'keypad') refresh(s.tab);
  // A number typed before a re-render (or a reconnect) is checked again.
  if (s.typed && !(s.check && s.check.input === s.typed)) checkLater(s.typed);
  return { main, list };
}
