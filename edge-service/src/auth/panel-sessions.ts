import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PanelSessionRecord, PanelSessionRepository, SessionTarget } from '../domain/auth-records.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { SessionClaims, SessionTokens } from './session-tokens.ts';

/** Why sessions end; stored with the session row. */
export type RevokeReason =
  | 'sign-out'
  | 'inactivity'
  | 'device-revoked'
  | 'user-locked'
  | 'user-disabled'
  | 'password-changed'
  | 'two-factor-reset'
  | 'admin'
  /** device-login: the person signed out at the MFP itself. */
  | 'device-sign-out';

export interface IssuedSession {
  sessionId: string;
  token: string;
  expiresAt: Date;
}

export interface PanelSessionsEvents {
  /** Sessions just revoked: a socket layer ends the panels that hold them. */
  revoked: [sessions: PanelSessionRecord[], reason: RevokeReason];
}

/** Panel sessions: a row per sign-in (revocable) and short-lived tokens that name it. */
export class PanelSessions extends EventEmitter<PanelSessionsEvents> {
  readonly #repository: PanelSessionRepository;
  readonly #tokens: SessionTokens;
  readonly #now: () => Date;
  readonly #log: Logger | undefined;

  constructor(options: {
    repository: PanelSessionRepository;
    tokens: SessionTokens;
    now?: () => Date;
    logger?: Logger;
  }) {
    super();
    this.#repository = options.repository;
    this.#tokens = options.tokens;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.logger;
  }

  async create(input: { userId: string; deviceId: string; enterpriseId: string }): Promise<IssuedSession> {
    const sessionId = randomUUID();
    this.#repository.create({
      id: sessionId,
      userId: input.userId,
      deviceId: input.deviceId,
      at: this.#now(),
    });
    const { token, expiresAt } = await this.#tokens.sign({ sessionId, ...input });
    this.#log?.info({ sessionId, userId: input.userId, deviceId: input.deviceId }, 'panel session started');
    return { sessionId, token, expiresAt };
  }

  /** The claims of a live session; SESSION_REVOKED once its row is revoked (see SessionTokens.verify). */
  async verify(token: string, deviceId: string): Promise<SessionClaims> {
    const claims = await this.#tokens.verify(token, deviceId);
    const row = this.#repository.get(claims.sessionId);
    if (!row || row.userId !== claims.userId || row.deviceId !== claims.deviceId)
      throw new EdgeError('TOKEN_INVALID');
    if (row.revokedAt !== null) throw new EdgeError('SESSION_REVOKED');
    return claims;
  }

  /** Activity: records it and returns a fresh token (the old one stays valid until it expires). */
  async touch(token: string, deviceId: string): Promise<IssuedSession> {
    const claims = await this.verify(token, deviceId);
    if (!this.#repository.touch(claims.sessionId, this.#now())) throw new EdgeError('SESSION_REVOKED');
    const fresh = await this.#tokens.sign(claims);
    return { sessionId: claims.sessionId, ...fresh };
  }

  /**
   * A fresh token for a session the caller already holds (a panel connection that verified it at
   * sign-in): unlike touch(), it does not need the old token to be unexpired, so a session kept
   * alive by a long send gets a token again. SESSION_REVOKED once the row is revoked.
   */
  async reissue(claims: SessionClaims): Promise<IssuedSession> {
    const row = this.#repository.get(claims.sessionId);
    if (!row || row.userId !== claims.userId || row.deviceId !== claims.deviceId)
      throw new EdgeError('TOKEN_INVALID');
    if (row.revokedAt !== null) throw new EdgeError('SESSION_REVOKED');
    const fresh = await this.#tokens.sign(claims);
    return { sessionId: claims.sessionId, ...fresh };
  }

  /** The stored row of a session (revoked or not). */
  record(sessionId: string): PanelSessionRecord | null {
    return this.#repository.get(sessionId);
  }

  /** Records activity on a live session; false once it is revoked. */
  touchRecord(sessionId: string, at: Date): boolean {
    return this.#repository.touch(sessionId, at);
  }

  revoke(target: SessionTarget, reason: RevokeReason): PanelSessionRecord[] {
    const revoked = this.#repository.revoke(target, reason, this.#now());
    if (revoked.length > 0) {
      this.#log?.info({ sessions: revoked.map((s) => s.id), reason }, 'panel sessions revoked');
      this.emit('revoked', revoked, reason);
    }
    return revoked;
  }
}
