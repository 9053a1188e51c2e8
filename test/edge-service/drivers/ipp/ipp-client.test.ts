import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EdgeError } from '../../../../edge-service/src/edge-error.ts';
import { IppFaxLine } from '../../../../edge-service/src/drivers/ipp/ipp-fax-line.ts';
import {
  groupOf,
  IppClient,
  IppError,
  resolveIppUrl,
} from '../../../../edge-service/src/drivers/ipp/ipp-client.ts';
import { FakeIppServer, type FakeAnswer } from './fake-ipp-server.ts';

const OK_PRINTER: FakeAnswer = {
  status: 'successful-ok',
  printerAttributes: { 'printer-make-and-model': 'Fake Fax', 'ipp-features-supported': ['faxout'] },
};

describe('IppClient', () => {
  let server: FakeIppServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function start(script: ConstructorParameters<typeof FakeIppServer>[0]): Promise<string> {
    server = new FakeIppServer(script);
    return server.start();
  }

  it('maps ipp: URLs to http: with port 631 by default', () => {
    assert.deepEqual(resolveIppUrl('ipp://printer.local/ipp/faxout'), {
      httpUrl: 'http://printer.local:631/ipp/faxout',
      printerUri: 'ipp://printer.local:631/ipp/faxout',
    });
    assert.equal(resolveIppUrl('ipps://10.0.0.2:8443/ipp/print').httpUrl, 'https://10.0.0.2:8443/ipp/print');
    assert.equal(
      resolveIppUrl('http://127.0.0.1:8090/ipp/faxout').printerUri,
      'ipp://127.0.0.1:8090/ipp/faxout',
    );
  });

  it('refuses a URL that names no IPP printer as FAX_UNSUPPORTED, naming the URL', () => {
    for (const url of ['ftp://x/', 'not a url', 'ipp:faxout']) {
      assert.throws(
        () => resolveIppUrl(url),
        (e: unknown) =>
          e instanceof EdgeError && e.code === 'FAX_UNSUPPORTED' && e.message.includes(`"${url}"`),
      );
    }
    // A job using a misconfigured device must fail with that code, not as INTERNAL.
    assert.throws(
      () => new IppFaxLine({ url: 'lpd://printer/queue' }),
      (e: unknown) =>
        e instanceof EdgeError && e.code === 'FAX_UNSUPPORTED' && /lpd:\/\/printer/.test(e.message),
    );
  });

  it('POSTs application/ipp to the path with printer-uri and requesting-user-name', async () => {
    const url = await start(() => OK_PRINTER);
    const client = new IppClient({ url, userName: 'alice' });
    const response = await client.call('Get-Printer-Attributes', {
      operationAttributes: { 'requested-attributes': ['printer-make-and-model'] },
    });
    assert.equal(groupOf(response, 'printer-attributes-tag')['printer-make-and-model'], 'Fake Fax');
    assert.deepEqual(groupOf(response, 'printer-attributes-tag')['ipp-features-supported'], ['faxout']);
    assert.deepEqual(server!.paths, ['/ipp/faxout']);
    const op = server!.requests[0]!.groups[0]!.attributes;
    assert.equal(server!.requests[0]!.operation, 'Get-Printer-Attributes');
    assert.equal(op['printer-uri'], url);
    assert.equal(op['requesting-user-name'], 'alice');
    assert.deepEqual(op['requested-attributes'], ['printer-make-and-model']);
  });

  it('rejects a non-successful status with the IPP status name and message', async () => {
    const url = await start(() => ({
      status: 'client-error-not-found',
      operationAttributes: { 'status-message': 'No such job' },
    }));
    await assert.rejects(
      new IppClient({ url }).call('Get-Job-Attributes', { operationAttributes: { 'job-id': 9 } }),
      (e: unknown) =>
        e instanceof IppError &&
        e.code === 'status' &&
        e.status === 'client-error-not-found' &&
        /Get-Job-Attributes failed with client-error-not-found: No such job/.test(e.message),
    );
  });

  it('retries with IPP/1.1 when the device answers version-not-supported', async () => {
    const url = await start((req) =>
      req.version === '2.0' ? { status: 'server-error-version-not-supported', version: '1.1' } : OK_PRINTER,
    );
    const response = await new IppClient({ url }).call('Get-Printer-Attributes');
    assert.equal(response.status, 'successful-ok');
    assert.deepEqual(
      server!.requests.map((r) => r.version),
      ['2.0', '1.1'],
    );
  });

  it('times out a device that never answers', async () => {
    const url = await start(() => ({ hang: true }));
    await assert.rejects(
      new IppClient({ url, timeoutMs: 200 }).call('Get-Printer-Attributes'),
      (e: unknown) => e instanceof IppError && e.code === 'timeout' && /within 200 ms/.test(e.message),
    );
  });

  it('reports HTTP errors, HTML pages and garbage as such', async () => {
    let answer: FakeAnswer = { raw: Buffer.from('nope'), httpStatus: 500, contentType: 'text/plain' };
    const url = await start(() => answer);
    const client = new IppClient({ url });
    await assert.rejects(
      client.call('Get-Printer-Attributes'),
      (e: unknown) => e instanceof IppError && e.code === 'http' && e.httpStatus === 500,
    );
    answer = { raw: Buffer.from('<!doctype html><html>Login</html>'), contentType: 'text/html' };
    await assert.rejects(
      client.call('Get-Printer-Attributes'),
      (e: unknown) => e instanceof IppError && e.code === 'malformed' && /HTML page/.test(e.message),
    );
    answer = { raw: Buffer.from([2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x41, 0, 9]) };
    await assert.rejects(
      client.call('Get-Printer-Attributes'),
      (e: unknown) => e instanceof IppError && e.code === 'malformed' && /Malformed IPP/.test(e.message),
    );
  });

  it('reports a refused connection as a network error', async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      new IppClient({ url: `ipp://127.0.0.1:${port}/ipp/faxout`, timeoutMs: 2000 }).call(
        'Get-Printer-Attributes',
      ),
      (e: unknown) => e instanceof IppError && e.code === 'network',
    );
  });

  it('uses the injected fetch', async () => {
    const calls: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      calls.push(String(input));
      return new Response(new Uint8Array([2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x03]), { status: 200 });
    }) as typeof fetch;
    const response = await new IppClient({ url: 'ipp://fax.example:631/ipp/faxout', fetch: fakeFetch }).call(
      'Get-Printer-Attributes',
    );
    assert.equal(response.status, 'successful-ok');
    assert.deepEqual(calls, ['http://fax.example:631/ipp/faxout']);
  });

  describe('answer size limit', () => {
    let big: Server | undefined;
    let written = 0;
    let closedAt: number | undefined;

    afterEach(async () => {
      big?.closeAllConnections();
      await new Promise<void>((resolve) => (big ? big.close(() => resolve()) : resolve()));
      big = undefined;
    });

    /** A device that streams `total` bytes of answer (chunked, or with the Content-Length it claims). */
    async function streaming(total: number, contentLength?: number): Promise<string> {
      written = 0;
      closedAt = undefined;
      big = createServer((req, res) => {
        req.resume();
        res.on('close', () => (closedAt ??= written));
        const headers: Record<string, string> = { 'content-type': 'application/ipp' };
        if (contentLength !== undefined) headers['content-length'] = String(contentLength);
        res.writeHead(200, headers);
        const chunk = Buffer.alloc(16 * 1024, 0x41);
        const pump = (): void => {
          while (written < total && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (contentLength === undefined && !res.destroyed) res.end();
        };
        pump();
      });
      await new Promise<void>((resolve) => big!.listen(0, '127.0.0.1', resolve));
      return `ipp://127.0.0.1:${(big.address() as AddressInfo).port}/ipp/faxout`;
    }

    it('stops reading an answer at the limit and drops the connection', async () => {
      const url = await streaming(32 * 1024 * 1024);
      await assert.rejects(
        new IppClient({ url, maxResponseBytes: 64 * 1024, timeoutMs: 10_000 }).call('Get-Printer-Attributes'),
        (e: unknown) =>
          e instanceof IppError &&
          e.code === 'too-large' &&
          /answered more than the 64 KiB accepted/.test(e.message),
      );
      await waitFor(() => closedAt !== undefined);
      // Socket buffers hold a few MiB at most: the device was cut off long before its 32 MiB.
      assert.ok(closedAt! < 16 * 1024 * 1024, `the device wrote ${closedAt} bytes before being cut off`);
    });

    it('refuses an answer whose Content-Length is over the limit without waiting for it', async () => {
      const url = await streaming(16 * 1024, 100 * 1024 * 1024);
      await assert.rejects(
        new IppClient({ url, maxResponseBytes: 1024 * 1024, timeoutMs: 10_000 }).call(
          'Get-Printer-Attributes',
        ),
        (e: unknown) =>
          e instanceof IppError &&
          e.code === 'too-large' &&
          /answered 100 MiB, more than the 1 MiB accepted/.test(e.message),
      );
    });

    it('lets IppFaxLine report an oversized answer (default limit 8 MiB) as FAX_ERROR', async () => {
      const url = await streaming(12 * 1024 * 1024);
      await assert.rejects(
        new IppFaxLine({ url, timeouts: { requestMs: 10_000 } }).capabilities(),
        (e: unknown) => e instanceof EdgeError && e.code === 'FAX_ERROR' && /8 MiB/.test(e.message),
      );
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
