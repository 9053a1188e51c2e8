/**
 * Fuzz: MIME into the SMTP intake's message reader (readEmailDocument, email-to-fax). Messages as a
 * mail program writes them (text, PDF, JPEG, PNG and TIFF attachments, by nodemailer), mutated byte
 * by byte, and hostile structures: deep multipart nesting, many parts, broken boundaries and
 * encodings, huge headers. The contract: the pages it hands on are JPEG or PNG and no more than
 * maxPages, or it throws DocumentRefused with a stable UPPER_SNAKE code; never another exception,
 * in bounded time.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import sharp from 'sharp';
import { DocumentRefused, readEmailDocument } from '../../edge-service/src/email-intake/email-document.ts';
import { buildFaxPdf } from '../../edge-service/src/pipeline/fax-pdf.ts';
import { renderFaxPage } from '../../edge-service/src/pipeline/fax-page.ts';
import { buildFaxTiff } from '../../edge-service/src/pipeline/fax-tiff.ts';
import { stopDitherPool } from '../../edge-service/src/pipeline/dither-pool.ts';
import { sniffFormat } from '../../edge-service/src/pipeline/image-input.ts';
import { textPageJpeg } from '../helpers/sample-page.ts';
import { fuzzParameters, mutated, printTally, withinContractAsync } from './fuzz-support.ts';

const MAX_PAGES = 5;

function compose(options: Mail.Options): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    new MailComposer(options).compile().build((error, message) => (error ? reject(error) : resolve(message))),
  );
}

const refused = (error: unknown) => error instanceof DocumentRefused && /^[A-Z][A-Z0-9_]*$/.test(error.code);

async function read(raw: Buffer): Promise<void> {
  let pages = 0;
  const result = await withinContractAsync(
    () =>
      readEmailDocument(raw, { maxPages: MAX_PAGES }, async (image) => {
        pages++;
        assert.ok(sniffFormat(image) !== undefined, 'a page handed on is neither JPEG nor PNG');
      }),
    refused,
    15_000,
  );
  assert.ok(pages <= MAX_PAGES, `${pages} pages handed on, more than ${MAX_PAGES}`);
  if (result !== undefined) assert.equal(result.pages, pages);
}

/** A multipart body nested `depth` times, built by hand (no composer nests that deep). */
function nested(depth: number, parts: number): Buffer {
  let body = 'Content-Type: text/plain\r\n\r\nhello\r\n';
  for (let i = 0; i < depth; i++) {
    const boundary = `b${i}`;
    const inner = Array.from({ length: i === 0 ? parts : 1 }, () => `--${boundary}\r\n${body}`).join('');
    body = `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${inner}--${boundary}--\r\n`;
  }
  return Buffer.from(`From: a@b.test\r\nTo: fax@edge.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}`);
}

const hostileMime = fc.oneof(
  fc
    .record({ depth: fc.integer({ min: 1, max: 300 }), parts: fc.integer({ min: 1, max: 2000 }) })
    .map(({ depth, parts }) => nested(depth, parts)),
  fc.integer({ min: 1, max: 200_000 }).map((n) => Buffer.from(`Subject: ${'x'.repeat(n)}\r\n\r\nbody`)),
  fc
    .integer({ min: 1, max: 5000 })
    .map((n) =>
      Buffer.from(`From: a@b.test\r\n${'X-H: v\r\n'.repeat(n)}Content-Type: text/plain\r\n\r\nbody`),
    ),
  fc
    .record({
      type: fc.constantFrom(
        'application/pdf',
        'image/tiff',
        'image/png',
        'image/jpeg',
        'application/x-unknown',
      ),
      encoding: fc.constantFrom('base64', 'quoted-printable', '7bit', 'x-uuencode', 'bogus'),
      content: fc.string({ unit: 'binary', maxLength: 300 }),
      boundary: fc.oneof(fc.constant('B'), fc.string({ maxLength: 80 })),
    })
    .map(({ type, encoding, content, boundary }) =>
      Buffer.from(
        `From: a@b.test\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\n` +
          `Content-Type: ${type}\r\nContent-Transfer-Encoding: ${encoding}\r\nContent-Disposition: attachment; filename="a"\r\n\r\n` +
          `${content}\r\n--${boundary}--\r\n`,
      ),
    ),
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
);

describe('fuzz: MIME to the SMTP intake (readEmailDocument)', function () {
  this.timeout(600_000);
  let messages: { name: string; bytes: Buffer }[];

  before(async () => {
    const jpeg = await textPageJpeg(75, 'Mail');
    const png = await sharp(jpeg).png().toBuffer();
    const page = await renderFaxPage(jpeg, { resolution: 'standard' });
    const pdf = await buildFaxPdf([page]);
    const tiff = buildFaxTiff([page, page]);
    const base = { from: 'Ann <ann@customer.test>', to: '+15551234567@fax.edge.test', subject: 'Fuzz' };
    messages = [
      { name: 'text', bytes: await compose({ ...base, text: 'Please find the contract.\nAnn' }) },
      {
        name: 'pdf',
        bytes: await compose({ ...base, text: 'PDF', attachments: [{ filename: 'c.pdf', content: pdf }] }),
      },
      {
        name: 'images',
        bytes: await compose({
          ...base,
          html: '<p>Two scans <img src="cid:logo"></p>',
          attachments: [
            { filename: 'a.jpg', content: jpeg },
            { filename: 'b.png', content: png },
            { filename: 'logo.png', content: png, cid: 'logo' },
          ],
        }),
      },
      {
        name: 'tiff',
        bytes: await compose({ ...base, text: 'TIFF', attachments: [{ filename: 'f.tif', content: tiff }] }),
      },
    ];
  });
  after(async () => {
    await stopDitherPool();
    printTally();
  });

  it('mutated real messages → pages (JPEG/PNG, at most maxPages) or DocumentRefused with a code', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => mutated(messages, 6)),
        async ({ bytes }) => read(bytes),
      ),
      fuzzParameters('email mime mutations', 8, { weight: 0.25 }),
    );
  });

  it('hostile MIME structures → DocumentRefused with a code or a result, in bounded time', async () => {
    await fc.assert(
      fc.asyncProperty(hostileMime, async (bytes) => read(bytes)),
      fuzzParameters('email mime hostile', 10, { weight: 0.25 }),
    );
  });
});
