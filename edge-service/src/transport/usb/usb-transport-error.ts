export type UsbTransportErrorCode = 'NO_IPP_USB_INTERFACE' | 'CLAIM_FAILED' | 'TRANSFER_FAILED';

/** A failure of the `usb` side of IPP-over-USB (opening, claiming, bulk transfers), with a stable code. */
export class UsbTransportError extends Error {
  readonly code: UsbTransportErrorCode;

  constructor(code: UsbTransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsbTransportError';
    this.code = code;
  }
}
