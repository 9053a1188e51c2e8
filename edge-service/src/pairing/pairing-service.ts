import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { CLOSE_CODES, type AuthMode } from '../../../protocol/index.ts';
import { FailureRateLimiter, type RateLimit } from '../auth/rate-limiter.ts';
import type { AuditTrail } from '../domain/audit.ts';
import type { DeviceAdminCredential, DeviceRecord, DeviceRepository } from '../domain/device.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import { hashDeviceToken, newDeviceToken } from '../services/device-credentials.ts';
import {
  PAIRING_TTL_MS,
  formatUserCode,
  hashDeviceCode,
  hashUserCode,
  newDeviceCode,
  newUserCode,
  normaliseUserCode,
} from './pairing-codes.ts';
import type { PairingRecord, PairingRepository, PanelDescription } from './pairing-records.ts';
import { checkDeviceUrls } from './device-urls.ts';

/** What the console shows of a pairing waiting for its approval. */
export interface PendingPairing {
  id: string;
  createdAt: string;
  expiresAt: string;
  /** The address the panel connected from. */
  source: string;
  panel: PanelDescription | null;
}

export interface BegunPairing {
  id: string;
  /** `XXXX-XXXX`. */
  userCode: string;
  deviceCode: string;
  expiresAt: string;
}

export interface ApproveInput {
  name: string;
  authMode: AuthMode;
  sharedUserId?: string | null | undefined;
  scannerUrl?: string | null | undefined;
  faxUrl?: string | null | undefined;
  deviceApiUrl?: string | null | undefined;
  adminCredential?: DeviceAdminCredential | null | undefined;
  /** Re-pair this device: same record, a new credential; the old one is refused from now on. */
  deviceId?: string | undefined;
}

export interface PairingEvents {
  /** A panel began a pairing (the console's devices page lists it). */
  pending: [pairing: PendingPairing];
  approved: [event: { pairingId: string; enterpriseId: string; device: DeviceRecord; repaired: boolean }];
  claimed: [event: { pairingId: string; enterpriseId: string; deviceId: string }];
}

/** How the pairing reaches the panels of a device it re-pairs (the PanelSessionKeeper). */
export interface PairingPanels {
  disconnectDevice(deviceId: string, closeCode: number, endSessions: 'device-revoked' | null): void;
}

export interface PairingServiceOptions {
  repository: PairingRepository;
  devices: DeviceRepository;
  /** Shared accounts must be users of the approving enterprise. */
  users: { get(id: string): { id: string; enterpriseId: string } | null };
  audit: AuditTrail;
  /** hashUserCode's key (pairing-codes.ts userCodeKey of the edge's secret key). */
  userCodeKey: Buffer;
  panels?: PairingPanels;
  now?: () => Date;
  /** pairing.begin per source address: at most this many per window (default 20 per 10 minutes). */
  beginLimit?: RateLimit;
  /** Wrong codes per source address (approval, look-up, claim): default 10 per 10 minutes. */
  guessLimit?: RateLimit;
  logger?: Logger;
}

/** How many times begin tries for a user code no live pairing holds (20^8 codes: once, in practice). */
const CODE_ATTEMPTS = 8;

/**
 * Pairing (DESIGN.md §2, RFC 8628 style): a panel begins, an admin approves by the user code, the
 * panel claims its device credential with the device code, once. Codes are stored hashed; begins
 * and wrong codes are rate-limited per source address. Transport-free: the panel WebSocket and the
 * REST endpoints call it; its events tell them what happened.
 */
export class PairingService extends EventEmitter<PairingEvents> {
  readonly #o: PairingServiceOptions;
  readonly #now: () => Date;
  readonly #begins: FailureRateLimiter;
  readonly #guesses: FailureRateLimiter;

