import { SimulatorError } from '../control-api/http-errors.ts';

/** Stable codes of the virtual scanner's refusals; the HTTP layers map them to statuses. */
export type ScannerErrorCode =
  | 'BAD_SCAN_SETTINGS'
  | 'UNSUPPORTED_SETTING'
  | 'SCANNER_BUSY'
  | 'SCANNER_OFFLINE'
  | 'SCANNER_JAM'
  | 'FEEDER_EMPTY'
  | 'COVER_OPEN'
  | 'JOB_NOT_FOUND'
  | 'JOB_ABORTED'
  | 'NOT_READY'
  | 'NO_MORE_DOCUMENTS'
  | 'UNKNOWN_SAMPLE'
  | 'INVALID_ORIGINAL'
  | 'ENCRYPTED_ORIGINAL'
  | 'TOO_MANY_PAGES'
  | 'PAGE_SIZE_UNSUPPORTED';

/** The HTTP status a real eSCL device (or our control API) answers for each refusal. */
const HTTP_STATUS: Record<ScannerErrorCode, number> = {
  BAD_SCAN_SETTINGS: 400,
  UNSUPPORTED_SETTING: 409,
  SCANNER_BUSY: 503,
  SCANNER_OFFLINE: 503,
  SCANNER_JAM: 409,
  FEEDER_EMPTY: 409,
  COVER_OPEN: 409,
  JOB_NOT_FOUND: 404,
  JOB_ABORTED: 409,
  NOT_READY: 503,
  NO_MORE_DOCUMENTS: 404,
  UNKNOWN_SAMPLE: 400,
  INVALID_ORIGINAL: 400,
  ENCRYPTED_ORIGINAL: 400,
  TOO_MANY_PAGES: 413,
  PAGE_SIZE_UNSUPPORTED: 400,
};

/** The shared SimulatorError, with the scanner's codes and the status each one answers with. */
export class ScannerError extends SimulatorError<ScannerErrorCode> {
  constructor(code: ScannerErrorCode, message: string) {
    super(code, message, HTTP_STATUS[code]);
    this.name = 'ScannerError';
  }
}
