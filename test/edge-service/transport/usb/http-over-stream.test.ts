import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { EsclScanner } from '../../../../edge-service/src/drivers/escl/escl-scanner.ts';
import { IppFaxLine } from '../../../../edge-service/src/drivers/ipp/ipp-fax-line.ts';
import {
  createStreamFetch,
  type StreamFetch,
} from '../../../../edge-service/src/transport/usb/http-over-stream.ts';
import { HttpStreamError } from '../../../../edge-service/src/transport/usb/http-stream-error.ts';
import { Simulator } from '../../../../simulator/src/simulator.ts';
import { createLogger } from '../../../../simulator/src/logger.ts';

function portOf(server: HttpServer | NetServer): number {
  return (server.address() as AddressInfo).port;
}

async function listen<T extends HttpServer | NetServer>(server: T): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function close(server: HttpServer | NetServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A TCP connection stands in for one IPP-USB interface: both are ordered byte streams. */
function socketOpener(port: number, opened: Socket[] = []): () => Promise<Socket> {
  return () =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
      opened.push(socket);
    });
}

/** A server that answers each request with raw bytes the test scripts, however it likes. */
async function rawServer(
  answer: (socket: Socket, request: string) => Promise<void> | void,
): Promise<NetServer> {
  const server = createNetServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const request = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      void answer(socket, request);
    });
    socket.on('error', () => {});
  });
  return listen(server);
}

