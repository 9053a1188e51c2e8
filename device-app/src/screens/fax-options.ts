import type { ContentType, OriginalSize, ReplyPayload } from '../../../protocol/messages.ts';
import { COVER_NOTE_MAX, COVER_SUBJECT_MAX } from '../../../protocol/limits.ts';
import { h, radioGroup } from '../dom.ts';
import { t } from '../i18n/index.ts';

/*
 * The composer's options (issue 11), beside the resolution and originals groups of fax-screen.ts:
 * simplex/duplex, original size, text/photo, skip blank pages, an optional cover page (subject and
 * note) and a preview of the page on the glass. Every control is a labelled input in a fieldset,
 * so it has an accessible name and a touch target the size of its label (app.css: .fax-options).
 * Typing in the cover fields updates the draft without a re-render, so focus and caret stay put.
 * Words come from the panel's catalog (device-app/src/i18n/, keys `options.*`).
 */

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
          t('options.coverSubject'),
          h('input', {
            type: 'text',
            maxlength: COVER_SUBJECT_MAX,
            value: o.cover.subject,
            autocomplete: 'off',
            oninput: (event: Event) => (o.cover.subject = (event.target as HTMLInputElement).value),
          }),
        ),
        h('label', { class: 'field' }, t('options.coverNote'), noteArea(o)),
      )
    : null;

  const preview = o.preview.result;
  return h(
    'div',
    { class: 'fax-options', role: 'group', 'aria-label': t('options.title') },
    radioGroup<'one' | 'two'>(
      t('options.sides'),
      'sides',
      [
        ['one', t('options.oneSided')],
        ['two', t('options.twoSided')],
      ],
      o.duplex ? 'two' : 'one',
      (value) => (o.duplex = value === 'two'),
    ),
    radioGroup<OriginalSize>(
      t('options.size'),
      'original-size',
      [
        ['auto', t('options.size.auto')],
        ['a4', t('options.size.a4')],
        ['letter', t('options.size.letter')],
        ['legal', t('options.size.legal')],
      ],
      o.originalSize,
      (value) => (o.originalSize = value),
    ),
    radioGroup<ContentType>(
      t('options.content'),
      'content-type',
      [
        ['text', t('options.content.text')],
        ['photo', t('options.content.photo')],
      ],
      o.contentType,
      (value) => (o.contentType = value),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, t('options.title')),
      checkbox(t('options.skipBlank'), o.skipBlankPages, (on) => (o.skipBlankPages = on)),
      checkbox(t('options.cover'), o.cover.enabled, (on) => {
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
        o.preview.busy ? t('options.previewing') : t('options.preview'),
      ),
      source !== 'platen'
        ? h('p', { class: 'hint', id: 'preview-hint' }, t('options.previewGlassOnly'))
        : null,
      preview
        ? h('img', {
            src: preview.png,
            width: preview.width,
            height: preview.height,
            alt: t('options.previewImage'),
          })
        : null,
      preview?.blank ? h('p', { class: 'hint', role: 'status' }, t('options.previewBlank')) : null,
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
