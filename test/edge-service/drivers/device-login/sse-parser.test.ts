import assert from 'node:assert/strict';
import { SseParser, type SseEvent } from '../../../../edge-service/src/drivers/device-login/sse-parser.ts';

const all = (parser: SseParser, chunks: string[]): SseEvent[] =>
  chunks.flatMap((chunk) => parser.push(chunk));

describe('server-sent events parser', () => {
  it('reads the simulator stream: named events, keep-alive comments', () => {
    const events = all(new SseParser(), [
      'event: session\ndata: {"signedIn":false}\n\n: keepalive\n\nevent: session\ndata: 2\n\n',
    ]);
    assert.deepEqual(
      events.map((e) => [e.type, e.data]),
      [
        ['session', '{"signedIn":false}'],
        ['session', '2'],
      ],
    );
  });

  it('is the same however the bytes are split, with LF, CRLF or CR line ends', () => {
    const stream = 'event: session\r\ndata: a\r\ndata: b\r\n\r\ndata:c\rid: 7\r\rdata: d\n\n';
    const expected = [
      ['session', 'a\nb'],
      ['message', 'c'],
      ['message', 'd'],
    ];
    for (let size = 1; size <= stream.length; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
      const events = all(new SseParser(), chunks);
      assert.deepEqual(
        events.map((e) => [e.type, e.data]),
        expected,
        `chunks of ${size}`,
      );
      assert.equal(events[0]!.lastEventId, undefined);
      assert.equal(events[1]!.lastEventId, '7');
      assert.equal(events[2]!.lastEventId, '7');
    }
  });

  it('follows the spec on the details: BOM, one leading space, fields without colon, no data = no event', () => {
    const parser = new SseParser();
    const events = all(parser, [
      '\ufeffdata:  two spaces\n\n',
      'event: x\n\n',
      'data\n\n',
      'retry: 1500\nretry: x\n',
      'foo: bar\n\n',
    ]);
    assert.deepEqual(
      events.map((e) => [e.type, e.data]),
      [
        ['message', ' two spaces'],
        ['message', ''],
      ],
    );
    assert.equal(parser.retryMs, 1500);
  });

  it('keeps an unfinished event out until its blank line', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('data: half'), []);
    assert.deepEqual(parser.push('\n'), []);
    assert.equal(parser.push('\n')[0]!.data, 'half');
  });

  it('fails with SSE_TOO_LARGE on a line that never ends, and holds no more than the limit', () => {
    const parser = new SseParser({ maxLineLength: 1000, maxEventLength: 1000 });
    assert.throws(
      () => {
        for (let i = 0; i < 10_000; i++) parser.push('x'.repeat(7));
      },
      { code: 'SSE_TOO_LARGE' },
    );
  });

  it('fails with SSE_TOO_LARGE on an event that never ends, even in short lines', () => {
    const parser = new SseParser({ maxLineLength: 1000, maxEventLength: 1000 });
    assert.throws(
      () => {
        for (let i = 0; i < 10_000; i++) parser.push('data: 0123456789\n');
      },
      { code: 'SSE_TOO_LARGE' },
    );
  });

  it('takes a long line fed one character at a time in linear time', () => {
    const parser = new SseParser({ maxLineLength: 200_000, maxEventLength: 200_000 });
    const started = process.hrtime.bigint();
    parser.push('data: ');
    for (let i = 0; i < 150_000; i++) parser.push('y');
    const [event] = parser.push('\n\n');
    assert.equal(event!.data.length, 150_000);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 2000);
  });
});
