import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';

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

/**
 * The phone network beyond the modem: per-number behaviour and the faxes the remote machines
 * received. In memory, capped: the oldest faxes are forgotten first. Emits 'fax' with a summary.
 */
export class RemoteMachines extends EventEmitter {
  readonly #behaviors = new Map<string, LineBehavior>();
  readonly #faxes: ReceivedFax[] = [];
  readonly #maxFaxes: number;

  constructor(options: { maxFaxes?: number } = {}) {
    super();
    this.#maxFaxes = options.maxFaxes ?? 100;
  }

  behaviorFor(number: string): LineBehavior {
    return this.#behaviors.get(normalizeNumber(number)) ?? { behavior: 'answer' };
  }

  setBehavior(number: string, behavior: LineBehavior): void {
    const key = normalizeNumber(number);
    if (behavior.behavior === 'answer') this.#behaviors.delete(key);
    else this.#behaviors.set(key, behavior);
  }

  /** Numbers that do not simply answer. */
  behaviors(): Record<string, LineBehavior> {
    return Object.fromEntries(this.#behaviors);
  }

  resetBehaviors(): void {
    this.#behaviors.clear();
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
    while (this.#faxes.length > this.#maxFaxes) this.#faxes.shift();
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
    this.#faxes.length = 0;
  }
}

function toSummary(fax: ReceivedFax): ReceivedFaxSummary {
  return { id: fax.id, to: fax.to, pages: fax.pages, status: fax.status, receivedAt: fax.receivedAt };
}
