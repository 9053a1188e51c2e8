import assert from 'node:assert/strict';
import { chooseFaxFormat } from '../../../edge-service/src/domain/fax-line.ts';

describe('domain/fax-line chooseFaxFormat', () => {
  const cases: [string[], string | null][] = [
    [['application/pdf', 'image/pwg-raster', 'image/tiff'], 'application/pdf'],
    [['image/tiff', 'application/pdf'], 'application/pdf'],
    [['image/tiff', 'image/pwg-raster'], 'image/pwg-raster'],
    [['image/urf', 'image/pwg-raster', 'image/jpeg'], 'image/pwg-raster'],
    [['image/tiff'], 'image/tiff'],
    [[' Image/PWG-Raster '], 'image/pwg-raster'],
    [['image/jpeg', 'application/octet-stream'], null],
    [[], null],
  ];
  for (const [offered, chosen] of cases) {
    it(`picks ${chosen ?? 'nothing'} from [${offered.join(', ')}]`, () => {
      assert.equal(chooseFaxFormat(offered), chosen);
    });
  }
});
