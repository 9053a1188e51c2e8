import { EventEmitter } from 'node:events';

/** What people are told about by email (DESIGN.md §4); the mail room subscribes. No secrets in here. */
export interface AuthEventMap {
  'password-changed': [event: { userId: string; enterpriseId: string; at: Date; by: string }];
  'two-factor-enabled': [event: { userId: string; enterpriseId: string; at: Date }];
  'two-factor-disabled': [event: { userId: string; enterpriseId: string; at: Date; by: string }];
  'account-locked': [event: { userId: string; enterpriseId: string; at: Date; lockedUntil: Date | null }];
  'recovery-code-used': [event: { userId: string; enterpriseId: string; at: Date; left: number }];
  /** A complete sign-in (the audit log records these; no mail). */
  'signed-in': [event: SignInEvent & { userId: string }];
  /** A refused sign-in step: `code` says why (INVALID_CREDENTIALS, TOTP_INVALID, ACCOUNT_LOCKED, ...). */
  'sign-in-failed': [event: SignInEvent & { userId: string | null; email: string | null; code: string }];
}

export interface SignInEvent {
  enterpriseId: string;
  at: Date;
  /** `panel` (with the device) or `console`. */
  channel: 'panel' | 'console' | 'smtp';
  deviceId?: string;
  source: string;
}

export class AuthEvents extends EventEmitter<AuthEventMap> {}
