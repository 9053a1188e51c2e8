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
  /** A jam armed for sheet n of the next feeder job (`{"fault":"jam","atPage":n}`); null: none. */
  #jamAtPage: number | null = null;

  /**
   * Arms a jam on sheet `page` of the next feeder job (counted in sheets: pages in simplex): the
   * sheets before it are scanned, then the feeder jams and the jam stays raised until cleared.
   */
  armJam(page: number): void {
    this.#jamAtPage = page;
    this.emit('change', this.list());
  }

  /** The armed jam's sheet, if any. */
  get jamAtPage(): number | null {
    return this.#jamAtPage;
  }

  /** Called by the feeder for each sheet it picks: true (and the jam raised) on the armed one. */
  jamsOn(sheet: number): boolean {
    if (this.#jamAtPage === null || sheet !== this.#jamAtPage) return false;
    this.#jamAtPage = null;
    this.raise('jam');
    return true;
  }

  raise(fault: FaultName): void {
    if (this.#raised.has(fault)) return;
    this.#raised.add(fault);
    this.emit('change', this.list());
  }

  clear(fault: FaultName): void {
    const armed = fault === 'jam' && this.#jamAtPage !== null;
    if (armed) this.#jamAtPage = null;
    if (this.#raised.delete(fault) || armed) this.emit('change', this.list());
  }

  has(fault: FaultName): boolean {
    return this.#raised.has(fault);
  }

  list(): FaultName[] {
    return [...this.#raised];
  }
}
