import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  IppCodecError,
  attr,
  decodeIppMessage,
  encodeIppMessage,
  findAttribute,
  v,
  type IppMessage,
} from '../../../simulator/src/fax/ipp-codec.ts';
import { GroupTag, Operation, ValueTag } from '../../../simulator/src/fax/ipp-constants.ts';

/** node-ipp 2.0.1 has no type declarations; these are the two calls the pins use. */
const ipp = createRequire(import.meta.url)('ipp') as {
  parse(buf: Buffer): Record<string, unknown>;
  serialize(message: Record<string, unknown>): Buffer;
};

/** Hand-written RFC 8010 bytes, so the tests do not only check the codec against itself. */
function wire(...parts: (number[] | string | Buffer)[]): Buffer {
  return Buffer.concat(
    parts.map((p) =>
      typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.isBuffer(p) ? p : Buffer.from(p),
    ),
  );
}
const u16 = (n: number): number[] => [n >> 8, n & 0xff];
const named = (tag: number, name: string, value: Buffer | string): Buffer =>
  wire(
    [tag],
    u16(Buffer.byteLength(name)),
    name,
    u16(Buffer.byteLength(value)),
    typeof value === 'string' ? value : [...value],
  );
const HEADER = wire([2, 0], u16(Operation.createJob), [0, 0, 0, 7]);
const OP_START = wire(
  [GroupTag.operation],
  named(ValueTag.charset, 'attributes-charset', 'utf-8'),
  named(ValueTag.naturalLanguage, 'attributes-natural-language', 'en'),
);

