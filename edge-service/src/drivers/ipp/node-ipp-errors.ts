/** Failures of the IPP codec: bytes that are not IPP, values that cannot be written. */

export class IppDecodeError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`Malformed IPP message at byte ${offset}: ${message}`);
    this.name = 'IppDecodeError';
    this.offset = offset;
  }
}

export class IppEncodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`Cannot encode IPP message: ${message}`, options);
    this.name = 'IppEncodeError';
  }
}
