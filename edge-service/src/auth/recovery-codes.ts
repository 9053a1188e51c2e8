import { createHash, randomInt } from 'node:crypto';

/** Ten codes, each usable once instead of a TOTP code (a lost phone). */
export const RECOVERY_CODE_COUNT = 10;
/** 16 characters of a 32-letter alphabet: 80 bits, so a fast hash is enough to store them. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const LENGTH = 16;

/** New codes, shown once as `XXXX-XXXX-XXXX-XXXX`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let code = '';
    for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    return code.match(/.{4}/g)!.join('-');
  });
}

/** What a person types, as stored: case, spaces and hyphens do not matter (the alphabet has no 0/O, 1/I). */
export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

export function looksLikeRecoveryCode(code: string): boolean {
  const normalized = normalizeRecoveryCode(code);
  return normalized.length === LENGTH && [...normalized].every((c) => ALPHABET.includes(c));
}

/** Hashed with the user's id, so the same code of two users has two hashes. */
export function hashRecoveryCode(userId: string, code: string): string {
  return createHash('sha256')
    .update(`${userId}:${normalizeRecoveryCode(code)}`, 'utf8')
    .digest('hex');
}
