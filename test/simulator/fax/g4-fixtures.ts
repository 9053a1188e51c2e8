/**
 * Test documents as the edge sends them: G4 bitmaps at 1728 px wide, embedded in a PDF as
 * /CCITTFaxDecode XObjects, or as a multi-page G4 TIFF. Uses sharp and libtiff's tiffcp.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export const WIDTH = 1728;

/** A white page with a black box at (x, y, w, h) and `n` stripes, so each page differs. */
export function pagePixels(height: number, n: number): Buffer {
  const raw = Buffer.alloc(WIDTH * height, 255);
  for (let y = 100; y < Math.min(300, height); y++) raw.fill(0, y * WIDTH + 100, y * WIDTH + 700);
  for (let s = 0; s < n; s++) {
    for (let y = 400 + s * 40; y < Math.min(420 + s * 40, height); y++)
      raw.fill(0, y * WIDTH, (y + 1) * WIDTH);
  }
  return raw;
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'fax-fixture-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One G4 TIFF page per raw bitmap; black pixels are coded as black runs (min-is-white). */
async function g4TiffPages(pages: { pixels: Buffer; height: number }[]): Promise<Buffer[]> {
  // libvips writes 1-bit TIFF as min-is-black; invert so the bits mean what fax coding means.
  return Promise.all(
    pages.map(({ pixels, height }) =>
      sharp(Buffer.from(pixels.map((p) => 255 - p)), { raw: { width: WIDTH, height, channels: 1 } })
        .toColourspace('b-w')
        .tiff({ compression: 'ccittfax4', bitdepth: 1 })
        .toBuffer(),
    ),
  );
}

/** The single G4 strip of a one-strip little- or big-endian TIFF. */
function onlyStrip(tiff: Buffer): Buffer {
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number): number => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number): number => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd = u32(4);
  let offset = -1;
  let count = -1;
  for (let i = 0; i < u16(ifd); i++) {
    const e = ifd + 2 + i * 12;
    const value = u16(e + 2) === 3 ? u16(e + 8) : u32(e + 8);
    if (u32(e + 4) !== 1 && (u16(e) === 273 || u16(e) === 279)) throw new Error('more than one strip');
    if (u16(e) === 273) offset = value;
    if (u16(e) === 279) count = value;
  }
  return tiff.subarray(offset, offset + count);
}

/** Raw G4 streams (as a PDF embeds them), one per page. */
export async function g4Streams(pages: { pixels: Buffer; height: number }[]): Promise<Buffer[]> {
  const tiffs = await g4TiffPages(pages);
  return withTempDir((dir) =>
    tiffs.map((tiff, i) => {
      writeFileSync(join(dir, `in${i}.tif`), tiff);
      execFileSync('tiffcp', ['-r', '100000', join(dir, `in${i}.tif`), join(dir, `out${i}.tif`)]);
      return Buffer.from(onlyStrip(readFileSync(join(dir, `out${i}.tif`))));
    }),
  );
}

/** A multi-page G4 TIFF. */
export async function g4MultiPageTiff(pages: { pixels: Buffer; height: number }[]): Promise<Buffer> {
  const tiffs = await g4TiffPages(pages);
  return withTempDir((dir) => {
    const inputs = tiffs.map((tiff, i) => {
      writeFileSync(join(dir, `p${i}.tif`), tiff);
      return join(dir, `p${i}.tif`);
    });
    execFileSync('tiffcp', [...inputs, join(dir, 'all.tif')]);
    return readFileSync(join(dir, 'all.tif'));
  });
}

/**
 * A minimal PDF with one full-page G4 image per page. `indirectLength` writes each image's
 * /Length as a reference to an object that comes after the stream, as many writers do.
 */
export function buildG4Pdf(
  streams: { data: Buffer; height: number }[],
  options: { indirectLength?: boolean } = {},
): Buffer {
  const chunks: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  const push = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    chunks.push(buf);
    size += buf.length;
  };
  const object = (num: number, body: () => void): void => {
    offsets[num] = size;
    push(`${num} 0 obj\n`);
    body();
    push('\nendobj\n');
  };
  push('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
  const n = streams.length;
  // objects: 1 catalog, 2 pages, then per page: page, content, image, length
  const pageNum = (i: number): number => 3 + i * 4;
  object(1, () => push('<< /Type /Catalog /Pages 2 0 R >>'));
  object(2, () =>
    push(`<< /Type /Pages /Count ${n} /Kids [${streams.map((_, i) => `${pageNum(i)} 0 R`).join(' ')}] >>`),
  );
  streams.forEach(({ data, height }, i) => {
    const p = pageNum(i);
    const w = 612;
    const h = Math.round((height / WIDTH) * 612);
    const content = `q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`;
    object(p, () =>
      push(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Contents ${p + 1} 0 R ` +
          `/Resources << /XObject << /Im0 ${p + 2} 0 R >> >> >>`,
      ),
    );
    object(p + 1, () => push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`));
    object(p + 2, () => {
      const length = options.indirectLength ? `${p + 3} 0 R` : String(data.length);
      push(
        `<< /Type /XObject /Subtype /Image /Width ${WIDTH} /Height ${height} /ColorSpace /DeviceGray ` +
          `/BitsPerComponent 1 /Filter /CCITTFaxDecode ` +
          `/DecodeParms << /K -1 /Columns ${WIDTH} /Rows ${height} /BlackIs1 false >> /Length ${length} >>\nstream\n`,
      );
      push(data);
      push('\nendstream');
    });
    object(p + 3, () => push(String(data.length)));
  });
  const xref = size;
  const count = 3 + n * 4;
  push(`xref\n0 ${count}\n0000000000 65535 f \n`);
  for (let i = 1; i < count; i++) push(`${String(offsets[i] ?? 0).padStart(10, '0')} 00000 n \n`);
  push(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(chunks);
}

/** A G4 PDF of `pages` distinct pages at fine resolution-ish height. */
export async function makeG4Pdf(
  pages: number,
  options: { indirectLength?: boolean; height?: number } = {},
): Promise<Buffer> {
  const height = options.height ?? 1100;
  const bitmaps = Array.from({ length: pages }, (_, i) => ({ pixels: pagePixels(height, i + 1), height }));
  const streams = await g4Streams(bitmaps);
  return buildG4Pdf(
    streams.map((data) => ({ data, height })),
    options,
  );
}
