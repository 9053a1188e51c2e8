import type { JobView } from '../../../protocol/messages.ts';
import { h } from '../dom.ts';
import { t } from '../i18n/index.ts';
import { describeJob } from '../job-text.ts';
import { formatLocalTime } from '../sign-in-text.ts';

/** The list's state: null while it loads, 'unavailable' when the edge could not be asked. */
export type JobsList = JobView[] | null | 'unavailable';

/**
 * "My recent jobs": newest first, each a button (its name says where the fax went and how it
 * ended) that opens the live job; the result line is the job screen's detail (the action to take
 * for a failed one).
 */
export function jobsScreen(
  jobs: JobsList,
  actions: { open: (jobId: string) => void; refresh: () => void; back: () => void },
): HTMLElement {
  const body =
    jobs === null
      ? h('p', { class: 'hint', role: 'status' }, t('jobs.loading'))
      : jobs === 'unavailable'
        ? h('p', { class: 'message', role: 'alert' }, t('jobs.unavailable'))
        : jobs.length === 0
          ? h('p', { class: 'hint' }, t('jobs.none'))
          : h(
              'ul',
              { class: 'job-list', 'aria-label': t('jobs.title') },
              ...jobs.map((job) => {
                const text = describeJob(job);
                const recipients = job.recipients.map((r) => r.number).join(', ');
                return h(
                  'li',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      class: `job-item result-${job.state}`,
                      'data-state': job.state,
                      'aria-label': t('jobs.open', { recipients, state: text.title }),
                      onclick: () => actions.open(job.id),
                    },
                    h('span', { class: 'job-when' }, formatLocalTime(job.createdAt) ?? ''),
                    h('span', { class: 'job-to' }, recipients),
                    h('span', { class: 'job-state' }, text.title),
                    h('span', { class: 'job-detail' }, text.detail),
                  ),
                );
              }),
            );
  return h(
    'section',
    { class: 'jobs', 'aria-labelledby': 'jobs-heading' },
    h('h1', { id: 'jobs-heading' }, t('jobs.title')),
    body,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: actions.back }, t('common.back')),
      h('button', { type: 'button', onclick: actions.refresh }, t('jobs.refresh')),
    ),
  );
}
