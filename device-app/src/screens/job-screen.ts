import type { JobView, PageView } from '../../../protocol/messages.ts';
import { isFinalJobState } from '../../../protocol/job-states.ts';
import { h } from '../dom.ts';
import { describeJob } from '../job-text.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { actionText, clockTime } from '../error-text.ts';

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
      : h('progress', { max: 100, value: Math.round(text.progress * 100), 'aria-label': t('job.progress') });
  return h(
    'section',
    { class: `job${attention ? ' job-attention' : ''}`, 'aria-label': t('job.label') },
    h(
      'p',
      {
        class: `state result-${job.state}`,
        role: 'status',
        'aria-label': t('job.stateLabel'),
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
        ? [h('button', { class: 'primary', type: 'button', onclick: actions.done }, t('common.done'))]
        : attention
          ? [
              h(
                'button',
                { class: 'primary', type: 'button', onclick: () => actions.resume(false) },
                t('job.resume'),
              ),
              job.pages && job.pages.length > 0
                ? h(
                    'button',
                    { type: 'button', onclick: () => actions.resume(true) },
                    sendKeptLabel(job.pages.length),
                  )
                : null,
              h('button', { class: 'danger', type: 'button', onclick: actions.cancel }, t('job.cancel')),
            ]
          : [h('button', { class: 'danger', type: 'button', onclick: actions.cancel }, t('job.cancel'))]),
    ),
  );
}

/** "Send the 2 pages scanned": for a feeder that reported a jam after the last sheet. */
function sendKeptLabel(pages: number): string {
  return pages === 1 ? t('job.sendKeptOne') : t('job.sendKeptMany', { count: pages });
}

const PAGE_STATE_TEXT: { [S in PageView['state']]: MessageKey } = {
  scanned: 'job.page.scanned',
  compressed: 'job.page.compressed',
  sending: 'job.page.sending',
  sent: 'job.page.sent',
};

/** One tile per page: its thumbnail (or its number until the thumbnail comes) and where it is. */
function pageStrip(job: JobView, actions: JobScreenActions): HTMLElement | null {
  const pages = job.pages ?? [];
  if (pages.length === 0) return null;
  const several = job.recipients.length > 1;
  return h(
    'ul',
    { class: 'pages', 'aria-label': t('job.pages') },
    ...pages.map((page) => {
      const src = actions.thumbnail(page.number);
      const label = t('job.page', { page: page.number });
      const state =
        several && page.state !== 'sent' && page.sentTo > 0
          ? t('job.page.sentTo', { count: page.sentTo, total: job.recipients.length })
          : t(PAGE_STATE_TEXT[page.state]);
      return h(
        'li',
        {
          class: `page page-${page.state}`,
          'data-page': page.number,
          'aria-label': t('job.pageLabel', { page: label, state }),
        },
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
    { class: 'job-recipients', 'aria-label': t('job.recipients') },
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

const RETRY_REASONS: { [code: string]: MessageKey } = {
  FAX_BUSY: 'job.retry.busy',
  FAX_NO_ANSWER: 'job.retry.noAnswer',
  FAX_JOB_LOST: 'job.retry.lost',
};

function recipientText(job: JobView, r: JobView['recipients'][number]): string {
  switch (r.state) {
    case 'pending':
    case 'dialing':
    case 'sending':
    case 'delivered':
      return t(`job.recipient.${r.state}`);
    case 'retry-wait': {
      const code = r.error?.code;
      const key =
        code && Object.prototype.hasOwnProperty.call(RETRY_REASONS, code) ? RETRY_REASONS[code] : null;
      const reason = key ? t(key) : t('job.retry.notAnswered');
      const at = clockTime(job.retryAt);
      return at
        ? t('job.recipient.retryingAt', { reason, time: at })
        : t('job.recipient.retrying', { reason });
    }
    case 'failed':
      // The panel's words for the code (the edge's own message only for a code newer than the panel).
      return r.error
        ? t('job.recipient.failedBecause', { reason: actionText(r.error) })
        : t('job.recipient.failed');
  }
}
