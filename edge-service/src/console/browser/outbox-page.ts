/* Outbox: the notification emails the edge wrote (no SMTP set up), readable in the page as text. */
import { describeFailure, get } from './api.ts';
import type { PageContext } from './context.ts';
import { h, notice, show, when } from './dom.ts';
import { createListing } from './listing.ts';

interface MessageView {
  id: string;
  to?: string | string[];
  subject?: string;
  date?: string;
  createdAt?: string;
  queuedAt?: string;
  status?: string;
}

interface MessageDetail extends MessageView {
  from?: string;
  text?: string;
  body?: string;
}

const recipients = (to: MessageView['to']) => (Array.isArray(to) ? to.join(', ') : (to ?? ''));

export function renderOutbox(main: HTMLElement, ctx: PageContext): void {
  const reader = h('section', { 'aria-label': 'Message', class: 'reader' });
  const open = async (m: MessageView) => {
    try {
      const d = await get<MessageDetail>(`${ctx.ent}/outbox/${encodeURIComponent(m.id)}`);
      show(
        reader,
        h('h2', {}, d.subject ?? '(no subject)'),
        h(
          'dl',
          {},
          h('dt', {}, 'From'),
          h('dd', {}, d.from ?? ''),
          h('dt', {}, 'To'),
          h('dd', {}, recipients(d.to)),
          h('dt', {}, 'Date'),
          h('dd', {}, when(d.date ?? d.createdAt ?? d.queuedAt)),
        ),
        h('pre', { class: 'mail' }, d.text ?? d.body ?? ''),
      );
      reader.focus();
    } catch (failure) {
      show(reader, notice('error', describeFailure(failure)));
    }
  };
  reader.tabIndex = -1;
  const listing = createListing<MessageView>({
    caption: 'Messages',
    path: `${ctx.ent}/outbox`,
    filters: [],
    columns: [
      { header: 'Date', cell: (m) => when(m.date ?? m.createdAt ?? m.queuedAt), rowHeader: true },
      { header: 'To', cell: (m) => recipients(m.to) },
      { header: 'Subject', cell: (m) => m.subject ?? '' },
      { header: 'Status', cell: (m) => m.status ?? '' },
      {
        header: 'Read',
        cell: (m) =>
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Read ${m.subject ?? 'message'} to ${recipients(m.to)}`,
              onclick: () => void open(m),
            },
            'Read',
          ),
      },
    ],
  });
  show(
    main,
    h('h1', {}, 'Outbox'),
    h('p', {}, 'Emails the edge wrote to its outbox folder because no SMTP server is set up.'),
    listing.element,
    reader,
  );
  void listing.refresh();
}
