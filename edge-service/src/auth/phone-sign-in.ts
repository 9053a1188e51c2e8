import type { UserAccount, UserRepository } from '../domain/user.ts';
import type { AuthEvents } from './auth-events.ts';
import type { DeviceAuthorizations } from './device-authorizations.ts';
import type { IssuedSession, PanelSessions } from './panel-sessions.ts';

/**
 * An approved phone sign-in becomes a panel session of its device for the person who confirmed,
 * once (DeviceAuthorizations.consume checks again that they may sign in), recorded as a
 * sign-in (`signed-in`, channel `phone`: the audit log keeps it) exactly as a password sign-in is.
 */
export interface PhoneSignInOptions {
  authorizations: DeviceAuthorizations;
  sessions: PanelSessions;
  users: Pick<UserRepository, 'recordSignIn'>;
  events?: AuthEvents;
  now?: () => Date;
}

export class PhoneSignIn {
  readonly #o: PhoneSignInOptions;

  constructor(options: PhoneSignInOptions) {
    this.#o = options;
  }

  async issue(
    id: string,
    deviceId: string,
    source: string,
  ): Promise<{ user: UserAccount; session: IssuedSession }> {
    const user = this.#o.authorizations.consume(id);
    return { user, session: await this.started(user, deviceId, source) };
  }

  /** The session of a consumed authorization (the token endpoint consumed it while polling). */
  async started(user: UserAccount, deviceId: string, source: string): Promise<IssuedSession> {
    const session = await this.#o.sessions.create({
      userId: user.id,
      deviceId,
      enterpriseId: user.enterpriseId,
    });
    const at = (this.#o.now ?? (() => new Date()))();
    this.#o.users.recordSignIn?.(user.id, at);
    this.#o.events?.emit('signed-in', {
      userId: user.id,
      enterpriseId: user.enterpriseId,
      at,
      channel: 'phone',
      deviceId,
      source,
    });
    return session;
  }
}
