import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  IppDecodeError,
  IppEncodeError,
  type IppAttributes,
  type IppDecodedResponse,
} from '../../../../edge-service/src/drivers/ipp/node-ipp.ts';

const require = createRequire(import.meta.url);
// The unpatched library, only to pin its bugs: if a pin fails, node-ipp changed and the workaround
// in node-ipp.ts can go.
const rawIpp = require('ipp') as {
  parse(buf: Buffer): Record<string, Record<string, unknown>>;
  serialize(message: object): Buffer;
};

const FIXTURES = join(import.meta.dirname, '../../../../../shared/fixtures/real-devices');

function fixtureFiles(): string[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES).flatMap((device) => {
    const dir = join(FIXTURES, device, 'ipp');
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.ipp'))
          .map((f) => join(dir, f))
      : [];
  });
}

function fixture(path: string): Buffer {
  return readFileSync(join(FIXTURES, path));
}

function group(response: IppDecodedResponse, name: string): IppAttributes {
  const found = response.groups.find((g) => g.name === name);
  assert.ok(found, `no ${name}`);
  return found.attributes;
}

/** Offset of the value bytes of the first attribute called `name` (after its value-length). */
function valueOffset(buf: Buffer, name: string): number {
  const at = buf.indexOf(Buffer.from(name));
  assert.ok(at > 0, `${name} not in message`);
  return at + name.length + 2;
}

