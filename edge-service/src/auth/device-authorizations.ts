import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AuditTrail } from '../domain/audit.ts';
import type { DeviceRecord, DeviceRepository } from '../domain/device.ts';
import { isLocked, type UserAccount, type UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import {
  formatUserCode,
  hashDeviceCode,
  hashUserCode,
  newDeviceCode,
  newUserCode,
  normaliseUserCode,
} from '../pairing/pairing-codes.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type {
  DeviceAuthorizationRecord,
  SqliteDeviceAuthorizations,
} from '../storage/sqlite-device-authorizations.ts';
import { FailureRateLimiter, type RateLimit } from './rate-limiter.ts';
import { deriveKey } from './secret-key.ts';

/** RFC 8628 §3.2 `interval`: seconds between polls of the token endpoint; slow_down adds 5 (§3.5). */
export const PHONE_POLL_INTERVAL_SECONDS = 5;
const SLOW_DOWN_STEP_SECONDS = 5;
/** How many times begin draws for a user code no live authorization holds (20^8 codes: once, in practice). */
const CODE_ATTEMPTS = 8;

/** The key that hashes phone sign-in user codes at rest (not the pairing's: one key per use). */
export function phoneUserCodeKey(secretKey: Buffer): Buffer {
  return deriveKey(secretKey, 'phone sign-in user codes v1');
}

export interface BegunAuthorization {
  id: string;
  /** `XXXX-XXXX`. */
  userCode: string;
  /** The client's secret (RFC 8628 device_code): never shown, never logged. */
  deviceCode: string;
  expiresAt: Date;
  interval: number;
}

export interface DeviceAuthorizationEvents {
  /** The person on the phone confirmed or denied: the panel waiting on `id` hears it at once. */
  decided: [event: { id: string; deviceId: string; status: 'approved' | 'denied'; userId: string }];
}

/** What RFC 8628 §3.5 answers a poll with, before a token: the `error` of the token endpoint. */
export type PollRefusal = 'authorization_pending' | 'slow_down' | 'access_denied' | 'expired_token';

export type PollOutcome =
  | { ok: false; error: PollRefusal; interval: number }
  | { ok: true; user: UserAccount; authorization: DeviceAuthorizationRecord };

export interface DeviceAuthorizationsOptions {
  repository: SqliteDeviceAuthorizations;
  devices: Pick<DeviceRepository, 'get'>;
  users: Pick<UserRepository, 'get'>;
  policies: Pick<PolicyService, 'get'>;
  audit: AuditTrail;
  /** phoneUserCodeKey of the edge's secret key. */
  userCodeKey: Buffer;
  now?: () => Date;
  /** Begins per device: at most this many per window (default 30 per 10 minutes). */
  beginLimit?: RateLimit;
  /** Unknown or refused user codes per source address (default 10 per 10 minutes). */
  guessLimit?: RateLimit;
  logger?: Logger;
}

/**
 * "Sign in with your phone" (RFC 8628 device authorization, our edge the authorization server):
 * a user-prompt panel begins and shows the user code (and its QR); the person opens the phone
 * page, signs in there (password + TOTP, or the company's sign-in) and confirms or denies; the
 * panel hears the decision (`decided`) or polls the token endpoint; an approval is consumed
 * once, into one panel session of that device for the person who confirmed. Codes are stored as
 * keyed hashes (the user code has only ~2^34.6 values); wrong codes are rate-limited per source
 * and audited. Transport-free: the panel socket and the HTTP routes call it.
 */
export class DeviceAuthorizations extends EventEmitter<DeviceAuthorizationEvents> {
  readonly #o: DeviceAuthorizationsOptions;
  readonly #now: () => Date;
  readonly #begins: FailureRateLimiter;
  readonly #guesses: FailureRateLimiter;

