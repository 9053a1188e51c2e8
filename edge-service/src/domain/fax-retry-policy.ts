import type { ErrorCode } from '../../../protocol/index.ts';

/**
 * How an enterprise wants a fax redialled when a recipient is busy or does not answer. Other
 * failures (a call dropped mid-page, a dead line, a refused document) are not redialled: sending
 * again could deliver the first pages twice, or cannot succeed before someone fixes the line.
 */
export interface FaxRetryPolicy {
  /** Dial attempts per recipient, the first included (1 = never redial). */
  attempts: number;
  /** Wait between a failed attempt and the next. */
  intervalMs: number;
}

export const DEFAULT_FAX_RETRY_POLICY: FaxRetryPolicy = { attempts: 3, intervalMs: 2 * 60_000 };

/** One attempt and no redial: what the engine does when no policy source is configured. */
export const NO_RETRY_POLICY: FaxRetryPolicy = { attempts: 1, intervalMs: 0 };

export const FAX_RETRY_LIMITS = {
  attempts: { min: 1, max: 10 },
  intervalMs: { min: 0, max: 24 * 3_600_000 },
} as const;

/*
 * A fax the printer lost part-way (FAX_JOB_LOST) reached the far end as a partial fax at best, so it is
 * sent again like a busy number: the alternative is a fax nobody received.
 */
const RETRYABLE: readonly ErrorCode[] = ['FAX_BUSY', 'FAX_NO_ANSWER', 'FAX_JOB_LOST'];

export function isRetryableFaxFailure(code: ErrorCode | undefined): boolean {
  return code !== undefined && RETRYABLE.includes(code);
}

/** Throws a RangeError naming the first field out of its range. */
export function checkFaxRetryPolicy(policy: FaxRetryPolicy): FaxRetryPolicy {
  for (const key of ['attempts', 'intervalMs'] as const) {
    const { min, max } = FAX_RETRY_LIMITS[key];
    const value = policy[key];
    if (!Number.isInteger(value) || value < min || value > max)
      throw new RangeError(`fax retry ${key} must be an integer from ${min} to ${max}, not ${value}`);
  }
  return policy;
}

/**
 * What the modem dials before each number, e.g. "9" for an outside line behind a PBX: digits,
 * `*`, `#` and `,` (a pause), at most 16. Empty: numbers are dialled as they are.
 */
export const PRE_DIAL_STRING_PATTERN = /^[0-9*#,]{0,16}$/;

/** Throws a RangeError unless `value` is a valid pre-dial string (see PRE_DIAL_STRING_PATTERN). */
export function checkPreDialString(value: string): string {
  if (typeof value !== 'string' || !PRE_DIAL_STRING_PATTERN.test(value))
    throw new RangeError(
      `fax pre-dial string must be at most 16 of 0-9 * # , (a pause), not ${JSON.stringify(value)}`,
    );
  return value;
}

/** An enterprise's whole fax policy: how to redial, and what to dial first. */
export interface FaxPolicy extends FaxRetryPolicy {
  preDialString: string;
}

/** Per-enterprise fax policies; versioned so a panel or an upstream never acts on a stale one. */
export interface FaxPolicyRepository {
  /** The enterprise's policy, or the defaults when it never set one. */
  faxRetryPolicy(enterpriseId: string): FaxRetryPolicy & { version: number };
  setFaxRetryPolicy(enterpriseId: string, policy: FaxRetryPolicy): FaxRetryPolicy & { version: number };
  /** The whole policy; a field the enterprise never set is the edge's default. */
  faxPolicy(enterpriseId: string): FaxPolicy & { version: number };
  /** Changes the fields given (one new version), keeping the others. */
  setFaxPolicy(enterpriseId: string, changes: Partial<FaxPolicy>): FaxPolicy & { version: number };
}
