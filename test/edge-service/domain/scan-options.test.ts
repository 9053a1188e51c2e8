import assert from 'node:assert/strict';
import { readFaxJobOptions } from '../../../edge-service/src/domain/job.ts';
import { scanRequestFor } from '../../../edge-service/src/domain/scan-options.ts';
import { fitRequest } from '../../../edge-service/src/drivers/escl/escl-scanner.ts';
import type { ScannerCapabilities } from '../../../edge-service/src/domain/scanner.ts';

const CAPS: ScannerCapabilities = {
  makeAndModel: 'test',
  sources: {
    platen: {
      colorModes: ['color', 'gray'],
      resolutions: [75, 150, 300, 600],
      documentFormats: ['image/jpeg'],
      maxWidth: 2550,
      maxHeight: 3508,
    },
    adf: {
      colorModes: ['gray'],
      resolutions: [200, 300, 600],
      documentFormats: ['image/jpeg'],
      maxWidth: 2550,
      maxHeight: 4200,
      duplex: true,
    },
  },
};

describe('scan options (domain, pure)', () => {
  it('reads options stored before the composer options with the old behaviour: A4, text, every page, no cover', () => {
    assert.deepEqual(readFaxJobOptions({ resolution: 'standard', source: 'adf', duplex: true }), {
      resolution: 'standard',
      source: 'adf',
      duplex: true,
      originalSize: 'a4',
      contentType: 'text',
      skipBlankPages: false,
      cover: null,
    });
  });

  it('maps resolution to a scan dpi, the size to a region and text/photo to the eSCL intent', () => {
    const base = readFaxJobOptions({ resolution: 'standard', source: 'adf', duplex: false });
    assert.deepEqual(scanRequestFor({ ...base, originalSize: 'letter' }), {
      source: 'adf',
      duplex: false,
      colorMode: 'gray',
      resolution: 200,
      width: 2550,
      height: 3300,
      documentFormat: 'image/jpeg',
      intent: 'Document',
    });
    const photo = scanRequestFor({
      ...base,
      resolution: 'fine',
      originalSize: 'legal',
      contentType: 'photo',
    });
    assert.deepEqual([photo.resolution, photo.width, photo.height, photo.intent], [300, 2550, 4200, 'Photo']);
    const a4 = scanRequestFor({ ...base, resolution: 'superfine', originalSize: 'a4' });
    assert.deepEqual([a4.resolution, a4.width, a4.height], [400, 2480, 3508]);
  });

  it('is fitted to what the device offers: superfine takes the next dpi up, auto the largest area', () => {
    const base = readFaxJobOptions({ resolution: 'superfine', source: 'platen', duplex: false });
    const fitted = fitRequest(scanRequestFor({ ...base, originalSize: 'auto' }), CAPS);
    assert.deepEqual([fitted.resolution, fitted.width, fitted.height], [600, 2550, 3508]);
    const adf = fitRequest(
      scanRequestFor({ ...base, source: 'adf', resolution: 'standard', originalSize: 'auto' }),
      CAPS,
    );
    assert.deepEqual([adf.resolution, adf.width, adf.height], [200, 2550, 4200]);
  });
});
