/**
 * Small documents that ask for a lot: images that declare huge sizes, streams that inflate far
 * beyond their image, structures that loop. For the decoder's and the modem's limits.
 */

/** A one-page PDF whose page shows one image XObject: `imageDict` without /Length, and its stream. */
export function pdfWithImage(imageDict: string, stream: Buffer, extraObjects: string[] = []): Buffer {
  return Buffer.concat([
    Buffer.from(
      '%PDF-1.4\n' +
        '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' +
        '2 0 obj\n<< /Type /Pages /Count 1 /Kids [3 0 R] >>\nendobj\n' +
        '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ' +
        '/Resources << /XObject << /Im0 4 0 R >> >> >>\nendobj\n' +
        `4 0 obj\n<< /Type /XObject /Subtype /Image ${imageDict} /Length ${stream.length} >>\nstream\n`,
      'latin1',
    ),
    stream,
    Buffer.from(`\nendstream\nendobj\n${extraObjects.join('')}%%EOF\n`, 'latin1'),
  ]);
}

/** A PWG raster page (sGray 8-bit unless told) whose lines are all blank: a few bytes for any size. */
export function blankPwgPage(width: number, height: number, bitsPerPixel = 8): Buffer {
  const header = Buffer.alloc(1796);
  header.write('PwgRaster', 0);
  header.writeUInt32BE(width, 372);
  header.writeUInt32BE(height, 376);
  header.writeUInt32BE(8, 384);
  header.writeUInt32BE(bitsPerPixel, 388);
  header.writeUInt32BE(Math.ceil((width * bitsPerPixel) / 8), 392);
  header.writeUInt32BE(18, 400); // sGray
  const records: number[] = [];
  // Each record: repeat count - 1 (up to 256 lines), then 128: "the rest of the line is blank".
  for (let left = height; left > 0; left -= 256) records.push(Math.min(256, left) - 1, 128);
  return Buffer.concat([header, Buffer.from(records)]);
}

export function pwgRaster(...pages: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from('RaS2'), ...pages]);
}
