import { ERROR_CODES, type ErrorCode, type ErrorBody } from '../../protocol/index.ts';

/**
 * The one error type the edge throws on purpose. Handlers throw it; the dispatchers (WebSocket,
 * HTTP) turn it into a reply with its code. Anything else that escapes is reported as INTERNAL.
 */
export class EdgeError extends Error {
  readonly code: ErrorCode;
  readonly page?: number;
  readonly recipient?: string;

  constructor(
    code: ErrorCode,
    message: string = ERROR_CODES[code],
    details: { page?: number; recipient?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'EdgeError';
    this.code = code;
    if (details.page !== undefined) this.page = details.page;
    if (details.recipient !== undefined) this.recipient = details.recipient;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.page !== undefined) body.page = this.page;
    if (this.recipient !== undefined) body.recipient = this.recipient;
    return body;
  }

  /** Any thrown value as an EdgeError; unexpected ones become INTERNAL without leaking details. */
  static from(error: unknown): EdgeError {
    if (error instanceof EdgeError) return error;
    return new EdgeError('INTERNAL', ERROR_CODES.INTERNAL, { cause: error });
  }
}
