import assert from 'node:assert/strict';
import { renderFaxPage, type FaxPage } from '../../../edge-service/src/pipeline/fax-page.ts';
import { buildFaxTiff } from '../../../edge-service/src/pipeline/fax-tiff.ts';
import {
  buildPwgRaster,
  decodeFaxPage,
  encodePwgRaster,
  type BilevelPage,
} from '../../../edge-service/src/pipeline/pwg-raster.ts';
import { decodePwgRaster } from '../../../simulator/src/fax/pwg-raster.ts';
import { textPageJpeg } from '../../helpers/sample-page.ts';
import { decodeGrey } from './pipeline-helpers.ts';

interface ReadPage {
  header: {
    mediaClass: string;
    hwResolution: [number, number];
    pageSize: [number, number];
    width: number;
    height: number;
    bitsPerColor: number;
    bitsPerPixel: number;
    bytesPerLine: number;
    colorOrder: number;
    colorSpace: number;
    compression: number;
    numColors: number;
    totalPageCount: number;
  };
  /** Packed rows as sent, 1 = ink. */
  rows: Buffer;
}

/**
 * A strict PWG 5102.4 reader written from the spec, independent of the writer: every line group
 * must fill its line exactly (no run crosses the end of a line, no 128 control byte, which the
 * writer never needs), and the stream must end exactly after the last page.
 */
function readPwgRaster(data: Buffer): ReadPage[] {
  assert.equal(data.toString('latin1', 0, 4), 'RaS2', 'sync word');
  const pages: ReadPage[] = [];
  let pos = 4;
  while (pos < data.length) {
    assert.ok(pos + 1796 <= data.length, 'a whole page header');
    const h = data.subarray(pos, pos + 1796);
    const u = (offset: number) => h.readUInt32BE(offset);
    const header = {
      mediaClass: h.toString('latin1', 0, 64).replace(/\0.*$/s, ''),
      hwResolution: [u(276), u(280)] as [number, number],
      pageSize: [u(352), u(356)] as [number, number],
      width: u(372),
      height: u(376),
      bitsPerColor: u(384),
      bitsPerPixel: u(388),
      bytesPerLine: u(392),
      colorOrder: u(396),
      colorSpace: u(400),
      compression: u(404),
      numColors: u(420),
      totalPageCount: u(452),
    };
    pos += 1796;
    const { height, bytesPerLine } = header;
    const rows = Buffer.alloc(height * bytesPerLine);
    let y = 0;
    while (y < height) {
      const repeat = data[pos++]! + 1;
      assert.ok(y + repeat <= height, `line repeat ${repeat} at line ${y} passes the page end`);
      const line = Buffer.alloc(bytesPerLine);
      let x = 0;
      while (x < bytesPerLine) {
        const control = data[pos++];
        assert.ok(control !== undefined && control !== 128, `control byte ${control} at ${pos - 1}`);
        const count = control < 128 ? control + 1 : 257 - control;
        assert.ok(x + count <= bytesPerLine, `run of ${count} at byte ${x} crosses the line end`);
        if (control < 128) line.fill(data[pos++]!, x, x + count);
        else {
          assert.ok(pos + count <= data.length, 'truncated literal run');
          data.copy(line, x, pos, pos + count);
          pos += count;
        }
        x += count;
      }
      for (let r = 0; r < repeat; r++, y++) line.copy(rows, y * bytesPerLine);
    }
    pages.push({ header, rows });
  }
  assert.equal(pos, data.length, 'nothing after the last page');
  return pages;
}

/** Packed rows (1 = ink) to one grey byte per pixel, 0 = black. */
function unpack(rows: Buffer, width: number, height: number): Buffer {
  const bytesPerLine = Math.ceil(width / 8);
  const grey = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      grey[y * width + x] = ((rows[y * bytesPerLine + (x >> 3)]! >> (7 - (x & 7))) & 1) === 1 ? 0 : 255;
  return grey;
}

function bitmap(width: number, height: number, fill: (y: number, byte: number) => number): BilevelPage {
  const bytesPerLine = Math.ceil(width / 8);
  const rows = Buffer.alloc(bytesPerLine * height);
  for (let y = 0; y < height; y++)
    for (let b = 0; b < bytesPerLine; b++) rows[y * bytesPerLine + b] = fill(y, b) & 0xff;
  return { width, height, xDpi: 204, yDpi: 196, rows };
}

/** Runs of 1–300 equal bytes and stretches of noise, from a fixed seed. */
function randomRuns(width: number, height: number): BilevelPage {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8;
  const bytesPerLine = Math.ceil(width / 8);
  const rows = Buffer.alloc(bytesPerLine * height);
  for (let at = 0; at < rows.length;) {
    const length = 1 + (next() % 300);
    const noisy = next() % 3 === 0;
    const value = next() & 0xff;
    for (let k = 0; k < length && at < rows.length; k++) rows[at++] = noisy ? next() & 0xff : value;
  }
  return { width, height, xDpi: 204, yDpi: 98, rows };
}

