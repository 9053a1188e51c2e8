import assert from 'node:assert/strict';
import PDFDocument from 'pdfkit';
import sharp from 'sharp';
import {
  FaxDocumentError,
  decodeFaxDocument,
  sniffFormat,
} from '../../../simulator/src/fax/fax-document-decoder.ts';
import { extractPdfImages } from '../../../simulator/src/fax/pdf-image-extractor.ts';
import { decodePwgRaster } from '../../../simulator/src/fax/pwg-raster.ts';
import { makeG4Pdf } from './g4-fixtures.ts';

async function pdfkitPdf(images: Buffer[]): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  for (const image of images) {
    doc.addPage({ size: 'A4', margin: 0 });
    doc.image(image, 0, 0, { width: 595 });
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** A half-black, half-white grey image 400×300. */
function halfBlack(): Promise<Buffer> {
  const raw = Buffer.alloc(400 * 300, 255);
  for (let y = 0; y < 150; y++) raw.fill(0, y * 400, (y + 1) * 400);
  return sharp(raw, { raw: { width: 400, height: 300, channels: 1 } })
    .png()
    .toBuffer();
}

async function meanOf(png: Buffer): Promise<number> {
  return (await sharp(png).greyscale().stats()).channels[0]!.mean;
}

/** One PWG raster page in sGray 8-bit: top half black, compressed with the PackBits-like scheme. */
function pwgPage(width: number, height: number): Buffer {
  const header = Buffer.alloc(1796);
  header.write('PwgRaster', 0);
  header.writeUInt32BE(width, 372);
  header.writeUInt32BE(height, 376);
  header.writeUInt32BE(8, 384);
  header.writeUInt32BE(8, 388);
  header.writeUInt32BE(width, 392);
  header.writeUInt32BE(18, 400); // sGray
  const lines: number[] = [];
  const half = height / 2;
  // line repeat count - 1, then a run: control n (0..127) repeats the next pixel n+1 times
  const line = (value: number): number[] => {
    const out: number[] = [];
    for (let left = width; left > 0; left -= 128) out.push(Math.min(128, left) - 1, value);
    return out;
  };
  lines.push(half - 1, ...line(0), half - 1, ...line(255));
  return Buffer.concat([header, Buffer.from(lines)]);
}

describe('simulator/fax/fax-document-decoder', () => {
  it('G4 PDF: one 1728-wide bilevel page per PDF page, exact pixels', async () => {
    const pages = await decodeFaxDocument('application/pdf', await makeG4Pdf(2, { height: 600 }));
    assert.equal(pages.length, 2);
    for (const page of pages) {
      const meta = await sharp(page.png).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1728, 600]);
      const values = new Set((await sharp(page.png).greyscale().raw().toBuffer()).values());
      assert.deepEqual(
        [...values].sort((a, b) => a - b),
        [0, 255],
      );
      assert.ok(page.encodedBytes > 50 && page.encodedBytes < 2000, String(page.encodedBytes));
    }
  });

  it('extractor reads /Length given directly and as a later indirect object', async () => {
    for (const indirectLength of [false, true]) {
      const pages = extractPdfImages(await makeG4Pdf(1, { indirectLength, height: 300 }));
      assert.equal(pages.length, 1);
      const image = pages[0]!.images[0]!;
      assert.deepEqual([image.width, image.height, image.filters], [1728, 300, ['CCITTFaxDecode']]);
      assert.deepEqual(image.decodeParms[0], { K: -1, Columns: 1728, Rows: 300, BlackIs1: false });
    }
  });

  it('pdfkit PDFs with a JPEG (DCTDecode) and a PNG (Flate + predictors) image', async () => {
    const png = await halfBlack();
    const jpeg = await sharp(png).jpeg().toBuffer();
    const pdf = await pdfkitPdf([jpeg, png]);
    const filters = extractPdfImages(pdf).map((p) => p.images[0]?.filters);
    assert.deepEqual(filters, [['DCTDecode'], ['FlateDecode']]);
    const pages = await decodeFaxDocument('application/pdf', pdf);
    for (const page of pages) {
      const meta = await sharp(page.png).metadata();
      assert.deepEqual([meta.width, meta.height], [1728, 1296]);
      assert.ok(Math.abs((await meanOf(page.png)) - 127.5) < 3);
    }
  });

  it('PWG raster (sGray 8-bit)', async () => {
    const raster = Buffer.concat([Buffer.from('RaS2'), pwgPage(1728, 200), pwgPage(1728, 100)]);
    assert.equal(sniffFormat(raster), 'image/pwg-raster');
    assert.deepEqual(
      decodePwgRaster(raster).map((p) => [p.width, p.height, p.channels]),
      [
        [1728, 200, 1],
        [1728, 100, 1],
      ],
    );
    const pages = await decodeFaxDocument('image/pwg-raster', raster);
    assert.equal(pages.length, 2);
    assert.ok(Math.abs((await meanOf(pages[0]!.png)) - 127.5) < 1);
  });

  it('unreadable documents fail with a stable code', async () => {
    for (const [format, data] of [
      ['application/pdf', Buffer.from('%PDF-1.4 no objects')],
      ['image/tiff', Buffer.from('II*\0garbage')],
      ['image/pwg-raster', Buffer.from('RaS2short')],
    ] as const) {
      await assert.rejects(
        decodeFaxDocument(format, data),
        (e: unknown) => e instanceof FaxDocumentError && e.code === 'DOCUMENT_UNREADABLE',
      );
    }
  });
});
