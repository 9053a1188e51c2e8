import { createHash, randomBytes } from 'node:crypto';
import { EdgeError } from '../edge-error.ts';

/**
 * Short-lived tokens that carry a sign-in from one step to the next (password → TOTP → new
 * password → 2FA enrolment). In memory: a sign-in in progress does not survive a restart, which is
 * fine for a flow of a minute. Kept by SHA-256, bound to the device, consumed when the step
 * succeeds; at most `maxPending` at once (oldest dropped).
 */
export class StepTokens<State> {
  readonly #ttlMs: number;
  readonly #now: () => Date;
  readonly #maxPending: number;
  readonly #pending = new Map<string, { state: State; deviceId: string; expiresAt: number }>();

  constructor(options: { ttlMs?: number; now?: () => Date; maxPending?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#now = options.now ?? (() => new Date());
    this.#maxPending = options.maxPending ?? 10_000;
  }

  issue(state: State, deviceId: string): { stepToken: string; expiresAt: Date } {
    const stepToken = randomBytes(32).toString('base64url');
    const expiresAt = this.#now().getTime() + this.#ttlMs;
    this.#pending.set(hash(stepToken), { state, deviceId, expiresAt });
    while (this.#pending.size > this.#maxPending) {
      const oldest = this.#pending.keys().next();
      if (oldest.done) break;
      this.#pending.delete(oldest.value);
    }
    return { stepToken, expiresAt: new Date(expiresAt) };
  }

  /** The state of a pending step; TOKEN_INVALID (unknown, used, other device) or SIGN_IN_EXPIRED. */
  peek(stepToken: string, deviceId: string): State {
    const key = typeof stepToken === 'string' && stepToken.length <= 256 ? hash(stepToken) : '';
    const entry = this.#pending.get(key);
    if (!entry || entry.deviceId !== deviceId) throw new EdgeError('TOKEN_INVALID');
    if (entry.expiresAt <= this.#now().getTime()) {
      this.#pending.delete(key);
      throw new EdgeError('SIGN_IN_EXPIRED');
    }
    return entry.state;
  }

  consume(stepToken: string): void {
    this.#pending.delete(hash(stepToken));
  }
}

const hash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');
