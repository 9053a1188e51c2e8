/**
 * CCITT T.6 (Group 4) coding of a bilevel page (0 ink, 255 paper; min-is-white, MSB first, EOFB at
 * the end), as libtiff writes it, so that a text page goes from grey to G4 in one call on a pool
 * thread (text-mode-page.ts) instead of another libvips pass on the page. Pure; loaded by the pool
 * threads from its source text (G4_SOURCE), so, as in halftone.ts, these functions use only their
 * arguments, the globals, the tables here and each other. Runs up to 2560 + 63 pels.
 * test/edge-service/pipeline/g4-encoder.test.ts decodes what it writes with libtiff (through libvips).
 */

/* T.4 code tables as [code, length]: terminating codes 0–63, then make-up codes 64, 128, … 2560. */
// prettier-ignore
const WHITE_CODES = [
  0x35,8, 0x7,6, 0x7,4, 0x8,4, 0xb,4, 0xc,4, 0xe,4, 0xf,4, 0x13,5, 0x14,5, 0x7,5, 0x8,5, 0x8,6, 0x3,6,
  0x34,6, 0x35,6, 0x2a,6, 0x2b,6, 0x27,7, 0xc,7, 0x8,7, 0x17,7, 0x3,7, 0x4,7, 0x28,7, 0x2b,7, 0x13,7,
  0x24,7, 0x18,7, 0x2,8, 0x3,8, 0x1a,8, 0x1b,8, 0x12,8, 0x13,8, 0x14,8, 0x15,8, 0x16,8, 0x17,8, 0x28,8,
  0x29,8, 0x2a,8, 0x2b,8, 0x2c,8, 0x2d,8, 0x4,8, 0x5,8, 0xa,8, 0xb,8, 0x52,8, 0x53,8, 0x54,8, 0x55,8,
  0x24,8, 0x25,8, 0x58,8, 0x59,8, 0x5a,8, 0x5b,8, 0x4a,8, 0x4b,8, 0x32,8, 0x33,8, 0x34,8,
];
// prettier-ignore
const WHITE_MAKEUP = [
  0x1b,5, 0x12,5, 0x17,6, 0x37,7, 0x36,8, 0x37,8, 0x64,8, 0x65,8, 0x68,8, 0x67,8, 0xcc,9, 0xcd,9, 0xd2,9,
  0xd3,9, 0xd4,9, 0xd5,9, 0xd6,9, 0xd7,9, 0xd8,9, 0xd9,9, 0xda,9, 0xdb,9, 0x98,9, 0x99,9, 0x9a,9, 0x18,6,
  0x9b,9,
];
// prettier-ignore
const BLACK_CODES = [
  0x37,10, 0x2,3, 0x3,2, 0x2,2, 0x3,3, 0x3,4, 0x2,4, 0x3,5, 0x5,6, 0x4,6, 0x4,7, 0x5,7, 0x7,7, 0x4,8,
  0x7,8, 0x18,9, 0x17,10, 0x18,10, 0x8,10, 0x67,11, 0x68,11, 0x6c,11, 0x37,11, 0x28,11, 0x17,11, 0x18,11,
  0xca,12, 0xcb,12, 0xcc,12, 0xcd,12, 0x68,12, 0x69,12, 0x6a,12, 0x6b,12, 0xd2,12, 0xd3,12, 0xd4,12,
  0xd5,12, 0xd6,12, 0xd7,12, 0x6c,12, 0x6d,12, 0xda,12, 0xdb,12, 0x54,12, 0x55,12, 0x56,12, 0x57,12,
  0x64,12, 0x65,12, 0x52,12, 0x53,12, 0x24,12, 0x37,12, 0x38,12, 0x27,12, 0x28,12, 0x58,12, 0x59,12,
  0x2b,12, 0x2c,12, 0x5a,12, 0x66,12, 0x67,12,
];
// prettier-ignore
const BLACK_MAKEUP = [
  0xf,10, 0xc8,12, 0xc9,12, 0x5b,12, 0x33,12, 0x34,12, 0x35,12, 0x6c,13, 0x6d,13, 0x4a,13, 0x4b,13,
  0x4c,13, 0x4d,13, 0x72,13, 0x73,13, 0x74,13, 0x75,13, 0x76,13, 0x77,13, 0x52,13, 0x53,13, 0x54,13,
  0x55,13, 0x5a,13, 0x5b,13, 0x64,13, 0x65,13,
];
/* Make-up codes 1792–2560, the same for both colours. */
// prettier-ignore
const EXTENDED_MAKEUP = [
  0x8,11, 0xc,11, 0xd,11, 0x12,12, 0x13,12, 0x14,12, 0x15,12, 0x16,12, 0x17,12, 0x1c,12, 0x1d,12,
  0x1e,12, 0x1f,12,
];

