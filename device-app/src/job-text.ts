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
      return { title: 'Waiting to retry', detail: job.error?.message ?? '', progress: null };
    case 'delivered':
      return {
        title: 'Delivered',
        detail: `${total ?? job.pagesSent} page(s) to ${recipientsText(job)}`,
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

function recipientsText(job: JobView): string {
  return job.recipients.map((r) => r.number).join(', ');
}
