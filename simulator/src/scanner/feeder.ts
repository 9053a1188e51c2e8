import type { Original, OriginalPage } from './original.ts';

export interface FeederContents {
  originals: { name: string; pages: number }[];
  sheets: number;
  /** true: the same stack is back in the tray after every job, so testers can scan it repeatedly. */
  reload: boolean;
}

interface Sheet {
  original: string;
  page: OriginalPage;
}

/** The ADF input tray: a stack of single-sided sheets, optionally put back after each job. */
export class Feeder {
  #loaded: Original[] = [];
  #sheets: Sheet[] = [];
  #reload = true;

  load(originals: Original[], reload: boolean = this.#reload): void {
    this.#loaded = originals;
    this.#reload = reload;
    this.#sheets = originals.flatMap((o) => o.pages.map((page) => ({ original: o.name, page })));
  }

  get reload(): boolean {
    return this.#reload;
  }

  isEmpty(): boolean {
    return this.#sheets.length === 0;
  }

  contents(): FeederContents {
    const originals: FeederContents['originals'] = [];
    let last: { name: string; pages: number } | undefined;
    let previousPage: OriginalPage | undefined;
    for (const sheet of this.#sheets) {
      // A new original starts when the name changes or its first page comes round again.
      const original = this.#loaded.find((o) => o.name === sheet.original);
      const restarts = original?.pages[0] === sheet.page && previousPage !== undefined;
      if (!last || last.name !== sheet.original || restarts) {
        last = { name: sheet.original, pages: 0 };
        originals.push(last);
      }
      last.pages++;
      previousPage = sheet.page;
    }
    return { originals, sheets: this.#sheets.length, reload: this.#reload };
  }

  /** What an ADF job feeds, sheet by sheet; without reload each sheet leaves the tray as it is fed. */
  feed(): () => OriginalPage | null {
    if (this.#reload) {
      const stack = this.#sheets.map((s) => s.page);
      let next = 0;
      return () => stack[next++] ?? null;
    }
    return () => this.#sheets.shift()?.page ?? null;
  }

  /** The page on the glass: the first page of the first original loaded. */
  platenPage(): OriginalPage | null {
    return this.#loaded[0]?.pages[0] ?? null;
  }
}
