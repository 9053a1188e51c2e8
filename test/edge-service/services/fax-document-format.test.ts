import assert from 'node:assert/strict';
import type { DeviceDrivers } from '../../../edge-service/src/services/device-drivers.ts';
import { submitTag } from '../../../edge-service/src/services/fax-job-engine.ts';
import { buildFaxTiff, readFaxTiffPages } from '../../../edge-service/src/pipeline/fax-tiff.ts';
import type { FaxPage } from '../../../edge-service/src/pipeline/fax-types.ts';
import { decodePwgRaster } from '../../../simulator/src/fax/pwg-raster.ts';
import { textPageJpeg } from '../../helpers/sample-page.ts';
import { decodeGrey } from '../pipeline/pipeline-helpers.ts';
import { EngineHarness } from './engine-harness.ts';
import { FakeScanner, ScriptedFaxLine } from './fake-drivers.ts';

const A = '+12125550100';
const B = '+12125550111';

/*
 * What the engine hands a modem: the document format it picks from the modem's
 * document-format-supported (PDF, else PWG raster, else TIFF), and the enterprise's pre-dial string.
 */
describe('FaxJobEngine: document format and pre-dial string', function () {
  this.timeout(30000);
  let scanPages: Buffer[];
  let scanner: FakeScanner;
  let faxLine: ScriptedFaxLine;
  let harness: EngineHarness;

  before(async () => {
    scanPages = [await textPageJpeg(100, 'One'), await textPageJpeg(100, 'Two')];
  });

  beforeEach(() => {
    scanner = new FakeScanner();
    scanner.pages = scanPages;
    faxLine = new ScriptedFaxLine();
  });

  afterEach(async () => {
    await harness?.stop();
  });

  async function start(options: ConstructorParameters<typeof EngineHarness>[1] = {}): Promise<EngineHarness> {
    const drivers: DeviceDrivers = { scanner: () => scanner, faxLine: () => faxLine };
    harness = await new EngineHarness(drivers, options).start();
    return harness;
  }

  /** The job's G4 pages as the spool keeps them. */
  async function spooledPages(jobId: string): Promise<FaxPage[]> {
    const pages: FaxPage[] = [];
    for (const page of harness.jobs.pages(jobId))
      pages.push(...readFaxTiffPages(await harness.spool.read(jobId, page.faxFile!)));
    return pages;
  }

  describe('document format', () => {
    it('sends PWG raster, page for page the G4 pages, to a modem that takes only image/pwg-raster', async () => {
      faxLine.documentFormats = ['image/pwg-raster'];
      await start();
      const job = harness.submit([A], { resolution: 'fine' });
      const done = await harness.waitForFinal(job.id);
      assert.equal(done.state, 'delivered', JSON.stringify(done.error));
      assert.equal(faxLine.submissions.length, 1);
      const { document } = faxLine.submissions[0]!;
      assert.equal(document.contentType, 'image/pwg-raster');
      assert.equal(document.pages, 2);
      const sent = decodePwgRaster(document.data);
      const pages = await spooledPages(job.id);
      assert.equal(sent.length, 2);
      for (const [index, page] of sent.entries()) {
        const g4 = await decodeGrey(buildFaxTiff([pages[index]!]));
        assert.deepEqual([page.width, page.height], [1728, pages[index]!.height]);
        assert.ok(page.pixels.equals(g4.pixels), `page ${index + 1} as the G4 page`);
      }
    });

    const preferences: [string[], string, string][] = [
      [['image/tiff', 'image/pwg-raster', 'application/pdf'], 'application/pdf', '%PDF'],
      [['image/tiff', 'image/pwg-raster', 'image/jpeg'], 'image/pwg-raster', 'RaS2'],
      [['image/jpeg', 'IMAGE/TIFF'], 'image/tiff', 'II*\0'],
    ];
    for (const [offered, chosen, magic] of preferences) {
      it(`sends ${chosen} to a modem offering ${offered.join(', ')}`, async () => {
        faxLine.documentFormats = offered;
        await start();
        const done = await harness.waitForFinal(harness.submit([A]).id);
        assert.equal(done.state, 'delivered', JSON.stringify(done.error));
        const { document } = faxLine.submissions[0]!;
        assert.equal(document.contentType, chosen);
        assert.equal(document.data.toString('latin1', 0, 4), magic);
      });
    }

    it('fails the job with FAX_UNSUPPORTED, sending nothing, when the modem takes none of them', async () => {
      faxLine.documentFormats = ['image/jpeg', 'image/urf'];
      await start();
      const done = await harness.waitForFinal(harness.submit([A]).id);
      assert.equal(done.state, 'failed');
      assert.equal(done.error?.code, 'FAX_UNSUPPORTED');
      assert.match(done.error!.message, /image\/jpeg, image\/urf/);
      assert.equal(faxLine.submissions.length, 0);
    });
  });

  describe('pre-dial string', () => {
    it('dials the numbers as they are when neither the edge nor the enterprise sets one', async () => {
      await start();
      const job = harness.submit([A]);
      assert.equal((await harness.waitForFinal(job.id)).state, 'delivered');
      assert.deepEqual(faxLine.submissions[0]!.options, { jobName: submitTag(job.id, 1) });
    });

    it('passes the edge’s default until the enterprise sets its own, then the enterprise’s', async () => {
      await start({ preDialString: '8' });
      const first = harness.submit([A]);
      await harness.waitForFinal(first.id);
      harness.policies.setFaxPolicy(harness.device.enterpriseId, { preDialString: '9,' });
      const second = harness.submit([A, B]);
      await harness.waitForFinal(second.id);
      harness.policies.setFaxPolicy(harness.device.enterpriseId, { preDialString: '' });
      const third = harness.submit([A]);
      await harness.waitForFinal(third.id);
      assert.deepEqual(
        faxLine.submissions.map((s) => [s.options.jobName, s.options.preDialString, s.destinations]),
        [
          [submitTag(first.id, 1), '8', [`tel:${A}`]],
          [submitTag(second.id, 1), '9,', [`tel:${A}`, `tel:${B}`]],
          [submitTag(third.id, 1), undefined, [`tel:${A}`]],
        ],
      );
    });

    it('dials it again on every redial of a busy recipient', async () => {
      faxLine.line = (uri, call) => (uri === `tel:${A}` && call === 1 ? 'FAX_BUSY' : 'delivered');
      await start();
      harness.policies.setFaxPolicy(harness.device.enterpriseId, {
        attempts: 2,
        intervalMs: 20,
        preDialString: '*70,9',
      });
      const done = await harness.waitForFinal(harness.submit([A]).id);
      assert.equal(done.state, 'delivered', JSON.stringify(done.error));
      assert.deepEqual(
        faxLine.submissions.map((s) => s.options.preDialString),
        ['*70,9', '*70,9'],
      );
    });
  });
});
