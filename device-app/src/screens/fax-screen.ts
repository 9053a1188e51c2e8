import type { FaxResolution, ScanSource } from '../../../protocol/messages.ts';
import { MAX_FAX_RECIPIENTS } from '../../../protocol/limits.ts';
import { h } from '../dom.ts';
import { faxOptions, type FaxOptionsActions, type FaxOptionsDraft } from './fax-options.ts';

export interface FaxDraft {
  /** Numbers as confirmed by the edge: display text and country. */
  recipients: { input: string; display: string; country: string | null }[];
  resolution: FaxResolution;
  source: ScanSource;
  /** Sides, original size, text/photo, skip blank pages, cover page, preview (fax-options.ts). */
  options: FaxOptionsDraft;
  message: string;
  busy: boolean;
}

export interface FaxActions {
  addNumber: (input: string) => void;
  removeNumber: (index: number) => void;
  setResolution: (resolution: FaxResolution) => void;
  setSource: (source: ScanSource) => void;
  options: FaxOptionsActions;
  send: () => void;
  back: () => void;
}

const KEYS = ['1', '2', '3', '+', '4', '5', '6', ' ', '7', '8', '9', '-', '*', '0', '#'];

function radioGroup<T extends string>(
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

export function faxScreen(draft: FaxDraft, actions: FaxActions): HTMLElement {
  const input = h('input', {
    id: 'fax-number',
    type: 'tel',
    inputmode: 'tel',
    autocomplete: 'off',
    'aria-label': 'Fax number',
    placeholder: 'Fax number',
  }) as HTMLInputElement;
  const add = () => {
    if (input.value.trim()) actions.addNumber(input.value);
  };
  input.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Enter') add();
  });
  const press = (key: string) => {
    input.value += key;
    input.focus();
  };
  const keypad = h(
    'div',
    { class: 'keypad', role: 'group', 'aria-label': 'Keypad' },
    ...KEYS.map((key) =>
      h(
        'button',
        { type: 'button', 'aria-label': key === ' ' ? 'Space' : `Key ${key}`, onclick: () => press(key) },
        key === ' ' ? '␣' : key,
      ),
    ),
    h(
      'button',
      {
        type: 'button',
        'aria-label': 'Delete last digit',
        onclick: () => (input.value = input.value.slice(0, -1)),
      },
      '⌫',
    ),
  );
  const recipients = h(
    'ul',
    { class: 'recipients', 'aria-label': 'Recipients' },
    ...draft.recipients.map((r, index) =>
      h(
        'li',
        {},
        h('span', {}, r.display, ' ', h('span', { class: 'country' }, r.country ?? '')),
        h(
          'button',
          { type: 'button', 'aria-label': `Remove ${r.display}`, onclick: () => actions.removeNumber(index) },
          '✕',
        ),
      ),
    ),
  );
  return h(
    'section',
    { class: 'fax', 'aria-label': 'Send a fax' },
    h(
      'div',
      {},
      h('h1', {}, 'Send a fax'),
      h(
        'div',
        { class: 'entry' },
        input,
        h(
          'button',
          { type: 'button', disabled: draft.recipients.length >= MAX_FAX_RECIPIENTS, onclick: add },
          'Add number',
        ),
      ),
      keypad,
      h('p', { class: 'message', role: 'alert', id: 'fax-message' }, draft.message),
    ),
    h(
      'div',
      {},
      recipients,
      radioGroup<FaxResolution>(
        'Resolution',
        'resolution',
        [
          ['standard', 'Standard'],
          ['fine', 'Fine'],
          ['superfine', 'Superfine'],
        ],
        draft.resolution,
        actions.setResolution,
      ),
      radioGroup<ScanSource>(
        'Originals',
        'source',
        [
          ['adf', 'Feeder'],
          ['platen', 'Glass'],
        ],
        draft.source,
        actions.setSource,
      ),
      faxOptions(draft.options, draft.source, actions.options),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: actions.back }, 'Back'),
        h(
          'button',
          {
            class: 'primary',
            type: 'button',
            disabled: draft.busy || draft.recipients.length === 0,
            onclick: actions.send,
          },
          'Send',
        ),
      ),
    ),
  );
}
