import type { JobView } from '../../protocol/messages.ts';
import { t } from './i18n/index.ts';
import { actionText, clockTime, jobError } from './error-text.ts';

/** What the person at the panel reads for a job's state, in the panel's language. */
export function describeJob(job: JobView): { title: string; detail: string; progress: number | null } {
  const total = job.totalPages;
  switch (job.state) {
    case 'accepted':
      return { title: t('job.state.accepted'), detail: t('job.state.acceptedDetail'), progress: null };
    case 'scanning':
      return {
        title: t('job.state.scanning', { page: job.pagesScanned + 1 }),
        detail: t('job.state.scanningDetail', { count: job.pagesScanned }),
        progress: null,
      };
    case 'needs-attention':
      // The panel's words, built from the numbers (the edge's error.message is English).
      return { title: attentionTitle(job), detail: attentionText(job), progress: null };
    case 'converting':
      return {
        title: t('job.state.converting'),
        detail: t('job.state.convertingDetail', { count: job.pagesScanned }),
        progress: null,
      };
    case 'dialing':
      return { title: t('job.state.dialing'), detail: recipientsText(job), progress: total ? 0 : null };
    case 'sending':
      return {
        title: total
          ? t('job.state.sendingPage', { page: Math.min(job.pagesSent + 1, total), total })
          : t('job.state.sending'),
        detail: recipientsText(job),
        progress: total ? job.pagesSent / total : null,
      };
    case 'retry-wait':
      return { title: t('job.state.retryWait'), detail: retryText(job), progress: null };
    case 'delivered':
      return {
        title: t('job.state.delivered'),
        detail: t('job.state.deliveredDetail', {
          count: total ?? job.pagesSent,
          recipients: recipientsText(job),
          notes: skippedText(job) + resentText(job),
        }),
        progress: 1,
      };
    case 'failed': {
      const error = jobError(job);
      return {
        title: t('job.state.failed'),
        detail: error ? actionText(error) : t('job.state.failedDetail'),
        progress: null,
      };
    }
    case 'cancelled':
      return { title: t('job.state.cancelled'), detail: t('job.state.cancelledDetail'), progress: null };
  }
}

/** skipBlankPages: how many scanned pages were left out (the delivered count leaves them out too). */
function skippedText(job: JobView): string {
  const n = job.pagesSkipped ?? 0;
  if (n === 0) return '';
  return n === 1 ? t('job.skippedOne') : t('job.skippedMany', { count: n });
}

/** The state word for a job in a list ("Delivered", "Not sent"…). */
export function jobStateTitle(job: JobView): string {
  return describeJob(job).title;
}

const RETRY_REASONS = {
  FAX_BUSY: 'job.retry.busy',
  FAX_NO_ANSWER: 'job.retry.noAnswer',
  FAX_JOB_LOST: 'job.retry.lost',
} as const;

/** A fax the printer lost part-way and the edge sent again: the far end may also hold a partial copy. */
function resentText(job: JobView): string {
  if (!job.resentAfterRestart) return '';
  return job.resentAfterRestart === 1
    ? t('job.resentOnce')
    : t('job.resentMany', { count: job.resentAfterRestart });
}

/** "busy — retry at 14:05": why the fax waits and when it dials again, in the panel's local time. */
function retryText(job: JobView): string {
  const waiting = job.recipients.filter((r) => r.state === 'retry-wait');
  const code = job.error?.code ?? waiting[0]?.error?.code;
  const key = code && code in RETRY_REASONS ? RETRY_REASONS[code as keyof typeof RETRY_REASONS] : null;
  const reason = key ? t(key) : t('job.retry.notSent');
  const at = clockTime(job.retryAt);
  const when = at ? t('job.retry.at', { time: at }) : '';
  const who = waiting.length > 0 ? ` (${waiting.map((r) => r.number).join(', ')})` : '';
  return `${reason}${when}${who}`;
}

function recipientsText(job: JobView): string {
  return job.recipients.map((r) => r.number).join(', ');
}

/** needs-attention: what stopped the feeder. */
export function attentionTitle(job: JobView): string {
  return t(`job.attention.${stopOf(job)}`);
}

/** What stopped the feeder, as the catalog names it (anything else reads as a jam). */
function stopOf(job: JobView): 'cover' | 'empty' | 'jam' {
  const code = job.error?.code;
  return code === 'COVER_OPEN' ? 'cover' : code === 'FEEDER_EMPTY' ? 'empty' : 'jam';
}

/**
 * needs-attention: the action to take, with the sheets to put back ("Clear the jam, put pages 3 to
 * the last back in the feeder, then press Resume. Pages 1–2 are kept.").
 */
export function attentionText(job: JobView): string {
  const a = job.attention;
  if (!a) return t('job.attention.putBackRest');
  // Whole sentences per case, so each language words them its own way.
  const action = a.duplex
    ? t(`job.attention.${stopOf(job)}.sheets`, { from: a.fromSheet })
    : t(`job.attention.${stopOf(job)}.pages`, { from: a.fromPage });
  // Nothing kept (the first sheet jammed): nothing to say about kept pages.
  if (a.pagesKept === 0) return action;
  const kept =
    a.pagesKept === 1 ? t('job.attention.keptOne') : t('job.attention.keptMany', { count: a.pagesKept });
  return `${action} ${kept}`;
}
