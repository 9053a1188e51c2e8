import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

/**
 * RFC 8628 user codes (DESIGN.md §11): 8 characters of 20 consonants — no vowels (no words), no
 * look-alikes (0/O, 1/I) — shown `XXXX-XXXX`. 20^8 ≈ 2^34.6: enough for 10 minutes behind a rate
 * limit, far too few to survive a plain hash, hence the keyed hash below.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;
/** How long a user code and its device code are good for (RFC 8628 expires_in). */
export const PAIRING_TTL_MS = 10 * 60_000;

/** A fresh user code, normalised (no dash): `WDJBMJHT`. */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** `WDJBMJHT` → `WDJB-MJHT`, as the panel shows it. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a person typed (`wdjb mjht`, `WDJB-MJHT`, `wdjb–mjht`) → `WDJBMJHT`; null when it cannot be
 * a user code (wrong length or a character outside the alphabet), so no look-up is spent on it.
 */
export function normaliseUserCode(input: string): string | null {
  const code = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-‐‑‒–—_.]/g, '');
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return null;
  return code;
}

/** The panel's secret: 256 random bits (RFC 8628 device_code). */
export function newDeviceCode(): string {
  return randomBytes(32).toString('base64url');
}

/** A device code's stored form: with 256 bits, SHA-256 is as good as a slow hash. */
export function hashDeviceCode(code: string): string {
  return createHash('sha256').update(`pairing-device-code:${code}`, 'utf8').digest('hex');
}

/** The key that hashes user codes at rest, derived from the edge's secret key (one key, many uses). */
export function userCodeKey(secretKey: Buffer): Buffer {
  return createHmac('sha256', secretKey).update('mfp-edge pairing user codes v1').digest();
}

/** A normalised user code's stored form: HMAC-SHA-256 under userCodeKey. */
export function hashUserCode(key: Buffer, normalised: string): string {
  return createHmac('sha256', key).update(normalised, 'utf8').digest('hex');
}
