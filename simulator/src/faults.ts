import { EventEmitter } from 'node:events';

/** Faults a tester can raise on the virtual MFP (DESIGN.md §5). */
export const FAULT_NAMES = [
  'jam',
  'feeder-empty',
  'cover-open',
  'scanner-busy',
  'scanner-offline',
  'line-down',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export function isFaultName(value: unknown): value is FaultName {
  return typeof value === 'string' && (FAULT_NAMES as readonly string[]).includes(value);
}

/** The set of raised faults, shared by the scanner and the fax modem. Emits 'change'. */
export class Faults extends EventEmitter {
  readonly #raised = new Set<FaultName>();

  raise(fault: FaultName): void {
    if (this.#raised.has(fault)) return;
    this.#raised.add(fault);
    this.emit('change', this.list());
  }

  clear(fault: FaultName): void {
    if (this.#raised.delete(fault)) this.emit('change', this.list());
  }

  has(fault: FaultName): boolean {
    return this.#raised.has(fault);
  }

  list(): FaultName[] {
    return [...this.#raised];
  }
}
