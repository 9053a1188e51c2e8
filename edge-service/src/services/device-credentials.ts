import { createHash, randomBytes } from 'node:crypto';

/**
 * Device credentials are 256-bit random tokens. Only their SHA-256 is stored: with that much entropy
 * a fast hash is as strong as a slow KDF, and look-up by hash stays an index hit.
 */
export function newDeviceToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
