import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Simulated time. Everything the virtual MFP takes time for (scanning a page, transmitting a fax)
 * waits through here, so tests can run the same behaviour faster with a small time factor.
 */
export class SimClock {
  /** 1 = real time; 0.01 = a hundred times faster. */
  readonly factor: number;

  constructor(factor = 1) {
    if (!(factor >= 0)) throw new RangeError('time factor must be >= 0');
    this.factor = factor;
  }

  /** Waits `ms` simulated milliseconds; rejects with the signal's reason when aborted. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return sleep(Math.max(0, Math.round(ms * this.factor)), undefined, signal ? { signal } : undefined);
  }
}
