/**
 * Every error the edge reports to a panel has one of these stable codes. The message text beside a
 * code is for people and may change; the code may not. Panels map codes to their own wording.
 */
export const ERROR_CODES = {
  // Envelope and session
  BAD_MESSAGE: 'The message is not valid JSON or does not match its schema.',
  UNKNOWN_TYPE: 'The message type is not part of the negotiated protocol version.',
  HELLO_REQUIRED: 'The first message on a connection must be hello.',
  UNSUPPORTED_VERSION: 'The panel and the edge share no protocol version.',
  DEVICE_UNAUTHORIZED: 'The device credential is missing, unknown or revoked: pair the device again.',
  RATE_LIMITED: 'Too many attempts; wait and try again.',
  AUTH_REQUIRED: 'Sign in first: this device needs a signed-in person for this.',
  INTERNAL: 'The edge hit an unexpected error; the job, if any, is kept.',
  // Fax input
  INVALID_NUMBER: 'The fax number is not a valid phone number.',
  NO_RECIPIENTS: 'A fax needs at least one recipient.',
  TOO_MANY_RECIPIENTS: 'A fax has more recipients than allowed.',
  JOB_NOT_FOUND: 'No such job on this device.',
  JOB_FINISHED: 'The job has already finished.',
  // Scanner
  SCANNER_BUSY: 'The scanner is in use by someone else.',
  SCANNER_JAM: 'Paper is jammed in the feeder.',
  FEEDER_EMPTY: 'The document feeder is empty.',
  COVER_OPEN: 'A cover of the scanner is open.',
  SCANNER_OFFLINE: 'The scanner does not answer.',
  SCANNER_ERROR: 'The scanner reported an error.',
  SCAN_INTERRUPTED: 'The edge restarted while scanning; the sheets already fed cannot be read again.',
  // Fax line
  FAX_UNSUPPORTED: 'The device offers no fax modem.',
  FAX_BUSY: 'The line of the recipient was busy.',
  FAX_NO_ANSWER: 'The recipient did not answer.',
  FAX_DROPPED: 'The call dropped during transmission.',
  FAX_LINE_DOWN: 'The fax line of the device is down.',
  FAX_ERROR: 'The fax modem reported an error.',
  FAX_UNREACHABLE: 'The printer does not answer: check it is on and connected to the network.',
  FAX_JOB_LOST:
    'The printer lost the fax part-way (it restarted or stopped answering); it is sent again if the retry policy allows.',
  // Edge storage
  SPOOL_FULL: 'The edge ran out of disk space for scanned pages.',
  // Images
  IMAGE_INVALID: 'A scanned page could not be read as an image.',
  IMAGE_TOO_LARGE: 'A scanned page is larger than the edge accepts.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * WebSocket close codes the edge uses (4000–4999 is the application range of RFC 6455). 1009 (too
 * big) and 1011 (internal error) are the standard ones.
 */
export const CLOSE_CODES = {
  MESSAGE_TOO_BIG: 1009,
  INTERNAL: 1011,
  BAD_MESSAGE: 4400,
  DEVICE_UNAUTHORIZED: 4401,
  HELLO_TIMEOUT: 4408,
  UNSUPPORTED_VERSION: 4426,
  DEVICE_REVOKED: 4403,
} as const;
