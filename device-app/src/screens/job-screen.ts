import type { JobView } from '../../../protocol/messages.ts';
import { isFinalJobState } from '../../../protocol/job-states.ts';
import { h } from '../dom.ts';
import { describeJob } from '../job-text.ts';

export function jobScreen(job: JobView, actions: { cancel: () => void; done: () => void }): HTMLElement {
  const text = describeJob(job);
  const final = isFinalJobState(job.state);
  const progress =
    text.progress === null
      ? null
      : h('progress', { max: 100, value: Math.round(text.progress * 100), 'aria-label': 'Fax progress' });
  return h(
    'section',
    { class: 'job', 'aria-label': 'Fax status' },
    h('h1', {}, 'Fax'),
    h(
      'p',
      {
        class: `state result-${job.state}`,
        role: 'status',
        'aria-label': 'Job state',
        'data-state': job.state,
      },
      text.title,
    ),
    progress,
    h('p', { class: 'detail' }, text.detail),
    h(
      'div',
      { class: 'actions' },
      final
        ? h('button', { class: 'primary', type: 'button', onclick: actions.done }, 'Done')
        : h('button', { class: 'danger', type: 'button', onclick: actions.cancel }, 'Cancel fax'),
    ),
  );
}
