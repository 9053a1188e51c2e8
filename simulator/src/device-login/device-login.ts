import { EventEmitter } from 'node:events';
import { SimulatorError } from '../control-api/http-errors.ts';
import { DEMO_DEVICE_USERS, identityOf, type DeviceUser, type DeviceUserIdentity } from './device-users.ts';

/** How a person identifies at the device: typing their email, tapping a badge, or a PIN. */
export type SignInCredential = { email: string } | { card: string } | { pin: string };

export interface DeviceSession {
  signedIn: boolean;
  user: DeviceUserIdentity | null;
  /** When the current person signed in (ISO 8601), or null. */
  since: string | null;
}

export interface DeviceLoginEvents {
  change: [session: DeviceSession];
}

/**
 * The MFP's own sign-in: a small enrolled user list and at most one signed-in person at a time.
 * Emits 'change' with the new session whenever the signed-in person changes.
 */
export class DeviceLogin extends EventEmitter<DeviceLoginEvents> {
  readonly #users: readonly DeviceUser[];
  readonly #now: () => Date;
  #current: { user: DeviceUser; since: Date } | null = null;

  constructor(options: { users?: readonly DeviceUser[]; now?: () => Date } = {}) {
    super();
    this.#users = options.users ?? DEMO_DEVICE_USERS;
    this.#now = options.now ?? (() => new Date());
  }

  users(): DeviceUser[] {
    return this.#users.map((user) => ({ ...user }));
  }

  session(): DeviceSession {
    const current = this.#current;
    if (!current) return { signedIn: false, user: null, since: null };
    return { signedIn: true, user: identityOf(current.user), since: current.since.toISOString() };
  }

  /** Signs a person in, replacing whoever was signed in (a real panel does the same on a new badge). */
  signIn(credential: SignInCredential): DeviceSession {
    const user = this.#find(credential);
    if (this.#current?.user !== user) {
      this.#current = { user, since: this.#now() };
      this.emit('change', this.session());
    }
    return this.session();
  }

  signOut(): DeviceSession {
    if (this.#current) {
      this.#current = null;
      this.emit('change', this.session());
    }
    return this.session();
  }

  #find(credential: SignInCredential): DeviceUser {
    let user: DeviceUser | undefined;
    let what: string;
    if ('email' in credential) {
      const email = credential.email.trim().toLowerCase();
      user = this.#users.find((u) => u.email.toLowerCase() === email);
      what = `email ${JSON.stringify(credential.email)}`;
    } else if ('card' in credential) {
      const card = credential.card.trim().toUpperCase();
      user = this.#users.find((u) => u.card.toUpperCase() === card);
      what = 'this card';
    } else {
      user = this.#users.find((u) => u.pin === credential.pin.trim());
      what = 'this PIN';
    }
    if (!user) throw new SimulatorError('UNKNOWN_USER', `No one on this device has ${what}.`, 404);
    return user;
  }
}
