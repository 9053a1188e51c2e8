import { createHash, X509Certificate } from 'node:crypto';

/**
 * Certificate fingerprints as people paste them from an IdP's console: `AB:CD:…`, `ab cd …`, with a
 * zero-width space or a no-break space picked up on the way (the product we follow had to fix
 * exactly that). The sanitised form is lower-case hex without separators: 40 digits (SHA-1, what
 * AD FS calls a thumbprint) or 64 (SHA-256).
 */
const INVISIBLE = /[\u200b-\u200f\u2028-\u202f\u2060-\u2064\ufeff\u00a0\u00ad]/g;

export type FingerprintAlgorithm = 'sha1' | 'sha256';

export function sanitizeFingerprint(value: string): string | null {
  const hex = value
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(/^\s*(sha-?(1|256)\s*(fingerprint)?\s*[:=]?)/i, '')
    .replace(/[\s:-]/g, '')
    .toLowerCase();
  return /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(hex) ? hex : null;
}

export const fingerprintAlgorithm = (fingerprint: string): FingerprintAlgorithm =>
  fingerprint.length === 40 ? 'sha1' : 'sha256';

/** A certificate as base64 DER (the body of a PEM, or an X509Certificate element's text). */
export function certificateDer(certificate: string): Buffer {
  const body = certificate
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(body)) throw new Error('not a base64 certificate');
  return Buffer.from(body, 'base64');
}

/** PEM text of a base64 DER or PEM certificate; throws when it is not a certificate. */
export function certificatePem(certificate: string): string {
  const der = certificateDer(certificate);
  // Parsing proves it is a certificate (and not a key or noise) before anyone relies on it.
  new X509Certificate(der);
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export function certificateFingerprint(certificate: string, algorithm: FingerprintAlgorithm): string {
  return createHash(algorithm).update(certificateDer(certificate)).digest('hex');
}

/** Whether a certificate has this (sanitised) fingerprint. */
export function fingerprintMatches(certificate: string, fingerprint: string): boolean {
  try {
    return certificateFingerprint(certificate, fingerprintAlgorithm(fingerprint)) === fingerprint;
  } catch {
    return false;
  }
}
