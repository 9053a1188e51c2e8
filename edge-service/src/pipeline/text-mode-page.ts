/**
 * A text-mode fax page from grey pels to G4 in one call on a pool thread (dither-pool.ts): the
 * nearest-neighbour resize to the fax grid (when it is handed the scan at its own size), lighting
 * correction, the threshold choice, blank detection, the threshold, despeckling and G4 coding. Every
 * per-pixel pass of a text page is here, off the service's event loop, and none goes back through
 * libvips, whose set-up around a raw 4–9 MB buffer costs more than the pass: a raw nearest resize
 * there took ~30 ms of CPU, here ~8. Pure; the pool threads load it from its source
 * (TEXT_MODE_SOURCE, with BILEVEL_SOURCE, DESPECKLE_SOURCE, G4_SOURCE and STAGE_CLOCK_SOURCE beside
 * it), so, as in halftone.ts, these functions use only their arguments, the globals and the
 * functions of those sources.
 */
import { countInkCells, flattenLighting, textThreshold } from './bilevel.ts';
import { despeckleBilevel } from './despeckle.ts';
import { encodeG4Bilevel } from './g4-encoder.ts';
import { stageClock, type StageTimes } from './stage-clock.ts';
import { threadSource } from './thread-source.ts';

export interface TextModeOptions {
  /** The fax page's size; grey of another size is resized to it (nearest: resize-kernel.ts). */
  width: number;
  height: number;
  flattenLighting: boolean;
  /** Specks up to this size go (despeckle.ts); 0 keeps them. */
  maxSpeck: number;
  /** Blank detection ignores this border (fax pels), where scanners leave edge shadows. */
  blankMargin: { x: number; y: number };
  /** Fewer inked 1 mm cells than this is a blank page. */
  blankMaxInkCells: number;
  /** Set: CPU ms per stage are added here (stage-clock.ts). */
  stageTimes?: StageTimes;
}

export interface TextModePage {
  g4: Uint8Array;
  blank: boolean;
}

/**
 * The page's G4 data and whether it is blank. `grey` (`sourceWidth × sourceHeight`) is used up: at
 * the fax page's size it is thresholded in place, which a pool thread can do to the pels it was
 * handed.
 */
export function textModePage(
  grey: Uint8Array,
  sourceWidth: number,
  sourceHeight: number,
  options: TextModeOptions,
): TextModePage {
  const { width, height } = options;
  const clock = stageClock(options.stageTimes);
  const fitted =
    sourceWidth === width && sourceHeight === height
      ? grey
      : resizeNearest(grey, sourceWidth, sourceHeight, width, height);
  clock.mark('resize (nearest)');
  const even = options.flattenLighting ? flattenLighting(fitted, width, height) : fitted;
  clock.mark('lighting correction');
  const level = textThreshold(even);
  clock.mark('threshold choice');
  const blank = countInkCells(even, width, height, level, options.blankMargin) < options.blankMaxInkCells;
  clock.mark('blank detection');
  const bits = thresholdInPlace(even, level);
  clock.mark('threshold');
  despeckleBilevel(bits, width, height, options.maxSpeck);
  clock.mark('despeckle');
  const g4 = encodeG4Bilevel(bits, width, height);
  clock.mark('G4 coding');
  return { g4, blank };
}

/**
 * Nearest-neighbour resize: each output pel takes the source pel under its centre. Output rows are
 * written four pels to a 32-bit word (little-endian: the first pel is the low byte) when the width
 * allows, a quarter of the stores.
 */
export function resizeNearest(
  grey: Uint8Array,
  sourceWidth: number,
  sourceHeight: number,
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(width * height);
  const columns = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    columns[x] = Math.min(sourceWidth - 1, Math.floor(((x + 0.5) * sourceWidth) / width));
  }
  // Words only where the first byte of a word is its low byte (every platform Node runs on but s390x).
  const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
  const words =
    width % 4 === 0 && littleEndian ? new Uint32Array(out.buffer, 0, (width * height) >> 2) : undefined;
  for (let y = 0; y < height; y++) {
    const from = Math.min(sourceHeight - 1, Math.floor(((y + 0.5) * sourceHeight) / height)) * sourceWidth;
    if (words !== undefined) {
      const to = (y * width) >> 2;
      for (let i = 0, x = 0; x < width; i++, x += 4) {
        words[to + i] =
          (grey[from + (columns[x] as number)] as number) |
          ((grey[from + (columns[x + 1] as number)] as number) << 8) |
          ((grey[from + (columns[x + 2] as number)] as number) << 16) |
          ((grey[from + (columns[x + 3] as number)] as number) << 24);
      }
    } else {
      const to = y * width;
      for (let x = 0; x < width; x++) out[to + x] = grey[from + (columns[x] as number)] as number;
    }
  }
  return out;
}

/**
 * Grey to bilevel in place: below `level` (1–255) is ink (0), the rest paper (255). Four pels at a
 * time in a 32-bit word, two to each 16-bit lane: pel + (256 − level) carries into the lane's
 * ninth bit exactly when pel ≥ level, and that carry, times 0xff, is the pel's byte. A third of the
 * time of a pel-by-pel pass.
 */
export function thresholdInPlace(grey: Uint8Array, level: number): Uint8Array {
  let done = 0;
  if (grey.byteOffset % 4 === 0) {
    const words = new Uint32Array(grey.buffer, grey.byteOffset, grey.length >> 2);
    const add = (256 - level) * 0x00010001;
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as number;
      const even = ((word & 0x00ff00ff) + add) & 0x01000100;
      const odd = (((word >>> 8) & 0x00ff00ff) + add) & 0x01000100;
      words[i] = ((even >>> 8) | odd) * 0xff;
    }
    done = words.length * 4;
  }
  for (let i = done; i < grey.length; i++) grey[i] = (((grey[i] as number) - level) >> 31) ^ 0xff;
  return grey;
}

/** The source of the functions above (see the file comment). */
export const TEXT_MODE_SOURCE = [textModePage, resizeNearest, thresholdInPlace].map(threadSource).join('\n');