async function expectStreamError(
  run: () => Promise<unknown>,
  code: HttpStreamError['code'],
): Promise<HttpStreamError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof HttpStreamError, `expected HttpStreamError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('HTTP over a byte stream (the IPP-USB HTTP layer)', () => {
  describe('against node:http', () => {
    let server: HttpServer;
    let connections = 0;
    let fetchOverStream: StreamFetch;
    const requests: { method: string; url: string; host: string; body: string }[] = [];

    before(async () => {
      server = createHttpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          requests.push({ method: req.method!, url: req.url!, host: req.headers.host ?? '', body });
          if (req.url === '/chunked') {
            res.writeHead(200, { 'Content-Type': 'text/plain' });
            res.write('first,');
            setTimeout(() => {
              res.write('second,');
              res.end('third');
            }, 20);
          } else if (req.url === '/empty') {
            res.writeHead(204).end();
          } else if (req.url === '/close') {
            res.writeHead(200, { Connection: 'close', 'Content-Length': '2' }).end('ok');
          } else {
            res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Method': req.method! });
            res.end(req.method === 'HEAD' ? undefined : `echo ${req.method} ${req.url} ${body}`);
          }
        });
      });
      server.on('connection', () => connections++);
      await listen(server);
    });

    beforeEach(() => {
      connections = 0;
      requests.length = 0;
      fetchOverStream = createStreamFetch(socketOpener(portOf(server)));
    });

    afterEach(async () => {
      await fetchOverStream.close();
    });

    after(async () => {
      await close(server);
    });

    it('sends a request and reads a Content-Length body', async () => {
      const response = await fetchOverStream('http://localhost:60000/eSCL/ScannerStatus?x=1', {
        headers: { Accept: 'text/xml' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/plain');
      assert.equal(await response.text(), 'echo GET /eSCL/ScannerStatus?x=1 ');
      // The Host header names the URL's authority: IPP-USB devices expect `localhost:port`.
      assert.equal(requests[0]!.host, 'localhost:60000');
    });

    it('sends a body with its Content-Length', async () => {
      const response = await fetchOverStream('http://localhost/ipp/faxout', {
        method: 'POST',
        headers: { 'Content-Type': 'application/ipp' },
        body: new Uint8Array(Buffer.from('payload')),
      });
      assert.equal(await response.text(), 'echo POST /ipp/faxout payload');
    });

    it('reads a chunked body', async () => {
      const response = await fetchOverStream('http://localhost/chunked');
      assert.equal(await response.text(), 'first,second,third');
    });

    it('keeps the stream alive across requests, one at a time', async () => {
      for (let i = 0; i < 5; i++) {
        assert.equal(await (await fetchOverStream(`http://localhost/n${i}`)).text(), `echo GET /n${i} `);
      }
      assert.equal(await (await fetchOverStream('http://localhost/chunked')).text(), 'first,second,third');
      assert.equal((await fetchOverStream('http://localhost/empty')).status, 204);
      assert.equal(
        (await fetchOverStream('http://localhost/x', { method: 'HEAD' })).headers.get('x-method'),
        'HEAD',
      );
      assert.equal(await (await fetchOverStream('http://localhost/after')).text(), 'echo GET /after ');
      assert.equal(connections, 1);
    });

    it('queues concurrent requests on one stream', async () => {
      const texts = await Promise.all(
        [1, 2, 3].map(async (i) => (await fetchOverStream(`http://localhost/q${i}`)).text()),
      );
      assert.deepEqual(texts, ['echo GET /q1 ', 'echo GET /q2 ', 'echo GET /q3 ']);
      assert.equal(connections, 1);
    });

    it('opens a new stream after the server says Connection: close', async () => {
      assert.equal(await (await fetchOverStream('http://localhost/close')).text(), 'ok');
      assert.equal(await (await fetchOverStream('http://localhost/next')).text(), 'echo GET /next ');
      assert.equal(connections, 2);
    });

    it('reopens after a cancelled body was drained, and the next answer is not mixed up', async () => {
      const response = await fetchOverStream('http://localhost/chunked');
      await response.body!.cancel();
      assert.equal(await (await fetchOverStream('http://localhost/clean')).text(), 'echo GET /clean ');
    });
  });

  describe('against scripted raw servers', () => {
    let server: NetServer | undefined;
    let fetchOverStream: StreamFetch | undefined;

    afterEach(async () => {
      await fetchOverStream?.close();
      if (server) await close(server);
      server = undefined;
      fetchOverStream = undefined;
    });

    it('parses a response that arrives a few bytes at a time', async () => {
      const body = 'x'.repeat(300);
      const wire = Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      server = await rawServer(async (socket) => {
        for (let i = 0; i < wire.length; i += 7) {
          socket.write(wire.subarray(i, i + 7));
          await delay(1);
        }
      });
      fetchOverStream = createStreamFetch(socketOpener(portOf(server)));
      const response = await fetchOverStream('http://localhost/page');
      assert.equal(response.headers.get('content-type'), 'image/jpeg');
      assert.equal(await response.text(), body);
    });

    it('parses chunk extensions, trailers and interim 100 Continue, split at every byte', async () => {
      const wire = Buffer.from(
        'HTTP/1.1 100 Continue\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '5;name=value\r\nhello\r\n1\r\n \r\nA\r\nworld12345\r\n0\r\nX-Trailer: yes\r\n\r\n',
      );
      server = await rawServer(async (socket) => {
        for (const byte of wire) {
          socket.write(Buffer.from([byte]));
          await delay(0);
        }
      });
      fetchOverStream = createStreamFetch(socketOpener(portOf(server)));
      const response = await fetchOverStream('http://localhost/');
      assert.equal(response.status, 200);
      assert.equal(await response.text(), 'hello world12345');
    });

    it('reads a body delimited by closing the connection, then reopens', async () => {
      const opened: Socket[] = [];
      server = await rawServer((socket) => {
        socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end');
      });
      fetchOverStream = createStreamFetch(socketOpener(portOf(server), opened));
      assert.equal(await (await fetchOverStream('http://localhost/a')).text(), 'until the end');
      assert.equal(await (await fetchOverStream('http://localhost/b')).text(), 'until the end');
      assert.equal(opened.length, 2);
    });

    it('fails the body clearly when the server closes in the middle of it', async () => {
      server = await rawServer((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
        socket.end('only forty bytes of the thousand promised');
      });
      fetchOverStream = createStreamFetch(socketOpener(portOf(server)));
      const response = await fetchOverStream('http://localhost/');
      const error = await expectStreamError(() => response.arrayBuffer(), 'CONNECTION_CLOSED');
      assert.match(error.message, /closed after 41 of 1000 body bytes/);
    });

    it('fails a chunked body clearly when the server closes in the middle of it', async () => {
      server = await rawServer((socket) => {
        socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc');
      });
      fetchOverStream = createStreamFetch(socketOpener(portOf(server)));
      const response = await fetchOverStream('http://localhost/');
      const error = await expectStreamError(() => response.text(), 'CONNECTION_CLOSED');
      assert.match(error.message, /middle of a chunked body/);
    });

    it('rejects when the server closes before answering, and when it answers garbage', async () => {
      server = await rawServer((socket, request) => {
        if (request.startsWith('GET /garbage')) socket.end('SSH-2.0-OpenSSH\r\n\r\n');
        else socket.destroy();
      });
      fetchOverStream = createStreamFetch(socketOpener(portOf(server)));
      const closed = await expectStreamError(
        () => fetchOverStream!('http://localhost/'),
        'CONNECTION_CLOSED',
      );
      assert.match(closed.message, /before the response/);
      await expectStreamError(() => fetchOverStream!('http://localhost/garbage'), 'MALFORMED_RESPONSE');
    });

    it('discards the stream after a response whose body framing is bad, and forgets its abort', async () => {
      const opened: Socket[] = [];
      server = await rawServer(async (socket, request) => {
        if (request.startsWith('GET /bad')) {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 12, 13\r\n\r\n');
          // The body of the bad answer arrives late, and looks like an answer itself.
          await delay(30);
          if (!socket.destroyed) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale');
        } else {
          await delay(80);
          if (!socket.destroyed) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh');
        }
      });
      fetchOverStream = createStreamFetch(socketOpener(portOf(server), opened));
      const first = new AbortController();
      const error = await expectStreamError(
        () => fetchOverStream!('http://localhost/bad', { signal: first.signal }),
        'MALFORMED_RESPONSE',
      );
      assert.match(error.message, /bad Content-Length/);
      const next = fetchOverStream('http://localhost/next');
      // Aborting the failed request later must not tear down the stream the next one uses.
      setTimeout(() => first.abort(new Error('late abort')), 10);
      assert.equal(await (await next).text(), 'fresh');
      assert.equal(opened.length, 2);
    });

    it('reports a stream that cannot be opened', async () => {
      fetchOverStream = createStreamFetch(() => Promise.reject(new Error('LIBUSB_ERROR_ACCESS')));
      const error = await expectStreamError(() => fetchOverStream!('http://localhost/'), 'STREAM_FAILED');
      assert.match(error.message, /LIBUSB_ERROR_ACCESS/);
    });

    it('aborts a request that gets no answer and recovers on a fresh stream', async () => {
      const opened: Socket[] = [];
      server = await rawServer((socket, request) => {
        if (request.startsWith('GET /hang')) return;
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
      fetchOverStream = createStreamFetch(socketOpener(portOf(server), opened));
      await assert.rejects(
        fetchOverStream('http://localhost/hang', { signal: AbortSignal.timeout(100) }),
        (error: Error) => error.name === 'TimeoutError',
      );
      assert.equal(await (await fetchOverStream('http://localhost/ok')).text(), 'ok');
      assert.equal(opened.length, 2);
    });

    it('runs requests in parallel over several streams (one per interface)', async () => {
      let inFlight = 0;
      let peak = 0;
      server = await rawServer(async (socket) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await delay(50);
        inFlight--;
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone');
      });
      const port = portOf(server);
      fetchOverStream = createStreamFetch([socketOpener(port), socketOpener(port), socketOpener(port)]);
      const texts = await Promise.all(
        [1, 2, 3].map(async (i) => (await fetchOverStream!(`http://localhost/${i}`)).text()),
      );
      assert.deepEqual(texts, ['done', 'done', 'done']);
      assert.equal(peak, 3);
    });

    it('refuses requests once closed', async () => {
      fetchOverStream = createStreamFetch(() => Promise.reject(new Error('unused')));
      await fetchOverStream.close();
      await expectStreamError(() => fetchOverStream!('http://localhost/'), 'TRANSPORT_CLOSED');
    });
  });

  describe('the edge drivers over it, against the simulator', function () {
    this.timeout(30_000);
    const simulator = new Simulator({ port: 0, timeFactor: 0.01, logger: createLogger({ level: 'silent' }) });
    let fetchOverStream: StreamFetch;
    let port = 0;

    before(async () => {
      await simulator.start();
      port = Number(new URL(simulator.url).port);
    });

    beforeEach(() => {
      // Two "interfaces", as a typical IPP-USB printer exposes.
      fetchOverStream = createStreamFetch([socketOpener(port), socketOpener(port)]);
    });

    afterEach(async () => {
      await fetchOverStream.close();
    });

    after(async () => {
      await simulator.stop();
    });

    it('EsclScanner reads capabilities and scans a platen page from the simulator', async () => {
      // The URL's host is what an IPP-USB device sees in Host; every byte goes through the stream.
      const scanner = new EsclScanner({ baseUrl: 'http://localhost:60000/eSCL', fetch: fetchOverStream });
      const capabilities = await scanner.capabilities();
      assert.equal(capabilities.makeAndModel, 'mfp-edge Virtual MFP');
      assert.ok(capabilities.sources.platen?.resolutions.includes(150));
      const pages = [];
      for await (const page of scanner.scan({
        source: 'platen',
        duplex: false,
        colorMode: 'gray',
        resolution: 150,
        width: 2480,
        height: 3508,
        documentFormat: 'image/jpeg',
      })) {
        pages.push(page);
      }
      assert.equal(pages.length, 1);
      assert.equal(pages[0]!.contentType, 'image/jpeg');
      assert.ok(pages[0]!.data.length > 1000, `page of ${pages[0]!.data.length} bytes`);
      assert.deepEqual([...pages[0]!.data.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    });

    it("IppFaxLine reads the simulator's FaxOut capabilities", async () => {
      const line = new IppFaxLine({ url: 'ipp://localhost:60000/ipp/faxout', fetch: fetchOverStream });
      const capabilities = await line.capabilities();
      assert.equal(capabilities.makeAndModel, 'mfp-edge Virtual MFP');
      assert.ok(capabilities.documentFormats.includes('application/pdf'));
      assert.equal(capabilities.multipleDestinations, true);
    });
  });
});