/* Vertical mode codes for a1 − b1 = −3 … 3, as [code, length]. */
// prettier-ignore
const VERTICAL = [0x2,7, 0x2,6, 0x2,3, 0x1,1, 0x3,3, 0x3,6, 0x3,7];

/** Bilevel (0 ink) page to G4 data. */
export function encodeG4Bilevel(bits: Uint8Array, width: number, height: number): Uint8Array {
  const writer: G4Writer = {
    out: new Uint8Array(Math.max(1024, (width * height) >> 4)),
    length: 0,
    acc: 0,
    pending: 0,
  };
  // Changing elements of the reference and coding lines, each ending with width, width.
  let ref = new Int32Array(width + 3);
  let cur = new Int32Array(width + 3);
  ref[0] = width;
  ref[1] = width;
  let refCount = 0;
  // Words only where the first byte of a word is its low byte (every platform Node runs on but s390x).
  const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
  const words =
    bits.byteOffset % 4 === 0 && width % 4 === 0 && littleEndian
      ? new Uint32Array(bits.buffer, bits.byteOffset, (width * height) >> 2)
      : undefined;
  for (let y = 0; y < height; y++) {
    const count =
      words === undefined
        ? rowChanges(bits, y * width, width, cur)
        : wordRowChanges(words, y * (width >> 2), width >> 2, cur);
    cur[count] = width;
    cur[count + 1] = width;
    codeRow(writer, cur, count, ref, refCount, width);
    const swap = ref;
    ref = cur;
    cur = swap;
    refCount = count;
  }
  putBits(writer, 0x1, 12); // EOFB
  putBits(writer, 0x1, 12);
  if (writer.pending > 0) putBits(writer, 0, 8 - writer.pending);
  return writer.out.subarray(0, writer.length);
}

/*
 * The coder's parts are small functions called per row or per code, not one loop over the page: V8
 * optimises a function after a few hundred calls, within a new pool thread's first page, where the
 * page-long loop ran unoptimised (and fell back on each new branch) for its first three pages.
 */

/** Bits are gathered MSB first in `acc` (`pending` of them) and flushed a byte at a time. */
interface G4Writer {
  out: Uint8Array;
  length: number;
  acc: number;
  pending: number;
}

function putBits(writer: G4Writer, code: number, bitCount: number): void {
  writer.acc = (writer.acc << bitCount) | code;
  writer.pending += bitCount;
  if (writer.pending < 8) return;
  if (writer.length + 4 > writer.out.length) {
    const grown = new Uint8Array(writer.out.length * 2);
    grown.set(writer.out);
    writer.out = grown;
  }
  do {
    writer.pending -= 8;
    writer.out[writer.length++] = (writer.acc >>> writer.pending) & 0xff;
  } while (writer.pending >= 8);
  writer.acc &= (1 << writer.pending) - 1;
}

/** A run of `pels` of one colour: make-up codes as needed, then the terminating code. */
function putRun(writer: G4Writer, pels: number, terminating: number[], makeup: number[]): void {
  let left = pels;
  while (left >= 2560 + 64) {
    putBits(writer, 0x1f, 12);
    left -= 2560;
  }
  if (left >= 64) {
    const index = (left >> 6) - 1;
    if (index >= 27) {
      putBits(
        writer,
        EXTENDED_MAKEUP[(index - 27) * 2] as number,
        EXTENDED_MAKEUP[(index - 27) * 2 + 1] as number,
      );
    } else putBits(writer, makeup[index * 2] as number, makeup[index * 2 + 1] as number);
    left &= 63;
  }
  putBits(writer, terminating[left * 2] as number, terminating[left * 2 + 1] as number);
}

