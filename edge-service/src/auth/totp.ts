import { generate, generateSecret, generateURI, verify } from 'otplib';

/**
 * RFC 6238 TOTP as every authenticator app reads it: HMAC-SHA-1, 6 digits, 30-second steps. A code
 * of the step before or after the current one is accepted too (clock drift, typing time).
 */
export const TOTP_PARAMETERS = { algorithm: 'sha1', digits: 6, periodSeconds: 30, driftSteps: 1 } as const;

/** 20 random bytes (160 bits, RFC 4226's recommendation) as Base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The `otpauth://totp/...` URI an authenticator app scans: issuer = the enterprise, label = the email. */
export function totpUri(input: { issuer: string; email: string; secret: string }): string {
  return generateURI({
    issuer: input.issuer,
    label: input.email,
    secret: input.secret,
    algorithm: TOTP_PARAMETERS.algorithm,
    digits: TOTP_PARAMETERS.digits,
    period: TOTP_PARAMETERS.periodSeconds,
  });
}

/** The RFC 6238 time step of an instant. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PARAMETERS.periodSeconds);
}

/** The code at `at`: Base32 secret, or raw bytes (RFC 6238's test vectors use an ASCII secret). */
export function totpCode(secret: string | Uint8Array, at: Date, digits: 6 | 7 | 8 = TOTP_PARAMETERS.digits) {
  return generate({
    secret,
    algorithm: TOTP_PARAMETERS.algorithm,
    digits,
    period: TOTP_PARAMETERS.periodSeconds,
    epoch: Math.floor(at.getTime() / 1000),
  });
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'replayed' };

/** Spaces and hyphens people type or paste between digit groups. */
export function normalizeTotpInput(code: string): string {
  return code.replace(/[\s-]/g, '');
}

/**
 * Checks a code typed at `at`. `lastStep` is the step of the last code accepted for this user: a
 * code of that step or an older one is a replay even if it is otherwise right (codes are single-use).
 * The caller must still claim the returned step atomically (UserRepository.claimTotpStep).
 */
export async function checkTotp(
  secret: string,
  code: string,
  options: { at: Date; lastStep: number | null; digits?: 6 | 7 | 8 },
): Promise<TotpCheck> {
  const digits = options.digits ?? TOTP_PARAMETERS.digits;
  const token = normalizeTotpInput(code);
  if (!new RegExp(`^[0-9]{${digits}}$`).test(token)) return { ok: false, reason: 'invalid' };
  const result = await verify({
    secret,
    token,
    algorithm: TOTP_PARAMETERS.algorithm,
    digits,
    period: TOTP_PARAMETERS.periodSeconds,
    epoch: Math.floor(options.at.getTime() / 1000),
    epochTolerance: TOTP_PARAMETERS.driftSteps * TOTP_PARAMETERS.periodSeconds,
  });
  // The union also covers HOTP results; a TOTP verification always carries its time step.
  if (!result.valid || !('timeStep' in result)) return { ok: false, reason: 'invalid' };
  if (options.lastStep !== null && result.timeStep <= options.lastStep)
    return { ok: false, reason: 'replayed' };
  return { ok: true, step: result.timeStep };
}
