import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { JobView } from '../../protocol/index.ts';
import { describeStoredNumber } from '../../edge-service/src/domain/fax-number.ts';
import { renderCoverPage } from '../../edge-service/src/pipeline/cover-page.ts';
import { buildFaxTiff } from '../../edge-service/src/pipeline/fax-tiff.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { decodeGrey, disagreement } from '../edge-service/pipeline/pipeline-helpers.ts';

interface ReceivedFax {
  id: string;
  to: string;
  pages: number;
}

interface LastSettings {
  jobUuid: string | null;
  settings: {
    source: string;
    duplex: boolean;
    colorMode: string;
    resolution: number;
    documentFormat: string;
    region: { x: number; y: number; width: number; height: number } | null;
    intent?: string;
  };
}

/*
 * The composer's options on the whole product: a panel over the real WebSocket, the edge scanning
 * the simulator over eSCL and faxing over IPP; what the scanner was asked (the simulator's
 * last-settings) and what the remote machine received (its pages as PNG).
 */
describe('end to end: composer options, destination rules, cover page, preview', function () {
  this.timeout(180000);
  let stack: Stack;
  let panel: PanelClient;
  let enterpriseId: string;

  before(async () => {
    stack = await startStack();
    panel = await PanelClient.connect(stack.wsUrl);
    const hello = await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: stack.token,
      app: { name: 'e2e', version: '1' },
    });
    enterpriseId = stack.edge.repositories.devices.get(hello.device.id)!.enterpriseId;
  });

  after(async () => {
    panel?.close();
    await stack?.stop();
  });

  const sim = (path: string, init?: RequestInit) => fetch(`${stack.simulator.url}${path}`, init);

  async function load(originals: string[]): Promise<number> {
    const response = await sim('/sim/api/feeder', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ originals, reload: true }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { sheets: number }).sheets;
  }

  async function lastSettings(): Promise<LastSettings> {
    const response = await sim('/sim/api/scanner/last-settings');
    assert.equal(response.status, 200);
    return (await response.json()) as LastSettings;
  }

  async function finished(job: JobView): Promise<JobView> {
    return panel.waitForJob(
      (j) => j.id === job.id && ['delivered', 'failed', 'cancelled'].includes(j.state),
      150000,
    );
  }

  async function received(number: string): Promise<ReceivedFax> {
    const all = (await (await sim('/sim/api/faxes')).json()) as ReceivedFax[];
    const mine = all.filter((f) => f.to.includes(number.replace(/\D/g, '')));
    assert.equal(mine.length, 1, `one fax to ${number}, got ${mine.length}`);
    return mine[0]!;
  }

  async function page(fax: ReceivedFax, n: number): Promise<Buffer> {
    const response = await sim(`/sim/api/faxes/${fax.id}/pages/${n}`);
    assert.equal(response.status, 200);
    return Buffer.from(await response.arrayBuffer());
  }

  async function rows(png: Buffer): Promise<number> {
    const meta = await sharp(png).metadata();
    assert.equal(meta.width, 1728);
    return meta.height!;
  }

  it('answers last-settings 404 NO_SCAN_YET before any scan', async () => {
    const response = await sim('/sim/api/scanner/last-settings');
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'NO_SCAN_YET');
  });

  it('scans Letter at 200 dpi for standard photo, and the pages arrive at 98 lpi, Letter long', async () => {
    const sheets = await load(['form']);
    const { job } = await panel.request('fax.send', {
      recipients: ['+1 212 555 0110'],
      resolution: 'standard',
      originalSize: 'letter',
      contentType: 'photo',
    });
    assert.deepEqual(job.options, {
      source: 'adf',
      duplex: false,
      originalSize: 'letter',
      contentType: 'photo',
      skipBlankPages: false,
      cover: false,
    });
    const done = await finished(job);
    assert.equal(done.state, 'delivered', JSON.stringify(done.error));
    const { settings, jobUuid } = await lastSettings();
    assert.ok(jobUuid);
    assert.equal(settings.source, 'Feeder');
    assert.equal(settings.resolution, 200);
    assert.equal(settings.colorMode, 'Grayscale8');
    assert.equal(settings.intent, 'Photo');
    assert.deepEqual(settings.region, { x: 0, y: 0, width: 2550, height: 3300 });
    const fax = await received('+1 212 555 0110');
    assert.equal(fax.pages, sheets);
    // 11 in at 98 lpi (the feeder stops at the A4 sheet's edge only past Letter's length).
    assert.ok(Math.abs((await rows(await page(fax, 1))) - 1078) <= 2);
  });

  it('scans A4 at the next dpi the scanner offers above 400 for superfine text, and pages arrive at 391 lpi', async () => {
    await load(['form']);
    const { job } = await panel.request('fax.send', {
      recipients: ['+1 212 555 0111'],
      resolution: 'superfine',
      originalSize: 'a4',
      contentType: 'text',
    });
    const done = await finished(job);
    assert.equal(done.state, 'delivered', JSON.stringify(done.error));
    const { settings } = await lastSettings();
    // The simulator offers 75–300 and 600: 400 is fitted up to 600.
    assert.equal(settings.resolution, 600);
    assert.equal(settings.intent, 'Document');
    assert.deepEqual(settings.region, { x: 0, y: 0, width: 2480, height: 3508 });
    const fax = await received('+1 212 555 0111');
    assert.ok(Math.abs((await rows(await page(fax, 1))) - 4571) <= 3);
  });

  it('sends a cover page as page 1 before the scanned pages, and leaves out a blank sheet (counted)', async () => {
    const sheets = await load(['form', 'blank']);
    const number = '+1 212 555 0112';
    const cover = { subject: 'Invoice 2026-117', note: 'Signed copy attached.\nCall me with any question.' };
    const { job } = await panel.request('fax.send', {
      recipients: [number],
      resolution: 'fine',
      skipBlankPages: true,
      cover,
    });
    assert.equal(job.options?.cover, true);
    const done = await finished(job);
    assert.equal(done.state, 'delivered', JSON.stringify(done.error));
    assert.equal(done.pagesScanned, sheets);
    assert.equal(done.pagesSkipped, 1);
    assert.equal(done.totalPages, sheets - 1 + 1);
    const fax = await received(number);
    assert.equal(fax.pages, sheets);
    // Page 1 is the cover the edge drew for this job, pel for pel.
    const expected = await renderCoverPage(
      {
        senderName: 'Front desk, Demo Enterprise',
        recipientName: null,
        recipients: [describeStoredNumber('+12125550112').display],
        date: new Date(done.createdAt),
        subject: cover.subject,
        note: cover.note,
        pageCount: sheets,
      },
      'fine',
    );
    const first = await decodeGrey(await page(fax, 1));
    assert.ok(disagreement(first, await decodeGrey(buildFaxTiff([expected]))) < 0.001);
    // Page 2 is the first scanned sheet, not a second cover.
    const second = await decodeGrey(await page(fax, 2));
    assert.ok(disagreement(first, second) > 0.01);
  });

  it('fails a job whose every page is blank with ALL_PAGES_BLANK, and sends nothing', async () => {
    await load(['blank']);
    const { job } = await panel.request('fax.send', {
      recipients: ['+1 212 555 0113'],
      skipBlankPages: true,
    });
    const done = await finished(job);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'ALL_PAGES_BLANK');
    assert.match(done.error?.message ?? '', /blank/);
    const all = (await (await sim('/sim/api/faxes')).json()) as ReceivedFax[];
    assert.equal(all.filter((f) => f.to.includes('2125550113')).length, 0);
  });

  it('checkNumber names the destination country and refuses a premium-rate number with the rule', async () => {
    const ok = await panel.request('fax.checkNumber', { number: '+44 20 7946 0000' });
    assert.equal(ok.allowed, true);
    assert.equal(ok.country, 'GB');
    assert.equal(ok.countryName, 'United Kingdom');
    assert.equal(ok.numberType, 'FIXED_LINE');
    const premium = await panel.request('fax.checkNumber', { number: '1 900 555 0123' });
    assert.equal(premium.allowed, false);
    assert.equal(premium.rule, 'premium');
    assert.equal(premium.countryName, 'United States');
    assert.match(premium.message ?? '', /Premium-rate numbers are blocked by your company's fax policy/);
  });

  it('fax.send refuses the whole job before accepting it when one number breaks a rule', async () => {
    const before = (await panel.request('jobs.list', { limit: 50 })).jobs.length;
    await assert.rejects(
      panel.request('fax.send', { recipients: ['+1 212 555 0100', '+1 900 555 0123'] }),
      (error: { code?: string; body?: { rule?: string; recipient?: string; message?: string } }) => {
        assert.equal(error.code, 'DESTINATION_BLOCKED');
        assert.equal(error.body?.rule, 'premium');
        assert.equal(error.body?.recipient, '+19005550123');
        assert.match(error.body?.message ?? '', /Premium-rate/);
        return true;
      },
    );
    assert.equal((await panel.request('jobs.list', { limit: 50 })).jobs.length, before);
  });

  it('follows a policy change at once: blocked countries, then international faxing off', async () => {
    const policies = stack.edge.people.policies;
    try {
      policies.update(enterpriseId, { faxBlockedCountries: ['GB'] }, 'test');
      const uk = await panel.request('fax.checkNumber', { number: '+44 20 7946 0000' });
      assert.equal(uk.allowed, false);
      assert.equal(uk.rule, 'country');
      assert.match(uk.message ?? '', /United Kingdom/);
      policies.update(enterpriseId, { faxBlockedCountries: [], faxInternational: false }, 'test');
      const be = await panel.request('fax.checkNumber', { number: '+32 2 793 00 01' });
      assert.equal(be.rule, 'international');
      await assert.rejects(panel.request('fax.send', { recipients: ['+32 2 793 00 01'] }), {
        code: 'DESTINATION_BLOCKED',
      });
      assert.equal((await panel.request('fax.checkNumber', { number: '212 555 0100' })).allowed, true);
    } finally {
      policies.update(enterpriseId, { faxBlockedCountries: [], faxInternational: true }, 'test');
    }
  });

  it('previews the glass as a small bilevel PNG, and refuses a feeder preview', async () => {
    await load(['form']);
    const preview = await panel.request('fax.preview', { source: 'platen', resolution: 'fine' });
    assert.match(preview.png, /^data:image\/png;base64,/);
    assert.equal(preview.width, 240);
    assert.equal(preview.blank, false);
    const { settings } = await lastSettings();
    assert.equal(settings.source, 'Platen');
    assert.equal(settings.intent, 'Preview');
    const feeder = (await (await sim('/sim/api/feeder')).json()) as { sheets: number };
    assert.ok(feeder.sheets >= 1, 'the preview fed nothing');
    await assert.rejects(panel.request('fax.preview', { source: 'adf' }), { code: 'PREVIEW_UNAVAILABLE' });
  });
});
