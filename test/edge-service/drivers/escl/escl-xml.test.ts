import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import {
  buildScanSettings,
  EsclXmlError,
  parseEsclDocument,
  parseScannerCapabilities,
  parseScannerStatus,
  parseScanSettings,
} from '../../../../edge-service/src/drivers/escl/escl-xml.ts';
import type { ScanRequest } from '../../../../edge-service/src/domain/scanner.ts';

// shared/ sits beside the clone, here and in CI.
const FIXTURES = fileURLToPath(new URL('../../../../../shared/fixtures/real-devices/', import.meta.url));

function fixture(path: string): Buffer {
  return readFileSync(FIXTURES + path);
}

function esclFixtures(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${FIXTURES}${entry.name}/escl`))
    .flatMap((entry) =>
      readdirSync(`${FIXTURES}${entry.name}/escl`)
        .filter((name) => name.endsWith('.xml'))
        .map((name) => `${entry.name}/escl/${name}`),
    );
}

const NS =
  'xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm"';

describe('escl-xml', () => {
  describe('real-device fixtures', () => {
    const files = esclFixtures();

    it('finds the eSCL fixtures', () => {
      assert.ok(
        files.length >= 20,
        `expected the real-device eSCL fixtures under ${FIXTURES}, found ${files.length}`,
      );
    });

    for (const file of files) {
      it(`parses ${file}`, () => {
        const xml = fixture(file);
        const doc = parseEsclDocument(xml);
        if (doc.root === 'ScannerCapabilities') {
          const caps = parseScannerCapabilities(xml);
          assert.ok(caps.makeAndModel.length > 0);
          const source = caps.sources.platen ?? caps.sources.adf;
          assert.ok(source, 'a source');
          assert.ok(source.resolutions.length > 0, 'resolutions');
          assert.ok(source.colorModes.length > 0, 'colour modes');
          assert.ok(source.documentFormats.includes('image/jpeg'), 'jpeg');
          assert.ok(source.maxWidth > 0 && source.maxHeight > 0, 'size');
        } else if (doc.root === 'ScannerStatus') {
          const status = parseScannerStatus(xml);
          assert.ok(['idle', 'processing'].includes(status.state));
          assert.match(status.adfState ?? '', /^ScannerAdf/);
        } else {
          assert.ok(['ScanImageInfo', 'ScanBufferInfo', 'Manifest'].includes(doc.root), doc.root);
        }
      });
    }

    it('reads the HP LaserJet MFP M426fdn: platen and duplex ADF with their own resolutions', () => {
      const caps = parseScannerCapabilities(fixture('hp-laserjet-mfp-m426fdn/escl/ScannerCapabilities.xml'));
      assert.equal(caps.makeAndModel, 'HP LaserJet MFP M426fdn');
      assert.equal(caps.version, '2.5');
      assert.equal(caps.serialNumber, 'PHBLL6F5GB');
      assert.deepEqual(caps.sources.platen, {
        colorModes: ['color', 'gray'],
        resolutions: [75, 200, 300, 600, 1200],
        documentFormats: ['image/jpeg', 'application/pdf'],
        maxWidth: 2550,
        maxHeight: 3508,
      });
      assert.deepEqual(caps.sources.adf?.resolutions, [75, 200, 300]);
      assert.equal(caps.sources.adf?.duplex, true);
      assert.equal(caps.sources.adf?.maxHeight, 4500);
      assert.equal(caps.adfDetectsPaper, true);
    });

    it('reads the M426fdn status whose comment is glued to the root element', () => {
      const status = parseScannerStatus(fixture('hp-laserjet-mfp-m426fdn/escl/ScannerStatus-idle.xml'));
      assert.equal(status.state, 'idle');
      assert.equal(status.adfState, 'ScannerAdfEmpty');
      assert.deepEqual(
        status.jobs.map((job) => [job.jobUri, job.jobState, job.imagesCompleted, job.reasons]),
        [
          ['/eSCL/ScanJobs/1005', 'Completed', 1, ['JobCompletedSuccessfully']],
          ['/eSCL/ScanJobs/1004', 'Completed', 1, ['JobCompletedSuccessfully']],
        ],
      );
    });

    it('drops the non-square resolutions of the Kyocera ECOSYS M2040dn (CRLF file)', () => {
      const caps = parseScannerCapabilities(fixture('kyocera-ecosys-m2040dn/escl/ScannerCapabilities.xml'));
      assert.deepEqual(caps.sources.platen?.resolutions, [200, 300, 400, 600]);
      assert.deepEqual(caps.sources.platen?.colorModes, ['color', 'gray', 'bw']);
      assert.equal(caps.sources.adf?.duplex, true);
    });

    it('reads the Kyocera status: urn:uuid job URIs, no ImagesToTransfer, its own reason', () => {
      const status = parseScannerStatus(fixture('kyocera-ecosys-m2040dn/escl/ScannerStatus-processing.xml'));
      assert.equal(status.state, 'processing');
      assert.equal(status.adfState, 'ScannerAdfProcessing');
      assert.equal(status.jobs.length, 5);
      const [current] = status.jobs;
      assert.equal(current?.jobUri, '/eSCL/ScanJobs/urn:uuid:4509a320-00a0-008f-00b6-00559a327d32');
      assert.equal(current?.jobState, 'Processing');
      assert.deepEqual(current?.reasons, ['JobScanningAndTransferring']);
      assert.equal(current?.imagesToTransfer, null);
    });

    it('ignores the prefixed scan:AutoColorDetection value of the ScanJet Pro 4500', () => {
      const caps = parseScannerCapabilities(fixture('hp-scanjet-pro-4500-fn1/escl/ScannerCapabilities.xml'));
      assert.deepEqual(caps.sources.platen?.colorModes, ['color', 'gray', 'bw']);
      assert.equal(caps.uuid, 'FC944F9F-3A57-4d62-82CF-2E557AF58D55');
    });

    it('keeps the job states when the scanner says Processing while every job is Completed', () => {
      const status = parseScannerStatus(
        fixture('hp-scanjet-pro-4500-fn1/escl/ScannerStatus-processing-all-jobs-completed.xml'),
      );
      assert.equal(status.state, 'processing');
      assert.deepEqual(
        status.jobs.map((job) => job.jobState),
        ['Completed', 'Completed'],
      );
    });

    it('reads a simplex-only ADF (Smart Tank Plus 570) and the Xerox B235 with unqualified children', () => {
      const tank = parseScannerCapabilities(fixture('hp-smart-tank-plus-570/escl/ScannerCapabilities.xml'));
      assert.equal(tank.sources.adf?.duplex, false);
      const xerox = parseScannerCapabilities(fixture('xerox-b235/escl/ScannerCapabilities.xml'));
      assert.equal(xerox.makeAndModel, 'Xerox(R) B235 MFP');
      assert.ok(xerox.sources.platen?.documentFormats.includes('image/tiff'));
    });
  });

  describe('quirks not covered by a fixture file', () => {
    it('parses a document with no declaration, leading comments and an empty comment', () => {
      const xml = `<!-- vendor --><!----><?xml version="1.0"?>\r\n<scan:ScannerStatus ${NS}>\r\n<pwg:State>Idle</pwg:State></scan:ScannerStatus>`;
      assert.equal(parseScannerStatus(xml).state, 'idle');
      const bare = `<scan:ScannerStatus ${NS}><pwg:State>Testing</pwg:State></scan:ScannerStatus>`;
      assert.equal(parseScannerStatus(bare).state, 'testing');
    });

    it('parses eSCL 1.0: old namespace, pwg2: prefix, ColorProfiles with Resolution elements', () => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/02/08" xmlns:pwg2="http://www.pwg.org/schemas/2010/12/sm">
  <pwg2:Version>1.0</pwg2:Version>
  <pwg2:MakeAndModel>HP LaserJet Pro MFP M521dn</pwg2:MakeAndModel>
  <scan:Platen><scan:PlatenInputCaps>
    <scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>3508</scan:MaxHeight>
    <scan:ColorProfiles>
      <scan:ColorProfile>
        <scan:ColorMode>RGB24</scan:ColorMode>
        <scan:ColorReferences><scan:Resolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:Resolution></scan:ColorReferences>
      </scan:ColorProfile>
      <scan:ColorProfile>
        <scan:ColorMode>Grayscale8</scan:ColorMode>
        <scan:ColorReferences><scan:Resolution><scan:XResolution>200</scan:XResolution><scan:YResolution>200</scan:YResolution></scan:Resolution></scan:ColorReferences>
      </scan:ColorProfile>
    </scan:ColorProfiles>
    <scan:DocumentFormats><pwg2:DocumentFormat>image/jpeg</pwg2:DocumentFormat></scan:DocumentFormats>
  </scan:PlatenInputCaps></scan:Platen>
</scan:ScannerCapabilities>`;
      const caps = parseScannerCapabilities(xml);
      assert.equal(caps.makeAndModel, 'HP LaserJet Pro MFP M521dn');
      assert.equal(caps.version, '1.0');
      assert.deepEqual(caps.sources.platen?.colorModes, ['color', 'gray']);
      assert.deepEqual(caps.sources.platen?.resolutions, [200, 300]);
      const status = parseScannerStatus(
        `<scan:ScannerStatus xmlns:scan="http://schemas.hp.com/imaging/escl/2011/02/08" xmlns:pwg2="http://www.pwg.org/schemas/2010/12/sm"><pwg2:Version>1.0</pwg2:Version><pwg2:State>Idle</pwg2:State><scan:AdfState>ScannerAdfEmpty</scan:AdfState></scan:ScannerStatus>`,
      );
      assert.deepEqual([status.state, status.adfState], ['idle', 'ScannerAdfEmpty']);
    });

    it('resolves SettingProfiles shared at the top level, by reference or whole, on an ADF-only unit', () => {
      const profile = (name: string, mode: string, dpi: number) =>
        `<scan:SettingProfile name="${name}"><scan:ColorModes><scan:ColorMode>${mode}</scan:ColorMode></scan:ColorModes>
<scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>
<scan:SupportedResolutions><scan:DiscreteResolutions><scan:DiscreteResolution><scan:XResolution>${dpi}</scan:XResolution><scan:YResolution>${dpi}</scan:YResolution></scan:DiscreteResolution></scan:DiscreteResolutions></scan:SupportedResolutions></scan:SettingProfile>`;
      const xml = `<scan:ScannerCapabilities ${NS}>
<pwg:MakeAndModel>HP Color Laser 179fnw</pwg:MakeAndModel>
<scan:SettingProfiles>${profile('p1', 'RGB24', 300)}${profile('p2', 'Grayscale8', 150)}</scan:SettingProfiles>
<scan:Adf><scan:AdfSimplexInputCaps><scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>3508</scan:MaxHeight>
<scan:SettingProfiles><scan:SettingProfile ref="p2"/></scan:SettingProfiles></scan:AdfSimplexInputCaps></scan:Adf>
<scan:Platen><scan:PlatenInputCaps><scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>3508</scan:MaxHeight></scan:PlatenInputCaps></scan:Platen>
</scan:ScannerCapabilities>`;
      const caps = parseScannerCapabilities(xml);
      assert.deepEqual(caps.sources.adf?.colorModes, ['gray']);
      assert.deepEqual(caps.sources.adf?.resolutions, [150]);
      assert.deepEqual(caps.sources.platen?.resolutions, [150, 300]);

      const adfOnly = xml.replace(/<scan:Platen>.*<\/scan:Platen>/s, '');
      const adfCaps = parseScannerCapabilities(adfOnly);
      assert.equal(adfCaps.sources.platen, undefined);
      assert.ok(adfCaps.sources.adf);
    });

    it('turns a ResolutionRange into the common resolutions inside it', () => {
      const xml = `<scan:ScannerCapabilities ${NS}><scan:Platen><scan:PlatenInputCaps><scan:MaxWidth>10</scan:MaxWidth><scan:MaxHeight>10</scan:MaxHeight>
<scan:SettingProfiles><scan:SettingProfile><scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
<scan:SupportedResolutions><scan:ResolutionRange>
<scan:XResolutionRange><scan:Min>100</scan:Min><scan:Max>600</scan:Max><scan:Step>50</scan:Step></scan:XResolutionRange>
<scan:YResolutionRange><scan:Min>100</scan:Min><scan:Max>600</scan:Max><scan:Step>50</scan:Step></scan:YResolutionRange>
</scan:ResolutionRange></scan:SupportedResolutions></scan:SettingProfile></scan:SettingProfiles></scan:PlatenInputCaps></scan:Platen></scan:ScannerCapabilities>`;
      assert.deepEqual(
        parseScannerCapabilities(xml).sources.platen?.resolutions,
        [100, 150, 200, 300, 400, 600],
      );
    });

    it('rejects HTML served instead of XML with a clear error', () => {
      const html =
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="a.css"><title>Error</title></head><body>Not Found</body></html>';
      assert.throws(
        () => parseScannerCapabilities(html),
        (error: unknown) => {
          assert.ok(error instanceof EsclXmlError);
          assert.match(error.message, /HTML/);
          return true;
        },
      );
      assert.throws(() => parseScannerStatus('<html><body>busy</body></html>'), /HTML/);
    });

    it('rejects malformed XML, an empty body, a wrong root and a scanner with no source', () => {
      assert.throws(
        () => parseScannerStatus(`<scan:ScannerStatus ${NS}><pwg:State>Idle</scan:ScannerStatus>`),
        EsclXmlError,
      );
      assert.throws(() => parseScannerStatus('  '), /empty/);
      assert.throws(
        () => parseScannerStatus(`<scan:ScannerCapabilities ${NS}/>`),
        /expected ScannerStatus from the device, got ScannerCapabilities/,
      );
      assert.throws(
        () =>
          parseScannerCapabilities(
            `<scan:ScannerCapabilities ${NS}><pwg:MakeAndModel>X</pwg:MakeAndModel></scan:ScannerCapabilities>`,
          ),
        /neither a platen nor a document feeder/,
      );
    });

    it('maps unknown scanner states to stopped and keeps the raw word', () => {
      const status = parseScannerStatus(
        `<scan:ScannerStatus ${NS}><pwg:State>Warming</pwg:State></scan:ScannerStatus>`,
      );
      assert.deepEqual([status.state, status.rawState, status.adfState], ['stopped', 'Warming', null]);
    });
  });

  describe('ScanSettings', () => {
    const request: ScanRequest = {
      source: 'adf',
      duplex: true,
      colorMode: 'gray',
      resolution: 300,
      width: 2480,
      height: 3508,
      documentFormat: 'image/jpeg',
    };

    it('is well-formed XML with the literal scan:/pwg: prefixes', () => {
      const xml = buildScanSettings(request);
      assert.equal(XMLValidator.validate(xml), true);
      assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<scan:ScanSettings /);
      assert.match(xml, /xmlns:scan="http:\/\/schemas\.hp\.com\/imaging\/escl\/2011\/05\/03"/);
      assert.match(xml, /xmlns:pwg="http:\/\/www\.pwg\.org\/schemas\/2010\/12\/sm"/);
      assert.match(xml, /<pwg:Version>2\.63<\/pwg:Version>/);
      assert.match(xml, /<pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches<\/pwg:ContentRegionUnits>/);
      assert.match(xml, /<pwg:InputSource>Feeder<\/pwg:InputSource>/);
      assert.match(xml, /<scan:ColorMode>Grayscale8<\/scan:ColorMode>/);
      assert.match(xml, /<scan:Duplex>true<\/scan:Duplex>/);
    });

    it('follows the eSCL 2.63 element order', () => {
      const xml = buildScanSettings(request);
      const order = [
        'pwg:Version',
        'scan:Intent',
        'pwg:ScanRegions',
        'pwg:DocumentFormat>',
        'scan:DocumentFormatExt',
        'pwg:InputSource',
        'scan:XResolution',
        'scan:YResolution',
        'scan:ColorMode',
        'scan:Duplex',
      ].map((tag) => xml.indexOf(`<${tag}`));
      assert.ok(
        order.every((position) => position > 0),
        `all present: ${order.join(',')}`,
      );
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
      );
    });

    it('round-trips through the parser', () => {
      const parsed = parseScanSettings(buildScanSettings(request));
      assert.deepEqual(parsed, {
        version: '2.63',
        intent: 'Document',
        region: { width: 2480, height: 3508, xOffset: 0, yOffset: 0, units: 'escl:ThreeHundredthsOfInches' },
        documentFormat: 'image/jpeg',
        documentFormatExt: 'image/jpeg',
        inputSource: 'Feeder',
        xResolution: 300,
        yResolution: 300,
        colorMode: 'Grayscale8',
        duplex: true,
      });
    });

    it('leaves Duplex out for the platen and can claim an older version', () => {
      const xml = buildScanSettings(
        { ...request, source: 'platen', colorMode: 'bw', documentFormat: 'image/png' },
        { version: '2.0', legacyDocumentFormat: false },
      );
      const parsed = parseScanSettings(xml);
      assert.equal(parsed.inputSource, 'Platen');
      assert.equal(parsed.duplex, null);
      assert.equal(parsed.colorMode, 'BlackAndWhite1');
      assert.equal(parsed.version, '2.0');
      assert.equal(parsed.documentFormat, null);
      assert.equal(parsed.documentFormatExt, 'image/png');
    });

    it('reads the ScanSettings inside the PageWide 477dw ScanBufferInfo', () => {
      const parsed = parseScanSettings(fixture('hp-pagewide-pro-477dw/escl/PUT_ScanBufferInfo.xml'));
      assert.equal(parsed.inputSource, 'Platen');
      assert.equal(parsed.documentFormatExt, 'image/jpeg');
      assert.equal(parsed.colorMode, 'Grayscale8');
      assert.deepEqual(parsed.region, {
        width: 1800,
        height: 1200,
        xOffset: 0,
        yOffset: 0,
        units: 'escl:ThreeHundredthsOfInches',
      });
    });
  });
});
