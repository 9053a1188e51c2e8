import type { FaxResolution } from '../../../protocol/index.ts';

export type { FaxResolution };

/** Fax pages are always 1728 pels across (ITU-T T.4: 215 mm at 8 pels/mm ≈ 204 dpi). */
export const FAX_WIDTH = 1728;
export const FAX_X_DPI = 204;

/** Vertical resolution of each fax mode, in lines per inch (3.85, 7.7 and 15.4 lines/mm). */
export const FAX_LINES_PER_INCH = { standard: 98, fine: 196, superfine: 391 } as const;

export type FaxYDpi = (typeof FAX_LINES_PER_INCH)[FaxResolution];

export interface FaxPage {
  width: typeof FAX_WIDTH;
  height: number;
  resolution: FaxResolution;
  xDpi: typeof FAX_X_DPI;
  yDpi: FaxYDpi;
  /** Raw CCITT T.6 (Group 4) data of the whole page as one strip; min-is-white, fill order MSB first. */
  g4: Buffer;
  /** Set by renderFaxPage: no ink beyond specks and edge shadows (e.g. the blank back of a duplex scan). */
  blank?: boolean;
}

export function resolutionFromYDpi(yDpi: number): FaxResolution | undefined {
  for (const [resolution, lpi] of Object.entries(FAX_LINES_PER_INCH)) {
    if (lpi === yDpi) return resolution as FaxResolution;
  }
  return undefined;
}
