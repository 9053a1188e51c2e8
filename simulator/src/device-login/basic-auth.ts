import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Reads an `Authorization: Basic …` header (RFC 7617); null when absent or malformed. */
export function parseBasicAuth(header: string | undefined): BasicCredentials | null {
  const match = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Compares both parts in constant time. Hashing first gives equal-length inputs, so neither the
 * content nor the length of the expected password leaks through timing.
 */
export function credentialsMatch(given: BasicCredentials, expected: BasicCredentials): boolean {
  const user = timingSafeEqual(digest(given.username), digest(expected.username));
  const password = timingSafeEqual(digest(given.password), digest(expected.password));
  return user && password;
}
