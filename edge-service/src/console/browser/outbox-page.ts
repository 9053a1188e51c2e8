/* Outbox: the notification emails the edge wrote (no SMTP set up), readable in the page as text. */
import { describeFailure, get } from './api.ts';
import type { PageContext } from './context.ts';
import { h, notice, show, when } from './dom.ts';
import { createListing } from './listing.ts';

interface MessageView {
  id: string;
  kind?: string;
  to: string;
  subject: string | null;
  state?: string;
  queuedAt?: string;
  sentAt?: string | null;
  lastError?: string | null;
}

interface MessageDetail extends MessageView {
  headers?: { name: string; value: string }[];
  text?: string | null;
  linksRemoved?: boolean;
}

const header = (d: MessageDetail, name: string) =>
  d.headers?.find((x) => x.name.toLowerCase() === name.toLowerCase())?.value ?? '';

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
          h('dd', {}, header(d, 'From')),
          h('dt', {}, 'To'),
          h('dd', {}, d.to),
          h('dt', {}, 'Date'),
          h('dd', {}, when(d.sentAt ?? d.queuedAt)),
        ),
        h('pre', { class: 'mail' }, d.text ?? 'This message is no longer kept (it was delivered over SMTP).'),
        d.linksRemoved
          ? h(
              'p',
              { class: 'help' },
              'Invitation and reset links are removed here: they would sign the reader in.',
            )
          : null,
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
      { header: 'Date', cell: (m) => when(m.queuedAt), rowHeader: true },
      { header: 'To', cell: (m) => m.to },
      { header: 'Subject', cell: (m) => m.subject ?? '' },
      { header: 'Kind', cell: (m) => m.kind ?? '' },
      { header: 'State', cell: (m) => `${m.state ?? ''}${m.lastError ? ` (${m.lastError})` : ''}` },
      {
        header: 'Read',
        cell: (m) =>
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Read ${m.subject ?? 'message'} to ${m.to}`,
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
