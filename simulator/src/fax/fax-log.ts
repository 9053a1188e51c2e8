import type { Logger } from '../logger.ts';
import { createLogger } from '../logger.ts';
import type { FaxJob } from './fax-job.ts';
import { faxLogEntry, interruptedEntry, type FaxLogEntry } from './fax-log-entry.ts';
import { FaxLogStore } from './fax-log-store.ts';

export interface FaxLogOptions {
  /** Keep the log in this folder across power cycles and restarts; memory only if unset. */
  dataDir?: string;
  /** Entries kept (the oldest are dropped first). */
  maxEntries?: number;
  logger?: Logger;
}

const DEFAULT_MAX_ENTRIES = 500;

/**
 * The fax modem's transmission log: one entry per job, updated as the job moves, kept across power
 * cycles (a real device keeps it in flash) and, with `dataDir`, across restarts of the process. It
 * also counts the device's power-ons (`boot`), since job ids start again at 1 after each.
 */
export class FaxLog {
  readonly #entries = new Map<string, FaxLogEntry>();
  readonly #store: FaxLogStore | null;
  readonly #max: number;
  #boot = 0;
  #bootedAt = new Date();

  constructor(options: FaxLogOptions = {}) {
    this.#max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    const logger = options.logger ?? createLogger();
    this.#store = options.dataDir === undefined ? null : new FaxLogStore({ dir: options.dataDir, logger });
  }

  /**
   * The device powers on for the first time in this process: loads what the folder holds, closes the
   * entries a killed process left unfinished (power-loss) and counts a boot.
   */
  start(): void {
    if (this.#boot > 0) return;
    const now = new Date();
    const { lastBoot, entries } = this.#store?.load() ?? { lastBoot: 0, entries: [] };
    for (const entry of entries) {
      const done = ['completed', 'canceled', 'aborted'].includes(entry.state);
      this.#entries.set(entry.jobUuid, done ? entry : interruptedEntry(entry, now));
    }
    this.#trim();
    this.#boot = lastBoot + 1;
    this.#bootedAt = now;
    // Rewritten whole at each start: drops superseded lines and a line a kill cut short.
    this.#store?.rewrite(this.#boot, now, [...this.#entries.values()]);
  }

  /** A power cycle: the next boot. Entries stay. */
  powerOn(): void {
    this.#boot++;
    this.#bootedAt = new Date();
    this.#store?.appendBoot(this.#boot, this.#bootedAt);
  }

  /** The current power-on count: 1 for the first start on a data folder (or without one). */
  get boot(): number {
    return Math.max(1, this.#boot);
  }

  get bootedAt(): Date {
    return this.#bootedAt;
  }

  /** Records the job as it is now; nothing is written when nothing but the time changed. */
  record(job: FaxJob): void {
    const now = new Date();
    const previous = this.#entries.get(job.uuid);
    const entry = faxLogEntry(job, previous?.boot ?? this.boot, now);
    if (previous && sameApartFromTime(previous, entry)) return;
    this.#entries.set(job.uuid, entry);
    this.#store?.appendEntry(entry);
    this.#trim();
    if (this.#store && this.#store.lineCount > this.#max * 4) {
      this.#store.rewrite(this.boot, this.#bootedAt, [...this.#entries.values()]);
    }
  }

  /** Newest job first, as GET /sim/api/fax-log lists them. */
  entries(): FaxLogEntry[] {
    return [...this.#entries.values()].reverse();
  }

  #trim(): void {
    for (const uuid of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(uuid);
    }
  }
}

function sameApartFromTime(a: FaxLogEntry, b: FaxLogEntry): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });
}