/** A small deterministic PRNG, so a failing mutation can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('node-ipp wrapper', () => {
  describe('pin: destination-uris is missing from node-ipp’s attribute table', () => {
    it('is absent from a pristine node-ipp table', () => {
      const key = require.resolve('ipp');
      const dir = key.slice(0, key.lastIndexOf('/'));
      const saved = Object.keys(require.cache).filter((k) => k.startsWith(dir));
      const entries = saved.map((k) => [k, require.cache[k]] as const);
      for (const k of saved) delete require.cache[k];
      try {
        const pristine = require('ipp') as { attributes: Record<string, Record<string, unknown>> };
        assert.equal(pristine.attributes['Job Template']!['destination-uris'], undefined);
        assert.equal(pristine.attributes['Job Description']!['destination-statuses'], undefined);
      } finally {
        for (const k of Object.keys(require.cache)) if (k.startsWith(dir)) delete require.cache[k];
        for (const [k, v] of entries) require.cache[k] = v;
      }
    });

    it('encodes destination-uris as a 1setOf collection node-ipp itself can read back', () => {
      const buf = encodeRequest({
        operation: 'Create-Job',
        requestId: 42,
        operationAttributes: { 'printer-uri': 'ipp://127.0.0.1/ipp/faxout', 'job-name': 'fax' },
        jobAttributes: {
          'destination-uris': [
            { 'destination-uri': 'tel:+15551234', 'pre-dial-string': '9', 't33-subaddress': 12 },
            { 'destination-uri': 'tel:+15559876' },
          ],
        },
      });
      const decoded = decodeRequest(buf);
      assert.equal(decoded.operation, 'Create-Job');
      assert.equal(decoded.requestId, 42);
      const job = decoded.groups.find((g) => g.name === 'job-attributes-tag')!.attributes;
      assert.deepEqual(job['destination-uris'], [
        { 'destination-uri': 'tel:+15551234', 'pre-dial-string': '9', 't33-subaddress': 12 },
        { 'destination-uri': 'tel:+15559876' },
      ]);
      // An independent reading of the same bytes.
      const raw = rawIpp.parse(buf);
      assert.deepEqual(raw['job-attributes-tag']!['destination-uris'], [
        { 'destination-uri': 'tel:+15551234', 'pre-dial-string': '9', 't33-subaddress': 12 },
        { 'destination-uri': 'tel:+15559876' },
      ]);
    });

    it('registers destination-statuses with transmission-status as an enum', () => {
      const buf = encodeResponse({
        status: 'successful-ok',
        requestId: 1,
        jobAttributes: {
          'job-id': 7,
          'destination-statuses': [
            { 'destination-uri': 'tel:+15551234', 'images-completed': 2, 'transmission-status': 'aborted' },
          ],
        },
      });
      const enumAt = buf.indexOf(Buffer.from('transmission-status')) + 'transmission-status'.length;
      assert.equal(buf[enumAt], 0x23, 'enum tag');
      assert.equal(buf.readInt32BE(enumAt + 5), 8, 'aborted = 8 (PWG 5100.15)');
      const job = group(decodeResponse(buf), 'job-attributes-tag');
      assert.deepEqual(job['destination-statuses'], [
        { 'destination-uri': 'tel:+15551234', 'images-completed': 2, 'transmission-status': 'aborted' },
      ]);
    });

    it('rejects attributes it does not know with a clear Error, not a thrown string', () => {
      assert.throws(
        () =>
          encodeRequest({
            operation: 'Get-Jobs',
            requestId: 1,
            operationAttributes: { 'no-such-attr': 'x' },
          }),
        (e: unknown) => e instanceof IppEncodeError && /no-such-attr/.test(e.message),
      );
    });
  });

  describe('pin: dates are one month late (and garbled) in node-ipp', () => {
    const when = new Date('2021-09-28T09:37:15.500Z');
    const bytes = () =>
      encodeResponse({
        status: 'successful-ok',
        requestId: 1,
        jobAttributes: { 'date-time-at-creation': when },
      });

    it('node-ipp parse does not give back the date', () => {
      const parsed = rawIpp.parse(bytes())['job-attributes-tag']!['date-time-at-creation'] as Date;
      assert.notEqual(
        parsed instanceof Date && !Number.isNaN(parsed.getTime()) ? parsed.getTime() : NaN,
        when.getTime(),
      );
    });

    it('node-ipp serialize writes a 0-based month, 0x00 for the direction, and throws past 255 ms', () => {
      const at = (buf: Buffer) => valueOffset(buf, 'date-time-at-creation');
      const raw = rawIpp.serialize({
        statusCode: 'successful-ok',
        id: 1,
        'job-attributes-tag': { 'date-time-at-creation': new Date(2021, 8, 28, 9, 37, 15, 0) },
      });
      assert.equal(raw[at(raw) + 2], 8, 'September written as 8');
      assert.equal(raw[at(raw) + 8], 0, "'+' or '-' written as 0x00");
      assert.throws(() =>
        rawIpp.serialize({
          statusCode: 'successful-ok',
          id: 1,
          'job-attributes-tag': { 'date-time-at-creation': new Date(2021, 8, 28, 9, 37, 15, 500) },
        }),
      );
    });

    it('encodes RFC 2579 fields in UTC: month 1-based, deci-seconds, +00:00', () => {
      const buf = bytes();
      const at = valueOffset(buf, 'date-time-at-creation');
      assert.deepEqual([...buf.subarray(at, at + 11)], [0x07, 0xe5, 9, 28, 9, 37, 15, 5, 0x2b, 0, 0]);
      assert.deepEqual(group(decodeResponse(buf), 'job-attributes-tag')['date-time-at-creation'], when);
    });

    it('decodes a time-zone offset', () => {
      const buf = bytes();
      const at = valueOffset(buf, 'date-time-at-creation');
      buf[at + 8] = 0x2d; // '-'
      buf[at + 9] = 5; // 09:37:15-05:00 is 14:37:15Z
      const decoded = group(decodeResponse(buf), 'job-attributes-tag')['date-time-at-creation'];
      assert.deepEqual(decoded, new Date('2021-09-28T14:37:15.500Z'));
    });

    it('agrees with a real device: Kyocera date-time-at-creation equals its epoch time-at-creation', function () {
      if (!existsSync(FIXTURES)) this.skip();
      const job = group(
        decodeResponse(fixture('kyocera-ecosys-m2540dn/ipp/Get-Jobs.ipp')),
        'job-attributes-tag',
      );
      assert.equal((job['date-time-at-creation'] as Date).getTime() / 1000, job['time-at-creation']);
      assert.equal((job['date-time-at-creation'] as Date).toISOString(), '2021-09-28T09:37:15.000Z');
    });
  });

  describe('pin: text-with-language encoding is broken in node-ipp', () => {
    it('node-ipp serialize throws on a value with a language', () => {
      assert.throws(() =>
        rawIpp.serialize({
          operation: 'Create-Job',
          id: 1,
          'operation-attributes-tag': { 'job-name': 'de\u001eGrüße' },
        }),
      );
    });

    it('encodes nameWithLanguage as RFC 8010 §3.9 says, readable by node-ipp’s parser', () => {
      const buf = encodeRequest({
        operation: 'Create-Job',
        requestId: 3,
        operationAttributes: { 'job-name': { lang: 'de', value: 'Grüße' }, 'job-state-message': 'plain' },
      });
      const name = Buffer.from('job-name');
      const at = buf.indexOf(name);
      assert.equal(buf[at - 3], 0x36, 'nameWithLanguage tag');
      const text = Buffer.from('Grüße');
      const expected = Buffer.concat([
        Buffer.from([0, 4 + 2 + text.length, 0, 2]),
        Buffer.from('de'),
        Buffer.from([0, text.length]),
        text,
      ]);
      assert.deepEqual(buf.subarray(at + name.length, at + name.length + expected.length), expected);
      assert.equal(rawIpp.parse(buf)['operation-attributes-tag']!['job-name'], 'de\u001eGrüße');
      const op = decodeRequest(buf).groups[0]!.attributes;
      assert.deepEqual(op['job-name'], { lang: 'de', value: 'Grüße' });
      assert.equal(op['job-state-message'], 'plain');
    });

    it('encodes textWithLanguage inside a collection', () => {
      const buf = encodeRequest({
        operation: 'Create-Job',
        requestId: 3,
        jobAttributes: {
          'destination-uris': [{ 'destination-uri': 'tel:1', 'pre-dial-string': { lang: 'fr', value: '0' } }],
        },
      });
      const job = decodeRequest(buf).groups.find((g) => g.name === 'job-attributes-tag')!.attributes;
      assert.deepEqual(job['destination-uris'], [
        { 'destination-uri': 'tel:1', 'pre-dial-string': { lang: 'fr', value: '0' } },
      ]);
    });
  });

  describe('pin: a one-value 1setOf parses as a bare value in node-ipp', () => {
    const buf = () =>
      encodeResponse({
        status: 'successful-ok',
        requestId: 1,
        jobAttributes: {
          'job-state-reasons': ['fax-busy'],
          'destination-statuses': [
            { 'destination-uri': 'tel:+1555', 'images-completed': 0, 'transmission-status': 'pending' },
          ],
        },
      });

    it('node-ipp gives an object / a string', () => {
      const raw = rawIpp.parse(buf())['job-attributes-tag']!;
      assert.equal(Array.isArray(raw['destination-statuses']), false);
      assert.equal(raw['job-state-reasons'], 'fax-busy');
    });

    it('the wrapper gives arrays where the spec says 1setOf, bare values elsewhere', () => {
      const job = group(decodeResponse(buf()), 'job-attributes-tag');
      assert.deepEqual(job['destination-statuses'], [
        { 'destination-uri': 'tel:+1555', 'images-completed': 0, 'transmission-status': 'pending' },
      ]);
      assert.deepEqual(job['job-state-reasons'], ['fax-busy']);
      const epson = group(
        decodeResponse(fixture('epson-xp-6000/ipp/Get-Printer-Attributes.ipp')),
        'printer-attributes-tag',
      );
      assert.deepEqual(epson['printer-state-reasons'], ['marker-supply-low-warning']);
      assert.equal(typeof epson['printer-make-and-model'], 'string');
      assert.equal(Array.isArray(epson['printer-state']), false);
    });
  });

  describe('real-device fixtures', () => {
    const files = fixtureFiles();

    it('finds the fixtures beside the repository', () => {
      assert.ok(files.length >= 10, `expected the IPP fixtures in ${FIXTURES}`);
    });

    for (const file of files) {
      it(`decodes or cleanly refuses ${file.slice(FIXTURES.length + 1)}`, () => {
        try {
          const response = decodeResponse(readFileSync(file));
          assert.ok(response.groups.length > 0);
          assert.match(response.status, /^(successful|client-error|server-error)/);
        } catch (error) {
          assert.ok(error instanceof IppDecodeError, String(error));
        }
      });
    }

    it('Brother MFC-J5320DW advertises faxout', () => {
      const printer = group(
        decodeResponse(fixture('brother-mfc-j5320dw/ipp/Get-Printer-Attributes.ipp')),
        'printer-attributes-tag',
      );
      assert.ok((printer['ipp-features-supported'] as string[]).includes('faxout'));
      assert.deepEqual(printer['printer-make-and-model'], { lang: 'en', value: 'Brother MFC-J5320DW' });
    });

    it('HP M175nw: nameWithLanguage without its outer length', () => {
      const job = group(
        decodeResponse(
          fixture('hp-laserjet-100-colormfp-m175nw/ipp/Get-Job-Attributes-INVALID-nameWithLanguage.ipp'),
        ),
        'job-attributes-tag',
      );
      assert.deepEqual(job['job-name'], { lang: 'de', value: 'A4-blank.pdf' });
      assert.deepEqual(job['job-originating-user-name'], { lang: 'de', value: 'gmuth' });
      assert.equal(job['job-state'], 'canceled');
      assert.equal(job['job-id'], 993);
    });

    it('Pantum M7300FDW: collection members written as named attributes', () => {
      const printer = group(
        decodeResponse(fixture('pantum-m7300fdw/ipp/Get-Printer-Attributes-INVALID-collections.ipp')),
        'printer-attributes-tag',
      );
      assert.equal(printer['printer-make-and-model'], 'Pantum M7300FDW Series');
      const sizes = printer['media-size-supported'] as unknown[];
      assert.equal(sizes.length, 11);
      assert.deepEqual(sizes[0], { 'x-dimension': 21590, 'y-dimension': 27940 });
      assert.deepEqual(sizes[10], {
        'x-dimension': { lower: 10000, upper: 14800 },
        'y-dimension': { lower: 21600, upper: 35600 },
      });
      assert.deepEqual(printer['sides-supported'], [
        'one-sided',
        'two-sided-short-edge',
        'two-sided-long-edge',
      ]);
    });

    it('Xerox B210: begCollection with no value length and no members', () => {
      const response = decodeResponse(fixture('xerox-b210/ipp/Response-INVALID-media-col.ipp'));
      assert.equal(response.status, 'successful-ok-ignored-or-substituted-attributes');
      assert.deepEqual(group(response, 'unsupported-attributes-tag'), { 'media-col': null });
      assert.equal(group(response, 'job-attributes-tag')['job-id'], 598);
    });

    it('Brother QL-1110NWB: keyword and name mixed in one 1setOf', () => {
      const printer = group(
        decodeResponse(fixture('brother-ql-1110nwb/ipp/Get-Printer-Attributes-mixed-tag-1setOf.ipp')),
        'printer-attributes-tag',
      );
      assert.deepEqual(printer['media-type-supported'], ['labels', 'roll']);
    });

    it('Kyocera M2540dn: unsupported-attributes before printer-attributes', () => {
      const response = decodeResponse(
        fixture('kyocera-ecosys-m2540dn/ipp/Get-Printer-Attributes-partial.ipp'),
      );
      assert.deepEqual(
        response.groups.map((g) => g.name),
        ['operation-attributes-tag', 'unsupported-attributes-tag', 'printer-attributes-tag'],
      );
      assert.equal(response.statusCode, 1);
    });

    it('a 0x0503 status is reported by name', () => {
      const response = decodeResponse(fixture('unknown-device/ipp/Get-Printer-Attributes-status-0x0503.ipp'));
      assert.equal(response.statusCode, 0x0503);
      assert.equal(response.status, 'server-error-version-not-supported');
    });

    it('every truncation of every fixture fails with IppDecodeError', () => {
      for (const file of files) {
        const buf = readFileSync(file);
        const step = Math.max(1, Math.floor(buf.length / 200));
        for (let end = 0; end < buf.length - 1; end += step) {
          assert.throws(() => decodeResponse(buf.subarray(0, end)), IppDecodeError, `${file} cut at ${end}`);
        }
      }
    });

    it('random corruption either decodes or fails with IppDecodeError', () => {
      const random = prng(20240601);
      for (const file of files) {
        const original = readFileSync(file);
        for (let round = 0; round < 40; round++) {
          const buf = Buffer.from(original);
          for (let flips = 0; flips < 4; flips++)
            buf[Math.floor(random() * buf.length)] = Math.floor(random() * 256);
          try {
            decodeResponse(buf);
          } catch (error) {
            assert.ok(error instanceof IppDecodeError, `${file} round ${round}: ${String(error)}`);
          }
        }
      }
    });
  });

  describe('hostile input', () => {
    it('a value length over 32 KiB is read as unsigned, not as a step backwards', () => {
      const head = Buffer.from([2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x41, 0, 1, 0x61, 0x90, 0x00]);
      assert.throws(() => decodeResponse(head), IppDecodeError);
    });

    it('deeply nested collections are refused', () => {
      const parts = [Buffer.from([2, 0, 0, 0, 0, 0, 0, 1, 0x04, 0x34, 0, 1, 0x63, 0, 0])];
      for (let i = 0; i < 100; i++) parts.push(Buffer.from([0x4a, 0, 0, 0, 1, 0x6d, 0x34, 0, 0, 0, 0]));
      assert.throws(() => decodeResponse(Buffer.concat(parts)), /nested too deep/);
    });

    it('a message without end-of-attributes is refused', () => {
      assert.throws(() => decodeResponse(Buffer.from([2, 0, 0, 0, 0, 0, 0, 1, 0x01])), /end-of-attributes/);
    });

    it('keeps the document after the attributes as bytes', () => {
      const data = Buffer.from([0x25, 0x50, 0x44, 0x46, 0xff, 0xfe, 0x00]);
      const decoded = decodeRequest(encodeRequest({ operation: 'Send-Document', requestId: 9, data }));
      assert.deepEqual(decoded.data, data);
    });
  });
});
