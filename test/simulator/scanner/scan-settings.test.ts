import assert from 'node:assert/strict';
import { parseScanSettings } from '../../../simulator/src/scanner/scan-settings.ts';
import { ScannerError } from '../../../simulator/src/scanner/scanner-error.ts';

// What HP Smart sends (recorded in fixtures/real-devices/hp-pagewide-pro-477dw): `escl:` prefix,
// pwg:DocumentFormat only, region fields in another order.
const HP_SMART = `<?xml version="1.0" encoding="utf-8"?>
<escl:ScanSettings xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm" xmlns:escl="http://schemas.hp.com/imaging/escl/2011/05/03">
  <pwg:Version>2.5</pwg:Version>
  <escl:Intent>Document</escl:Intent>
  <pwg:ScanRegions pwg:MustHonor="false"><pwg:ScanRegion>
    <pwg:Height>3300</pwg:Height><pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>
    <pwg:Width>2550</pwg:Width><pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset>
  </pwg:ScanRegion></pwg:ScanRegions>
  <pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>
  <pwg:InputSource>Feeder</pwg:InputSource>
  <escl:ColorMode>RGB24</escl:ColorMode>
  <escl:XResolution>300</escl:XResolution><escl:YResolution>300</escl:YResolution>
  <escl:Duplex>true</escl:Duplex>
</escl:ScanSettings>`;

function codeOf(xml: string): string {
  try {
    parseScanSettings(xml);
  } catch (error) {
    assert.ok(error instanceof ScannerError);
    return error.code;
  }
  return 'accepted';
}

describe('simulator ScanSettings parser', () => {
  it('reads the request of HP Smart, whatever the prefix', () => {
    assert.deepEqual(parseScanSettings(HP_SMART), {
      source: 'Feeder',
      duplex: true,
      colorMode: 'RGB24',
      resolution: 300,
      documentFormat: 'image/jpeg',
      region: { x: 0, y: 0, width: 2550, height: 3300 },
      intent: 'Document',
    });
  });

  it('defaults like a device: platen, colour, 300 dpi, JPEG, whole original', () => {
    const settings = parseScanSettings(
      '<scan:ScanSettings xmlns:scan="x"><pwg:Version xmlns:pwg="y">2.0</pwg:Version></scan:ScanSettings>',
    );
    assert.deepEqual(settings, {
      source: 'Platen',
      duplex: false,
      colorMode: 'RGB24',
      resolution: 300,
      documentFormat: 'image/jpeg',
      region: null,
    });
  });

  it('accepts prefixed enum values such as scan:Grayscale8', () => {
    const xml = HP_SMART.replace('<escl:ColorMode>RGB24', '<escl:ColorMode>escl:Grayscale8');
    assert.equal(parseScanSettings(xml).colorMode, 'Grayscale8');
  });

  it('tells malformed requests (400) from unsupported ones (409)', () => {
    assert.equal(codeOf('<a><b></a>'), 'BAD_SCAN_SETTINGS');
    assert.equal(codeOf(HP_SMART.replace('<escl:Duplex>true', '<escl:Duplex>maybe')), 'BAD_SCAN_SETTINGS');
    assert.equal(
      codeOf(HP_SMART.replace('Feeder</pwg:InputSource>', 'Platen</pwg:InputSource>')),
      'UNSUPPORTED_SETTING',
    );
    assert.equal(
      codeOf(HP_SMART.replace('<escl:YResolution>300', '<escl:YResolution>600')),
      'UNSUPPORTED_SETTING',
    );
    assert.equal(
      codeOf(HP_SMART.replace('escl:ThreeHundredthsOfInches', 'escl:Millimeters')),
      'UNSUPPORTED_SETTING',
    );
  });
});
