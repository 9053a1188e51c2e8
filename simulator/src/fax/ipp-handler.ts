/**
 * IPP over HTTP (RFC 8010 §4) for the FaxOut printer. Mount after express.raw (simulator.ts):
 *   app.post('/ipp/faxout', express.raw({ type: 'application/ipp', limit: '200mb' }), createIppHandler(modem))
 * A body over that limit is an HTTP 413 from the app-level error handler; documents are held to the
 * modem's own, smaller limits (fax-limits.ts) with IPP status codes. The printer URI users see is
 * ipp://127.0.0.1:8090/ipp/faxout.
 */
import type { Request, RequestHandler, Response } from 'express';
import { sendError } from '../control-api/http-errors.ts';
import type { FaxModem } from './fax-modem.ts';
import { decodeIppMessage, encodeIppMessage, IppCodecError } from './ipp-codec.ts';
import { StatusCode } from './ipp-constants.ts';
import { FAXOUT_PATH, handleIppRequest } from './ipp-operations.ts';

export function createIppHandler(modem: FaxModem): RequestHandler {
  return (req: Request, res: Response, next) => {
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body)) {
      return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/ipp');
    }
    let request;
    try {
      request = decodeIppMessage(body);
    } catch (error) {
      if (!(error instanceof IppCodecError)) return next(error);
      res.status(200).type('application/ipp').send(badRequest(body, error.message));
      return;
    }
    handleIppRequest(modem, request, printerUri(req))
      .then((response) => res.status(200).type('application/ipp').send(encodeIppMessage(response)))
      .catch((error: unknown) => next(error));
  };
}

/** The printer's URI as this client reached it (Host header), so job-uri values work for it. */
function printerUri(req: Request): string {
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  return `ipp://${host}${FAXOUT_PATH}`;
}

/** A reply to bytes that do not even parse: echo what we can of the header. */
function badRequest(body: Buffer, message: string): Buffer {
  const major = body.length >= 1 ? body[0]! : 1;
  const minor = body.length >= 2 ? body[1]! : 1;
  const requestId = body.length >= 8 ? body.readInt32BE(4) : 0;
  return encodeIppMessage({
    version: major === 1 || major === 2 ? { major, minor } : { major: 1, minor: 1 },
    code: StatusCode.clientErrorBadRequest,
    requestId,
    groups: [
      {
        tag: 0x01,
        attributes: [
          { name: 'attributes-charset', values: [{ type: 'charset', value: 'utf-8' }] },
          { name: 'attributes-natural-language', values: [{ type: 'naturalLanguage', value: 'en' }] },
          { name: 'status-message', values: [{ type: 'textWithoutLanguage', value: message.slice(0, 255) }] },
        ],
      },
    ],
    data: Buffer.alloc(0),
  });
}
