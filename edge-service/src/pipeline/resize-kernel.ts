/**
 * The resampling kernel for scan → fax grid, chosen by measured legibility (`npm run bench` prints
 * OCR word recovery per kernel at fax fine), not by name. On the bench's A4 300 dpi grey scans to fax fine,
 * despeckled, tesseract read back: nearest 0.981 / 0.989 (letter / table), linear 0.977 / 0.966,
 * lanczos3 0.972 / 0.966 — and nearest is the cheapest. Nearest drops strokes narrower than the
 * shrink factor, though: at 98 lpi (standard, a 3× shrink) a 0.2 mm rule was lost. So nearest only
 * where every stroke of 2 source pels (0.17 mm at 300 dpi, a hairline) is still sampled, and
 * libvips' area-aware linear kernel below that.
 */
export type ResizeKernel = 'nearest' | 'linear';

/** Widest shrink at which sampling every `shrink`-th pel still hits every 2-pel stroke. */
export const NEAREST_MAX_SHRINK = 2;

export function chooseResizeKernel(shrinkX: number, shrinkY: number): ResizeKernel {
  return Math.max(shrinkX, shrinkY) <= NEAREST_MAX_SHRINK ? 'nearest' : 'linear';
}
