import { qrPng } from '../qr-png.ts';
import type { UserAccount, UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { AuthEvents } from './auth-events.ts';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import type { SecretBox } from './secret-box.ts';
import { checkTotp } from './totp.ts';

/** The box context of a user's TOTP secret: a secret copied to another user's row does not open. */
export const totpContext = (userId: string): string => `totp:${userId}`;

/**
 * Confirms a new TOTP secret with a code from it, wherever the enrolment happens (the panel's sign-in,
 * the account page): the secret sealed under the user's context, the code's step claimed, ten
 * recovery codes stored hashed, `two-factor-enabled` emitted. Returns the codes, to be shown once.
 */
export async function confirmTotpEnrolment(
  deps: { users: UserRepository; secretBox: SecretBox; events?: AuthEvents | undefined },
  user: UserAccount,
  secret: string,
  code: string,
  at: Date,
  /** Runs once the code is right, before anything is stored (e.g. claiming a single-use token). */
  beforeStore: () => void = () => undefined,
): Promise<string[]> {
  const check = await checkTotp(secret, typeof code === 'string' ? code.slice(0, 64) : '', {
    at,
    lastStep: null,
  });
  if (!check.ok) throw new EdgeError('TOTP_INVALID');
  beforeStore();
  deps.users.setTotp(user.id, {
    ciphertext: deps.secretBox.seal(secret, totpContext(user.id)),
    enrolledAt: at,
    step: check.step,
  });
  const recoveryCodes = newRecoveryCodes();
  deps.users.replaceRecoveryCodes(
    user.id,
    recoveryCodes.map((c) => hashRecoveryCode(user.id, c)),
    at,
  );
  deps.events?.emit('two-factor-enabled', { userId: user.id, enterpriseId: user.enterpriseId, at });
  return recoveryCodes;
}

/** An otpauth:// URI as a PNG data URL: panels may lack SVG, and CSP allows `img-src data:`. */
export function otpauthQrPng(uri: string): Promise<string> {
  return qrPng(uri);
}
