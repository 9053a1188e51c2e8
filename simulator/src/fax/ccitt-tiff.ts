/**
 * Wraps a raw CCITT stream (as embedded in a PDF /CCITTFaxDecode image) in a minimal single-strip
 * TIFF, so libvips (through sharp) can decode it. No I/O.
 */

export type CcittCoding = 'g4' | 'g3-1d' | 'g3-2d';

export interface CcittImage {
  width: number;
  height: number;
  coding: CcittCoding;
  /** When true, runs coded as white are shown white (TIFF PhotometricInterpretation WhiteIsZero). */
  whiteRunsAreWhite: boolean;
  data: Buffer;
}

/** PDF /DecodeParms of CCITTFaxDecode → the coding: K < 0 is Group 4, K = 0 G3 1-D, K > 0 G3 2-D. */
export function ccittCodingFromK(k: number | undefined): CcittCoding {
  if (k === undefined || k === 0) return 'g3-1d';
  return k < 0 ? 'g4' : 'g3-2d';
}

const SHORT = 3;
const LONG = 4;

export function wrapCcittInTiff(image: CcittImage): Buffer {
  const entries: [tag: number, type: number, value: number][] = [
    [256, LONG, image.width],
    [257, LONG, image.height],
    [258, SHORT, 1],
    [259, SHORT, image.coding === 'g4' ? 4 : 3],
    [262, SHORT, image.whiteRunsAreWhite ? 0 : 1],
    [273, LONG, 0], // StripOffsets, patched below
    [277, SHORT, 1],
    [278, LONG, image.height],
    [279, LONG, image.data.length],
    image.coding === 'g4' ? [293, LONG, 0] : [292, LONG, image.coding === 'g3-2d' ? 1 : 0],
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataOffset = ifdOffset + ifdSize;
  const header = Buffer.alloc(dataOffset);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(ifdOffset, 4);
  header.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach(([tag, type, value], i) => {
    const at = ifdOffset + 2 + i * 12;
    header.writeUInt16LE(tag, at);
    header.writeUInt16LE(type, at + 2);
    header.writeUInt32LE(1, at + 4);
    if (type === SHORT) header.writeUInt16LE(value, at + 8);
    else header.writeUInt32LE(tag === 273 ? dataOffset : value, at + 8);
  });
  header.writeUInt32LE(0, ifdOffset + 2 + entries.length * 12); // no next IFD
  return Buffer.concat([header, image.data]);
}
