/**
 * The simulator's one error shape on its HTTP surface (DESIGN.md §5, §10): handlers throw a
 * SimulatorError with a stable UPPER_SNAKE code, and the app-level handler here turns it, or any
 * other error, into `{ error: { code, message } }`. Never an HTML page, never a stack trace.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.ts';

/** A refusal with a stable code (UPPER_SNAKE) and the HTTP status the control API answers for it. */
export class SimulatorError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly httpStatus: number;

  constructor(code: Code, message: string, httpStatus = 400, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimulatorError';
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Errors body-parser and the http-errors package raise: a 4xx status and a `type` saying why. */
interface HttpError {
  status: number;
  type?: unknown;
  expose?: unknown;
  message: string;
}

function isClientHttpError(error: unknown): error is HttpError {
  const status = (error as { status?: unknown } | null)?.status;
  return error instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}

/** Stable codes for what the body parsers refuse; anything else 4xx is BAD_REQUEST. */
function codeOf(error: HttpError): string {
  if (error.status === 413) return 'BODY_TOO_LARGE';
  if (error.status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (error.type === 'entity.parse.failed') return 'INVALID_BODY';
  return 'BAD_REQUEST';
}

/** Mount after every route: whatever nobody answered is a JSON 404, not Express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, 'NOT_FOUND', `Nothing at ${req.method} ${req.path}.`);
};

/** An error as the simulator answers it, whatever the body format (JSON here, text/plain for eSCL). */
export interface ErrorReply {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

const INTERNAL: ErrorReply = Object.freeze({
  status: 500,
  code: 'INTERNAL',
  message: 'The simulator hit an unexpected error.',
});

/**
 * The status, code and message any error is answered with. Body-parser errors keep their 4xx status
 * (their messages describe the client's own input); anything unexpected is a 500 with no details.
 */
export function errorReply(error: unknown): ErrorReply {
  if (error instanceof SimulatorError) {
    return { status: error.httpStatus, code: error.code, message: error.message };
  }
  if (isClientHttpError(error)) {
    const message = error.expose === false ? 'The request could not be read.' : error.message;
    return { status: error.status, code: codeOf(error), message };
  }
  return INTERNAL;
}

/** Mount last: every error becomes `{ error: { code, message } }`; unexpected ones are logged. */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // Too late for an error body; a cut connection tells the client the reply is incomplete.
      logger.warn({ err: error, method: req.method, path: req.path }, 'error after the reply started');
      req.socket.destroy();
      return;
    }
    const reply = errorReply(error);
    if (reply === INTERNAL)
      logger.error({ err: error, method: req.method, path: req.path }, 'unexpected error');
    sendError(res, reply.status, reply.code, reply.message);
  };
}
