export interface FailedAttemptsOptions {
  /** Failures allowed per client within the window before it is locked out (default 5). */
  maxFailures?: number;
  /** Window and lockout length in ms (default 60 s). */
  windowMs?: number;
  /** Clients remembered at most, so a flood of addresses cannot grow memory without bound. */
  maxClients?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/**
 * Counts failed sign-ins per client (fixed window) and locks a client out once it has failed too
 * often, as real MFP web servers do for their admin password.
 */
export class FailedAttempts {
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #maxClients: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: FailedAttemptsOptions = {}) {
    this.#maxFailures = options.maxFailures ?? 5;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxClients = options.maxClients ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Milliseconds until the client may try again; 0 when it is not locked out. */
  retryAfterMs(client: string): number {
    const entry = this.#entries.get(client);
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.#now());
  }

  recordFailure(client: string): void {
    const now = this.#now();
    let entry = this.#entries.get(client);
    if (!entry || now - entry.windowStart >= this.#windowMs) {
      entry = { failures: 0, windowStart: now, lockedUntil: 0 };
      this.#entries.delete(client);
      this.#entries.set(client, entry);
      this.#evictOldest();
    }
    entry.failures++;
    if (entry.failures >= this.#maxFailures) entry.lockedUntil = now + this.#windowMs;
  }

  recordSuccess(client: string): void {
    this.#entries.delete(client);
  }

  #evictOldest(): void {
    // Maps iterate in insertion order, and entries are re-inserted when their window restarts.
    while (this.#entries.size > this.#maxClients) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) return;
      this.#entries.delete(oldest.value);
    }
  }
}
