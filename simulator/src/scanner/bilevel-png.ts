import { crc32, deflateSync } from 'node:zlib';

/**
 * Encodes one-byte-per-pixel grey data as a 1-bit greyscale PNG (colour type 0, bit depth 1), what
 * eSCL scanners send for BlackAndWhite1. libvips can only write 1-bit PNGs as palette images.
 * Pixels >= 128 become white (1), others black (0).
 */
export function encodeBilevelPng(grey: Buffer, width: number, height: number, dpi: number): Buffer {
  if (grey.length !== width * height) throw new RangeError('grey buffer does not match width × height');
  const stride = Math.ceil(width / 8);
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    raw[row] = 0; // filter type None
    for (let x = 0; x < width; x++) {
      if ((grey[y * width + x] ?? 0) >= 128) {
        const i = row + 1 + (x >> 3);
        raw[i] = (raw[i] ?? 0) | (0x80 >> (x & 7));
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(1, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  const phys = Buffer.alloc(9);
  const pixelsPerMetre = Math.round(dpi / 0.0254);
  phys.writeUInt32BE(pixelsPerMetre, 0);
  phys.writeUInt32BE(pixelsPerMetre, 4);
  phys.writeUInt8(1, 8); // unit: metre
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('pHYs', phys),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
