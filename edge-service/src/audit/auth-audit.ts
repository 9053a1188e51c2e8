import type { AuthEventMap, AuthEvents } from '../auth/auth-events.ts';
import type { AuditTrail } from '../domain/audit.ts';

/**
 * Security events of the people path into the audit trail: sign-ins (panel and console) and their
 * failures, locks, 2FA and password changes. Returns the unsubscribe.
 */
export function auditAuthEvents(events: AuthEvents, audit: AuditTrail): () => void {
  const handlers = {
    'signed-in': (e: Ev<'signed-in'>) =>
      audit.record({
        enterpriseId: e.enterpriseId,
        actor: `user:${e.userId}`,
        action: 'auth.sign-in',
        target: e.userId,
        details: { channel: e.channel, ...(e.deviceId ? { deviceId: e.deviceId } : {}) },
        source: e.source,
      }),
    'sign-in-failed': (e: Ev<'sign-in-failed'>) =>
      audit.record({
        enterpriseId: e.enterpriseId || null,
        actor: e.userId ? `user:${e.userId}` : 'anonymous',
        action: 'auth.sign-in-failed',
        target: e.userId,
        // The email typed is kept (who was tried); never the password or the code.
        details: {
          channel: e.channel,
          code: e.code,
          ...(e.email ? { email: e.email.slice(0, 254) } : {}),
          ...(e.deviceId ? { deviceId: e.deviceId } : {}),
        },
        source: e.source,
      }),
    'account-locked': (e: Ev<'account-locked'>) =>
      audit.record({
        enterpriseId: e.enterpriseId,
        actor: 'system',
        action: 'user.lock',
        target: e.userId,
        details: { lockedUntil: e.lockedUntil?.toISOString() ?? null },
      }),
    'two-factor-enabled': (e: Ev<'two-factor-enabled'>) =>
      audit.record({
        enterpriseId: e.enterpriseId,
        actor: `user:${e.userId}`,
        action: 'user.2fa-enabled',
        target: e.userId,
      }),
    'two-factor-disabled': (e: Ev<'two-factor-disabled'>) =>
      audit.record({
        enterpriseId: e.enterpriseId,
        actor: e.by.includes(':') ? e.by : `user:${e.by}`,
        action: 'user.2fa-disabled',
        target: e.userId,
      }),
    'password-changed': (e: Ev<'password-changed'>) =>
      audit.record({
        enterpriseId: e.enterpriseId,
        actor: e.by,
        action: 'user.password-change',
        target: e.userId,
      }),
  };
  for (const [name, handler] of Object.entries(handlers)) events.on(name as never, handler as never);
  return () => {
    for (const [name, handler] of Object.entries(handlers)) events.off(name as never, handler as never);
  };
}

type Ev<K extends keyof AuthEventMap> = AuthEventMap[K][0];
