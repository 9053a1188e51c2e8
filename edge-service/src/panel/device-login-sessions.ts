import type { ErrorCode, SessionEndReason } from '../../../protocol/index.ts';
import type { IssuedSession, PanelSessions, RevokeReason } from '../auth/panel-sessions.ts';
import type { SessionClaims } from '../auth/session-tokens.ts';
import type { PanelSessionRecord } from '../domain/auth-records.ts';
import type { DeviceIdentity, DevicePerson } from '../domain/device-identity.ts';
import type { DeviceRecord, DirectoryRepository } from '../domain/device.ts';
import type { UserAccount, UserRepository } from '../domain/user.ts';
import { ERROR_CODES } from '../../../protocol/index.ts';
import type { Logger } from '../logger.ts';
import { systemClock, type PanelClock } from './panel-clock.ts';
import type { PanelSessionKeeper } from './panel-session-keeper.ts';
import type { PanelPeer } from './panel-session.ts';

/** How long a lost watch of the MFP's sign-in may stay lost before its person counts as gone. */
export const IDENTITY_GRACE_MS = 15_000;

interface Refusal {
  reason?: SessionEndReason;
  code: ErrorCode;
  message: string;
}

interface Watch {
  device: DeviceRecord;
  peers: Set<PanelPeer>;
  stop: () => void;
  /** undefined until the device first answered. */
  person: DevicePerson | null | undefined;
  /** The session of the person signed in at the MFP, shared by the device's panels. */
  signed: { user: UserAccount; issued: IssuedSession; claims: SessionClaims } | null;
  /** Why nobody is signed in although someone is at the MFP (no account, disabled, no driver). */
  refused: Refusal | null;
  /** Changes are applied one after the other (creating a session is asynchronous). */
  chain: Promise<void>;
  grace: unknown;
}

export interface DeviceLoginSessionsOptions {
  identity: (device: DeviceRecord) => DeviceIdentity | null;
  users: Pick<UserRepository, 'findByEmail' | 'get'>;
  directory: Pick<DirectoryRepository, 'getEnterprise'>;
  sessions: PanelSessions;
  keeper: PanelSessionKeeper;
  clock?: PanelClock;
  graceMs?: number;
  logger?: Logger;
}

/**
 * device-login mode (DESIGN.md §3): the person is whoever is signed in at the MFP itself, as the
 * edge reads it from the device (DeviceIdentity, with the device's stored admin credential) —
 * never from the browser: no panel message can name a person. One watch per device while any of
 * its panels is connected. The person's email is matched to the enterprise's users
 * case-insensitively; a match gets a session row (so every revocation rule of user-prompt holds),
 * shared by the device's panels. Signing out at the MFP ends it at once; a send already running
 * goes on (nothing here touches jobs). Built-in password settings play no part: the MFP
 * authenticated the person, so users without a built-in password work, and a password lockout
 * does not keep someone from their badge.
 */
export class DeviceLoginSessions {
  readonly #o: DeviceLoginSessionsOptions;
  readonly #clock: PanelClock;
  readonly #watches = new Map<string, Watch>();

