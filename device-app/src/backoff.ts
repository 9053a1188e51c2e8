/**
 * Reconnect delays: exponential with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): attempt n waits a uniform random time in [0, min(cap, base·2ⁿ)]. The jitter spreads a
 * building's panels apart when the edge comes back, instead of all of them knocking at once.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 500,
    private readonly capMs = 30000,
    /** [0, 1): Math.random, or a fixed sequence in tests. */
    private readonly random: () => number = Math.random,
  ) {}

  /** The ceiling of the next delay (before jitter). */
  ceiling(): number {
    return Math.min(this.capMs, this.baseMs * Math.pow(2, this.attempt));
  }

  /** The delay before the next attempt; each call doubles the ceiling up to the cap. */
  next(): number {
    const ceiling = this.ceiling();
    if (ceiling < this.capMs) this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  /** A connection succeeded: the next loss starts small again. */
  reset(): void {
    this.attempt = 0;
  }
}
