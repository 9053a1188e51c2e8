/**
 * Failures per key in a sliding window, in memory (a restart forgets them; the per-account lockout
 * is in the database and survives). A key with `maxFailures` failures in the last `windowMs` is
 * refused until its oldest counted failure leaves the window. At most `maxKeys` keys are kept, the
 * least recently failed forgotten first, so a flood of addresses cannot grow memory without bound.
 */
/** A limit as services take it in their options: at most `max` failures per `windowMs`. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

export class FailureRateLimiter {
  /** A limiter for a RateLimit (a service's option, or its default). */
  static of(limit: RateLimit, now?: () => Date): FailureRateLimiter {
    return new FailureRateLimiter({
      maxFailures: limit.max,
      windowMs: limit.windowMs,
      ...(now ? { now } : {}),
    });
  }

  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => Date;
  readonly #failures = new Map<string, number[]>();

  constructor(options: { maxFailures: number; windowMs: number; maxKeys?: number; now?: () => Date }) {
    this.#maxFailures = Math.max(1, options.maxFailures);
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? (() => new Date());
  }

  /** When the key may try again; null when it may now. */
  blockedUntil(key: string): Date | null {
    const times = this.#recent(key);
    if (times.length < this.#maxFailures) return null;
    return new Date(times[times.length - this.#maxFailures]! + this.#windowMs);
  }

  recordFailure(key: string): void {
    const times = this.#recent(key);
    times.push(this.#now().getTime());
    // Only the last maxFailures matter for blockedUntil().
    if (times.length > this.#maxFailures) times.splice(0, times.length - this.#maxFailures);
    this.#failures.delete(key);
    this.#failures.set(key, times);
    while (this.#failures.size > this.#maxKeys) {
      const oldest = this.#failures.keys().next();
      if (oldest.done) break;
      this.#failures.delete(oldest.value);
    }
  }

  clear(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string): number[] {
    const since = this.#now().getTime() - this.#windowMs;
    const times = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) this.#failures.delete(key);
    return times;
  }
}
