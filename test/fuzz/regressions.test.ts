/**
 * Every crash the fuzz tests found, with its input, kept as a plain test (README: fuzz figures).
 *   1. eSCL XML (edge): fast-xml-parser threw plain Errors past its validator → EsclXmlError now.
 *   2. ScanSettings (simulator): the same inputs answered HTTP 500 → BAD_SCAN_SETTINGS (400) now.
 *   3. Archive PDF: a damaged PNG with alpha made pdfkit throw in a zlib callback (uncaught: the
 *      edge process would die) → such PNGs go through libvips, IMAGE_INVALID.
 *   4. Archive PDF: a PNG chunk length past the end made pdfkit's PNG reader copy for a minute
 *      (the event loop blocked) → chunks are checked first, IMAGE_INVALID at once.
 *   5. HTTP over IPP-USB: a status line whose reason phrase holds a control character made
 *      `new Response` throw TypeError (not HttpStreamError) → the phrase is cleaned.
 */
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { EsclXmlError, parseScannerStatus } from '../../edge-service/src/drivers/escl/escl-xml.ts';
import { EdgeError } from '../../edge-service/src/edge-error.ts';
import { buildArchivePdf } from '../../edge-service/src/pipeline/archive-pdf.ts';
import { createStreamFetch } from '../../edge-service/src/transport/usb/http-over-stream.ts';
import { parseScanSettings } from '../../simulator/src/scanner/scan-settings.ts';
import { ScannerError } from '../../simulator/src/scanner/scanner-error.ts';

/** The three shapes that escaped: a prototype name, nesting past the parser's limit, an external entity. */
const ESCAPED_XML = [
  '<ScannerStatus><__proto__>1</__proto__><State>Idle</State></ScannerStatus>',
  `<ScannerStatus>${'<Jobs>'.repeat(20_000)}${'</Jobs>'.repeat(20_000)}</ScannerStatus>`,
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ScannerStatus><State>&e;</State></ScannerStatus>',
];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}
function ihdr(width: number, height: number, colourType: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 8;
  data[9] = colourType;
  return chunk('IHDR', data);
}
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('fuzz regressions (each input a fuzz test once crashed on)', () => {
  it('1. eSCL XML the parser throws on is an EsclXmlError (the scanner driver makes it SCANNER_ERROR)', () => {
    for (const xml of ESCAPED_XML)
      assert.throws(() => parseScannerStatus(xml), EsclXmlError, xml.slice(0, 60));
  });

  it('2. the simulator refuses the same ScanSettings as BAD_SCAN_SETTINGS, not an internal error', () => {
    for (const xml of ESCAPED_XML) {
      const settings = xml.replace(/ScannerStatus/g, 'ScanSettings');
      assert.throws(
        () => parseScanSettings(settings),
        (error: unknown) => error instanceof ScannerError && error.code === 'BAD_SCAN_SETTINGS',
        settings.slice(0, 60),
      );
    }
  });

  it('3. an archive of a PNG with alpha and damaged pixel data is IMAGE_INVALID, not an uncaught zlib error', async () => {
    // 400×400 RGBA (a page libvips takes by its header), IDAT deflate data that fails its check.
    const rows = Buffer.alloc((400 * 4 + 1) * 400, 0x80);
    const idat = deflateSync(rows);
    idat[idat.length - 2] = idat[idat.length - 2]! ^ 0xff; // the Adler-32 check
    const png = Buffer.concat([
      SIGNATURE,
      ihdr(400, 400, 6),
      chunk('IDAT', idat),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    // Mocha's own handler would report it as this test's failure; count it here instead.
    const mochaHandlers = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      await assert.rejects(
        buildArchivePdf([png]),
        (error: unknown) => error instanceof EdgeError && error.code === 'IMAGE_INVALID',
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const handler of mochaHandlers) process.on('uncaughtException', handler);
    }
    assert.deepEqual(uncaught, []);
  });

  it('4. an archive of a PNG whose chunk length runs past the end is IMAGE_INVALID at once', async () => {
    const good = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    // After the pixel data, a second IDAT chunk claiming 128 MiB (the fuzz case: a mutated length
    // field); libvips reads the header only, pdfkit copied the claimed length byte by byte.
    const iend = good.length - 12;
    const bogus = Buffer.alloc(12);
    bogus.writeUInt32BE(0x0800_0000, 0);
    bogus.write('IDAT', 4, 'latin1');
    const png = Buffer.concat([good.subarray(0, iend), bogus, good.subarray(iend)]);
    const started = performance.now();
    await assert.rejects(
      buildArchivePdf([png]),
      (error: unknown) => error instanceof EdgeError && error.code === 'IMAGE_INVALID',
    );
    assert.ok(performance.now() - started < 2000, `took ${Math.round(performance.now() - started)} ms`);
  });

  it('5. a reason phrase with a control character still gives a Response over a byte stream', async () => {
    const answer = Buffer.from('HTTP/1.1 200 O\u0001K\r\nContent-Length: 2\r\n\r\nok', 'latin1');
    const stream = new Duplex({
      read() {},
      write(_chunk, _encoding, callback) {
        stream.push(answer);
        stream.push(null);
        callback();
      },
    });
    const streamFetch = createStreamFetch(() => stream);
    try {
      const response = await streamFetch('http://localhost/eSCL/ScannerStatus');
      assert.equal(response.status, 200);
      assert.equal(response.statusText, 'OK');
      assert.equal(await response.text(), 'ok');
    } finally {
      await streamFetch.close();
    }
  });
});