  constructor(options: PairingServiceOptions) {
    super();
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#begins = FailureRateLimiter.of(
      options.beginLimit ?? { max: 20, windowMs: PAIRING_TTL_MS },
      this.#now,
    );
    this.#guesses = FailureRateLimiter.of(
      options.guessLimit ?? { max: 10, windowMs: PAIRING_TTL_MS },
      this.#now,
    );
  }

  /** pairing.begin: fresh codes for a panel that has no credential. */
  begin(source: string, panel: PanelDescription | null): BegunPairing {
    this.#limit(this.#begins, source, 'Too many pairing codes asked for from this address');
    this.#begins.recordFailure(source);
    const now = this.#now();
    this.#o.repository.purgeExpired(new Date(now.getTime() - 24 * 3_600_000).toISOString());
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = newUserCode();
      const userCodeHash = hashUserCode(this.#o.userCodeKey, code);
      // A code some live pairing still holds would make the approval ambiguous: draw another.
      if (this.#live(userCodeHash, now)) continue;
      const deviceCode = newDeviceCode();
      const record = {
        id: randomUUID(),
        userCodeHash,
        deviceCodeHash: hashDeviceCode(deviceCode),
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + PAIRING_TTL_MS).toISOString(),
        source,
        panel,
      };
      this.#o.repository.insert(record);
      this.emit('pending', toPending(record));
      return { id: record.id, userCode: formatUserCode(code), deviceCode, expiresAt: record.expiresAt };
    }
    throw new EdgeError('INTERNAL', 'No free pairing code could be drawn; try again.');
  }

  /** The console's look-up before it shows the approval form: is this code waiting? */
  pending(code: string, source: string): PendingPairing {
    return toPending(this.#byUserCode(code, source));
  }

  /** Every pairing waiting for an approval now (no codes: those are only on the panels). */
  listPending(): PendingPairing[] {
    return this.#o.repository.listPending(this.#now().toISOString()).map(toPending);
  }

  /**
   * The admin approves the panel showing `code` as a device of `enterpriseId`: a new device, or
   * (`deviceId`) the same device paired again, whose old credential stops working now. The panel's
   * connection hears `pairing.approved` (the 'approved' event) and claims its credential.
   */
  approve(
    code: string,
    enterpriseId: string,
    input: ApproveInput,
    by: { actor: string; source: string },
  ): DeviceRecord {
    const pairing = this.#byUserCode(code, by.source);
    const name = input.name.trim();
    if (name === '' || name.length > 100)
      throw new EdgeError('VALIDATION_FAILED', 'name: give the device a name of 1 to 100 characters.');
    const urls = checkDeviceUrls(input);
    const sharedUserId = this.#sharedUser(input, enterpriseId);
    const { devices } = this.#o;
    let device: DeviceRecord;
    let repaired = false;
    if (input.deviceId !== undefined) {
      const existing = devices.get(input.deviceId);
      if (!existing || existing.enterpriseId !== enterpriseId) throw new EdgeError('DEVICE_NOT_FOUND');
      const clash = devices.findByName(enterpriseId, name);
      if (clash && clash.id !== existing.id) throw nameTaken(name);
      devices.clearCredentials(existing.id);
      if (existing.revokedAt !== null) devices.reinstate(existing.id);
      devices.update(existing.id, { name, authMode: input.authMode, sharedUserId });
      devices.setUrls(existing.id, { scannerUrl: urls.scannerUrl, faxUrl: urls.faxUrl });
      device = devices.get(existing.id)!;
      repaired = true;
    } else {
      if (devices.findByName(enterpriseId, name)) throw nameTaken(name);
      device = devices.create({
        enterpriseId,
        name,
        authMode: input.authMode,
        sharedUserId,
        scannerUrl: urls.scannerUrl,
        faxUrl: urls.faxUrl,
        tokenHash: null,
      });
    }
    if (input.deviceApiUrl !== undefined) devices.setDeviceApiUrl(device.id, urls.deviceApiUrl);
    if (input.adminCredential !== undefined) devices.setAdminCredential(device.id, input.adminCredential);
    const at = this.#now().toISOString();
    if (!this.#o.repository.approve(pairing.id, { at, by: by.actor, enterpriseId, deviceId: device.id }))
      throw new EdgeError('PAIRING_CODE_INVALID', 'That pairing was approved a moment ago by someone else.');
    // The panels still holding the old credential go: they fall back to their pairing screen.
    if (repaired) this.#o.panels?.disconnectDevice(device.id, CLOSE_CODES.DEVICE_REVOKED, 'device-revoked');
    this.#o.audit.record({
      enterpriseId,
      actor: by.actor,
      action: repaired ? 'device.re-pair' : 'device.pair',
      target: device.id,
      details: {
        name,
        authMode: input.authMode,
        pairingId: pairing.id,
        panelSource: pairing.source,
        adminCredential: input.adminCredential ? 'set' : 'none',
      },
      source: by.source,
    });
    const approved = devices.get(device.id)!;
    this.emit('approved', { pairingId: pairing.id, enterpriseId, device: approved, repaired });
    return approved;
  }

  /**
   * pairing.claim: the device credential for an approved pairing, once. PAIRING_PENDING before the
   * approval; PAIRING_CODE_INVALID when unknown, expired, already claimed or its device revoked.
   */
  claim(deviceCode: string, source: string): { deviceToken: string; device: DeviceRecord } {
    this.#limit(this.#guesses, source, 'Too many wrong pairing codes from this address');
    const pairing = this.#o.repository.findByDeviceCodeHash(hashDeviceCode(deviceCode));
    const now = this.#now();
    if (!pairing || pairing.claimedAt !== null || this.#deadline(pairing) <= now.getTime()) {
      if (!pairing) this.#guesses.recordFailure(source);
      throw new EdgeError('PAIRING_CODE_INVALID');
    }
    if (pairing.approvedAt === null || pairing.deviceId === null) throw new EdgeError('PAIRING_PENDING');
    const device = this.#o.devices.get(pairing.deviceId);
    if (!device || device.revokedAt !== null) throw new EdgeError('PAIRING_CODE_INVALID');
    if (!this.#o.repository.claim(pairing.id, now.toISOString())) throw new EdgeError('PAIRING_CODE_INVALID');
    // Generated now, at claim time: no credential exists before the panel that will hold it asks.
    const deviceToken = newDeviceToken();
    this.#o.devices.addCredential(device.id, hashDeviceToken(deviceToken), pairing.id);
    this.#o.audit.record({
      enterpriseId: device.enterpriseId,
      actor: `device:${device.id}`,
      action: 'device.pair-claim',
      target: device.id,
      details: { pairingId: pairing.id },
      source,
    });
    this.emit('claimed', { pairingId: pairing.id, enterpriseId: device.enterpriseId, deviceId: device.id });
    return { deviceToken, device };
  }

  /** The pairing a device code names, while it can still be claimed (a panel waiting after a reconnect). */
  lookUp(deviceCode: string): { id: string; expiresAt: number } | null {
    const pairing = this.#o.repository.findByDeviceCodeHash(hashDeviceCode(deviceCode));
    if (!pairing || pairing.claimedAt !== null) return null;
    const deadline = this.#deadline(pairing);
    return deadline > this.#now().getTime() ? { id: pairing.id, expiresAt: deadline } : null;
  }

  /**
   * A pairing approved from the start, for a device the composition root already trusts (the
   * demo's simulator console frame): its device code, claimable once within `ttlMs`. It has no user
   * code, so nobody can approve or look it up.
   */
  createApproved(device: DeviceRecord, ttlMs: number, actor = 'system'): string {
    const now = this.#now();
    const deviceCode = newDeviceCode();
    const id = randomUUID();
    this.#o.repository.insert({
      id,
      userCodeHash: null,
      deviceCodeHash: hashDeviceCode(deviceCode),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      source: 'local',
      panel: null,
    });
    this.#o.repository.approve(id, {
      at: now.toISOString(),
      by: actor,
      enterpriseId: device.enterpriseId,
      deviceId: device.id,
    });
    return deviceCode;
  }

  /** Approved pairings stay claimable for a full TTL after the approval, even past the code's expiry. */
  #deadline(pairing: PairingRecord): number {
    const expires = Date.parse(pairing.expiresAt);
    return pairing.approvedAt === null
      ? expires
      : Math.max(expires, Date.parse(pairing.approvedAt) + PAIRING_TTL_MS);
  }

  #live(userCodeHash: string, now: Date): PairingRecord | null {
    return (
      this.#o.repository
        .findByUserCodeHash(userCodeHash)
        .find((p) => p.approvedAt === null && Date.parse(p.expiresAt) > now.getTime()) ?? null
    );
  }

  /** The waiting pairing a typed code names; a wrong code counts against the caller's address. */
  #byUserCode(code: string, source: string): PairingRecord {
    this.#limit(this.#guesses, source, 'Too many wrong pairing codes from this address');
    const normalised = normaliseUserCode(code);
    const pairing = normalised
      ? this.#live(hashUserCode(this.#o.userCodeKey, normalised), this.#now())
      : null;
    if (!pairing) {
      this.#guesses.recordFailure(source);
      throw new EdgeError('PAIRING_CODE_INVALID');
    }
    return pairing;
  }

  #sharedUser(input: ApproveInput, enterpriseId: string): string | null {
    if (input.authMode !== 'shared-account') return null;
    if (!input.sharedUserId)
      throw new EdgeError(
        'VALIDATION_FAILED',
        'sharedUserId: a shared-account device needs its shared account.',
      );
    const user = this.#o.users.get(input.sharedUserId);
    if (!user || user.enterpriseId !== enterpriseId)
      throw new EdgeError('VALIDATION_FAILED', 'sharedUserId: no such user in this enterprise.');
    return user.id;
  }

  #limit(limiter: FailureRateLimiter, source: string, what: string): void {
    const until = limiter.blockedUntil(source);
    if (until)
      throw new EdgeError('RATE_LIMITED', `${what}: try again after ${until.toISOString()}.`, { until });
  }
}

function toPending(
  p: Pick<PairingRecord, 'id' | 'createdAt' | 'expiresAt' | 'source' | 'panel'>,
): PendingPairing {
  return { id: p.id, createdAt: p.createdAt, expiresAt: p.expiresAt, source: p.source, panel: p.panel };
}

function nameTaken(name: string): EdgeError {
  return new EdgeError(
    'VALIDATION_FAILED',
    `name: a device named "${name}" already exists in this enterprise.`,
  );
}
