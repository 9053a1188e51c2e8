import type { FaxJobOptions } from './job.ts';
import type { ScanRequest } from './scanner.ts';

/**
 * The scan a fax job's options ask the scanner for. Pure. The driver then fits it to what the
 * device offers (drivers/escl/escl-scanner.ts fitRequest: the nearest resolution at or above, the
 * area clipped to the glass or feeder), so these are wishes, not demands.
 */

/**
 * Scan dpi per fax resolution: a little above the fax's own rows (98 / 196 / 391 lpi, and 204 dpi
 * across) so the resize to the fax grid only ever shrinks. Superfine asks 400, which a device
 * without it turns into its next step up (600 on most).
 */
export const SCAN_DPI: Record<FaxJobOptions['resolution'], number> = {
  standard: 200,
  fine: 300,
  superfine: 400,
};

/** Scan regions in 1/300 inch (eSCL ThreeHundredthsOfInches). */
export const ORIGINAL_AREAS = {
  a4: { width: 2480, height: 3508 },
  letter: { width: 2550, height: 3300 },
  legal: { width: 2550, height: 4200 },
  /*
   * auto: the largest original a fax carries (8.5 × 14 in, Legal), clipped by the driver to the
   * device's own maximum. A feeder stops at each sheet's trailing edge, so an A4 or Letter sheet comes
   * back its own length; the pipeline fits the width to the fax line (1728 pels) and keeps the
   * length. On the glass the whole region is read (a Legal-length page, white below the original):
   * pick the size for platen originals.
   */
  auto: { width: 2550, height: 4200 },
} as const;

export function scanRequestFor(options: FaxJobOptions): ScanRequest {
  return {
    source: options.source,
    duplex: options.duplex,
    // Grey for both: the edge's own threshold (with lighting flattening) and halftone beat a
    // device's 1-bit mode, and grey JPEG is what every eSCL device sends well.
    colorMode: 'gray',
    resolution: SCAN_DPI[options.resolution],
    ...ORIGINAL_AREAS[options.originalSize],
    documentFormat: 'image/jpeg',
    // eSCL Intent: devices tune their image processing for text or photographs.
    intent: options.contentType === 'photo' ? 'Photo' : 'Document',
  };
}
