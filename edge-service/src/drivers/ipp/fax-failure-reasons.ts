/**
 * Which fax error a device's reason keywords mean. PWG 5100.15 only defines `destination-uri-failed`;
 * devices and our simulator say more (`fax-busy`, `fax-no-answer`, `fax-dropped`,
 * `fax-modem-line-down`), with vendor spellings and the RFC 8011 `-report`/`-warning`/`-error`
 * suffixes. Pure: keywords in, a code out.
 */
import type { DestinationStatus } from '../../domain/fax-line.ts';
import { ERROR_CODES } from '../../../../protocol/index.ts';

export type FaxFailureCode = NonNullable<DestinationStatus['errorCode']>;

// Order matters: "line-disconnected" is a line that is down, "disconnected" alone a dropped call.
const PATTERNS: [FaxFailureCode, RegExp][] = [
  [
    'FAX_LINE_DOWN',
    /line-down|no-dial-?tone|line-(?:disconnected|unplugged|not-connected|unavailable|offline)|no-line|modem-(?:offline|down|error)/,
  ],
  ['FAX_BUSY', /busy/],
  ['FAX_NO_ANSWER', /no-?answer|not-answer|unanswered|no-response|no-carrier|timed?-?out/],
  [
    'FAX_DROPPED',
    /drop|disconnect|interrupt|connection-lost|lost-connection|hung-?up|hang-?up|call-failed-at-page/,
  ],
];

/** Reasons that say nothing about a failure. */
const BENIGN =
  /^(none|job-(?:completed-successfully|printing|queued|incoming|transforming|fetchable|canceled-by-user|canceled-at-device|canceled-by-operator|spooling|streaming)|processing-to-stop-point|queued-in-device|destination-uri-failed)$/;

function bare(reason: string): string {
  return reason.toLowerCase().replace(/-(?:report|warning|error)$/, '');
}

/** The most specific code any reason names, or undefined when none is specific. */
export function specificFailureCode(reasons: readonly string[]): FaxFailureCode | undefined {
  for (const [code, pattern] of PATTERNS) if (reasons.some((r) => pattern.test(bare(r)))) return code;
  return undefined;
}

/** For a failed destination: a specific code, else FAX_ERROR; the message names the reasons. */
export function failureFromReasons(reasons: readonly string[]): { code: FaxFailureCode; message: string } {
  const telling = reasons.filter((r) => !BENIGN.test(bare(r)));
  const code = specificFailureCode(telling) ?? 'FAX_ERROR';
  // People read the message at the panel: the code's wording first, the device's keywords for support.
  return {
    code,
    message: `${ERROR_CODES[code]} (${telling.length > 0 ? telling.join(', ') : 'the device gave no reason'})`,
  };
}
