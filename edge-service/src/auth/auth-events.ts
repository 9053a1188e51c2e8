import { EventEmitter } from 'node:events';

/** What people are told about by email (DESIGN.md §4); the mail room subscribes. No secrets in here. */
export interface AuthEventMap {
  'password-changed': [event: { userId: string; enterpriseId: string; at: Date; by: string }];
  'two-factor-enabled': [event: { userId: string; enterpriseId: string; at: Date }];
  'two-factor-disabled': [event: { userId: string; enterpriseId: string; at: Date; by: string }];
  'account-locked': [event: { userId: string; enterpriseId: string; at: Date; lockedUntil: Date | null }];
  'recovery-code-used': [event: { userId: string; enterpriseId: string; at: Date; left: number }];
}

export class AuthEvents extends EventEmitter<AuthEventMap> {}
