import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { renderFaxPage, type FaxPage } from '../../../edge-service/src/pipeline/fax-page.ts';
import {
  buildFaxTiff,
  readFaxTiffPages,
  readG4Directories,
} from '../../../edge-service/src/pipeline/fax-tiff.ts';
import { readTiffDirectories, TIFF_TAGS } from '../../../edge-service/src/pipeline/tiff-reader.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { decodeGrey, disagreement, tiffinfoDirectories, tool, toolOutput } from './pipeline-helpers.ts';
import { scannedPage } from './scanned-page.ts';

/** A page whose G4 bytes are arbitrary: enough for layout tests that never decode them. */
function fakePage(height: number, bytes: number[], resolution: FaxPage['resolution'] = 'fine'): FaxPage {
  const yDpi = ({ standard: 98, fine: 196, superfine: 391 } as const)[resolution];
  return { width: 1728, height, resolution, xDpi: 204, yDpi, g4: Buffer.from(bytes) };
}

describe('pipeline/fax-tiff', () => {
  describe('layout (pure)', () => {
    it('round-trips pages through buildFaxTiff and readFaxTiffPages, odd-length strips included', () => {
      const pages = [
        fakePage(2292, [1, 2, 3]),
        fakePage(1146, [4, 5, 6, 7], 'standard'),
        fakePage(9, [8], 'superfine'),
      ];
      const tiff = buildFaxTiff(pages);
      assert.deepEqual(readFaxTiffPages(tiff), pages);
    });

    it('writes the TIFF-F tags in ascending order, word-aligned, with PageNumber (index, total)', () => {
      const tiff = buildFaxTiff([fakePage(100, [1, 2, 3]), fakePage(200, [4, 5])]);
      assert.equal(tiff.toString('latin1', 0, 4), 'II*\0');
      const dirs = readTiffDirectories(tiff);
      assert.equal(dirs.length, 2);
      dirs.forEach((dir, index) => {
        assert.equal(dir.offset % 2, 0, 'IFD on a word boundary');
        const tags = [...dir.entries.keys()];
        assert.deepEqual(
          tags,
          [...tags].sort((a, b) => a - b),
          'tags ascending',
        );
        const get = (tag: number): number[] | undefined => dir.entries.get(tag);
        assert.deepEqual(get(TIFF_TAGS.NewSubfileType), [2]);
        assert.deepEqual(get(TIFF_TAGS.ImageWidth), [1728]);
        assert.deepEqual(get(TIFF_TAGS.BitsPerSample), [1]);
        assert.deepEqual(get(TIFF_TAGS.Compression), [4]);
        assert.deepEqual(get(TIFF_TAGS.PhotometricInterpretation), [0]);
        assert.deepEqual(get(TIFF_TAGS.FillOrder), [1]);
        assert.deepEqual(get(TIFF_TAGS.SamplesPerPixel), [1]);
        assert.deepEqual(get(TIFF_TAGS.RowsPerStrip), get(TIFF_TAGS.ImageLength));
        assert.equal(get(TIFF_TAGS.StripOffsets)?.length, 1, 'one strip');
        assert.deepEqual(get(TIFF_TAGS.XResolution), [204]);
        assert.deepEqual(get(TIFF_TAGS.YResolution), [196]);
        assert.deepEqual(get(TIFF_TAGS.ResolutionUnit), [2]);
        assert.deepEqual(get(TIFF_TAGS.T6Options), [0]);
        assert.deepEqual(get(TIFF_TAGS.PageNumber), [index, 2]);
      });
    });

    it('refuses pages that are not fax pages', () => {
      assert.throws(() => buildFaxTiff([]), RangeError);
      assert.throws(() => buildFaxTiff([{ ...fakePage(10, [1]), width: 1700 as 1728 }]), RangeError);
      assert.throws(() => buildFaxTiff([fakePage(0, [1])]), RangeError);
      assert.throws(() => buildFaxTiff([fakePage(10, [])]), RangeError);
      assert.throws(() => buildFaxTiff([{ ...fakePage(10, [1]), yDpi: 200 as 196 }]), RangeError);
    });

    it('the reader rejects non-TIFF and non-fax TIFF data with IMAGE_INVALID', () => {
      assert.throws(() => readFaxTiffPages(Buffer.from('not a tiff at all')), { code: 'IMAGE_INVALID' });
      const truncated = buildFaxTiff([fakePage(10, [1, 2, 3, 4])]).subarray(0, 40);
      assert.throws(
        () => readFaxTiffPages(truncated),
        (error: unknown) => error instanceof EdgeError,
      );
      const looped = Buffer.from(buildFaxTiff([fakePage(10, [1])]));
      const ifd = looped.readUInt32LE(4);
      looped.writeUInt32LE(ifd, ifd + 2 + looped.readUInt16LE(ifd) * 12);
      assert.throws(() => readFaxTiffPages(looped), /looping/);
    });
  });

  describe('with real pages and libtiff', function () {
    this.timeout(60_000);
    const dir = tempDir('fax-tiff-test-');
    let pages: FaxPage[];
    let tiff: Buffer;
    let path: string;

    before(async () => {
      const jpeg = await scannedPage({ dpi: 300 });
      pages = [
        await renderFaxPage(jpeg, { resolution: 'fine', pageNumber: 1 }),
        await renderFaxPage(jpeg, { resolution: 'standard', pageNumber: 2 }),
        await renderFaxPage(jpeg, { resolution: 'superfine', pageNumber: 3 }),
      ];
      tiff = buildFaxTiff(pages);
      path = join(dir.path, 'fax.tif');
      writeFileSync(path, tiff);
    });
    after(() => dir.remove());

    it('tiffinfo sees N pages of 1728-wide, one-strip, min-is-white CCITT G4 at the right resolution', async () => {
      const sections = tiffinfoDirectories(await tool('tiffinfo', ['-s', path]));
      assert.equal(sections.length, 3);
      const yDpis = [196, 98, 391];
      sections.forEach((text, index) => {
        const page = pages[index] as FaxPage;
        assert.match(text, /Compression Scheme: CCITT Group 4/);
        assert.match(text, new RegExp(`Image Width: 1728 Image Length: ${page.height}\\b`));
        assert.match(text, new RegExp(`Resolution: 204, ${yDpis[index]} pixels/inch`));
        assert.match(text, /Photometric Interpretation: min-is-white/);
        assert.match(text, /FillOrder: msb-to-lsb/);
        assert.match(text, /Subfile Type: multi-page document/);
        assert.match(text, new RegExp(`Page Number: ${index}-3`));
        assert.match(text, new RegExp(`Rows/Strip: ${page.height}\\b`));
        assert.match(text, /^\s*1 Strips:/m, 'exactly one strip');
      });
    });

    it('libtiff decodes every page without error, to the page we wrote', async () => {
      // tiffinfo -D decodes all image data; a bad G4 stream shows up as warnings on stderr.
      const { stderr } = await toolOutput('tiffinfo', ['-D', path]);
      assert.equal(stderr.trim(), '', 'libtiff complained while decoding');
      for (let index = 0; index < pages.length; index++) {
        const decoded = await decodeGrey(tiff, index);
        assert.equal(decoded.width, 1728);
        assert.equal(decoded.height, pages[index]?.height);
        // The single-page TIFF of the same page decodes identically: the multi-page writer moved bytes only.
        const alone = await decodeGrey(buildFaxTiff([pages[index] as FaxPage]));
        assert.equal(disagreement(decoded, alone), 0);
      }
    });

    it('readG4Directories reads what libtiff-based writers produce, and readFaxTiffPages round-trips', () => {
      const [first] = readG4Directories(tiff);
      assert.equal(first?.stripCount, 1);
      assert.deepEqual(
        readFaxTiffPages(tiff).map((page) => [page.resolution, page.height, page.g4.length]),
        pages.map((page) => [page.resolution, page.height, page.g4.length]),
      );
    });
  });
});
