import { SimulatorError } from '../control-api/http-errors.ts';

export type FaxModemErrorCode =
  | 'JOB_NOT_FOUND'
  | 'JOB_NOT_INCOMING'
  | 'JOB_NOT_CANCELABLE'
  | 'JOB_NOT_OWNED'
  | 'MODEM_STOPPED'
  | 'DOCUMENT_TOO_LARGE'
  | 'TOO_MANY_DOCUMENTS'
  | 'JOB_TOO_LARGE'
  | 'MODEM_FULL';

/** The HTTP status each refusal would have; IPP clients get the IPP status ipp-operations.ts maps it to. */
const HTTP_STATUS: Record<FaxModemErrorCode, number> = {
  JOB_NOT_FOUND: 404,
  JOB_NOT_INCOMING: 409,
  JOB_NOT_CANCELABLE: 409,
  JOB_NOT_OWNED: 403,
  MODEM_STOPPED: 503,
  DOCUMENT_TOO_LARGE: 413,
  TOO_MANY_DOCUMENTS: 413,
  JOB_TOO_LARGE: 413,
  MODEM_FULL: 503,
};

/** The shared SimulatorError, with the fax modem's codes. */
export class FaxModemError extends SimulatorError<FaxModemErrorCode> {
  constructor(code: FaxModemErrorCode, message: string) {
    super(code, message, HTTP_STATUS[code]);
    this.name = 'FaxModemError';
  }
}
