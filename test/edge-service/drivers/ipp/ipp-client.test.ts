import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    assert.throws(() => resolveIppUrl('ftp://x/'), TypeError);
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
        e.kind === 'status' &&
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
      (e: unknown) => e instanceof IppError && e.kind === 'timeout' && /within 200 ms/.test(e.message),
    );
  });

  it('reports HTTP errors, HTML pages and garbage as such', async () => {
    let answer: FakeAnswer = { raw: Buffer.from('nope'), httpStatus: 500, contentType: 'text/plain' };
    const url = await start(() => answer);
    const client = new IppClient({ url });
    await assert.rejects(
      client.call('Get-Printer-Attributes'),
      (e: unknown) => e instanceof IppError && e.kind === 'http' && e.httpStatus === 500,
    );
    answer = { raw: Buffer.from('<!doctype html><html>Login</html>'), contentType: 'text/html' };
    await assert.rejects(
      client.call('Get-Printer-Attributes'),
      (e: unknown) => e instanceof IppError && e.kind === 'malformed' && /HTML page/.test(e.message),
    );
    answer = { raw: Buffer.from([2, 0, 0, 0, 0, 0, 0, 1, 0x01, 0x41, 0, 9]) };
    await assert.rejects(
      client.call('Get-Printer-Attributes'),
      (e: unknown) => e instanceof IppError && e.kind === 'malformed' && /Malformed IPP/.test(e.message),
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
      (e: unknown) => e instanceof IppError && e.kind === 'network',
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
});
