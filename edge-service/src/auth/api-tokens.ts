import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EdgeError } from '../edge-error.ts';
import type { ApiTokenRecord, SqliteApiTokenRepository } from '../storage/sqlite-console-records.ts';

/** Every token expires; at most a year after its creation. */
export const API_TOKEN = { prefix: 'mfpe_', maxLifetimeDays: 365 } as const;

const FORMAT = /^mfpe_[A-Za-z0-9_-]{43}$/;
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Personal API tokens for scripts (Authorization: Bearer mfpe_…): 32 random bytes, shown once at
 * creation, kept as SHA-256 (a high-entropy secret needs no slow hash), always with an expiry,
 * revocable. A token acts as its user, with the user's role at the time of each request.
 */
export class ApiTokens {
  readonly #repository: SqliteApiTokenRepository;
  readonly #now: () => Date;

  constructor(options: { repository: SqliteApiTokenRepository; now?: () => Date }) {
    this.#repository = options.repository;
    this.#now = options.now ?? (() => new Date());
  }

  create(userId: string, name: string, expiresAt: Date): { token: string; record: ApiTokenRecord } {
    const at = this.#now();
    if (expiresAt.getTime() <= at.getTime())
      throw new EdgeError('VALIDATION_FAILED', 'expiresAt: the expiry must be in the future.');
    if (expiresAt.getTime() > at.getTime() + API_TOKEN.maxLifetimeDays * 86_400_000)
      throw new EdgeError(
        'VALIDATION_FAILED',
        `expiresAt: a token may live at most ${API_TOKEN.maxLifetimeDays} days.`,
      );
    const token = `${API_TOKEN.prefix}${randomBytes(32).toString('base64url')}`;
    const record = this.#repository.create({
      id: randomUUID(),
      userId,
      name,
      tokenHash: sha256(token),
      at,
      expiresAt,
    });
    return { token, record };
  }

  /** The live token's record, its use recorded; API_TOKEN_INVALID when unknown, expired or revoked. */
  verify(token: string): ApiTokenRecord {
    if (typeof token !== 'string' || !FORMAT.test(token)) throw new EdgeError('API_TOKEN_INVALID');
    const record = this.#repository.findByTokenHash(sha256(token));
    const now = this.#now();
    if (!record || record.revokedAt !== null || Date.parse(record.expiresAt) <= now.getTime())
      throw new EdgeError('API_TOKEN_INVALID');
    this.#repository.markUsed(record.id, now);
    return record;
  }

  list(userId: string): ApiTokenRecord[] {
    return this.#repository.listByUser(userId);
  }

  get(id: string): ApiTokenRecord | null {
    return this.#repository.get(id);
  }

  revoke(target: { tokenId: string } | { userId: string }): number {
    return this.#repository.revoke(target, this.#now());
  }
}
