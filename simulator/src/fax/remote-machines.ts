import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '../logger.ts';
import { RemoteMachinesStore, type StoredLineBehavior } from './remote-machines-store.ts';

/** How the remote fax machine at a number reacts to a call (DESIGN.md §5, PUT /sim/api/line/:number). */
export const LINE_BEHAVIORS = ['answer', 'busy', 'no-answer', 'drop-at-page', 'slow'] as const;
export type LineBehaviorName = (typeof LINE_BEHAVIORS)[number];

export type LineBehavior =
  | { behavior: 'answer' | 'busy' | 'no-answer' }
  | { behavior: 'drop-at-page'; page: number }
  | { behavior: 'slow'; bitRate: number };

/** What a slow line trains down to when no bit rate is given (V.29). */
export const SLOW_BIT_RATE = 9600;

export interface ReceivedFaxSummary {
  id: string;
  /** The dialled number, normalised (see normalizeNumber). */
  to: string;
  pages: number;
  status: 'received' | 'partial';
  receivedAt: string;
}

interface ReceivedFax extends ReceivedFaxSummary {
  /** One PNG per received page, bilevel, as transmitted. */
  pageImages: Buffer[];
}

/**
 * Keeps what a number's digits are, ignoring the visual separators people and tel: URIs use
 * (RFC 3966 visual-separator), so `+1 (555) 010-0199` and `+15550100199` are the same line.
 */
export function normalizeNumber(number: string): string {
  return number.replace(/[\s\-.()]/g, '').toUpperCase();
}

const DIALABLE = /^\+?[0-9*#A-D]{1,32}$/;

export function isDialable(number: string): boolean {
  return DIALABLE.test(normalizeNumber(number));
}

/** A saved behaviour as the API would have accepted it, or null. */
function lineBehaviorOf(saved: StoredLineBehavior): LineBehavior | null {
  const { behavior, page, bitRate } = saved;
  if (behavior === 'busy' || behavior === 'no-answer') return { behavior };
  if (behavior === 'drop-at-page' && page !== undefined && page >= 1) return { behavior, page };
  if (behavior === 'slow') return { behavior, bitRate: bitRate ?? SLOW_BIT_RATE };
  return null;
}

export interface RemoteMachinesOptions {
  maxFaxes?: number;
  /** Keep the received faxes and line behaviours in this folder across restarts; memory only if unset. */
  dataDir?: string;
  /** Where a file that cannot be read or written is reported: a warning, never a crash. */
  logger?: Logger;
}

/**
 * The phone network beyond the modem: per-number behaviour and the faxes the remote machines
 * received. Capped: the oldest faxes are forgotten first. In memory, and with `dataDir` also on
 * disk (loaded by start(), flushed by stop()). Emits 'fax' with a summary.
 */
export class RemoteMachines extends EventEmitter {
  readonly #behaviors = new Map<string, LineBehavior>();
  readonly #faxes: ReceivedFax[] = [];
  readonly #maxFaxes: number;
  readonly #store: RemoteMachinesStore | null;
  readonly #logger: Logger;

  constructor(options: RemoteMachinesOptions = {}) {
    super();
    this.#maxFaxes = options.maxFaxes ?? 100;
    this.#logger = options.logger ?? createLogger();
    this.#store =
      options.dataDir === undefined
        ? null
        : new RemoteMachinesStore({ dir: options.dataDir, logger: this.#logger });
  }

  /** Loads what a previous run kept in dataDir (nothing to do without one). */
  async start(): Promise<void> {
    if (!this.#store) return;
    const { faxes, lines } = await this.#store.load();
    this.#faxes.splice(0, this.#faxes.length, ...faxes);
    this.#trim();
    this.#behaviors.clear();
    for (const [number, saved] of Object.entries(lines)) {
      const line = lineBehaviorOf(saved);
      if (line && isDialable(number)) this.#behaviors.set(normalizeNumber(number), line);
      else this.#logger.warn({ number, line: saved }, 'ignoring a saved line behaviour');
    }
  }

  /** Waits for the writes still under way, so a new device on the same folder sees everything. */
  async stop(): Promise<void> {
    await this.flush();
  }

  /** Resolves when every fax received so far is on disk (at once without a data dir). */
  async flush(): Promise<void> {
    await this.#store?.flush();
  }

  behaviorFor(number: string): LineBehavior {
    return this.#behaviors.get(normalizeNumber(number)) ?? { behavior: 'answer' };
  }

  setBehavior(number: string, behavior: LineBehavior): void {
    const key = normalizeNumber(number);
    if (behavior.behavior === 'answer') this.#behaviors.delete(key);
    else this.#behaviors.set(key, behavior);
    this.#store?.saveLines(this.behaviors());
  }

  /** Numbers that do not simply answer. */
  behaviors(): Record<string, LineBehavior> {
    return Object.fromEntries(this.#behaviors);
  }

  resetBehaviors(): void {
    this.#behaviors.clear();
    this.#store?.saveLines({});
  }

  receive(fax: { to: string; pageImages: Buffer[]; status: 'received' | 'partial' }): ReceivedFaxSummary {
    const stored: ReceivedFax = {
      id: randomUUID(),
      to: normalizeNumber(fax.to),
      pages: fax.pageImages.length,
      status: fax.status,
      receivedAt: new Date().toISOString(),
      pageImages: fax.pageImages,
    };
    this.#faxes.push(stored);
    this.#store?.saveFax(stored);
    this.#trim();
    const summary = toSummary(stored);
    this.emit('fax', summary);
    return summary;
  }

  /** Oldest first. */
  list(): ReceivedFaxSummary[] {
    return this.#faxes.map(toSummary);
  }

  get(id: string): ReceivedFaxSummary | undefined {
    const fax = this.#faxes.find((f) => f.id === id);
    return fax && toSummary(fax);
  }

  /** A received page as PNG; `page` is 1-based. */
  page(id: string, page: number): Buffer | undefined {
    return this.#faxes.find((f) => f.id === id)?.pageImages[page - 1];
  }

  clearFaxes(): void {
    for (const fax of this.#faxes.splice(0)) this.#store?.deleteFax(fax.id);
  }

  #trim(): void {
    while (this.#faxes.length > this.#maxFaxes) {
      const oldest = this.#faxes.shift();
      if (oldest) this.#store?.deleteFax(oldest.id);
    }
  }
}

function toSummary(fax: ReceivedFax): ReceivedFaxSummary {
  return { id: fax.id, to: fax.to, pages: fax.pages, status: fax.status, receivedAt: fax.receivedAt };
}
