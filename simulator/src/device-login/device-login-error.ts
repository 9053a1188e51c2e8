export type DeviceLoginErrorCode = 'UNKNOWN_USER' | 'INVALID_SIGN_IN';

const STATUS: Record<DeviceLoginErrorCode, number> = { UNKNOWN_USER: 404, INVALID_SIGN_IN: 400 };

/** A refused sign-in at the device, with a stable code and the HTTP status the control API answers. */
export class DeviceLoginError extends Error {
  readonly code: DeviceLoginErrorCode;

  constructor(code: DeviceLoginErrorCode, message: string) {
    super(message);
    this.name = 'DeviceLoginError';
    this.code = code;
  }

  get httpStatus(): number {
    return STATUS[this.code];
  }
}
