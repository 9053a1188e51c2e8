import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  decodeFaxDocument,
  FaxDocumentError,
  type DecodeLimits,
} from '../../../simulator/src/fax/fax-document-decoder.ts';
import { DEFAULT_FAX_LIMITS } from '../../../simulator/src/fax/fax-limits.ts';
import { blankPwgPage, pdfWithImage, pwgRaster } from './hostile-documents.ts';

const tooLarge = (e: unknown): boolean => e instanceof FaxDocumentError && e.code === 'DOCUMENT_TOO_LARGE';

describe('simulator/fax/fax-document-decoder limits (documents that ask for too much)', () => {
  it('the defaults leave room for real fax pages and refuse what no fax page needs', () => {
    // A superfine A4 page, and a Legal page at 600 dpi, fit; a 20000×20000 image does not.
    assert.ok(1728 * 4680 <= DEFAULT_FAX_LIMITS.maxPagePixels);
    assert.ok(5100 * 8400 <= DEFAULT_FAX_LIMITS.maxPagePixels);
    assert.ok(20_000 * 20_000 > DEFAULT_FAX_LIMITS.maxPagePixels);
  });

  it('a PDF image declaring 20000×20000 is refused before its pixels are allocated', async () => {
    const pdf = pdfWithImage(
      '/Width 20000 /Height 20000 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode',
      deflateSync(Buffer.alloc(1000)),
    );
    await assert.rejects(decodeFaxDocument('application/pdf', pdf), tooLarge);
  });

  it('a PDF image declaring a negative or fractional size is unreadable, not a crash', async () => {
    for (const size of ['/Width -5 /Height 10', '/Width 10.5 /Height 10']) {
      const pdf = pdfWithImage(`${size} /ColorSpace /DeviceGray /BitsPerComponent 8`, Buffer.alloc(100));
      await assert.rejects(
        decodeFaxDocument('application/pdf', pdf),
        (e: unknown) => e instanceof FaxDocumentError && e.code === 'DOCUMENT_UNREADABLE',
      );
    }
  });

  it('a Flate image stream that inflates far beyond its image is stopped (a decompression bomb)', async () => {
    // 1000×1000 grey needs 1 MB; this 20 kB stream inflates to 20 MB.
    const bomb = deflateSync(Buffer.alloc(20 * 1024 * 1024, 0xff), { level: 9 });
    assert.ok(bomb.length < 100_000);
    const pdf = pdfWithImage(
      '/Width 1000 /Height 1000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode',
      bomb,
    );
    await assert.rejects(decodeFaxDocument('application/pdf', pdf), tooLarge);
    // The same image with the stream it declares decodes.
    const honest = pdfWithImage(
      '/Width 1000 /Height 1000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode',
      deflateSync(Buffer.alloc(1000 * 1000, 0xff)),
    );
    assert.equal((await decodeFaxDocument('application/pdf', honest)).length, 1);
  });

  it('a PWG raster page header asking for 40000×40000 is refused (a few bytes of data)', async () => {
    const raster = pwgRaster(blankPwgPage(40_000, 40_000));
    assert.ok(raster.length < 3_000);
    await assert.rejects(decodeFaxDocument('image/pwg-raster', raster), tooLarge);
  });

  it('a narrow, very tall page is refused: scaled to 1728 wide it would be huge', async () => {
    // 8×40000 is 320 kpx as sent, but 1728×8.6 M lines once scaled to the fax width.
    await assert.rejects(decodeFaxDocument('image/pwg-raster', pwgRaster(blankPwgPage(8, 40_000))), tooLarge);
  });

  it('pages and pixels beyond the limits given are refused, for every format', async () => {
    const limits: DecodeLimits = { maxPages: 2, maxPagePixels: 1728 * 2400 };
    const page = blankPwgPage(1728, 1000);
    assert.equal((await decodeFaxDocument('image/pwg-raster', pwgRaster(page, page), limits)).length, 2);
    await assert.rejects(
      decodeFaxDocument('image/pwg-raster', pwgRaster(page, page, page), limits),
      tooLarge,
    );

    const big = { create: { width: 3000, height: 3000, channels: 3 as const, background: '#ffffff' } };
    await assert.rejects(
      decodeFaxDocument('image/jpeg', await sharp(big).jpeg().toBuffer(), limits),
      tooLarge,
    );

    const small = { create: { width: 100, height: 100, channels: 3 as const, background: '#ffffff' } };
    const frame = await sharp(small).png().toBuffer();
    const tiff = await sharp([frame, frame, frame], { join: { animated: true } })
      .tiff()
      .toBuffer();
    assert.equal((await sharp(tiff).metadata()).pages, 3);
    await assert.rejects(decodeFaxDocument('image/tiff', tiff, limits), tooLarge);
    assert.equal((await decodeFaxDocument('image/tiff', tiff, { ...limits, maxPages: 3 })).length, 3);

    const ccitt = pdfWithImage(
      '/Width 1728 /Height 3000 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode ' +
        '/DecodeParms << /K -1 /Columns 1728 /Rows 3000 >>',
      Buffer.alloc(10),
    );
    await assert.rejects(decodeFaxDocument('application/pdf', ccitt, limits), tooLarge);
  });
});
