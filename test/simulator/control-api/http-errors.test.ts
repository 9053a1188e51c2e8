import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import sinon from 'sinon';
import {
  createErrorHandler,
  errorReply,
  notFoundHandler,
  SimulatorError,
} from '../../../simulator/src/control-api/http-errors.ts';
import type { Logger } from '../../../simulator/src/logger.ts';
import { createLogger } from '../../../simulator/src/logger.ts';
import { ScannerError } from '../../../simulator/src/scanner/scanner-error.ts';
import { FaxModemError } from '../../../simulator/src/fax/fax-modem.ts';
import { Simulator } from '../../../simulator/src/simulator.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

/** What Express's own error page would show: markup, a stack frame, a file path. */
function assertNoLeak(text: string): void {
  assert.doesNotMatch(text, /<html|<pre|<!DOCTYPE/i, text);
  assert.doesNotMatch(text, /\bat .+:\d+:\d+/, text);
  assert.doesNotMatch(text, /node_modules|\/work\/|\.ts\b/, text);
}

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const text = await response.text();
  assertNoLeak(text);
  const body = JSON.parse(text) as ErrorBody;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

describe('simulator/control-api/http-errors (one JSON error shape)', () => {
  describe('on the whole simulator', () => {
    let simulator: Simulator;
    before(async () => {
      simulator = new Simulator({ port: 0, timeFactor: 0, logger: createLogger({ level: 'silent' }) });
      await simulator.start();
    });
    after(async () => {
      await simulator?.stop();
    });

    const post = (path: string, body: string, contentType = 'application/json') =>
      fetch(`${simulator.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        signal: AbortSignal.timeout(10_000),
      });

    it('malformed JSON to POST /sim/api/faults is a 400 INVALID_BODY, not an HTML page', async () => {
      const response = await post('/sim/api/faults', '{"fault": jam');
      assert.equal(response.status, 400);
      const error = await errorOf(response);
      assert.equal(error.code, 'INVALID_BODY');
      assert.ok(error.message.length > 0);
    });

    it('an oversized body is a 413 BODY_TOO_LARGE', async () => {
      const response = await post(
        '/sim/api/faults',
        JSON.stringify({ fault: 'jam', pad: 'x'.repeat(20_000) }),
      );
      assert.equal(response.status, 413);
      assert.equal((await errorOf(response)).code, 'BODY_TOO_LARGE');
      assert.deepEqual(simulator.faults.list(), []);
    });

    it('an unknown fault keeps its UNKNOWN_FAULT code', async () => {
      const response = await post('/sim/api/faults', JSON.stringify({ fault: 'fire' }));
      assert.equal(response.status, 400);
      assert.equal((await errorOf(response)).code, 'UNKNOWN_FAULT');
    });

    it('what no route answers is a JSON 404', async () => {
      for (const [method, path] of [
        ['GET', '/sim/api/nothing-here'],
        ['DELETE', '/sim/api/faxes'],
        ['GET', '/ipp/faxout'],
      ] as const) {
        const response = await fetch(`${simulator.url}${path}`, { method });
        assert.equal(response.status, 404, `${method} ${path}`);
        assert.equal((await errorOf(response)).code, 'NOT_FOUND');
      }
    });

    it('IPP with the wrong content type is a 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const response = await post('/ipp/faxout', 'hello', 'text/plain');
      assert.equal(response.status, 415);
      assert.equal((await errorOf(response)).code, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('errorReply gives other body formats (eSCL text/plain) the same statuses and codes', () => {
    const parseError = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      status: 400,
      type: 'entity.parse.failed',
      expose: true,
    });
    assert.deepEqual(errorReply(parseError), {
      status: 400,
      code: 'INVALID_BODY',
      message: 'Unexpected end of JSON input',
    });
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, expose: true });
    assert.equal(errorReply(tooLarge).code, 'BODY_TOO_LARGE');
    assert.deepEqual(errorReply(new ScannerError('FEEDER_EMPTY', 'No paper.')), {
      status: 409,
      code: 'FEEDER_EMPTY',
      message: 'No paper.',
    });
    const internal = errorReply(Object.assign(new Error('/work/secret'), { status: 502 }));
    assert.deepEqual([internal.status, internal.code], [500, 'INTERNAL']);
    assert.doesNotMatch(internal.message, /secret/);
  });

  describe('the handler alone', () => {
    let server: Server;
    let baseUrl: string;
    let logger: { error: sinon.SinonSpy; warn: sinon.SinonSpy };

    before(async () => {
      logger = { error: sinon.spy(), warn: sinon.spy() };
      const app = express();
      app.get('/boom', () => {
        throw new Error('secret at /work/main/simulator/src/thing.ts:12:3');
      });
      app.get('/async-boom', async () => {
        await Promise.resolve();
        throw new TypeError('cannot read properties of undefined');
      });
      app.get('/refused', () => {
        throw new SimulatorError('SOMETHING_REFUSED', 'You cannot do that.', 409);
      });
      app.get('/scanner', () => {
        throw new ScannerError('SCANNER_JAM', 'Paper jam in the feeder.');
      });
      app.get('/modem', () => {
        throw new FaxModemError('MODEM_FULL', 'Try again later.');
      });
      app.get('/late', (_req, res, next) => {
        res.write('partial');
        next(new Error('failed after the headers'));
      });
      app.use(notFoundHandler);
      app.use(createErrorHandler(logger as unknown as Logger));
      server = await new Promise((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    beforeEach(() => {
      logger.error.resetHistory();
      logger.warn.resetHistory();
    });

    it('an unexpected error is a 500 INTERNAL without its details, which go to the log', async () => {
      for (const path of ['/boom', '/async-boom']) {
        const response = await fetch(`${baseUrl}${path}`);
        assert.equal(response.status, 500);
        const error = await errorOf(response);
        assert.deepEqual(error, { code: 'INTERNAL', message: 'The simulator hit an unexpected error.' });
      }
      assert.equal(logger.error.callCount, 2);
      assert.match((logger.error.firstCall.args[0] as { err: Error }).err.message, /secret/);
    });

    it('a SimulatorError (and its scanner and fax subclasses) answers its own status and code', async () => {
      for (const [path, status, code] of [
        ['/refused', 409, 'SOMETHING_REFUSED'],
        ['/scanner', 409, 'SCANNER_JAM'],
        ['/modem', 503, 'MODEM_FULL'],
      ] as const) {
        const response = await fetch(`${baseUrl}${path}`);
        assert.equal(response.status, status, path);
        assert.equal((await errorOf(response)).code, code);
      }
      assert.equal(logger.error.callCount, 0);
    });

    it('an error after the reply started cuts the connection instead of appending a page', async () => {
      await assert.rejects(async () => {
        const response = await fetch(`${baseUrl}/late`, { signal: AbortSignal.timeout(5_000) });
        await response.text();
      });
      assert.equal(logger.warn.callCount, 1);
    });
  });
});
