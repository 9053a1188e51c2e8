/**
 * Fuzz: the other device answers the edge parses. HTTP responses over a byte stream (the IPP-USB
 * transport's own HTTP/1.1 reader), seeded with the real response headers of the HP PageWide 477dw
 * trace; the device sign-in event stream (SSE) split at random points; the device session JSON.
 * The contract: a Response (whose body reads to the end) or HttpStreamError; events or
 * SseLimitError, with the parser's buffer within its limit; a person, null, or
 * DEVICE_LOGIN_UNAVAILABLE. Never another exception, in bounded time.
 */
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parseDeviceSession } from '../../edge-service/src/drivers/device-login/device-session-json.ts';
import { SseLimitError, SseParser } from '../../edge-service/src/drivers/device-login/sse-parser.ts';
import { EdgeError } from '../../edge-service/src/edge-error.ts';
import { createStreamFetch } from '../../edge-service/src/transport/usb/http-over-stream.ts';
import { HttpStreamError } from '../../edge-service/src/transport/usb/http-stream-error.ts';
import {
  corpus,
  fuzzParameters,
  isError,
  mutated,
  printTally,
  withinContract,
  withinContractAsync,
} from './fuzz-support.ts';

const XML = Buffer.from('<?xml version="1.0"?><ScannerStatus><State>Idle</State></ScannerStatus>');

/** Each recorded header block with a body that fits it (chunked, gzip, Content-Length or none). */
function responses(): { name: string; bytes: Buffer }[] {
  return corpus('.response-headers.txt').map(({ name, bytes }) => {
    const head = bytes.toString('latin1').replace(/\r?\n/g, '\r\n').trimEnd();
    const chunked = /transfer-encoding:\s*chunked/i.test(head);
    const gzip = /content-encoding:\s*gzip/i.test(head);
    const payload = gzip ? gzipSync(XML) : XML;
    const length = /content-length:/i.test(head)
      ? head.replace(/content-length:\s*\d+/i, `Content-Length: ${payload.length}`)
      : head;
    const body = chunked
      ? Buffer.concat([
          Buffer.from(`${payload.length.toString(16)}\r\n`),
          payload,
          Buffer.from('\r\n0\r\n\r\n'),
        ])
      : payload;
    return { name, bytes: Buffer.concat([Buffer.from(`${length}\r\n\r\n`, 'latin1'), body]) };
  });
}

/** A stream that reads the request and answers with `answer` in a few pieces, then ends. */
function deviceStream(answer: Buffer, pieces: number[]): Duplex {
  let answered = false;
  const stream = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      if (!answered) {
        answered = true;
        let at = 0;
        for (const size of pieces) {
          if (at >= answer.length) break;
          stream.push(answer.subarray(at, at + size));
          at += size;
        }
        if (at < answer.length) stream.push(answer.subarray(at));
        stream.push(null);
      }
      callback();
    },
  });
  return stream;
}

describe('fuzz: device streams (HTTP over IPP-USB, device sign-in SSE and JSON)', function () {
  this.timeout(600_000);
  after(printTally);

  it('HTTP over a byte stream: mutated real responses → a Response or HttpStreamError', async () => {
    const seeds = responses();
    const streamError = isError(HttpStreamError);
    await fc.assert(
      fc.asyncProperty(
        mutated(seeds, 6),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 8 }),
        async ({ bytes }, pieces) => {
          const streamFetch = createStreamFetch(() => deviceStream(bytes, pieces));
          try {
            await withinContractAsync(
              async () => {
                const response = await streamFetch('http://localhost/eSCL/ScannerStatus', {
                  signal: AbortSignal.timeout(3000),
                });
                await response.arrayBuffer();
                return response;
              },
              (error) => streamError(error) || isAbort(error) || isBodyError(error),
            );
          } finally {
            await streamFetch.close();
          }
        },
      ),
      fuzzParameters('usb http stream', 200),
    );
  });

  it('device sign-in SSE: any text in any pieces → events or SseLimitError, the buffer within its limit', () => {
    const limits = { maxLineLength: 512, maxEventLength: 1024 };
    const line = fc.oneof(
      fc.constantFrom(
        'event: session',
        'data: {"signedIn":true}',
        'id: 7',
        'retry: 1000',
        ': comment',
        '',
        'data',
        'retry: x',
      ),
      fc.string({ maxLength: 80 }),
      fc.string({ minLength: 400, maxLength: 2000 }),
    );
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        (lines, eol, cuts) => {
          const text = `\uFEFF${lines.join(eol)}${eol}${eol}`;
          const parser = new SseParser(limits);
          withinContract(() => {
            let at = 0;
            for (let i = 0; at < text.length; i++) {
              const size = cuts[i % cuts.length]!;
              for (const event of parser.push(text.slice(at, at + size)))
                assert.ok(event.data.length <= limits.maxEventLength, 'an event over the limit');
              at += size;
            }
          }, isError(SseLimitError));
        },
      ),
      fuzzParameters('sse parser', 300),
    );
  });

  it('device session JSON: any text → a person, null, or DEVICE_LOGIN_UNAVAILABLE', () => {
    const unavailable = isError(EdgeError, ['DEVICE_LOGIN_UNAVAILABLE']);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
          fc
            .record(
              {
                signedIn: fc.oneof(fc.boolean(), fc.anything()),
                user: fc.oneof(
                  fc.constant(null),
                  fc.record(
                    {
                      name: fc.oneof(fc.string({ maxLength: 400 }), fc.anything()),
                      email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 300 }), fc.anything()),
                    },
                    { requiredKeys: [] },
                  ),
                ),
              },
              { requiredKeys: [] },
            )
            .map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const person = withinContract(() => parseDeviceSession(text), unavailable);
          if (person) assert.ok(person.name.length > 0 && person.name.length <= 256);
        },
      ),
      fuzzParameters('device session json', 300),
    );
  });
});

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** A body the Response reads as it was framed: a damaged gzip or framing fails the read. */
function isBodyError(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /terminated|body|decompress|gzip|incorrect header/i.test(String(error.message))
  );
}
