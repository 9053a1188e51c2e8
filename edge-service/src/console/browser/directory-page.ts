/*
 * Directory: the enterprise's fax directory that every panel of the enterprise searches. Search,
 * pagination, add, edit, delete (confirmed), CSV import, exports. Support agents see it read-only
 * (the API refuses their changes; the page does not offer them). Names are text nodes: never markup.
 */
import { del, describeFailure, patch, post } from './api.ts';
import type { PageContext } from './context.ts';
import { confirmAction, field, h, notice, show } from './dom.ts';
import { createListing, type Listing } from './listing.ts';

export interface DirectoryEntryView {
  id: string;
  name: string;
  number: string;
  display: string;
  country: { code: string; name: string } | null;
  company: string | null;
  department: string | null;
  notes: string | null;
}

export function renderDirectory(main: HTMLElement, ctx: PageContext): void {
  const messages = h('div', { class: 'errors', 'aria-live': 'polite' });
  const side = h('div', { class: 'side' });
  const say = (kind: 'ok' | 'error', text: string) => show(messages, notice(kind, text));
  const base = `${ctx.ent}/directory`;
  const canWrite = ctx.session.user.role !== 'support-agent';

  const actions = (e: DirectoryEntryView): HTMLElement =>
    h(
      'span',
      { class: 'row-actions' },
      h(
        'button',
        { type: 'button', 'aria-label': `Edit ${e.name}`, onclick: () => show(side, entryForm(e)) },
        'Edit',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          'aria-label': `Delete ${e.name}`,
          onclick: () =>
            void (async () => {
              if (
                !(await confirmAction(
                  `Delete ${e.name}?`,
                  `${e.display} is no longer offered at the printers. Past faxes to it stay in the reports.`,
                  'Delete entry',
                ))
              )
                return;
              try {
                await del(`${base}/${encodeURIComponent(e.id)}`);
                say('ok', `${e.name} is deleted from the directory.`);
                await listing.refresh();
              } catch (failure) {
                say('error', describeFailure(failure));
              }
            })(),
        },
        'Delete',
      ),
    );

  const search = field('Search', 'q', { type: 'search', placeholder: 'Name, company or number' });
  const listing: Listing<DirectoryEntryView> = createListing<DirectoryEntryView>({
    caption: 'Directory entries',
    path: base,
    exportPath: `${base}/export`,
    exportName: 'the directory',
    filters: [search.wrap],
    columns: [
      { header: 'Name', cell: (e) => e.name, rowHeader: true },
      { header: 'Fax number', cell: (e) => e.display },
      { header: 'Country', cell: (e) => e.country?.name ?? '' },
      { header: 'Company', cell: (e) => e.company ?? '' },
      { header: 'Department', cell: (e) => e.department ?? '' },
      { header: 'Notes', cell: (e) => e.notes ?? '' },
      ...(canWrite ? [{ header: 'Actions', cell: (e: DirectoryEntryView) => actions(e) }] : []),
    ],
  });

  function entryForm(e: DirectoryEntryView | null): HTMLElement {
    const name = field('Name', 'name', { required: true, value: e?.name ?? '', maxlength: 100 });
    const number = field('Fax number', 'number', {
      type: 'tel',
      required: true,
      value: e?.number ?? '',
      maxlength: 64,
      help: "International (+33 1 42 68 53 00) or national in the edge's country; stored as E.164.",
    });
    const company = field('Company', 'company', { value: e?.company ?? '', maxlength: 100 });
    const department = field('Department', 'department', { value: e?.department ?? '', maxlength: 100 });
    const notes = field('Notes', 'notes', { value: e?.notes ?? '', maxlength: 500 });
    const error = h('div', { class: 'errors' });
    const title = e ? `Edit ${e.name}` : 'New directory entry';
    const form = h(
      'form',
      { class: 'card', 'aria-label': title },
      h('h2', {}, title),
      name.wrap,
      number.wrap,
      company.wrap,
      department.wrap,
      notes.wrap,
      error,
      h('button', { type: 'submit' }, e ? 'Save entry' : 'Add entry'),
      ' ',
      h('button', { type: 'button', onclick: () => show(side) }, 'Cancel'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = {
        name: name.input.value.trim(),
        number: number.input.value.trim(),
        // Empty clears the field (the API stores null).
        company: company.input.value.trim(),
        department: department.input.value.trim(),
        notes: notes.input.value.trim(),
      };
      void (async () => {
        try {
          const saved = e
            ? await patch<DirectoryEntryView>(`${base}/${encodeURIComponent(e.id)}`, body)
            : await post<DirectoryEntryView>(base, body);
          show(side);
          say('ok', `${saved.name} (${saved.display}) is ${e ? 'saved' : 'added'}.`);
          await listing.refresh();
        } catch (failure) {
          show(error, notice('error', describeFailure(failure)));
        }
      })();
    });
    return form;
  }

  /** Import by pasting (panels and consoles here have no file input rules, but pasting needs no upload). */
  function importForm(): HTMLElement {
    const id = 'directory-csv';
    const area = h('textarea', {
      id,
      name: 'csv',
      rows: 8,
      required: true,
      'aria-describedby': `${id}-help`,
    });
    const error = h('div', { class: 'errors' });
    const form = h(
      'form',
      { class: 'card', 'aria-label': 'Import the directory' },
      h('h2', {}, 'Import the directory'),
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, 'CSV rows'),
        area,
        h(
          'p',
          { class: 'help', id: `${id}-help` },
          'First row: name,number and optionally company,department,notes. A number already listed is updated. ' +
            'Nothing is imported while a row is wrong.',
        ),
      ),
      error,
      h('button', { type: 'submit' }, 'Import rows'),
      ' ',
      h('button', { type: 'button', onclick: () => show(side) }, 'Cancel'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        try {
          const result = await post<{ created: number; updated: number }>(`${base}/import`, {
            csv: (area as HTMLTextAreaElement).value,
          });
          show(side);
          say('ok', `Imported: ${result.created} added, ${result.updated} updated.`);
          await listing.refresh();
        } catch (failure) {
          show(error, notice('error', describeFailure(failure)));
        }
      })();
    });
    return form;
  }

  show(
    main,
    h('h1', {}, 'Directory'),
    h(
      'p',
      { class: 'help' },
      'Names and fax numbers every printer of the enterprise offers in its Directory search.',
    ),
    canWrite
      ? h(
          'p',
          { class: 'toolbar' },
          h('button', { type: 'button', onclick: () => show(side, entryForm(null)) }, 'New entry'),
          ' ',
          h('button', { type: 'button', onclick: () => show(side, importForm()) }, 'Import CSV'),
        )
      : null,
    messages,
    side,
    listing.element,
  );
  void listing.refresh();
}
