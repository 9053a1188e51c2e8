/* eslint-disable @typescript-eslint/no-explicit-any -- assertions walk parsed XML trees by path */
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import sharp from 'sharp';
import { setTimeout as delay } from 'node:timers/promises';
import {
  ManualClock,
  nextDocument,
  postJob,
  scanSettingsXml,
  startTestScanner,
  type TestScanner,
} from './scanner-test-server.ts';

// Prefixes kept: sane-airscan reads them literally, so the test does too.
const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });

async function xmlOf(res: Response): Promise<Record<string, any>> {
  const text = await res.text();
  assert.equal(XMLValidator.validate(text), true, text);
  return parser.parse(text) as Record<string, any>;
}

async function status(url: string) {
  const res = await fetch(`${url}/eSCL/ScannerStatus`);
  assert.equal(res.status, 200);
  return (await xmlOf(res))['scan:ScannerStatus'];
}

function jobsOf(s: Record<string, any>): Record<string, any>[] {
  const info = s['scan:Jobs']?.['scan:JobInfo'];
  return info === undefined ? [] : Array.isArray(info) ? info : [info];
}

describe('simulator eSCL router', () => {
  let t: TestScanner;
  afterEach(async () => {
    await t?.close();
  });

  it('describes the scanner in eSCL 2.63 capabilities with the literal scan:/pwg: prefixes', async () => {
    t = await startTestScanner();
    const res = await fetch(`${t.url}/eSCL/ScannerCapabilities`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/xml/);
    const caps = (await xmlOf(res))['scan:ScannerCapabilities'];
    assert.equal(caps['@_xmlns:scan'], 'http://schemas.hp.com/imaging/escl/2011/05/03');
    assert.equal(caps['@_xmlns:pwg'], 'http://www.pwg.org/schemas/2010/12/sm');
    assert.equal(caps['pwg:Version'], '2.63');
    assert.equal(caps['pwg:MakeAndModel'], 'mfp-edge Virtual MFP');
    assert.ok(caps['pwg:SerialNumber']);
    assert.match(caps['scan:UUID'], /^[0-9a-f-]{36}$/);
    assert.equal(caps['scan:AdminURI'], `${t.url}/`);
    assert.equal(caps['scan:IconURI'], `${t.url}/eSCL/icon.png`);
    const icon = await fetch(caps['scan:IconURI']);
    assert.equal(icon.headers.get('content-type'), 'image/png');

    const sources = [
      caps['scan:Platen']['scan:PlatenInputCaps'],
      caps['scan:Adf']['scan:AdfSimplexInputCaps'],
      caps['scan:Adf']['scan:AdfDuplexInputCaps'],
    ];
    for (const source of sources) {
      assert.equal(source['scan:MaxWidth'], '2550');
      assert.equal(source['scan:MaxHeight'], '4200');
      const profile = source['scan:SettingProfiles']['scan:SettingProfile'];
      assert.deepEqual(profile['scan:ColorModes']['scan:ColorMode'], [
        'RGB24',
        'Grayscale8',
        'BlackAndWhite1',
      ]);
      const formats = profile['scan:DocumentFormats'];
      assert.ok(formats['pwg:DocumentFormat'].includes('image/jpeg'));
      assert.ok(formats['scan:DocumentFormatExt'].includes('image/png'));
      const resolutions =
        profile['scan:SupportedResolutions']['scan:DiscreteResolutions']['scan:DiscreteResolution'];
      assert.deepEqual(
        resolutions.map((r: Record<string, string>) => Number(r['scan:XResolution'])),
        [75, 100, 150, 200, 300, 600],
      );
    }
  });

  it('runs an ADF job: 201 + absolute Location, 503 while scanning (no hold), the pages, then 404', async () => {
    const clock = new ManualClock();
    t = await startTestScanner(clock, { nextDocumentHoldMs: 0 });
    const created = await postJob(t.url, scanSettingsXml({ source: 'Feeder', colorMode: 'Grayscale8' }));
    assert.equal(created.status, 201);
    const location = created.headers.get('location') ?? '';
    assert.match(location, new RegExp(`^${t.url}/eSCL/ScanJobs/[0-9a-f-]{36}$`));

    const early = await fetch(`${location}/NextDocument`);
    assert.equal(early.status, 503);
    const busy = await postJob(t.url, scanSettingsXml({}));
    assert.equal(busy.status, 503);
    const during = await status(t.url);
    assert.equal(during['pwg:State'], 'Processing');
    assert.equal(jobsOf(during)[0]?.['pwg:JobState'], 'Processing');
    assert.equal(jobsOf(during)[0]?.['pwg:JobUri'], new URL(location).pathname);

    clock.run();
    for (let page = 1; page <= 3; page++) {
      const res = await nextDocument(location);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/jpeg');
      assert.ok(res.headers.get('content-location')?.startsWith(new URL(location).pathname));
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      assert.deepEqual([meta.width, meta.height, meta.channels], [1240, 1754, 1]);
    }
    const info = await xmlOf(await fetch(`${location}/ScanImageInfo`));
    assert.equal(info['scan:ScanImageInfo']['scan:ActualWidth'], '1240');
    assert.equal((await nextDocument(location)).status, 404);

    const after = await status(t.url);
    assert.equal(after['pwg:State'], 'Idle');
    assert.equal(after['scan:AdfState'], 'ScannerAdfLoaded');
    const job = jobsOf(after)[0];
    assert.equal(job?.['pwg:JobState'], 'Completed');
    assert.equal(job?.['pwg:ImagesCompleted'], '3');
    assert.equal(job?.['pwg:ImagesToTransfer'], '0');
    assert.equal(job?.['pwg:JobStateReasons']['pwg:JobStateReason'], 'JobCompletedSuccessfully');

    // reload: the same stack is back in the tray
    assert.equal((await postJob(t.url, scanSettingsXml({}))).status, 201);
  });

  it('holds NextDocument until the page is scanned by default (libsane escl needs it), 503 in quirks', async () => {
    const clock = new ManualClock();
    t = await startTestScanner(clock);
    assert.equal(t.scanner.nextDocumentHoldMs, 20_000);
    const location = (await postJob(t.url, scanSettingsXml({ source: 'Platen' }))).headers.get('location');
    const held = fetch(`${location}/NextDocument`, { signal: AbortSignal.timeout(10_000) });
    // Nothing is answered while the lamp has not moved; the page comes on the same request.
    const early = await Promise.race([held.then(() => 'answered'), delay(150).then(() => 'held')]);
    assert.equal(early, 'held');
    clock.run();
    const res = await held;
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    await res.arrayBuffer();

    const quirky = await startTestScanner(new ManualClock(), { profile: 'quirks' });
    try {
      assert.equal(quirky.scanner.nextDocumentHoldMs, 0);
    } finally {
      await quirky.close();
    }
  });

  it('cancels a job its client abandoned and frees the scanner for the next one', async () => {
    t = await startTestScanner(new ManualClock(), { abandonAfterMs: 200 });
    const created = await postJob(t.url, scanSettingsXml({ source: 'Feeder' }));
    assert.equal(created.status, 201);
    assert.equal((await postJob(t.url, scanSettingsXml({}))).status, 503, 'busy while the job runs');
    await delay(400);
    const after = await status(t.url);
    assert.equal(after['pwg:State'], 'Idle');
    const job = jobsOf(after)[0];
    assert.equal(job?.['pwg:JobState'], 'Canceled');
    assert.equal(job?.['pwg:JobStateReasons']['pwg:JobStateReason'], 'JobCanceledBySystem');
    assert.equal((await postJob(t.url, scanSettingsXml({}))).status, 201);
  });

  it('scans both sides in duplex, the backs of single-sided pages blank', async () => {
    t = await startTestScanner();
    const created = await postJob(t.url, scanSettingsXml({ duplex: true, resolution: 75 }));
    assert.equal(created.status, 201);
    const location = created.headers.get('location') ?? '';
    const means: number[] = [];
    for (;;) {
      const res = await nextDocument(location);
      if (res.status === 404) break;
      assert.equal(res.status, 200);
      const stats = await sharp(Buffer.from(await res.arrayBuffer())).stats();
      means.push(stats.channels[0]?.mean ?? 0);
    }
    assert.equal(means.length, 6);
    means.forEach((mean, i) =>
      i % 2 === 1
        ? assert.ok(mean > 254.5, `back ${i}: ${mean}`)
        : assert.ok(mean < 253, `front ${i}: ${mean}`),
    );
  });

  it('scans one page from the platen over the requested region, in colour or 1-bit', async () => {
    t = await startTestScanner();
    const region = { width: 2550, height: 3300 };
    const colour = await postJob(
      t.url,
      scanSettingsXml({ source: 'Platen', colorMode: 'RGB24', resolution: 100, region }),
    );
    const location = colour.headers.get('location') ?? '';
    const page = await nextDocument(location);
    const meta = await sharp(Buffer.from(await page.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels, meta.format], [850, 1100, 3, 'jpeg']);
    assert.equal((await nextDocument(location)).status, 404);

    const bw = await postJob(
      t.url,
      scanSettingsXml({
        source: 'Platen',
        colorMode: 'BlackAndWhite1',
        format: 'image/png',
        resolution: 200,
      }),
    );
    const png = await nextDocument(bw.headers.get('location') ?? '');
    assert.equal(png.headers.get('content-type'), 'image/png');
    const bwMeta = await sharp(Buffer.from(await png.arrayBuffer())).metadata();
    assert.deepEqual(
      [bwMeta.width, bwMeta.height, bwMeta.channels, bwMeta.bitsPerSample],
      [1653, 2339, 1, 1],
    );
  });

  it('cancels a job on DELETE and frees the scanner', async () => {
    t = await startTestScanner(new ManualClock());
    const created = await postJob(t.url, scanSettingsXml({}));
    const location = created.headers.get('location') ?? '';
    assert.equal((await fetch(location, { method: 'DELETE' })).status, 200);
    assert.equal(jobsOf(await status(t.url))[0]?.['pwg:JobState'], 'Canceled');
    assert.equal((await fetch(`${location}/NextDocument`)).status, 404);
    assert.equal((await fetch(`${t.url}/eSCL/ScanJobs/no-such-job`, { method: 'DELETE' })).status, 404);
    assert.equal((await postJob(t.url, scanSettingsXml({}))).status, 201);
  });

  describe('faults', () => {
    const cases = [
      { fault: 'feeder-empty', post: 409, adf: 'ScannerAdfEmpty' },
      { fault: 'jam', post: 409, adf: 'ScannerAdfJam' },
      { fault: 'cover-open', post: 409, adf: 'ScannerAdfHatchOpen' },
      { fault: 'scanner-busy', post: 503, adf: 'ScannerAdfLoaded' },
    ] as const;
    for (const c of cases) {
      it(`${c.fault}: POST ScanJobs (Feeder) answers ${c.post}, AdfState ${c.adf}`, async () => {
        t = await startTestScanner();
        t.faults.raise(c.fault);
        const res = await postJob(t.url, scanSettingsXml({ source: 'Feeder' }));
        assert.equal(res.status, c.post);
        assert.match(await res.text(), /^[A-Z_]+: /);
        assert.equal((await status(t.url))['scan:AdfState'], c.adf);
        t.faults.clear(c.fault);
        assert.equal((await postJob(t.url, scanSettingsXml({ source: 'Feeder' }))).status, 201);
      });
    }

    it('feeder-empty and jam leave the platen usable', async () => {
      t = await startTestScanner();
      t.faults.raise('feeder-empty');
      t.faults.raise('jam');
      const res = await postJob(t.url, scanSettingsXml({ source: 'Platen' }));
      assert.equal(res.status, 201);
    });

    it('scanner-offline: every eSCL request answers 503', async () => {
      t = await startTestScanner();
      t.faults.raise('scanner-offline');
      for (const path of ['ScannerCapabilities', 'ScannerStatus']) {
        assert.equal((await fetch(`${t.url}/eSCL/${path}`)).status, 503);
      }
      assert.equal((await postJob(t.url, scanSettingsXml({}))).status, 503);
      t.faults.clear('scanner-offline');
      assert.equal((await fetch(`${t.url}/eSCL/ScannerStatus`)).status, 200);
    });

    it('a jam mid-job aborts the job: JobCanceledBySystem, ScannerAdfJam, NextDocument 409', async () => {
      t = await startTestScanner(new ManualClock());
      const created = await postJob(t.url, scanSettingsXml({}));
      const location = created.headers.get('location') ?? '';
      t.faults.raise('jam');
      const s = await status(t.url);
      assert.equal(s['scan:AdfState'], 'ScannerAdfJam');
      const job = jobsOf(s)[0];
      assert.equal(job?.['pwg:JobState'], 'Aborted');
      assert.equal(job?.['pwg:JobStateReasons']['pwg:JobStateReason'], 'JobCanceledBySystem');
      const next = await fetch(`${location}/NextDocument`);
      assert.equal(next.status, 409);
      assert.match(await next.text(), /^SCANNER_JAM/);
    });
  });

  describe('bad ScanSettings', () => {
    beforeEach(async () => {
      t = await startTestScanner();
    });
    const malformed = [
      ['not XML', 'hello'],
      ['unclosed element', '<scan:ScanSettings xmlns:scan="x"><scan:ColorMode>RGB24</scan:ScanSettings>'],
      ['another root', '<scan:ScannerStatus xmlns:scan="x"/>'],
      ['empty body', ''],
      [
        'non-numeric resolution',
        scanSettingsXml({}).replace('<scan:XResolution>150', '<scan:XResolution>high'),
      ],
    ];
    for (const [name, body] of malformed) {
      it(`${name} → 400`, async () => {
        const res = await postJob(t.url, body ?? '');
        assert.equal(res.status, 400);
        assert.match(await res.text(), /^BAD_SCAN_SETTINGS: /);
      });
    }
    const unsupported = [
      ['colour mode', scanSettingsXml({ colorMode: 'Sepia16' })],
      ['resolution', scanSettingsXml({ resolution: 1200 })],
      ['source', scanSettingsXml({ source: 'Camera' })],
      ['format', scanSettingsXml({ format: 'image/tiff' })],
      ['region', scanSettingsXml({ region: { width: 2550, height: 5000 } })],
    ];
    for (const [name, body] of unsupported) {
      it(`unsupported ${name} → 409 (eSCL: settings in conflict with the capabilities)`, async () => {
        const res = await postJob(t.url, body ?? '');
        assert.equal(res.status, 409);
        assert.match(await res.text(), /^UNSUPPORTED_SETTING: /);
        assert.equal(jobsOf(await status(t.url)).length, 0);
      });
    }
  });

  describe('error codes: the control API set, as text/plain "CODE: message"', () => {
    it('an unknown eSCL path is 404 NOT_FOUND', async () => {
      t = await startTestScanner();
      const res = await fetch(`${t.url}/eSCL/NoSuchThing`);
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await res.text(), /^NOT_FOUND: .*\/eSCL\/NoSuchThing/);
    });

    it('oversized ScanSettings are 413 BODY_TOO_LARGE, not BAD_REQUEST', async () => {
      t = await startTestScanner();
      const res = await postJob(t.url, `<x>${'a'.repeat(300 * 1024)}</x>`);
      assert.equal(res.status, 413);
      assert.match(await res.text(), /^BODY_TOO_LARGE: /);
      assert.equal(jobsOf(await status(t.url)).length, 0);
    });

    it('an unknown job is 404 JOB_NOT_FOUND', async () => {
      t = await startTestScanner();
      const res = await fetch(`${t.url}/eSCL/ScanJobs/no-such-job/NextDocument`);
      assert.equal(res.status, 404);
      assert.match(await res.text(), /^JOB_NOT_FOUND: /);
    });
  });
});
