import type { ErrorBody, JobView } from '../../protocol/messages.ts';
import { t, tMaybe } from './i18n/index.ts';

/*
 * What a person does about an error the fax path reported: the panel's own words per stable code
 * (catalog keys `error.<CODE>`, in the panel's language), never parsed from the edge's message.
 * Pure (no DOM): unit-tested in node.
 */

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "14:32" in the panel's local time; null for no time or a bad one. */
export function clockTime(iso: string | undefined): string | null {
  if (!iso) return null;
  const at = new Date(iso);
  return isNaN(at.getTime()) ? null : `${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}`;
}

/**
 * The action text for `error`: "Clear the jam…", "Line busy — retrying at 14:32" (with `retryAt`),
 * else the edge's own message (a code newer than this panel), else a generic "Try again".
 */
export function actionText(
  error: Pick<ErrorBody, 'code' | 'message' | 'recipient'>,
  retryAt?: string,
): string {
  const at = clockTime(retryAt);
  if (error.code === 'FAX_BUSY' || error.code === 'FAX_NO_ANSWER') {
    return at ? t(`error.${error.code}`, { time: at }) : t(`error.${error.code}_NOW`);
  }
  // A refusal about one number names it (the edge sends it as `recipient`).
  if (error.code === 'INVALID_NUMBER' && !error.recipient) return error.message || t('app.somethingWrong');
  return (
    tMaybe(`error.${error.code}`, { number: error.recipient ?? '' }) ??
    (error.message || t('app.somethingWrong'))
  );
}

/** The error a finished or waiting job stands on: its own, else its first failed or waiting recipient's. */
export function jobError(job: JobView): ErrorBody | null {
  if (job.error) return job.error;
  const recipient = job.recipients.find((r) => r.error && (r.state === 'failed' || r.state === 'retry-wait'));
  return recipient?.error ?? null;
}
