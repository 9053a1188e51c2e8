import { otpauthQrPng } from '../auth/totp-enrolment.ts';
import type {
  PasswordRuleView,
  PolicyView,
  SessionEndReason,
  SessionView,
  SignInStep as SignInStepView,
  UserView,
} from '../../../protocol/index.ts';
import { MAX_THUMBNAIL_CHARS } from '../../../protocol/index.ts';
import type { RevokeReason } from '../auth/panel-sessions.ts';
import type { PasswordRuleResult } from '../auth/password-rules.ts';
import type { SignInStep } from '../auth/sign-in-service.ts';
import type { UserRecord } from '../domain/device.ts';
import type { UserLanguage } from '../domain/user.ts';
import type { VersionedPolicy } from '../policies/policy-schema.ts';

/*
 * The auth core's results as the panel protocol shows them: no transport, no state.
 */

export const toUserView = (
  user: Pick<UserRecord, 'displayName' | 'email'> & { language?: UserLanguage },
): UserView => ({
  displayName: user.displayName,
  email: user.email,
  // The panel shows its words in the person's language (a shared account has none: the device's).
  ...(user.language ? { language: user.language } : {}),
});

export function toPolicyView(policy: VersionedPolicy): PolicyView {
  return {
    version: policy.version,
    panelInactivitySeconds: policy.document.panelInactivitySeconds,
    twoFactor: policy.document.twoFactor,
    passwordMinLength: policy.document.passwordMinLength,
    companySignIn: policy.document.sso !== null,
  };
}

export const toRuleViews = (rules: readonly PasswordRuleResult[]): PasswordRuleView[] =>
  rules.map(({ rule, ok, message }) => ({ rule, ok, message }));

export function toSessionView(token: string, user: UserView, expiresAt: Date): SessionView {
  return { sessionToken: token, user, expiresAt: expiresAt.toISOString() };
}

/**
 * A sign-in step for the panel. `done` needs the session view the caller built (its expiresAt is
 * the inactivity deadline, not the token's); `change-password` the rules of an empty candidate.
 */
export async function toSignInStepView(
  step: Exclude<SignInStep, { step: 'done' }>,
  extra: { rules?: PasswordRuleView[] } = {},
): Promise<SignInStepView> {
  const base = { stepToken: step.stepToken, expiresAt: step.expiresAt.toISOString() };
  switch (step.step) {
    case 'totp':
      return { step: 'totp', ...base };
    case 'change-password':
      return { step: 'change-password', ...base, reason: step.reason, rules: extra.rules ?? [] };
    case 'enrol-2fa':
      return {
        step: 'enrol-2fa',
        ...base,
        secret: step.secret,
        otpauthUri: step.otpauthUri,
        qrPng: await otpauthQrPng(step.otpauthUri),
      };
  }
}

/** Why a stored session was revoked, as the panel's reason. */
export function endReason(reason: RevokeReason | string | null): SessionEndReason {
  switch (reason) {
    case 'sign-out':
    case 'inactivity':
    case 'device-revoked':
    case 'password-changed':
    case 'device-sign-out':
      return reason;
    case 'user-locked':
      return 'locked';
    case 'user-disabled':
      return 'disabled';
    default:
      return 'admin';
  }
}

/** A page thumbnail as the panel shows it (job.page, job.get); none when it would not fit its field. */
export function pngDataUrl(png: Buffer): string | undefined {
  const url = `data:image/png;base64,${png.toString('base64')}`;
  return url.length <= MAX_THUMBNAIL_CHARS ? url : undefined;
}
