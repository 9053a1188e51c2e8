import type { ContentType, OriginalSize, ReplyPayload } from '../../../protocol/messages.ts';
import { COVER_NOTE_MAX, COVER_SUBJECT_MAX } from '../../../protocol/limits.ts';
import { h } from '../dom.ts';

/*
 * The composer's options (issue 11), beside the resolution and originals groups of fax-screen.ts:
 * simplex/duplex, original size, text/photo, skip blank pages, an optional cover page (subject and
 * note) and a preview of the page on the glass. Every control is a labelled input in a fieldset,
 * so it has an accessible name and a touch target the size of its label (app.css: .fax-options).
 * Typing in the cover fields updates the draft without a re-render, so focus and caret stay put.
 */

// i18n: these strings go to the shell's catalog (device-app/src/i18n/, keys as below) and t().
const TEXT = {
  'options.title': 'Options',
  'options.sides': 'Sides',
  'options.oneSided': 'One-sided',
  'options.twoSided': 'Two-sided',
  'options.size': 'Original size',
  'options.size.auto': 'Auto',
  'options.size.a4': 'A4',
  'options.size.letter': 'Letter',
  'options.size.legal': 'Legal',
  'options.content': 'Originals are',
  'options.content.text': 'Text',
  'options.content.photo': 'Photo',
  'options.skipBlank': 'Skip blank pages',
  'options.cover': 'Add a cover page',
  'options.coverSubject': 'Cover page subject',
  'options.coverNote': 'Cover page note',
  'options.preview': 'Preview first page',
  'options.previewing': 'Scanning the preview…',
  'options.previewGlassOnly': 'Preview needs the page on the glass: choose Glass above.',
  'options.previewImage': 'Preview of the first page as it will be faxed',
  'options.previewBlank': 'The page looks blank: check it lies face down on the glass.',
} as const;
type TextKey = keyof typeof TEXT;
function text(key: TextKey): string {
  return TEXT[key];
}

export interface FaxOptionsDraft {
  duplex: boolean;
  originalSize: OriginalSize;
  contentType: ContentType;
  skipBlankPages: boolean;
  cover: { enabled: boolean; subject: string; note: string };
  preview: { busy: boolean; result: ReplyPayload<'fax.preview'> | null };
}

export interface FaxOptionsActions {
  /** A change that alters what is shown (the cover fields appear): the caller re-renders. */
  changed: () => void;
  preview: () => void;
}

export function emptyFaxOptions(): FaxOptionsDraft {
  return {
    duplex: false,
    originalSize: 'auto',
    contentType: 'text',
    skipBlankPages: false,
    cover: { enabled: false, subject: '', note: '' },
    preview: { busy: false, result: null },
  };
}

/** What fax.send gets from the options. */
export function faxOptionsPayload(o: FaxOptionsDraft) {
  return {
    duplex: o.duplex,
    originalSize: o.originalSize,
    contentType: o.contentType,
    skipBlankPages: o.skipBlankPages,
    ...(o.cover.enabled ? { cover: { subject: o.cover.subject, note: o.cover.note } } : {}),
  };
}

function radios<T extends string>(
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

function checkbox(label: string, checked: boolean, set: (on: boolean) => void): HTMLElement {
  return h(
    'label',
    { class: 'check' },
    h('input', {
      type: 'checkbox',
      checked,
      onchange: (event: Event) => set((event.target as HTMLInputElement).checked),
    }),
    label,
  );
}

export function faxOptions(
  o: FaxOptionsDraft,
  source: 'adf' | 'platen',
  actions: FaxOptionsActions,
): HTMLElement {
  const cover = o.cover.enabled
    ? h(
        'div',
        { class: 'cover-fields' },
        h(
          'label',
          { class: 'field' },
          text('options.coverSubject'),
          h('input', {
            type: 'text',
            maxlength: COVER_SUBJECT_MAX,
            value: o.cover.subject,
            autocomplete: 'off',
            oninput: (event: Event) => (o.cover.subject = (event.target as HTMLInputElement).value),
          }),
        ),
        h('label', { class: 'field' }, text('options.coverNote'), noteArea(o)),
      )
    : null;

  const preview = o.preview.result;
  return h(
    'div',
    { class: 'fax-options', role: 'group', 'aria-label': text('options.title') },
    radios<'one' | 'two'>(
      text('options.sides'),
      'sides',
      [
        ['one', text('options.oneSided')],
        ['two', text('options.twoSided')],
      ],
      o.duplex ? 'two' : 'one',
      (value) => (o.duplex = value === 'two'),
    ),
    radios<OriginalSize>(
      text('options.size'),
      'original-size',
      [
        ['auto', text('options.size.auto')],
        ['a4', text('options.size.a4')],
        ['letter', text('options.size.letter')],
        ['legal', text('options.size.legal')],
      ],
      o.originalSize,
      (value) => (o.originalSize = value),
    ),
    radios<ContentType>(
      text('options.content'),
      'content-type',
      [
        ['text', text('options.content.text')],
        ['photo', text('options.content.photo')],
      ],
      o.contentType,
      (value) => (o.contentType = value),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, text('options.title')),
      checkbox(text('options.skipBlank'), o.skipBlankPages, (on) => (o.skipBlankPages = on)),
      checkbox(text('options.cover'), o.cover.enabled, (on) => {
        o.cover.enabled = on;
        actions.changed();
      }),
      cover,
    ),
    h(
      'div',
      { class: 'preview' },
      h(
        'button',
        {
          type: 'button',
          disabled: o.preview.busy || source !== 'platen',
          'aria-describedby': source !== 'platen' ? 'preview-hint' : undefined,
          onclick: actions.preview,
        },
        o.preview.busy ? text('options.previewing') : text('options.preview'),
      ),
      source !== 'platen'
        ? h('p', { class: 'hint', id: 'preview-hint' }, text('options.previewGlassOnly'))
        : null,
      preview
        ? h('img', {
            src: preview.png,
            width: preview.width,
            height: preview.height,
            alt: text('options.previewImage'),
          })
        : null,
      preview?.blank ? h('p', { class: 'hint', role: 'status' }, text('options.previewBlank')) : null,
    ),
  );
}

function noteArea(o: FaxOptionsDraft): HTMLElement {
  const area = h('textarea', {
    rows: 3,
    maxlength: COVER_NOTE_MAX,
    oninput: (event: Event) => (o.cover.note = (event.target as HTMLTextAreaElement).value),
  }) as HTMLTextAreaElement;
  // A textarea's content is its value, set as text (never markup).
  area.value = o.cover.note;
  return area;
}
