import assert from 'node:assert/strict';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import sharp from 'sharp';
import { renderFaxPage } from '../../../edge-service/src/pipeline/fax-page.ts';
import { buildFaxTiff } from '../../../edge-service/src/pipeline/fax-tiff.ts';
import type { DocumentRefused } from '../../../edge-service/src/email-intake/email-document.ts';
import { readEmailDocument } from '../../../edge-service/src/email-intake/email-document.ts';

function mime(
  attachments: { filename: string; content: Buffer; contentType: string; cid?: string }[],
  text = 'Hello',
): Promise<Buffer> {
  return new MailComposer({
    from: 'Bob <bob@partner.test>',
    to: '12125550100@fax.acme.test',
    subject: 'Quote',
    text,
    html: `<p>${text}</p><img src="cid:logo">`,
    attachments,
  })
    .compile()
    .build();
}

const png = () =>
  sharp({ create: { width: 850, height: 1100, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();

describe('email-to-fax: the document (email-document)', () => {
  it('gives the attachments as pages in order, the text and subject, and skips images the HTML shows', async () => {
    const page = await png();
    const raw = await mime([
      { filename: 'a.png', content: page, contentType: 'image/png' },
      { filename: 'logo.png', content: page, contentType: 'image/png', cid: 'logo' },
    ]);
    const pages: string[] = [];
    const document = await readEmailDocument(raw, { maxPages: 10 }, async (_image, extension) => {
      pages.push(extension);
    });
    assert.deepEqual(pages, ['png']);
    assert.equal(document.subject, 'Quote');
    assert.equal(document.body, 'Hello');
    assert.equal(document.fromName, 'Bob');
    assert.deepEqual(document.skipped, ['logo.png']);
  });

  it('refuses unsupported attachments by name, judged by their bytes, not their declared type', async () => {
    const raw = await mime([
      {
        filename: 'notes.docx',
        content: Buffer.from('PK\u0003\u0004 not a page'),
        contentType: 'application/pdf',
      },
      { filename: 'run.exe', content: Buffer.from('MZ'), contentType: 'image/png' },
    ]);
    await assert.rejects(
      readEmailDocument(raw, { maxPages: 10 }, async () => {}),
      (error: DocumentRefused) =>
        error.code === 'ATTACHMENT_UNSUPPORTED' &&
        /"notes\.docx", "run\.exe" are not PDF/.test(error.message),
    );
  });

  it('reads every page of a fax TIFF (204 × 98 dpi) with square pixels, so the page keeps its length', async () => {
    const a4 = await sharp({ create: { width: 1654, height: 2339, channels: 3, background: '#ffffff' } })
      .withMetadata({ density: 200 })
      .png()
      .toBuffer();
    const page = await renderFaxPage(a4, { resolution: 'standard' });
    const raw = await mime([
      { filename: 'fax.tif', content: buildFaxTiff([page, page]), contentType: 'image/tiff' },
    ]);
    const sizes: { width: number; height: number; density?: number | undefined }[] = [];
    await readEmailDocument(raw, { maxPages: 10 }, async (image) => {
      const { width, height, density } = await sharp(image).metadata();
      sizes.push({ width: width!, height: height!, density });
    });
    assert.equal(sizes.length, 2);
    // The fax page's own length in inches over its width (1728 pels at 204 dpi), kept as is.
    const shape = page.height / 98 / (1728 / 204);
    for (const size of sizes) {
      assert.ok(Math.abs(size.height / size.width - shape) < 0.01, `${size.width}×${size.height}`);
      assert.equal(Math.round(size.density ?? 0), 204);
    }
  });

  it('stops at the page limit', async () => {
    const page = await png();
    const raw = await mime(
      [1, 2, 3].map((n) => ({ filename: `${n}.png`, content: page, contentType: 'image/png' })),
    );
    await assert.rejects(
      readEmailDocument(raw, { maxPages: 2 }, async () => {}),
      (error: DocumentRefused) => error.code === 'PAGE_LIMIT',
    );
  });
});
