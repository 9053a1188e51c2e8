/**
 * Fuzz: the images the edge decodes on the fax and scan path. Scanned pages (JPEG, PNG) into
 * readScannedPage, renderFaxPage, renderThumbnail and buildArchivePdf; fax TIFFs into the TIFF and
 * G4 readers. Inputs are real-looking pages with byte mutations, and headers that claim huge sizes.
 * The contract: a result, or an EdgeError IMAGE_INVALID / IMAGE_TOO_LARGE naming the page, within a
 * time limit, with libvips' memory bounded by limitInputPixels (resident memory stays bounded).
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { EdgeError } from '../../edge-service/src/edge-error.ts';
import { buildArchivePdf } from '../../edge-service/src/pipeline/archive-pdf.ts';
import { renderFaxPage } from '../../edge-service/src/pipeline/fax-page.ts';
import {
  buildFaxTiff,
  readFaxTiffPages,
  readG4Directories,
} from '../../edge-service/src/pipeline/fax-tiff.ts';
import { readScannedPage } from '../../edge-service/src/pipeline/image-input.ts';
import { renderThumbnail } from '../../edge-service/src/pipeline/thumbnail.ts';
import { readTiffDirectories } from '../../edge-service/src/pipeline/tiff-reader.ts';
import { stopDitherPool } from '../../edge-service/src/pipeline/dither-pool.ts';
import { textPageJpeg } from '../helpers/sample-page.ts';
import {
  fuzzParameters,
  isError,
  mutated,
  printTally,
  withinContract,
  withinContractAsync,
} from './fuzz-support.ts';

const imageError = isError(EdgeError, ['IMAGE_INVALID', 'IMAGE_TOO_LARGE']);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose header claims width × height with valid CRCs, and a few rows of real data. */
function claimedPng(width: number, height: number, colourType: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colourType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(Math.min(width + 1, 4096) * 4, 0xff))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG whose SOF0 frame header is patched to claim width × height. */
function claimedJpeg(base: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(base);
  for (let i = 2; i + 9 < out.length; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      break;
    }
  }
  return out;
}

describe('fuzz: image inputs of the pipeline (JPEG, PNG, fax TIFF)', function () {
  this.timeout(600_000);
  let pages: { name: string; bytes: Buffer }[];
  let tiffs: { name: string; bytes: Buffer }[];

  before(async () => {
    const jpeg = await textPageJpeg(75, 'Fuzz');
    const png = await sharp(jpeg).png().toBuffer();
    const progressive = await sharp(jpeg).jpeg({ progressive: true, quality: 60 }).toBuffer();
    const rotated = await sharp(jpeg).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const cmyk = await sharp(jpeg).toColourspace('cmyk').jpeg().toBuffer();
    const alpha = await sharp(jpeg).ensureAlpha(0.5).png().toBuffer();
    pages = [
      { name: 'text-75dpi.jpg', bytes: jpeg },
      { name: 'text-75dpi.png', bytes: png },
      { name: 'progressive.jpg', bytes: progressive },
      { name: 'exif-rotated.jpg', bytes: rotated },
      { name: 'cmyk.jpg', bytes: cmyk },
      { name: 'alpha.png', bytes: alpha },
    ];
    const fine = await renderFaxPage(jpeg, { resolution: 'fine' });
    const standard = await renderFaxPage(png, { resolution: 'standard' });
    tiffs = [
      { name: 'fax-fine.tiff', bytes: buildFaxTiff([fine]) },
      { name: 'fax-two-pages.tiff', bytes: buildFaxTiff([standard, fine]) },
    ];
  });
  after(async () => {
    await stopDitherPool();
    printTally();
  });

  it('scanned pages: mutated JPEG/PNG → readScannedPage and renderFaxPage return or throw IMAGE_*', async () => {
    const rssBefore = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => mutated(pages, 4)),
        fc.constantFrom('standard', 'fine') as fc.Arbitrary<'standard' | 'fine'>,
        fc.constantFrom('text', 'photo') as fc.Arbitrary<'text' | 'photo'>,
        async ({ bytes }, resolution, mode) => {
          await withinContractAsync(() => readScannedPage(bytes, 3), imageError);
          const page = await withinContractAsync(
            () => renderFaxPage(bytes, { resolution, mode, pageNumber: 3 }),
            (error) => imageError(error) && (error as EdgeError).page === 3,
            10_000,
          );
          if (page !== undefined) assert.equal(page.width, 1728);
        },
      ),
      fuzzParameters('image scanned pages', 10, { weight: 0.25 }),
    );
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 400e6, `resident memory grew by ${Math.round(grown / 1e6)} MB`);
  });

  it('scanned pages: thumbnails and archive PDFs of mutated pages return or throw IMAGE_*', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => mutated(pages, 4)),
        fc.boolean(),
        async ({ bytes }, reencode) => {
          await withinContractAsync(() => renderThumbnail(bytes, { pageNumber: 2 }), imageError);
          await withinContractAsync(
            () => buildArchivePdf([bytes], reencode ? { jpegQuality: 50, maxDpi: 100 } : {}),
            imageError,
            10_000,
          );
        },
      ),
      fuzzParameters('image thumbnail+archive', 8, { weight: 0.25 }),
    );
  });

  it('headers claiming huge images → IMAGE_TOO_LARGE (or IMAGE_INVALID), never decoded', async () => {
    const base = pages[0]!.bytes;
    const rssBefore = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 0xffff }),
        fc.integer({ min: 1, max: 0xffff }),
        fc.constantFrom(0, 2, 4, 6),
        fc.boolean(),
        async (width, height, colourType, png) => {
          const bytes = png ? claimedPng(width, height, colourType) : claimedJpeg(base, width, height);
          await withinContractAsync(
            () => renderFaxPage(bytes, { resolution: 'fine', pageNumber: 1 }),
            imageError,
            10_000,
          );
        },
      ),
      fuzzParameters('image claimed sizes', 15, { weight: 0.25 }),
    );
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 400e6, `resident memory grew by ${Math.round(grown / 1e6)} MB`);
  });

  it('fax TIFF: mutated G4 TIFFs → the TIFF readers return or throw IMAGE_INVALID', () => {
    fc.assert(
      fc.property(
        fc.constant(null).chain(() => mutated(tiffs, 6)),
        ({ bytes }) => {
          const invalid = isError(EdgeError, ['IMAGE_INVALID']);
          withinContract(() => readTiffDirectories(bytes), invalid);
          withinContract(() => readG4Directories(bytes), invalid);
          withinContract(() => readFaxTiffPages(bytes), invalid);
        },
      ),
      fuzzParameters('image fax tiff', 200),
    );
  });

  it('fax TIFF: random bytes behind a TIFF header → IMAGE_INVALID', () => {
    fc.assert(
      fc.property(fc.constantFrom('II*\0', 'MM\0*'), fc.uint8Array({ maxLength: 600 }), (magic, tail) => {
        const bytes = Buffer.concat([Buffer.from(magic, 'latin1'), tail]);
        withinContract(() => readFaxTiffPages(bytes), isError(EdgeError, ['IMAGE_INVALID']));
      }),
      fuzzParameters('image tiff random', 200),
    );
  });
});