describe('simulator/fax/ipp-codec', () => {
  it('decodes the header, groups and keeps the document bytes intact (node-ipp makes them a UTF-8 string)', () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0xff, 0xfe, 0x00, 0x80, 0xc3]);
    const message = decodeIppMessage(Buffer.concat([HEADER, OP_START, Buffer.from([0x03]), pdf]));
    assert.deepEqual(message.version, { major: 2, minor: 0 });
    assert.equal(message.code, Operation.createJob);
    assert.equal(message.requestId, 7);
    assert.equal(message.groups[0]?.attributes[0]?.name, 'attributes-charset');
    assert.deepEqual(message.data, pdf);
    // The node-ipp behaviour this codec exists to avoid:
    const viaNodeIpp = ipp.parse(Buffer.concat([HEADER, OP_START, Buffer.from([0x03]), pdf])) as {
      data: unknown;
    };
    assert.notDeepEqual(Buffer.from(String(viaNodeIpp.data), 'binary'), pdf);
  });

  it('decodes destination-uris (absent from node-ipp tables) and a one-value collection as a list', () => {
    const body = wire(
      HEADER,
      OP_START,
      [GroupTag.job],
      named(ValueTag.begCollection, 'destination-uris', ''),
      named(ValueTag.memberAttrName, '', 'destination-uri'),
      named(ValueTag.uri, '', 'tel:+15550123'),
      named(ValueTag.memberAttrName, '', 'pre-dial-string'),
      named(ValueTag.textWithoutLanguage, '', '9'),
      named(ValueTag.endCollection, '', ''),
      [0x03],
    );
    const message = decodeIppMessage(body);
    const destinations = findAttribute(message.groups[1]!.attributes, 'destination-uris');
    assert.equal(destinations?.values.length, 1);
    const first = destinations!.values[0]!;
    assert.equal(first.type, 'collection');
    assert.deepEqual(first.type === 'collection' ? first.value : undefined, [
      attr('destination-uri', v.uri('tel:+15550123')),
      attr('pre-dial-string', v.text('9')),
    ]);
    // node-ipp gives an object, not a list, for the same single value:
    const viaNodeIpp = ipp.parse(body) as Record<string, Record<string, unknown>>;
    assert.equal(Array.isArray(viaNodeIpp['job-attributes-tag']?.['destination-uris']), false);
    // (That node-ipp cannot encode destination-uris is pinned by the edge's wrapper test, which owns the patch.)
  });

  it('reads dateTime months 1-based with the UTC offset (node-ipp is one month late)', () => {
    // 2024-03-15 10:20:30.4 at -05:00 = 15:20:30.4Z
    const date = wire([0x07, 0xe8, 3, 15, 10, 20, 30, 4, 0x2d, 5, 0]);
    const body = wire(HEADER, OP_START, named(ValueTag.dateTime, 'printer-current-time', date), [0x03]);
    const value = decodeIppMessage(body).groups[0]!.attributes[2]!.values[0]!;
    assert.equal(value.type, 'dateTime');
    assert.equal((value.value as Date).toISOString(), '2024-03-15T15:20:30.400Z');
    const viaNodeIpp = ipp.parse(body) as Record<string, Record<string, Date>>;
    assert.equal(viaNodeIpp['operation-attributes-tag']?.['printer-current-time']?.getMonth(), 3); // April
    const encoded = encodeIppMessage({ ...decodeIppMessage(body), data: Buffer.alloc(0) });
    assert.equal(
      (decodeIppMessage(encoded).groups[0]!.attributes[2]!.values[0]!.value as Date).getTime(),
      Date.parse('2024-03-15T15:20:30.400Z'),
    );
  });

  it('encodes and decodes text-with-language (node-ipp cannot serialise it)', () => {
    const message: IppMessage = {
      version: { major: 1, minor: 1 },
      code: 0,
      requestId: 3,
      groups: [
        {
          tag: GroupTag.operation,
          attributes: [attr('status-message', { type: 'textWithLanguage', language: 'fr', value: 'Occupé' })],
        },
      ],
      data: Buffer.alloc(0),
    };
    const encoded = encodeIppMessage(message);
    const lang = encoded.indexOf('fr');
    // outer length 2+2+2+7 ("Occupé" is 7 bytes of UTF-8), then the language length
    assert.deepEqual([...encoded.subarray(lang - 4, lang)], [0x00, 0x0d, 0x00, 0x02]);
    assert.deepEqual(decodeIppMessage(encoded).groups, message.groups);
    assert.throws(
      () =>
        ipp.serialize({
          operation: 'Print-Job',
          'operation-attributes-tag': { 'attributes-charset': 'utf-8', 'job-name': 'fr\u001eOccupé' },
        }),
      /parts is not defined/,
    );
  });

  it('round-trips every value type, additional values and nested collections', () => {
    const message: IppMessage = {
      version: { major: 2, minor: 0 },
      code: 0x0400,
      requestId: 99,
      groups: [
        {
          tag: GroupTag.printer,
          attributes: [
            attr('a', v.integer(-5), v.integer(7)),
            attr('b', v.enum(3), v.boolean(true), v.keyword('k'), v.mimeMediaType('image/tiff')),
            attr('c', v.range(1, 9), v.resolution(204, 98), v.resolution(80, 40, 'dpcm')),
            attr(
              'd',
              v.collection([attr('media-size', v.collection([attr('x-dimension', v.integer(21000))]))]),
            ),
            attr('e', v.noValue(), v.unknown()),
            attr('f', { type: 'octetString', value: Buffer.from([0, 1, 2]) }),
          ],
        },
      ],
      data: Buffer.from('doc'),
    };
    assert.deepEqual(decodeIppMessage(encodeIppMessage(message)), message);
  });

  it('our responses parse with node-ipp too (independent check of the encoding)', () => {
    const encoded = encodeIppMessage({
      version: { major: 2, minor: 0 },
      code: 0,
      requestId: 5,
      groups: [
        { tag: GroupTag.operation, attributes: [attr('attributes-charset', v.charset('utf-8'))] },
        {
          tag: GroupTag.printer,
          attributes: [
            attr('printer-state', v.enum(3)),
            attr(
              'document-format-supported',
              v.mimeMediaType('application/pdf'),
              v.mimeMediaType('image/tiff'),
            ),
            attr(
              'media-col-default',
              v.collection([attr('media-size', v.collection([attr('x-dimension', v.integer(21000))]))]),
            ),
          ],
        },
      ],
      data: Buffer.alloc(0),
    });
    const parsed = ipp.parse(encoded) as Record<string, unknown> & {
      'printer-attributes-tag': Record<string, unknown>;
    };
    assert.equal(parsed.statusCode, 'successful-ok');
    assert.equal(parsed['printer-attributes-tag']['printer-state'], 'idle');
    assert.deepEqual(parsed['printer-attributes-tag']['document-format-supported'], [
      'application/pdf',
      'image/tiff',
    ]);
    assert.deepEqual(parsed['printer-attributes-tag']['media-col-default'], {
      'media-size': { 'x-dimension': 21000 },
    });
  });

  it('reads requests serialised by node-ipp', () => {
    const body = ipp.serialize({
      operation: 'Get-Jobs',
      id: 42,
      'operation-attributes-tag': {
        'attributes-charset': 'utf-8',
        'attributes-natural-language': 'en',
        'printer-uri': 'ipp://127.0.0.1/ipp/faxout',
        'requested-attributes': ['job-id', 'job-state'],
      },
    });
    const message = decodeIppMessage(body);
    assert.equal(message.code, Operation.getJobs);
    assert.equal(message.requestId, 42);
    assert.deepEqual(
      findAttribute(message.groups[0]!.attributes, 'requested-attributes')?.values.map((x) => x.value),
      ['job-id', 'job-state'],
    );
  });

  it('rejects truncated and malformed messages with stable codes', () => {
    const full = wire(HEADER, OP_START, [0x03]);
    for (let cut = 1; cut < full.length - 1; cut++) {
      assert.throws(
        () => decodeIppMessage(full.subarray(0, cut)),
        (e: unknown) => e instanceof IppCodecError,
        `cut ${cut}`,
      );
    }
    assert.throws(
      () => decodeIppMessage(wire(HEADER, named(ValueTag.keyword, 'x', 'y'), [0x03])),
      (e: unknown) => e instanceof IppCodecError && e.code === 'ipp-malformed',
    );
    assert.throws(
      () => decodeIppMessage(wire(HEADER, [GroupTag.operation], named(ValueTag.integer, 'n', 'abc'), [0x03])),
      (e: unknown) => e instanceof IppCodecError && e.code === 'ipp-malformed',
    );
    assert.throws(
      () =>
        decodeIppMessage(wire(HEADER, [GroupTag.operation], named(ValueTag.begCollection, 'c', ''), [0x03])),
      (e: unknown) => e instanceof IppCodecError,
    );
  });
});
