import type { JobView } from '../../protocol/messages.ts';

/** What the person at the panel reads for a job's state. */
export function describeJob(job: JobView): { title: string; detail: string; progress: number | null } {
  const total = job.totalPages;
  const failed = job.recipients.filter((r) => r.state === 'failed');
  switch (job.state) {
    case 'accepted':
      return { title: 'Starting…', detail: 'The job is queued.', progress: null };
    case 'scanning':
      return {
        title: `Scanning page ${job.pagesScanned + 1}`,
        detail: `${job.pagesScanned} scanned so far`,
        progress: null,
      };
    case 'converting':
      return { title: 'Preparing the fax', detail: `${job.pagesScanned} pages scanned`, progress: null };
    case 'dialing':
      return { title: 'Dialling…', detail: recipientsText(job), progress: total ? 0 : null };
    case 'sending':
      return {
        title: total ? `Sending page ${Math.min(job.pagesSent + 1, total)} of ${total}` : 'Sending',
        detail: recipientsText(job),
        progress: total ? job.pagesSent / total : null,
      };
    case 'retry-wait':
      return { title: 'Waiting to retry', detail: retryText(job), progress: null };
    case 'delivered':
      return {
        title: 'Delivered',
        detail: `${total ?? job.pagesSent} page(s) to ${recipientsText(job)}${skippedText(job)}${resentText(job)}`,
        progress: 1,
      };
    case 'failed':
      return {
        title: 'Not sent',
        detail: job.error?.message ?? (failed[0]?.error?.message || 'The fax could not be sent.'),
        progress: null,
      };
    case 'cancelled':
      return { title: 'Cancelled', detail: 'The fax was cancelled.', progress: null };
  }
}

/** skipBlankPages: how many scanned pages were left out (the delivered count leaves them out too). */
// i18n
function skippedText(job: JobView): string {
  const n = job.pagesSkipped ?? 0;
  if (n === 0) return '';
  return n === 1 ? ' (1 blank page left out)' : ` (${n} blank pages left out)`;
}

const RETRY_REASONS: Partial<Record<string, string>> = {
  FAX_BUSY: 'busy',
  FAX_NO_ANSWER: 'no answer',
  FAX_JOB_LOST: 'the printer restarted while sending',
};

/** A fax the printer lost part-way and the edge sent again: the far end may also hold a partial copy. */
function resentText(job: JobView): string {
  if (!job.resentAfterRestart) return '';
  return job.resentAfterRestart === 1
    ? ' (sent again after the printer restarted)'
    : ` (sent again ${job.resentAfterRestart} times after the printer restarted)`;
}

/** "busy — retry at 14:05": why the fax waits and when it dials again, in the panel's local time. */
function retryText(job: JobView): string {
  const waiting = job.recipients.filter((r) => r.state === 'retry-wait');
  const code = job.error?.code ?? waiting[0]?.error?.code;
  const reason = (code && RETRY_REASONS[code]) || 'not sent';
  const at = job.retryAt ? new Date(job.retryAt) : null;
  const when =
    at && !isNaN(at.getTime()) ? ` — retry at ${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}` : '';
  const who = waiting.length > 0 ? ` (${waiting.map((r) => r.number).join(', ')})` : '';
  return `${reason}${when}${who}`;
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function recipientsText(job: JobView): string {
  return job.recipients.map((r) => r.number).join(', ');
}
