import type { PasswordRuleView, SignInStep } from '../../protocol/messages.ts';
import { t } from './i18n/index.ts';

/*
 * The user-prompt sign-in as views: which screen each step of the edge's answer opens. Pure (no
 * DOM, no connection), unit-tested in node.
 */

export type SignInView =
  | { kind: 'sign-in'; notice: string }
  | { kind: 'totp'; stepToken: string; message: string }
  | {
      kind: 'change-password';
      stepToken: string;
      reason: 'expired' | 'must-change';
      rules: PasswordRuleView[];
      message: string;
    }
  | { kind: 'enrol-2fa'; stepToken: string; secret: string; qrPng: string | null; message: string }
  | { kind: 'recovery-codes'; codes: string[] };

export type StepOutcome =
  | { view: SignInView; session: null }
  | {
      /** null: straight to home. */
      view: SignInView | null;
      session: Extract<SignInStep, { step: 'done' }>['session'];
    };

/** Only a PNG data URL is shown as the QR code; anything else is dropped (the key is there to type). */
export function safeQrPng(qrPng: string): string | null {
  return /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/.test(qrPng) ? qrPng : null;
}

export function viewForStep(step: SignInStep): StepOutcome {
  switch (step.step) {
    case 'totp':
      return { view: { kind: 'totp', stepToken: step.stepToken, message: '' }, session: null };
    case 'change-password':
      return {
        view: {
          kind: 'change-password',
          stepToken: step.stepToken,
          reason: step.reason,
          rules: step.rules,
          message: '',
        },
        session: null,
      };
    case 'enrol-2fa':
      return {
        view: {
          kind: 'enrol-2fa',
          stepToken: step.stepToken,
          secret: step.secret,
          qrPng: safeQrPng(step.qrPng),
          message: '',
        },
        session: null,
      };
    case 'done':
      return {
        view:
          step.recoveryCodes && step.recoveryCodes.length > 0
            ? { kind: 'recovery-codes', codes: step.recoveryCodes }
            : null,
        session: step.session,
      };
  }
}

/** A new password can be sent once no rule is failed (null: checked by the edge on submit) and both fields agree. */
export function canSubmitPassword(rules: PasswordRuleView[], password: string, confirm: string): boolean {
  return password.length > 0 && password === confirm && rules.every((rule) => rule.ok !== false);
}

/** Why the person must choose a new password, in the panel's language. */
export function changeReasonText(reason: 'expired' | 'must-change'): string {
  return reason === 'expired' ? t('password.reason.expired') : t('password.reason.must-change');
}