  constructor(options: DeviceLoginSessionsOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  start(): void {
    this.#o.sessions.on('revoked', this.#onRevoked);
  }

  stop(): void {
    this.#o.sessions.off('revoked', this.#onRevoked);
    for (const watch of this.#watches.values()) this.#stopWatch(watch);
    this.#watches.clear();
  }

  /** A device-login panel said hello: it acts for the person at the MFP now, if known. */
  attach(peer: PanelPeer): void {
    const device = peer.session.device!;
    let watch = this.#watches.get(device.id);
    if (!watch) {
      let identity: DeviceIdentity | null = null;
      try {
        identity = this.#o.identity(device);
      } catch (error) {
        this.#o.logger?.warn({ deviceId: device.id, err: error }, 'device identity driver failed');
      }
      if (!identity) {
        // Fail closed: nobody can be signed in without reading the MFP's own sign-in.
        this.#o.logger?.warn({ deviceId: device.id }, 'device-login device without an identity driver');
        setImmediate(() => peer.push('session.changed', { user: null, ...unavailable(device) }));
        return;
      }
      const created: Watch = {
        device,
        peers: new Set(),
        stop: () => undefined,
        person: undefined,
        signed: null,
        refused: null,
        chain: Promise.resolve(),
        grace: undefined,
      };
      this.#watches.set(device.id, created);
      created.stop = identity.watch(
        (person) => this.#enqueue(created, person),
        (error) => this.#lost(created, error),
      );
      watch = created;
    }
    watch.peers.add(peer);
    if (watch.signed && this.#o.sessions.record(watch.signed.claims.sessionId)?.revokedAt === null) {
      const { user, issued, claims } = watch.signed;
      this.#o.keeper.adopt(peer, user, issued, claims, { inactivity: false });
    } else if (watch.refused) {
      const refused = watch.refused;
      setImmediate(() => peer.push('session.changed', { user: null, ...refused }));
    }
  }

  detach(peer: PanelPeer): void {
    const deviceId = peer.session.device?.id;
    const watch = deviceId === undefined ? undefined : this.#watches.get(deviceId);
    if (!watch?.peers.delete(peer) || watch.peers.size > 0) return;
    this.#watches.delete(watch.device.id);
    this.#stopWatch(watch);
  }

  #stopWatch(watch: Watch): void {
    this.#clock.clearTimeout(watch.grace);
    watch.stop();
    // No panel shows the session any more; the next panel gets one of its own.
    if (watch.signed) this.#o.sessions.revoke({ sessionId: watch.signed.claims.sessionId }, 'sign-out');
    watch.signed = null;
  }

  #enqueue(watch: Watch, person: DevicePerson | null): void {
    this.#clock.clearTimeout(watch.grace);
    watch.grace = undefined;
    watch.chain = watch.chain
      .then(() => this.#apply(watch, person))
      .catch((error: unknown) => {
        this.#o.logger?.error({ err: error, deviceId: watch.device.id }, 'device login not applied');
      });
  }

  /** The watch lost the device: after a grace period its person no longer counts as there. */
  #lost(watch: Watch, error: unknown): void {
    this.#o.logger?.warn(
      { deviceId: watch.device.id, err: error instanceof Error ? error.message : String(error) },
      'watch of the MFP sign-in lost; retrying',
    );
    if (watch.grace !== undefined || this.#watches.get(watch.device.id) !== watch) return;
    watch.grace = this.#clock.setTimeout(() => {
      watch.grace = undefined;
      watch.chain = watch.chain.then(async () => {
        await this.#apply(watch, null);
        this.#refuse(watch, unavailable(watch.device));
      });
    }, this.#o.graceMs ?? IDENTITY_GRACE_MS);
  }

  async #apply(watch: Watch, person: DevicePerson | null): Promise<void> {
    if (this.#watches.get(watch.device.id) !== watch) return;
    watch.person = person;
    const { device } = watch;
    const user = person?.email ? this.#o.users.findByEmail(device.enterpriseId, person.email) : null;
    const current = watch.signed;
    if (current && current.user.id === user?.id && person) {
      if (this.#o.sessions.record(current.claims.sessionId)?.revokedAt === null) return;
    }
    if (current) {
      watch.signed = null;
      // The keeper ends every panel holding it with reason device-sign-out.
      this.#o.sessions.revoke({ sessionId: current.claims.sessionId }, 'device-sign-out');
    }
    if (!person) {
      if (watch.refused && !current) {
        for (const peer of watch.peers)
          peer.push('session.changed', { user: null, reason: 'device-sign-out' });
      }
      watch.refused = null;
      return;
    }
    const enterprise = this.#o.directory.getEnterprise(device.enterpriseId)?.name ?? 'this company';
    if (!user) {
      return this.#refuse(watch, {
        reason: 'unknown-person',
        code: 'UNKNOWN_USER',
        message: `${person.name} is signed in at the printer but has no account in ${enterprise}: ask an administrator to add ${person.email ?? 'them'}.`,
      });
    }
    if (user.disabledAt !== null) {
      return this.#refuse(watch, {
        reason: 'disabled',
        code: 'ACCOUNT_DISABLED',
        message: `${person.name} is signed in at the printer, but the account is disabled in ${enterprise}: ask an administrator.`,
      });
    }
    watch.refused = null;
    const issued = await this.#o.sessions.create({
      userId: user.id,
      deviceId: device.id,
      enterpriseId: device.enterpriseId,
    });
    const claims: SessionClaims = {
      sessionId: issued.sessionId,
      userId: user.id,
      deviceId: device.id,
      enterpriseId: device.enterpriseId,
    };
    if (this.#watches.get(device.id) !== watch) {
      this.#o.sessions.revoke({ sessionId: issued.sessionId }, 'sign-out');
      return;
    }
    watch.signed = { user, issued, claims };
    this.#o.logger?.info({ deviceId: device.id, userId: user.id }, 'device login: panel session started');
    for (const peer of watch.peers) {
      const session = this.#o.keeper.adopt(peer, user, issued, claims, { inactivity: false });
      peer.push('session.changed', { user: session.user, session });
    }
  }

  #refuse(watch: Watch, refusal: Refusal): void {
    watch.refused = refusal;
    for (const peer of watch.peers) peer.push('session.changed', { user: null, ...refusal });
  }

  readonly #onRevoked = (rows: PanelSessionRecord[], reason: RevokeReason): void => {
    if (reason === 'device-sign-out') return;
    const ids = new Set(rows.map((r) => r.id));
    for (const watch of this.#watches.values()) {
      // Revoked by an administrator (or the user disabled): nobody is signed in until the MFP's person changes.
      if (watch.signed && ids.has(watch.signed.claims.sessionId)) watch.signed = null;
    }
  };
}

function unavailable(device: DeviceRecord): Refusal {
  return {
    code: 'DEVICE_LOGIN_UNAVAILABLE',
    message: `${ERROR_CODES.DEVICE_LOGIN_UNAVAILABLE} (${device.name})`,
  };
}