/**
 * The coding line's changing elements into `out`; returns how many. Paper is most of a page, so the
 * row is read a 32-bit word (four pels, the first the low byte) at a time, and a word all of the
 * current colour is skipped.
 */
function wordRowChanges(words: Uint32Array, start: number, wordCount: number, out: Int32Array): number {
  let count = 0;
  let ink = 0;
  for (let i = 0; i < wordCount; i++) {
    const word = words[start + i] as number;
    if (ink === 0 ? word === 0xffffffff : word === 0) continue;
    const x = i << 2;
    for (let k = 0; k < 4; k++) {
      const pel = ((word >>> (k << 3)) & 0xff) === 0 ? 1 : 0;
      if (pel !== ink) {
        out[count++] = x + k;
        ink = pel;
      }
    }
  }
  return count;
}

/** wordRowChanges for pels that do not lie on 32-bit words: a pel at a time. */
function rowChanges(bits: Uint8Array, start: number, width: number, out: Int32Array): number {
  let count = 0;
  let ink = 0;
  for (let x = 0; x < width; x++) {
    const pel = bits[start + x] === 0 ? 1 : 0;
    if (pel !== ink) {
      out[count++] = x;
      ink = pel;
    }
  }
  return count;
}

/** One row's pass, vertical and horizontal mode codes (T.6 §2.2), against the reference row. */
function codeRow(
  writer: G4Writer,
  cur: Int32Array,
  count: number,
  ref: Int32Array,
  refCount: number,
  width: number,
): void {
  let a0 = -1;
  let colour = 0; // 0 white, 1 black
  let ia = 0;
  let ib = 0;
  while (a0 < width) {
    while ((cur[ia] as number) <= a0) ia++;
    const a1 = cur[ia] as number;
    const a2 = cur[ia + 1 < count + 2 ? ia + 1 : count + 1] as number;
    while (ib > 0 && (ref[ib - 1] as number) > a0) ib--;
    while (ib < refCount && ((ref[ib] as number) <= a0 || (ib & 1) !== colour)) ib++;
    const b1 = ref[ib] as number;
    const b2 = ref[ib < refCount ? ib + 1 : refCount + 1] as number;
    if (b2 < a1) {
      putBits(writer, 0x1, 4); // pass
      a0 = b2;
    } else if (a1 - b1 <= 3 && b1 - a1 <= 3) {
      const at = (a1 - b1 + 3) * 2;
      putBits(writer, VERTICAL[at] as number, VERTICAL[at + 1] as number);
      a0 = a1;
      colour ^= 1;
    } else {
      putBits(writer, 0x1, 3); // horizontal
      const first = a1 - (a0 < 0 ? 0 : a0);
      if (colour === 0) {
        putRun(writer, first, WHITE_CODES, WHITE_MAKEUP);
        putRun(writer, a2 - a1, BLACK_CODES, BLACK_MAKEUP);
      } else {
        putRun(writer, first, BLACK_CODES, BLACK_MAKEUP);
        putRun(writer, a2 - a1, WHITE_CODES, WHITE_MAKEUP);
      }
      a0 = a2;
    }
  }
}

/** The source of the tables and the coder above, for the pool threads (see the file comment). */
export const G4_SOURCE = [
  `const WHITE_CODES = ${JSON.stringify(WHITE_CODES)};`,
  `const WHITE_MAKEUP = ${JSON.stringify(WHITE_MAKEUP)};`,
  `const BLACK_CODES = ${JSON.stringify(BLACK_CODES)};`,
  `const BLACK_MAKEUP = ${JSON.stringify(BLACK_MAKEUP)};`,
  `const EXTENDED_MAKEUP = ${JSON.stringify(EXTENDED_MAKEUP)};`,
  `const VERTICAL = ${JSON.stringify(VERTICAL)};`,
  ...[encodeG4Bilevel, putBits, putRun, wordRowChanges, rowChanges, codeRow].map((fn) => fn.toString()),
].join('\n');
