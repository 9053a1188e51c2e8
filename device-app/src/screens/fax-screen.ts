import type { FaxResolution, ScanSource } from '../../../protocol/messages.ts';
import { h, radioGroup } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { faxOptions, type FaxOptionsActions, type FaxOptionsDraft } from './fax-options.ts';
import {
  recipientPicker,
  type PickedRecipient,
  type PickerHost,
  type PickerState,
} from './recipient-picker.ts';

export interface FaxDraft {
  /** Numbers as confirmed by the edge (E.164 in `input`), picked with the recipient picker. */
  recipients: PickedRecipient[];
  /** The picker's typed number, open source and lists (kept across re-renders and reconnects). */
  picker: PickerState;
  resolution: FaxResolution;
  source: ScanSource;
  /** Sides, original size, text/photo, skip blank pages, cover page, preview (fax-options.ts). */
  options: FaxOptionsDraft;
  message: string;
  busy: boolean;
}

export interface FaxActions {
  /** The recipient picker's edge and hooks (recipient-picker.ts). */
  picker: Omit<PickerHost, 'changed'>;
  setResolution: (resolution: FaxResolution) => void;
  setSource: (source: ScanSource) => void;
  options: FaxOptionsActions;
  send: () => void;
  back: () => void;
}

export function faxScreen(draft: FaxDraft, actions: FaxActions): HTMLElement {
  const send = h(
    'button',
    {
      class: 'primary',
      type: 'button',
      disabled: draft.busy || draft.recipients.length === 0,
      onclick: actions.send,
    },
    t('fax.send'),
  ) as HTMLButtonElement;
  // The picker changes the recipients in place; only Send depends on them here.
  const picker = recipientPicker(draft, {
    ...actions.picker,
    changed: () => (send.disabled = draft.busy || draft.recipients.length === 0),
  });
  return h(
    'section',
    { class: 'fax', 'aria-label': t('fax.title') },
    h(
      'div',
      {},
      h('h1', {}, t('fax.title')),
      picker.main,
      h('p', { class: 'message', role: 'alert', id: 'fax-message' }, draft.message),
    ),
    h(
      'div',
      {},
      picker.list,
      radioGroup<FaxResolution>(
        t('fax.resolution'),
        'resolution',
        [
          ['standard', t('fax.resolution.standard')],
          ['fine', t('fax.resolution.fine')],
          ['superfine', t('fax.resolution.superfine')],
        ],
        draft.resolution,
        actions.setResolution,
      ),
      radioGroup<ScanSource>(
        t('fax.originals'),
        'source',
        [
          ['adf', t('fax.source.adf')],
          ['platen', t('fax.source.platen')],
        ],
        draft.source,
        actions.setSource,
      ),
      faxOptions(draft.options, draft.source, actions.options),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: actions.back }, t('common.back')),
        send,
      ),
    ),
  );
}
