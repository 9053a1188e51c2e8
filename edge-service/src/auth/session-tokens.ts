import { errors, jwtVerify, SignJWT } from 'jose';
import { EdgeError } from '../edge-error.ts';
import { deriveKey } from './secret-key.ts';

/**
 * Panel session tokens: JWS compact, HS256 under a 256-bit key derived from the edge's master key.
 * HS256 rather than EdDSA because the edge is both issuer and only verifier: a public key would
 * serve no one yet, and a symmetric key needs no key pair to keep. (A token an upstream service
 * must check would switch to EdDSA with its own `typ`.)
 *
 * Short-lived (15 minutes), re-issued on activity (PanelSessions.touch); bound to the device and the
 * user, and to a server-side session row whose revocation ends it before it expires.
 */
export const SESSION_TOKEN = {
  algorithm: 'HS256',
  type: 'mfp-edge-panel-session+jwt',
  issuer: 'mfp-edge',
  audience: 'mfp-edge-panel',
  ttlSeconds: 15 * 60,
} as const;

export interface SessionClaims {
  sessionId: string;
  userId: string;
  deviceId: string;
  enterpriseId: string;
}

export class SessionTokens {
  readonly #key: Uint8Array;
  readonly #now: () => Date;
  readonly #ttlSeconds: number;

  constructor(options: { masterKey: Buffer; now?: () => Date; ttlSeconds?: number }) {
    this.#key = deriveKey(options.masterKey, 'panel-session hs256 v1');
    this.#now = options.now ?? (() => new Date());
    this.#ttlSeconds = options.ttlSeconds ?? SESSION_TOKEN.ttlSeconds;
  }

  async sign(claims: SessionClaims): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.#now().getTime() / 1000);
    const expiresAt = new Date((issuedAt + this.#ttlSeconds) * 1000);
    const token = await new SignJWT({ dev: claims.deviceId, ent: claims.enterpriseId })
      .setProtectedHeader({ alg: SESSION_TOKEN.algorithm, typ: SESSION_TOKEN.type })
      .setIssuer(SESSION_TOKEN.issuer)
      .setAudience(SESSION_TOKEN.audience)
      .setSubject(claims.userId)
      .setJti(claims.sessionId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.#ttlSeconds)
      .sign(this.#key);
    return { token, expiresAt };
  }

  /**
   * The claims of a token presented by `deviceId`. SESSION_EXPIRED when it ran out;
   * SESSION_DEVICE_MISMATCH when another device presents it; TOKEN_INVALID for everything else
   * (tampered, another key, `alg: none` or any algorithm but HS256, wrong type, malformed).
   * Revocation is the caller's check (PanelSessions.verify).
   */
  async verify(token: string, deviceId: string): Promise<SessionClaims> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096)
      throw new EdgeError('TOKEN_INVALID');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        algorithms: [SESSION_TOKEN.algorithm],
        typ: SESSION_TOKEN.type,
        issuer: SESSION_TOKEN.issuer,
        audience: SESSION_TOKEN.audience,
        currentDate: this.#now(),
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
        clockTolerance: 0,
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new EdgeError('SESSION_EXPIRED');
      throw new EdgeError('TOKEN_INVALID');
    }
    const { dev, ent, sub, jti } = payload;
    if (
      typeof dev !== 'string' ||
      typeof ent !== 'string' ||
      typeof sub !== 'string' ||
      typeof jti !== 'string'
    )
      throw new EdgeError('TOKEN_INVALID');
    if (dev !== deviceId) throw new EdgeError('SESSION_DEVICE_MISMATCH');
    return { sessionId: jti, userId: sub, deviceId: dev, enterpriseId: ent };
  }
}