  constructor(options: DeviceAuthorizationsOptions) {
    super();
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#begins = FailureRateLimiter.of(options.beginLimit ?? { max: 30, windowMs: 10 * 60_000 }, this.#now);
    this.#guesses = FailureRateLimiter.of(
      options.guessLimit ?? { max: 10, windowMs: 10 * 60_000 },
      this.#now,
    );
  }

  /** A new code for a user-prompt device; any earlier pending one of `replaces` can no longer be confirmed. */
  begin(device: DeviceRecord, source: string, replaces?: string | null): BegunAuthorization {
    if (device.revokedAt !== null) throw new EdgeError('DEVICE_UNAUTHORIZED');
    if (device.authMode !== 'user-prompt')
      throw new EdgeError(
        'AUTH_MODE_MISMATCH',
        'Sign in with your phone is for printers where people sign in (user-prompt mode).',
      );
    const until = this.#begins.blockedUntil(device.id);
    if (until)
      throw new EdgeError(
        'RATE_LIMITED',
        `Too many phone sign-in codes asked for by this printer: try again after ${until.toISOString()}.`,
        { until },
      );
    this.#begins.recordFailure(device.id);
    const now = this.#now();
    if (replaces) this.cancel(replaces);
    this.#o.repository.purgeExpired(new Date(now.getTime() - 24 * 3_600_000).toISOString());
    const minutes = this.#o.policies.get(device.enterpriseId).document.phoneSignInMinutes;
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = newUserCode();
      const userCodeHash = this.#hash(code);
      if (this.#live(userCodeHash, now)) continue;
      const deviceCode = newDeviceCode();
      const expiresAt = new Date(now.getTime() + minutes * 60_000);
      const id = randomUUID();
      this.#o.repository.insert({
        id,
        enterpriseId: device.enterpriseId,
        deviceId: device.id,
        userCodeHash,
        deviceCodeHash: hashDeviceCode(`phone:${deviceCode}`),
        createdAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
        intervalSeconds: PHONE_POLL_INTERVAL_SECONDS,
        source,
      });
      this.#o.logger?.info({ authorizationId: id, deviceId: device.id }, 'phone sign-in begun');
      return {
        id,
        userCode: formatUserCode(code),
        deviceCode,
        expiresAt,
        interval: PHONE_POLL_INTERVAL_SECONDS,
      };
    }
    throw new EdgeError('INTERNAL', 'No free sign-in code could be drawn; try again.');
  }

  /**
   * The phone page's look-up: the pending authorization a code names and its device, for `user`
   * to confirm. Refused (audited, and counted against the source): PHONE_CODE_INVALID for an
   * unknown, used, denied or expired code; PHONE_CODE_OTHER_ENTERPRISE; ACCOUNT_DISABLED /
   * ACCOUNT_LOCKED for a person who may not sign in.
   */
  inspect(
    userCode: string,
    user: UserAccount,
    source: string,
  ): { authorization: DeviceAuthorizationRecord; device: DeviceRecord } {
    this.#limitGuesses(source);
    const normalised = typeof userCode === 'string' ? normaliseUserCode(userCode.slice(0, 64)) : null;
    const rows = normalised ? this.#o.repository.findByUserCodeHash(this.#hash(normalised)) : [];
    const now = this.#now().getTime();
    const live = rows.find((r) => r.status === 'pending' && Date.parse(r.expiresAt) > now);
    const refuse = (code: 'PHONE_CODE_INVALID' | 'PHONE_CODE_OTHER_ENTERPRISE', reason: string) => {
      this.#guesses.recordFailure(source);
      this.#o.audit.record({
        enterpriseId: user.enterpriseId,
        actor: `user:${user.id}`,
        action: 'auth.phone-sign-in-refused',
        target: live?.deviceId ?? rows[0]?.deviceId ?? null,
        details: { code, reason },
        source,
      });
      return new EdgeError(code);
    };
    if (!live) {
      const reason =
        rows.length === 0 ? 'unknown' : rows[0]!.status === 'pending' ? 'expired' : rows[0]!.status;
      throw refuse('PHONE_CODE_INVALID', reason);
    }
    const device = this.#o.devices.get(live.deviceId);
    if (!device || device.revokedAt !== null) throw refuse('PHONE_CODE_INVALID', 'device-revoked');
    if (device.enterpriseId !== user.enterpriseId)
      throw refuse('PHONE_CODE_OTHER_ENTERPRISE', 'other-enterprise');
    this.#usable(user, source, live.deviceId);
    return { authorization: live, device };
  }

  /** The person on the phone confirms (the panel signs them in) or denies (nobody is signed in). */
  decide(
    userCode: string,
    user: UserAccount,
    decision: 'approve' | 'deny',
    source: string,
  ): { authorization: DeviceAuthorizationRecord; device: DeviceRecord } {
    const { authorization, device } = this.inspect(userCode, user, source);
    const status = decision === 'approve' ? 'approved' : 'denied';
    if (!this.#o.repository.decide(authorization.id, status, user.id, this.#now().toISOString(), source))
      throw new EdgeError('PHONE_CODE_INVALID');
    this.#o.audit.record({
      enterpriseId: user.enterpriseId,
      actor: `user:${user.id}`,
      action: decision === 'approve' ? 'auth.phone-sign-in-confirm' : 'auth.phone-sign-in-deny',
      target: device.id,
      details: { authorizationId: authorization.id, deviceName: device.name },
      source,
    });
    this.emit('decided', { id: authorization.id, deviceId: device.id, status, userId: user.id });
    return { authorization: this.#o.repository.get(authorization.id)!, device };
  }

  /**
   * An approved authorization becomes a sign-in, once: the person who confirmed, checked again
   * (disabled or locked since the confirmation refuses). PHONE_CODE_INVALID when it was used.
   */
  consume(id: string): UserAccount {
    const row = this.#o.repository.get(id);
    if (!row || row.status !== 'approved' || row.userId === null) throw new EdgeError('PHONE_CODE_INVALID');
    const user = this.#o.users.get(row.userId);
    const device = this.#o.devices.get(row.deviceId);
    if (!device || device.revokedAt !== null) throw new EdgeError('DEVICE_UNAUTHORIZED');
    if (!user || user.deletedAt !== null) throw new EdgeError('PHONE_CODE_INVALID');
    this.#usable(user, row.decidedFrom ?? 'unknown', row.deviceId);
    if (!this.#o.repository.consume(id, this.#now().toISOString())) throw new EdgeError('PHONE_CODE_INVALID');
    return user;
  }

  /**
   * RFC 8628 §3.4/3.5, the token endpoint's answer for a device code of `deviceId`: pending,
   * slow_down (polled sooner than the interval; the interval grows by 5 s from now on), denied,
   * expired (also: unknown, or already used, i.e. not this client's to redeem), or the person.
   */
  poll(deviceCode: string, deviceId: string): PollOutcome {
    const row =
      typeof deviceCode === 'string' && deviceCode.length <= 256
        ? this.#o.repository.findByDeviceCodeHash(hashDeviceCode(`phone:${deviceCode}`))
        : null;
    if (!row || row.deviceId !== deviceId) throw new EdgeError('PHONE_CODE_INVALID');
    const now = this.#now();
    let interval = row.intervalSeconds;
    if (row.status === 'consumed') throw new EdgeError('PHONE_CODE_INVALID');
    if (row.status === 'denied') return { ok: false, error: 'access_denied', interval };
    if (row.status === 'pending' && Date.parse(row.expiresAt) <= now.getTime())
      return { ok: false, error: 'expired_token', interval };
    const tooSoon =
      row.lastPolledAt !== null && now.getTime() - Date.parse(row.lastPolledAt) < interval * 1000;
    if (tooSoon) interval += SLOW_DOWN_STEP_SECONDS;
    this.#o.repository.polled(row.id, now.toISOString(), interval);
    if (tooSoon) return { ok: false, error: 'slow_down', interval };
    if (row.status === 'pending') return { ok: false, error: 'authorization_pending', interval };
    return { ok: true, user: this.consume(row.id), authorization: row };
  }

  /** The authorization a panel waits on, while it can still be decided or consumed. */
  get(id: string): DeviceAuthorizationRecord | null {
    return this.#o.repository.get(id);
  }

  /** The panel gave up (cancel, a new code, sign-in by password): the code can no longer be confirmed. */
  cancel(id: string): void {
    this.#o.repository.cancel(id, this.#now().toISOString());
  }

  #usable(user: UserAccount, source: string, deviceId: string): void {
    const code =
      user.disabledAt !== null ? 'ACCOUNT_DISABLED' : isLocked(user, this.#now()) ? 'ACCOUNT_LOCKED' : null;
    if (!code) return;
    this.#o.audit.record({
      enterpriseId: user.enterpriseId,
      actor: `user:${user.id}`,
      action: 'auth.phone-sign-in-refused',
      target: deviceId,
      details: { code, reason: code === 'ACCOUNT_DISABLED' ? 'disabled' : 'locked' },
      source,
    });
    throw new EdgeError(code);
  }

  #limitGuesses(source: string): void {
    const until = this.#guesses.blockedUntil(source);
    if (until)
      throw new EdgeError(
        'RATE_LIMITED',
        `Too many wrong sign-in codes from this address: try again after ${until.toISOString()}.`,
        { until },
      );
  }

  #live(userCodeHash: string, now: Date): boolean {
    return this.#o.repository
      .findByUserCodeHash(userCodeHash)
      .some((r) => r.status === 'pending' && Date.parse(r.expiresAt) > now.getTime());
  }

  #hash(normalised: string): string {
    return hashUserCode(this.#o.userCodeKey, normalised);
  }
}
