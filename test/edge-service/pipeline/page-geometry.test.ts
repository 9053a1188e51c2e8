import assert from 'node:assert/strict';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import {
  faxPageGeometry,
  MAX_INPUT_PIXELS,
  MAX_PAGE_LENGTH_INCHES,
} from '../../../edge-service/src/pipeline/page-geometry.ts';

const near = (actual: number, expected: number, slack: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= slack, `${what}: ${actual}, expected ${expected} ±${slack}`);

describe('pipeline/page-geometry', () => {
  it('A4 at 300 dpi: ~1145 / 2291 / 4573 rows (11.69 in at 98 / 196 / 391 lpi)', () => {
    const size = { width: 2480, height: 3508, density: 300 };
    near(faxPageGeometry(size, 'standard').rows, 1145.6, 1, 'standard');
    near(faxPageGeometry(size, 'fine').rows, 2291.2, 1, 'fine');
    near(faxPageGeometry(size, 'superfine').rows, 4570.8, 2, 'superfine');
    assert.equal(faxPageGeometry(size, 'fine').sizeFrom, 'density');
  });

  it('uses the density: Letter at 200 dpi is 11 in long', () => {
    const geometry = faxPageGeometry({ width: 1700, height: 2200, density: 200 }, 'fine');
    near(geometry.lengthInches, 11, 0.001, 'length');
    assert.equal(geometry.rows, 2156);
  });

  it('without a density, an A4-shaped page is taken as A4 and others as Letter-wide', () => {
    const a4 = faxPageGeometry({ width: 1654, height: 2339 }, 'fine');
    assert.equal(a4.sizeFrom, 'assumed');
    near(a4.lengthInches, 11.69, 0.01, 'A4 length');
    const letter = faxPageGeometry({ width: 2550, height: 3300 }, 'standard');
    near(letter.lengthInches, 11, 0.001, 'Letter length');
    const legal = faxPageGeometry({ width: 1275, height: 2100 }, 'standard');
    near(legal.lengthInches, 14, 0.001, 'Legal length');
  });

  it("ignores placeholder densities that would make the page absurdly wide (JFIF's 72 on a 300 dpi scan)", () => {
    const geometry = faxPageGeometry({ width: 2480, height: 3508, density: 72 }, 'fine');
    assert.equal(geometry.sizeFrom, 'assumed');
    near(geometry.rows, 2291, 2, 'rows');
  });

  it('rejects pages too small to be scans as IMAGE_INVALID, naming the page', () => {
    assert.throws(
      () => faxPageGeometry({ width: 10, height: 12 }, 'fine', 4),
      (error: unknown) =>
        error instanceof EdgeError &&
        error.code === 'IMAGE_INVALID' &&
        error.page === 4 &&
        /Page 4/.test(error.message),
    );
    assert.throws(() => faxPageGeometry({ width: 0, height: 0 }, 'fine'), { code: 'IMAGE_INVALID' });
  });

  it('rejects more pixels than 600 dpi Legal with margin, and banner-long pages, as IMAGE_TOO_LARGE', () => {
    assert.ok(MAX_INPUT_PIXELS >= 5100 * 8400, 'a 600 dpi Legal page fits');
    assert.doesNotThrow(() => faxPageGeometry({ width: 5100, height: 8400, density: 600 }, 'superfine'));
    assert.throws(() => faxPageGeometry({ width: 20_000, height: 30_000 }, 'fine', 2), {
      code: 'IMAGE_TOO_LARGE',
      page: 2,
    });
    const banner = { width: 2480, height: 2480 * 3, density: 300 };
    assert.ok((banner.height / banner.width) * 8.27 > MAX_PAGE_LENGTH_INCHES);
    assert.throws(() => faxPageGeometry(banner, 'standard'), { code: 'IMAGE_TOO_LARGE' });
  });
});
