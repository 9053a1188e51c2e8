import express, { type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { ErrorCode } from '../../../protocol/index.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { ApiAuthenticator, Authenticated } from './api-auth.ts';
import { ApiFile, type AnyEndpoint, type EndpointContext } from './endpoint.ts';
import type { EnterpriseAccess } from './enterprise-access.ts';
import { httpStatusOf } from './http-status.ts';

/** The default request body limit: far beyond any JSON the API takes. */
export const MAX_BODY_BYTES = 64 * 1024;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ApiRouterOptions {
  endpoints: readonly AnyEndpoint[];
  auth: ApiAuthenticator;
  access: EnterpriseAccess;
  logger?: Logger;
  /** Checks every JSON answer against its response schema (tests): a mismatch is a 500 and a log line. */
  validateResponses?: boolean;
}

/** `{id}` (OpenAPI) to `:id` (express). */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/** Literal segments before parameters, so /users/export wins over /users/{id}. */
function specificity(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.startsWith('{') ? '1' : '0'))
    .join('');
}

function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** Zod issues as one message naming each field: `query.page: Too small: expected number to be >=1`. */
export function validationError(where: string, error: z.ZodError): EdgeError {
  const problems = error.issues.map((issue) => {
    const path = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.join(', ')}`;
    return `${path}: ${issue.message}`;
  });
  return new EdgeError('VALIDATION_FAILED', `The request is not valid: ${problems.join('; ')}.`);
}

export function sendError(res: Response, error: EdgeError): void {
  const status = httpStatusOf(error.code);
  if (error.code === 'RATE_LIMITED' && error.until) {
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil((error.until.getTime() - Date.now()) / 1000))));
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  // An oversized body is not read: closing the connection keeps Node from draining it.
  if (error.code === 'PAYLOAD_TOO_LARGE') res.setHeader('Connection', 'close');
  res.status(status).setHeader('Cache-Control', 'no-store').json({ error: error.toBody() });
}

export function apiError(res: Response, code: ErrorCode, message?: string): void {
  sendError(res, new EdgeError(code, message));
}

/** Reads a JSON body of at most `limit` bytes: refused from Content-Length before reading, and capped while reading. */
async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const length = req.headers['content-length'];
  const declared = length === undefined ? null : Number(length);
  if (declared !== null && (!Number.isFinite(declared) || declared > limit))
    throw new EdgeError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
  if (declared === 0 || (declared === null && req.headers['transfer-encoding'] === undefined)) {
    if (type !== '' && type !== 'application/json') throw new EdgeError('UNSUPPORTED_MEDIA_TYPE');
    return undefined;
  }
  if (type !== 'application/json' && !type.endsWith('+json')) throw new EdgeError('UNSUPPORTED_MEDIA_TYPE');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      // Stop reading: the rest is not wanted. The connection closes after the answer.
      req.pause();
      throw new EdgeError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new EdgeError('VALIDATION_FAILED', 'The request body is not valid JSON.');
  }
}

/**
 * The REST API from its endpoint definitions (api/endpoint.ts), to mount at /api/v1. For each
 * request, in this order: the route (404 NOT_FOUND, 405 METHOD_NOT_ALLOWED with Allow), the
 * caller (token or cookie session; 401), on cookie sessions the CSRF token and Origin of
 * state-changing requests (403 CSRF_INVALID), the enterprise of `{enterprise}` paths
 * (FORBIDDEN / RESTRICTED_ACCESS / ENTERPRISE_NOT_FOUND, before any input is looked at), the role
 * (FORBIDDEN), then params, query and body against their schemas (400 VALIDATION_FAILED; 413,
 * 415 for bodies), the handler, and the answer: JSON, a file download, or 204.
 *
 * Query values arrive as strings: schemas use z.coerce (numbers, dates) and z.stringbool() for
 * booleans. The params schema covers the path parameters other than `{enterprise}`.
 */
export function createApiRouter(options: ApiRouterOptions): express.Router {
  const router = express.Router({ strict: false });
  const sorted = [...options.endpoints].sort((a, b) =>
    specificity(a.path).localeCompare(specificity(b.path)),
  );
  const seen = new Set<string>();
  for (const endpoint of sorted) {
    const key = `${endpoint.method} ${endpoint.path}`;
    if (seen.has(key)) throw new Error(`two endpoints for ${key}`);
    seen.add(key);
    router[endpoint.method](expressPath(endpoint.path), (req, res, next) => {
      handle(endpoint, req, res, options).catch(next);
    });
  }
  const patterns = sorted.map((e) => ({ method: e.method.toUpperCase(), pattern: pathPattern(e.path) }));
  router.use((req, res) => {
    const allowed = patterns.filter((p) => p.pattern.test(req.path)).map((p) => p.method);
    if (allowed.length === 0) return apiError(res, 'NOT_FOUND');
    res.setHeader('Allow', [...new Set(allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed)].join(', '));
    apiError(res, 'METHOD_NOT_ALLOWED', `This resource accepts ${[...new Set(allowed)].join(', ')}.`);
  });
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    void next;
    // The request id (http/http-app.ts) on the line, so an operator finds the request a person reports.
    const requestId = res.locals.requestId as string | undefined;
    sendError(
      res,
      toEdgeError(error, requestId ? options.logger?.child({ req: requestId }) : options.logger),
    );
  });
  return router;
}

/** Anything thrown as an EdgeError: express's own 4xx (a malformed %-escape) as VALIDATION_FAILED, the rest INTERNAL. */
export function toEdgeError(error: unknown, logger?: Logger): EdgeError {
  if (error instanceof EdgeError) {
    if (error.code === 'INTERNAL') logger?.error({ err: error.cause ?? error }, 'API request failed');
    return error;
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return status === 413
      ? new EdgeError('PAYLOAD_TOO_LARGE')
      : new EdgeError('VALIDATION_FAILED', 'The request is malformed (its address or body cannot be read).');
  }
  const edgeError = EdgeError.from(error);
  logger?.[edgeError.code === 'INTERNAL' ? 'error' : 'warn']({ err: error }, 'API request failed');
  return edgeError;
}

async function handle(
  endpoint: AnyEndpoint,
  req: Request,
  res: Response,
  o: ApiRouterOptions,
): Promise<void> {
  const secure = req.secure;
  const source = req.socket.remoteAddress ?? 'unknown';
  const method = req.method.toUpperCase();
  const body = endpoint.body !== undefined && STATE_CHANGING.has(method);
  const limit = endpoint.maxBodyBytes ?? MAX_BODY_BYTES;
  // A declared oversized body is refused before anything else, the credential check included.
  if (body) {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!Number.isFinite(declared) || declared > limit)
      throw new EdgeError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
  }

  let auth: Authenticated | null = null;
  try {
    auth = o.auth.authenticate(req.headers, secure);
  } catch (error) {
    // A stale cookie does not keep anyone from the public endpoints (signing in again).
    if (endpoint.access !== 'public' || req.headers.authorization !== undefined) throw error;
  }
  if (endpoint.access !== 'public' && !auth) throw new EdgeError('UNAUTHENTICATED');

  // Cookies are sent by the browser on its own: a state-changing request must prove it comes from
  // the console's page (its CSRF token) and, when the browser says, from the edge's own origin.
  // Bearer tokens are never ambient, so they need neither.
  if (STATE_CHANGING.has(method) && auth?.actor.via !== 'token') {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `${req.protocol}://${req.headers.host}`)
      throw new EdgeError('CSRF_INVALID', 'The request comes from another site (Origin); it was refused.');
    if (auth?.checkCsrf && !auth.checkCsrf(req.headers['x-csrf-token'])) throw new EdgeError('CSRF_INVALID');
  }

  const rawParams = { ...(req.params as Record<string, string>) };
  let enterprise = null;
  if (endpoint.path.includes('{enterprise}')) {
    if (!auth) throw new EdgeError('UNAUTHENTICATED');
    enterprise = o.access.resolve(auth.actor, rawParams.enterprise!, {
      method,
      path: endpoint.path,
      source,
    });
    delete rawParams.enterprise;
  }

  if (Array.isArray(endpoint.access) && auth && !endpoint.access.includes(auth.actor.user.role))
    throw new EdgeError('FORBIDDEN', `Your role (${auth.actor.user.role}) does not allow this.`);

  const params = parse('params', endpoint.params, rawParams);
  const query = parse('query', endpoint.query, { ...(req.query as Record<string, unknown>) });
  const input = body ? parse('body', endpoint.body, await readJsonBody(req, limit)) : undefined;

  const context: EndpointContext<unknown, unknown, unknown> = {
    actor: auth?.actor ?? null,
    enterprise,
    params,
    query,
    body: input,
    source,
    secure,
    cookies: {
      get: (name) => {
        const header = req.headers.cookie ?? '';
        for (const pair of header.split(';')) {
          const eq = pair.indexOf('=');
          if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
        }
        return undefined;
      },
      set: (name, value, cookie) => {
        res.cookie(name, value, {
          httpOnly: true,
          sameSite: 'strict',
          secure,
          path: '/',
          ...(cookie.maxAgeSeconds !== undefined ? { maxAge: cookie.maxAgeSeconds * 1000 } : {}),
        });
      },
      clear: (name) => res.clearCookie(name, { httpOnly: true, sameSite: 'strict', secure, path: '/' }),
    },
  };
  if (auth?.csrfToken && auth.expiresAt)
    context.session = { csrfToken: auth.csrfToken, expiresAt: auth.expiresAt };

  const result = await endpoint.handle(context as never);
  res.setHeader('Cache-Control', 'no-store');
  if (result instanceof ApiFile) {
    const name = result.fileName.replace(/[^\w.-]/g, '_');
    res.status(endpoint.status ?? 200);
    res.setHeader('Content-Type', result.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.send(result.body);
    return;
  }
  const status = endpoint.status ?? 200;
  if (status === 204 || result === undefined) {
    res.status(204).end();
    return;
  }
  if (o.validateResponses && !('files' in endpoint.response)) {
    const checked = (endpoint.response as z.ZodType).safeParse(result);
    if (!checked.success) {
      o.logger?.error(
        { operationId: endpoint.operationId, issues: checked.error.issues },
        'API answer does not match its response schema',
      );
      throw new EdgeError('INTERNAL');
    }
  }
  res.status(status).json(result);
}

function parse(where: string, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return value;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(where, parsed.error);
  return parsed.data;
}
