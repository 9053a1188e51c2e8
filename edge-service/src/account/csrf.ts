import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';

/** Over TLS the cookie takes the `__Host-` prefix (Secure, Path=/, no Domain: no sub-domain can set it). */
export const CSRF_COOKIE_TLS = '__Host-mfp-account-csrf';
/** On plain http (loopback) the prefix is not allowed: Secure cookies need https. */
export const CSRF_COOKIE_PLAIN = 'mfp-account-csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const NONCE = /^[A-Za-z0-9_-]{43}$/;

/** The cookies of a request by name (no cookie-parser: one header, split once). */
export function readCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, pair.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * Signed double-submit CSRF tokens (OWASP's "signed double-submit cookie"): the browser holds a
 * random nonce in an HttpOnly, SameSite=Strict cookie; each page carries HMAC(key, nonce) in its
 * forms and in a meta tag for the script. A state-changing request must bring both, and they must
 * match. Another site can neither read the page's token nor compute one for a nonce it planted
 * without the key. The nonce also binds a set-up in progress (2FA enrolment) to this browser.
 */
export class CsrfTokens {
  readonly #key: Buffer;

  constructor(key: Uint8Array = randomBytes(32)) {
    this.#key = Buffer.from(key);
  }

  /** The browser's nonce, set as a cookie first when it has none (or a malformed one). */
  nonceFor(req: Request, res: Response): string {
    const existing = this.#cookie(req);
    if (existing) return existing;
    const nonce = randomBytes(32).toString('base64url');
    const tls = req.secure;
    res.cookie(tls ? CSRF_COOKIE_TLS : CSRF_COOKIE_PLAIN, nonce, {
      httpOnly: true,
      sameSite: 'strict',
      secure: tls,
      path: tls ? '/' : '/account',
    });
    return nonce;
  }

  tokenFor(nonce: string): string {
    return createHmac('sha256', this.#key).update(`account-csrf:${nonce}`).digest('base64url');
  }

  /** The nonce of a request whose token matches its cookie; null when either is missing or wrong. */
  verify(req: Request, submitted: unknown): string | null {
    const nonce = this.#cookie(req);
    if (!nonce || typeof submitted !== 'string') return null;
    const expected = Buffer.from(this.tokenFor(nonce));
    const given = Buffer.from(submitted);
    return given.length === expected.length && timingSafeEqual(given, expected) ? nonce : null;
  }

  #cookie(req: Request): string | null {
    const cookies = readCookies(req.headers.cookie);
    const value = cookies.get(req.secure ? CSRF_COOKIE_TLS : CSRF_COOKIE_PLAIN);
    return value && NONCE.test(value) ? value : null;
  }
}