describe('pipeline/pwg-raster', function () {
  this.timeout(30000);
  let pages: FaxPage[];

  before(async () => {
    pages = [
      await renderFaxPage(await textPageJpeg(150, 'First'), {
        resolution: 'standard',
        mode: 'text',
        pageNumber: 1,
      }),
      await renderFaxPage(await textPageJpeg(150, 'Second'), {
        resolution: 'standard',
        mode: 'text',
        pageNumber: 2,
      }),
    ];
  });

  it('writes every G4 page pixel for pixel, with the header a fax modem needs', async () => {
    const raster = await buildPwgRaster(pages);
    const read = readPwgRaster(raster);
    assert.equal(read.length, 2);
    for (const [index, { header, rows }] of read.entries()) {
      const page = pages[index]!;
      assert.deepEqual(header, {
        mediaClass: 'PwgRaster',
        hwResolution: [204, 98],
        pageSize: [610, Math.round((page.height * 72) / 98)],
        width: 1728,
        height: page.height,
        bitsPerColor: 1,
        bitsPerPixel: 1,
        bytesPerLine: 216,
        colorOrder: 0,
        colorSpace: 3,
        compression: 0,
        numColors: 1,
        totalPageCount: 2,
      });
      // The reference: libvips decoding the page's own G4 data.
      const g4 = await decodeGrey(buildFaxTiff([page]));
      assert.equal(g4.width, 1728);
      assert.equal(g4.height, page.height);
      const ours = unpack(rows, header.width, header.height);
      const black = ours.filter((v) => v === 0).length;
      assert.ok(black > 0.005 * ours.length, `the page has ink (${black} black pixels)`);
      assert.ok(ours.equals(g4.pixels), `page ${index + 1} differs from its G4 data`);
    }
    // A text page is mostly white lines: line repeats and runs shrink it well below 1 bit a pixel.
    const rawBytes = pages.reduce((sum, p) => sum + 216 * p.height, 0);
    assert.ok(raster.length < rawBytes / 4, `${raster.length} bytes for ${rawBytes} raw`);
  });

  it('is read alike by the simulator’s decoder (black_1: 1 = ink)', async () => {
    const raster = await buildPwgRaster(pages);
    const decoded = decodePwgRaster(raster);
    assert.equal(decoded.length, 2);
    for (const [index, page] of decoded.entries()) {
      const g4 = await decodeGrey(buildFaxTiff([pages[index]!]));
      assert.deepEqual([page.width, page.height, page.channels], [1728, pages[index]!.height, 1]);
      assert.ok(page.pixels.equals(g4.pixels), `page ${index + 1}`);
    }
  });

  it('keeps the resolution of fine and superfine pages', async () => {
    for (const resolution of ['fine', 'superfine'] as const) {
      const page = await renderFaxPage(await textPageJpeg(100), { resolution, mode: 'text', pageNumber: 1 });
      const [read] = readPwgRaster(await buildPwgRaster([page]));
      assert.deepEqual(read!.header.hwResolution, [204, page.yDpi]);
      assert.equal(read!.header.height, page.height);
      const decoded = await decodeFaxPage(page);
      assert.ok(read!.rows.equals(decoded.rows));
    }
  });

  describe('compression (pure)', () => {
    const cases: [string, BilevelPage][] = [
      ['an all-white page (one line repeated past 256 lines)', bitmap(1728, 1000, () => 0)],
      ['an all-black page', bitmap(1728, 3, () => 0xff)],
      [
        'noise (all literals, runs of 128 and a tail)',
        bitmap(1728, 40, (y, b) => (y * 7919 + b * 104729) >> 3),
      ],
      [
        'runs of exactly 128, 129 and 1 bytes',
        bitmap(258, 4, (y, b) => (b < 128 ? 0 : b < 257 ? 0xff : 0x0f) ^ (y === 2 ? 0x55 : 0)),
      ],
      ['alternating single bytes and pairs', bitmap(64, 5, (y, b) => (b % 3 === 0 ? b : 0xaa) + y)],
      ['single bytes before runs of three', bitmap(80, 3, (y, b) => (b % 4 === 0 ? b + y : 0x33))],
      ['random runs of random lengths', randomRuns(1728, 64)],
      ['a width that is not a multiple of 8', bitmap(13, 9, (y, b) => (y % 2 ? 0xff : 0x00) ^ b)],
      [
        'lines that differ in one row of many',
        bitmap(216 * 8, 600, (y, b) => (y === 300 && b === 100 ? 1 : 0)),
      ],
    ];
    for (const [what, page] of cases) {
      it(`round-trips ${what}`, () => {
        const raster = encodePwgRaster([page, page]);
        const read = readPwgRaster(raster);
        assert.equal(read.length, 2);
        for (const { header, rows } of read) {
          assert.deepEqual(
            [header.width, header.height, header.bytesPerLine],
            [page.width, page.height, Math.ceil(page.width / 8)],
          );
          assert.ok(rows.equals(page.rows));
        }
        const simulator = decodePwgRaster(raster);
        assert.ok(simulator[0]!.pixels.equals(unpack(page.rows, page.width, page.height)));
      });
    }

    it('costs 2 bytes per 256 identical lines plus the runs of one line', () => {
      const white = bitmap(1728, 512, () => 0);
      // Per group: repeat byte + two runs (128 + 88 bytes) of 2 bytes each.
      assert.equal(encodePwgRaster([white]).length, 4 + 1796 + 2 * (1 + 2 + 2));
    });

    it('refuses an empty document and rows that do not match the size', () => {
      assert.throws(() => encodePwgRaster([]), RangeError);
      assert.throws(() => encodePwgRaster([{ ...bitmap(16, 2, () => 0), height: 3 }]), RangeError);
    });
  });
});
