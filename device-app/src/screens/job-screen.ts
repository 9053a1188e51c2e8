import type { JobView, PageView } from '../../../protocol/messages.ts';
import { isFinalJobState } from '../../../protocol/job-states.ts';
import { h } from '../dom.ts';
import { describeJob } from '../job-text.ts';

export interface JobScreenActions {
  cancel: () => void;
  /** needs-attention: scan the sheets put back (finish: none left, send the pages kept). */
  resume: (finish: boolean) => void;
  done: () => void;
  /** The page's thumbnail (PNG data URL), once it came. */
  thumbnail: (page: number) => string | null;
}

/**
 * The live job: its state and progress, a thumbnail of each page as it is scanned with where the
 * page is, each recipient's result, and the actions that fit the state (Resume after a jam, Cancel
 * while it runs, Done at the end).
 */
export function jobScreen(job: JobView, actions: JobScreenActions): HTMLElement {
  const text = describeJob(job);
  const final = isFinalJobState(job.state);
  const attention = job.state === 'needs-attention';
  const progress =
    text.progress === null
      ? null
      : h('progress', { max: 100, value: Math.round(text.progress * 100), 'aria-label': 'Fax progress' }); // i18n
  return h(
    'section',
    { class: `job${attention ? ' job-attention' : ''}`, 'aria-label': 'Fax status' }, // i18n
    h(
      'p',
      {
        class: `state result-${job.state}`,
        role: 'status',
        'aria-label': 'Job state', // i18n
        'data-state': job.state,
      },
      text.title,
    ),
    progress,
    // The action to take is an alert: a screen reader says it as soon as the feeder stops.
    h('p', attention ? { class: 'detail attention', role: 'alert' } : { class: 'detail' }, text.detail),
    pageStrip(job, actions),
    recipientList(job),
    h(
      'div',
      { class: 'actions' },
      ...(final
        ? [h('button', { class: 'primary', type: 'button', onclick: actions.done }, 'Done')] // i18n
        : attention
          ? [
              h(
                'button',
                { class: 'primary', type: 'button', onclick: () => actions.resume(false) },
                'Resume',
              ), // i18n
              job.pages && job.pages.length > 0
                ? h(
                    'button',
                    { type: 'button', onclick: () => actions.resume(true) },
                    sendKeptLabel(job.pages.length),
                  )
                : null,
              h('button', { class: 'danger', type: 'button', onclick: actions.cancel }, 'Cancel fax'), // i18n
            ]
          : [h('button', { class: 'danger', type: 'button', onclick: actions.cancel }, 'Cancel fax')]), // i18n
    ),
  );
}

/** "Send the 2 pages scanned": for a feeder that reported a jam after the last sheet. */
function sendKeptLabel(pages: number): string {
  return pages === 1 ? 'Send the page scanned' : `Send the ${pages} pages scanned`; // i18n
}

const PAGE_STATE_TEXT: { [S in PageView['state']]: string } = {
  // i18n
  scanned: 'scanned',
  compressed: 'ready',
  sending: 'sending',
  sent: 'sent',
};

/** One tile per page: its thumbnail (or its number until the thumbnail comes) and where it is. */
function pageStrip(job: JobView, actions: JobScreenActions): HTMLElement | null {
  const pages = job.pages ?? [];
  if (pages.length === 0) return null;
  const several = job.recipients.length > 1;
  return h(
    'ul',
    { class: 'pages', 'aria-label': 'Pages' }, // i18n
    ...pages.map((page) => {
      const src = actions.thumbnail(page.number);
      const label = `Page ${page.number}`; // i18n
      const state =
        several && page.state !== 'sent' && page.sentTo > 0
          ? `sent to ${page.sentTo} of ${job.recipients.length}` // i18n
          : PAGE_STATE_TEXT[page.state];
      return h(
        'li',
        { class: `page page-${page.state}`, 'data-page': page.number, 'aria-label': `${label}: ${state}` },
        src
          ? h('img', { src, alt: label, width: 64, height: 90 })
          : h('span', { class: 'page-placeholder', 'aria-hidden': 'true' }, String(page.number)),
        h('span', { class: 'page-state' }, state),
      );
    }),
  );
}

/** Each number and how it went: "busy — retrying at 14:32", "not sent: <reason>", "delivered". */
function recipientList(job: JobView): HTMLElement | null {
  if (job.recipients.length === 0) return null;
  return h(
    'ul',
    { class: 'job-recipients', 'aria-label': 'Recipients' }, // i18n
    ...job.recipients.map((r) =>
      h(
        'li',
        { class: `recipient recipient-${r.state}` },
        h('span', { class: 'number' }, r.number),
        h('span', { class: 'result' }, recipientText(job, r)),
      ),
    ),
  );
}

const RETRY_REASONS: { [code: string]: string } = {
  // i18n
  FAX_BUSY: 'busy',
  FAX_NO_ANSWER: 'no answer',
  FAX_JOB_LOST: 'the printer restarted while sending',
};

function recipientText(job: JobView, r: JobView['recipients'][number]): string {
  // i18n (every string below)
  switch (r.state) {
    case 'pending':
      return 'waiting';
    case 'dialing':
      return 'dialling';
    case 'sending':
      return 'sending';
    case 'delivered':
      return 'delivered';
    case 'retry-wait': {
      const reason = (r.error && RETRY_REASONS[r.error.code]) || 'not answered';
      const at = job.retryAt ? new Date(job.retryAt) : null;
      return at && !isNaN(at.getTime()) ? `${reason} — retrying at ${clock(at)}` : `${reason} — retrying`;
    }
    case 'failed':
      return r.error ? `not sent: ${r.error.message}` : 'not sent';
  }
}

function clock(at: Date): string {
  const two = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${two(at.getHours())}:${two(at.getMinutes())}`;
}
