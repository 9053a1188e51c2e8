/** An original on the glass or in the feeder: one or more single-sided pages. */
export interface Original {
  name: string;
  pages: OriginalPage[];
}

export interface OriginalPage {
  /** Unique per page content; the renderer caches by it. */
  id: string;
  /** Paper size in 1/300 inch. */
  width: number;
  height: number;
  content: PageContent;
}

export type PageContent =
  /** SVG markup drawn in points (1/72 inch) from the page's top-left corner. */
  | { kind: 'svg'; markup: string }
  /** An uploaded image (page `page` of a multi-page file), stretched to the paper size. */
  | { kind: 'image'; data: Buffer; page: number }
  /**
   * Page `page` (1-based) of an uploaded PDF, turned `extraRotation` degrees clockwise on top of its
   * own /Rotate to go through the feeder.
   */
  | { kind: 'pdf'; data: Buffer; page: number; extraRotation: number };

export const A4 = { width: 2480, height: 3508 } as const;
export const LEGAL = { width: 2550, height: 4200 } as const;

/** The back of a single-sided sheet. */
export function blankPage(width: number, height: number): OriginalPage {
  return { id: `blank-${width}x${height}`, width, height, content: { kind: 'svg', markup: '' } };
}
