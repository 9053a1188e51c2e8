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
    case 'needs-attention':
      // i18n: the edge's error.message is English; attentionText() builds it from the numbers.
      return { title: attentionTitle(job), detail: attentionText(job), progress: null };
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
        detail: `${total ?? job.pagesSent} page(s) to ${recipientsText(job)}${resentText(job)}`,
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

/** needs-attention: what stopped the feeder. */
export function attentionTitle(job: JobView): string {
  // i18n
  switch (job.error?.code) {
    case 'COVER_OPEN':
      return 'Scanner cover open';
    case 'FEEDER_EMPTY':
      return 'The feeder is empty';
    default:
      return 'Paper jam';
  }
}

/**
 * needs-attention: the action to take, with the sheets to put back ("Clear the jam, put pages 3 to
 * the last back in the feeder, then press Resume. Pages 1–2 are kept.").
 */
export function attentionText(job: JobView): string {
  const a = job.attention;
  if (!a) return job.error?.message ?? 'Put the remaining originals back in the feeder, then press Resume.'; // i18n
  // i18n
  const first =
    job.error?.code === 'COVER_OPEN'
      ? 'Close the scanner cover, put'
      : job.error?.code === 'FEEDER_EMPTY'
        ? 'Put'
        : 'Clear the jam, put';
  const from = a.duplex ? `sheets ${a.fromSheet}` : `pages ${a.fromPage}`;
  const kept = a.pagesKept === 1 ? 'Page 1 is kept' : `Pages 1–${a.pagesKept} are kept`;
  return `${first} ${from} to the last back in the feeder, then press Resume. ${kept}.`;
}
