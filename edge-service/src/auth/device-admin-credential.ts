import type { DeviceAdminCredential } from '../domain/device.ts';
import { EdgeError } from '../edge-error.ts';
import type { SecretBox } from './secret-box.ts';

/**
 * A device's admin credential at rest: secret-box ciphertext of `{"username","password"}` bound to
 * the device id, so a box copied onto another device's row does not open there.
 */
export function adminCredentialContext(deviceId: string): string {
  return `device-admin:${deviceId}`;
}

export function sealAdminCredential(
  box: SecretBox,
  deviceId: string,
  credential: DeviceAdminCredential,
): string {
  if (typeof credential.username !== 'string' || typeof credential.password !== 'string')
    throw new TypeError('an admin credential is a username and a password');
  // RFC 7617: the user-id of HTTP Basic cannot contain a colon.
  if (credential.username.includes(':'))
    throw new EdgeError('BAD_MESSAGE', 'A device admin user name cannot contain ":".');
  return box.seal(
    JSON.stringify({ username: credential.username, password: credential.password }),
    adminCredentialContext(deviceId),
  );
}

/** SECRET_INVALID when the box was altered, belongs to another device, or holds something else. */
export function openAdminCredential(box: SecretBox, deviceId: string, sealed: string): DeviceAdminCredential {
  const text = box.openText(sealed, adminCredentialContext(deviceId));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EdgeError('SECRET_INVALID');
  }
  const { username, password } = (value ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string') throw new EdgeError('SECRET_INVALID');
  return { username, password };
}
