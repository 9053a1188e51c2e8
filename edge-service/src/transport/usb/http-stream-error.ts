export type HttpStreamErrorCode =
  'CONNECTION_CLOSED' | 'MALFORMED_RESPONSE' | 'STREAM_FAILED' | 'UNSUPPORTED_REQUEST' | 'TRANSPORT_CLOSED';

/** A failure of HTTP over a byte stream (IPP-USB interface, socket): the code is stable, the message says what happened. */
export class HttpStreamError extends Error {
  readonly code: HttpStreamErrorCode;

  constructor(code: HttpStreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpStreamError';
    this.code = code;
  }
}
