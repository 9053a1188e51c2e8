import {
  CLOSE_CODES,
  type ErrorCode,
  type SessionEndReason,
  type SessionView,
} from '../../../protocol/index.ts';
import type { IssuedSession, PanelSessions, RevokeReason } from '../auth/panel-sessions.ts';
import type { SessionClaims } from '../auth/session-tokens.ts';
import type { PanelSessionRecord } from '../domain/auth-records.ts';
import type { DeviceRepository, UserRecord } from '../domain/device.ts';
import { isFinal, type JobRecord, type JobRepository } from '../domain/job.ts';
import { isLocked, type UserLanguage, type UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { VersionedPolicy } from '../policies/policy-schema.ts';
import { systemClock, type PanelClock } from './panel-clock.ts';
import type { PanelPeer } from './panel-session.ts';
import { endReason, toPolicyView, toSessionView, toUserView } from './panel-views.ts';

/** How long before the inactivity sign-out the panel hears `session.expiring` (at most half the timeout). */
export const EXPIRY_WARNING_MS = 10_000;
/** How often the keeper looks for changes another process (the admin CLI) made to the database. */
export const SESSION_CHECK_MS = 500;

interface Presence {
  deadline: number;
  warnTimer: unknown;
  endTimer: unknown;
  /** The countdown ran out during the person's send: it starts again when the send ends. */
  waiting: boolean;
}

export type SessionCheck = 'ok' | 'ended' | 'device-revoked';

export interface PanelSessionKeeperOptions {
  sessions: PanelSessions;
  users: Pick<UserRepository, 'get'>;
  devices: Pick<DeviceRepository, 'get'>;
  policies: PolicyService;
  jobs: Pick<JobRepository, 'listUnfinished'>;
  /** Job events of the fax engine: a send ending lets a waiting inactivity sign-out go on. */
  jobEvents: {
    on(event: 'job', listener: (job: JobRecord) => void): unknown;
    off(event: 'job', listener: (job: JobRecord) => void): unknown;
  };
  /** Changes whenever another process commits to the database (PRAGMA data_version). */
  externalChangeCounter: () => number;
  clock?: PanelClock;
  checkIntervalMs?: number;
  logger?: Logger;
}

/**
 * Keeps every panel connection's signed-in state true (DESIGN.md §3, §4): each request is checked
 * against the stored session, the user and the device; revocations made in this process end the
 * panels holding them at once (PanelSessions 'revoked'), ones made by another process (the admin
 * CLI) at the next request or within SESSION_CHECK_MS; the inactivity countdown per connection,
 * which never runs out during the person's own send; and policy pushes.
 *
 * Transport-free: it talks to connections through PanelPeer.
 */
export class PanelSessionKeeper {
  readonly #o: PanelSessionKeeperOptions;
  readonly #clock: PanelClock;
  readonly #peers = new Map<PanelPeer, Presence | null>();
  #counter: number | undefined;
  #interval: NodeJS.Timeout | undefined;

  constructor(options: PanelSessionKeeperOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  start(): void {
    this.#o.sessions.on('revoked', this.#onRevoked);
    this.#o.policies.on('changed', this.#onPolicy);
    this.#o.jobEvents.on('job', this.#onJob);
    this.#counter = this.#o.externalChangeCounter();
    this.#interval = setInterval(() => this.#poll(), this.#o.checkIntervalMs ?? SESSION_CHECK_MS);
    this.#interval.unref();
  }

  stop(): void {
    this.#o.sessions.off('revoked', this.#onRevoked);
    this.#o.policies.off('changed', this.#onPolicy);
    this.#o.jobEvents.off('job', this.#onJob);
    clearInterval(this.#interval);
    this.#interval = undefined;
    for (const peer of this.#peers.keys()) this.#disarm(peer);
    this.#peers.clear();
  }

  connected(peer: PanelPeer): void {
    this.#peers.set(peer, null);
  }

  /** The connection is gone. Its session row stays live, so a panel that reconnects resumes it. */
  disconnected(peer: PanelPeer): void {
    this.#disarm(peer);
    this.#peers.delete(peer);
  }

  policyView(enterpriseId: string) {
    return toPolicyView(this.#o.policies.get(enterpriseId));
  }

  /**
   * Before each request after hello: is the device still paired, the session still live, the user
   * still allowed? When not, the panel has been told (session.changed) and its person cleared.
   */
  check(peer: PanelPeer): SessionCheck {
    const { session } = peer;
    if (!session.device) return 'ok';
    const device = this.#o.devices.get(session.device.id);
    if (!device || device.revokedAt !== null) {
      this.#deviceRevoked(session.device.id);
      return 'device-revoked';
    }
    const signedIn = session.signedIn;
    if (!signedIn) return 'ok';
    const row = this.#o.sessions.record(signedIn.claims.sessionId);
    if (!row || row.revokedAt !== null) {
      this.end(peer, endReason(row?.revokedReason ?? null));
      return 'ended';
    }
    const user = this.#o.users.get(signedIn.claims.userId);
    const reason: RevokeReason | null = !user
      ? 'admin'
      : user.disabledAt !== null
        ? 'user-disabled'
        : // A lock guards the built-in password: it ends password sessions, not the MFP's own sign-in.
          signedIn.inactivity && isLocked(user, new Date())
          ? 'user-locked'
          : null;
    if (reason) {
      this.#o.sessions.revoke(user ? { userId: user.id } : { sessionId: row.id }, reason);
      // Revoked above (the 'revoked' event ended it) unless another process had already done so.
      if (peer.session.signedIn) this.end(peer, endReason(reason));
      return 'ended';
    }
    return 'ok';
  }

  /** A request or session.activity: the countdown starts again. The inactivity deadline, or null. */
  activity(peer: PanelPeer): Date | null {
    const signedIn = peer.session.signedIn;
    if (!signedIn) return null;
    this.#o.sessions.touchRecord(signedIn.claims.sessionId, new Date(this.#clock.now()));
    if (!signedIn.inactivity) return null;
    return new Date(this.#arm(peer));
  }

  /** The panel's view of its session (token and deadline), or null. */
  view(peer: PanelPeer): SessionView | null {
    const { signedIn, user } = peer.session;
    if (!signedIn || !user) return null;
    const presence = this.#peers.get(peer);
    const expiresAt = presence ? new Date(presence.deadline) : new Date(this.#tokenExpiry(signedIn.token));
    return toSessionView(signedIn.token, toUserView(user), expiresAt);
  }

  /** A session was issued (sign-in, resume, device login): the connection now acts for `user`. */
  adopt(
    peer: PanelPeer,
    user: UserRecord & { language?: UserLanguage },
    issued: IssuedSession,
    claims: SessionClaims,
    options: { inactivity: boolean },
  ): SessionView {
    const previous = peer.session.signedIn;
    if (previous && previous.claims.sessionId !== issued.sessionId) {
      // A new sign-in over an old one: the old session ends quietly (the panel shows the new person).
      this.#disarm(peer);
      peer.session.signedIn = null;
      this.#o.sessions.revoke({ sessionId: previous.claims.sessionId }, 'sign-out');
    }
    peer.session.user = {
      id: user.id,
      enterpriseId: user.enterpriseId,
      email: user.email,
      displayName: user.displayName,
      ...(user.language ? { language: user.language } : {}),
    };
    peer.session.signedIn = { claims, token: issued.token, inactivity: options.inactivity };
    if (options.inactivity) this.#arm(peer);
    return this.view(peer)!;
  }

  /** A fresh token for the connection's session (the panel keeps it for hello after a reconnect). */
  async renew(peer: PanelPeer): Promise<SessionView | null> {
    const signedIn = peer.session.signedIn;
    if (!signedIn) return null;
    const issued = await this.#o.sessions.reissue(signedIn.claims);
    if (peer.session.signedIn !== signedIn) return null;
    signedIn.token = issued.token;
    return this.view(peer);
  }

  /**
   * hello with a session token (user-prompt): the session goes on if the token is this device's,
   * valid and not revoked, the user may still sign in, and the inactivity timeout has not passed
   * since the last activity (unless the person's send is still running). Anything else: null, and
   * the panel shows the sign-in.
   */
  async resume(peer: PanelPeer, token: string): Promise<SessionView | null> {
    const device = peer.session.device;
    if (!device) return null;
    let claims: SessionClaims;
    try {
      claims = await this.#o.sessions.verify(token, device.id);
    } catch (error) {
      if (error instanceof EdgeError) {
        this.#o.logger?.info({ deviceId: device.id, code: error.code }, 'panel session not resumed');
        return null;
      }
      throw error;
    }
    const row = this.#o.sessions.record(claims.sessionId);
    const user = this.#o.users.get(claims.userId);
    if (!row || !user || user.disabledAt !== null || isLocked(user, new Date())) return null;
    const timeoutMs = this.#timeoutMs(device.enterpriseId);
    if (
      Date.parse(row.lastActivityAt) + timeoutMs <= this.#clock.now() &&
      !this.#sending(device.id, user.id)
    ) {
      this.#o.sessions.revoke({ sessionId: row.id }, 'inactivity');
      return null;
    }
    const issued = await this.#o.sessions.reissue(claims);
    this.#o.sessions.touchRecord(row.id, new Date(this.#clock.now()));
    return this.adopt(peer, user, issued, claims, { inactivity: true });
  }

  /** auth.signOut: the session row is revoked; the 'revoked' event ends the panel. */
  signOut(peer: PanelPeer): void {
    const signedIn = peer.session.signedIn;
    if (signedIn) this.#o.sessions.revoke({ sessionId: signedIn.claims.sessionId }, 'sign-out');
  }

  /** The connection no longer acts for anyone; the panel hears why. */
  end(peer: PanelPeer, reason: SessionEndReason, extra: { code?: ErrorCode; message?: string } = {}): void {
    this.#disarm(peer);
    const had = peer.session.signedIn !== null;
    peer.session.signedIn = null;
    peer.session.user = null;
    if (had) peer.push('session.changed', { user: null, reason, ...extra });
  }

  /**
   * An admin changed the device (or paired it again): every panel connection of it is closed with
   * `closeCode` (DEVICE_CHANGED: the panel says hello again; DEVICE_REVOKED: its credential is
   * gone). With `endSessions`, the device's panel sessions are revoked first, so nobody stays signed
   * in under the old auth mode or shared account.
   */
  disconnectDevice(deviceId: string, closeCode: number, endSessions: RevokeReason | null): void {
    if (endSessions) this.#o.sessions.revoke({ deviceId }, endSessions);
    for (const peer of [...this.#peers.keys()]) {
      if (peer.session.device?.id !== deviceId) continue;
      if (endSessions && peer.session.signedIn) this.end(peer, endReason(endSessions));
      peer.session.user = null;
      peer.close(closeCode, closeCode === CLOSE_CODES.DEVICE_REVOKED ? 'device revoked' : 'device changed');
    }
  }

  /** Devices with at least one panel that said hello. */
  onlineDevices(): Set<string> {
    const ids = new Set<string>();
    for (const peer of this.#peers.keys()) if (peer.session.device) ids.add(peer.session.device.id);
    return ids;
  }

  /** Whether `userId` has a fax on `deviceId` that has not reached a final state. */
  #sending(deviceId: string, userId: string): boolean {
    // An emailed fax is no send at this panel: it does not keep the person signed in here.
    return this.#o.jobs
      .listUnfinished()
      .some((j) => j.deviceId === deviceId && j.userId === userId && j.source !== 'email');
  }

  #timeoutMs(enterpriseId: string): number {
    return this.#o.policies.get(enterpriseId).document.panelInactivitySeconds * 1000;
  }

  #tokenExpiry(token: string): number {
    try {
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        exp?: number;
      };
      return (payload.exp ?? 0) * 1000;
    } catch {
      return this.#clock.now();
    }
  }

  /** (Re)starts the countdown; returns the deadline. */
  #arm(peer: PanelPeer): number {
    this.#disarm(peer);
    const device = peer.session.device!;
    const timeoutMs = this.#timeoutMs(device.enterpriseId);
    const lead = Math.min(EXPIRY_WARNING_MS, timeoutMs / 2);
    const presence: Presence = {
      deadline: this.#clock.now() + timeoutMs,
      warnTimer: this.#clock.setTimeout(() => this.#warn(peer, presence), timeoutMs - lead),
      endTimer: this.#clock.setTimeout(() => this.#expire(peer, presence), timeoutMs),
      waiting: false,
    };
    this.#peers.set(peer, presence);
    return presence.deadline;
  }

  #disarm(peer: PanelPeer): void {
    const presence = this.#peers.get(peer);
    if (!presence) return;
    this.#clock.clearTimeout(presence.warnTimer);
    this.#clock.clearTimeout(presence.endTimer);
    if (this.#peers.has(peer)) this.#peers.set(peer, null);
  }

  #busy(peer: PanelPeer): boolean {
    const { device, user } = peer.session;
    return device !== null && user !== null && this.#sending(device.id, user.id);
  }

  #warn(peer: PanelPeer, presence: Presence): void {
    if (this.#peers.get(peer) !== presence) return;
    if (this.#busy(peer)) return this.#wait(peer, presence);
    peer.push('session.expiring', { at: new Date(presence.deadline).toISOString() });
  }

  #expire(peer: PanelPeer, presence: Presence): void {
    if (this.#peers.get(peer) !== presence) return;
    if (this.#busy(peer)) return this.#wait(peer, presence);
    const signedIn = peer.session.signedIn;
    if (!signedIn) return;
    this.#o.sessions.revoke({ sessionId: signedIn.claims.sessionId }, 'inactivity');
    // Revoked by another process a moment ago: end it here too.
    if (peer.session.signedIn) this.end(peer, 'inactivity');
  }

  #wait(peer: PanelPeer, presence: Presence): void {
    this.#clock.clearTimeout(presence.endTimer);
    this.#clock.clearTimeout(presence.warnTimer);
    presence.waiting = true;
  }

  readonly #onJob = (job: JobRecord): void => {
    if (!isFinal(job.state)) return;
    for (const [peer, presence] of this.#peers) {
      const { device, user } = peer.session;
      if (!presence?.waiting || device?.id !== job.deviceId || user?.id !== job.userId) continue;
      // The send is over: the full timeout runs again from now.
      if (!this.#busy(peer)) this.#arm(peer);
    }
  };

  readonly #onRevoked = (rows: PanelSessionRecord[], reason: RevokeReason): void => {
    const ids = new Set(rows.map((r) => r.id));
    for (const peer of [...this.#peers.keys()]) {
      const held = peer.session.signedIn?.claims.sessionId;
      if (held === undefined || !ids.has(held)) continue;
      this.end(peer, endReason(reason));
      if (reason === 'device-revoked') peer.close(CLOSE_CODES.DEVICE_REVOKED, 'device revoked');
    }
  };

  readonly #onPolicy = (enterpriseId: string, policy: VersionedPolicy): void => {
    const view = toPolicyView(policy);
    for (const peer of this.#peers.keys()) {
      if (peer.session.device?.enterpriseId === enterpriseId) peer.push('policy.updated', { policy: view });
    }
  };

  /** Every panel of a revoked device: told, and disconnected (it falls back to pairing). */
  #deviceRevoked(deviceId: string): void {
    for (const peer of [...this.#peers.keys()]) {
      if (peer.session.device?.id !== deviceId) continue;
      if (peer.session.signedIn) this.end(peer, 'device-revoked');
      else peer.push('session.changed', { user: null, reason: 'device-revoked' });
      peer.session.user = null;
      peer.close(CLOSE_CODES.DEVICE_REVOKED, 'device revoked');
    }
    // Rows another process left live (or none): the panels above have already been told.
    this.#o.sessions.revoke({ deviceId }, 'device-revoked');
  }

  /** Another process committed: check every connection now rather than at its next request. */
  #poll(): void {
    try {
      const counter = this.#o.externalChangeCounter();
      if (counter === this.#counter) return;
      this.#counter = counter;
      for (const peer of [...this.#peers.keys()]) this.check(peer);
    } catch (error) {
      this.#o.logger?.warn({ err: error }, 'panel session check failed; retrying');
    }
  }
}
