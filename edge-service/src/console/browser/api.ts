/*
 * The console's only way to the edge: JSON over /api/v1 with the session cookie, and the CSRF
 * token from GET /api/v1/session on every state-changing request. Errors are the API's
 * `{"error": {code, message, ...}}` as ApiError.
 */

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error object's other fields (e.g. `until` of ACCOUNT_LOCKED, `retryAt`, `fields`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrf = '';
/** Set from the session answer (and cleared on sign-out). */
export function setCsrfToken(token: string | undefined | null): void {
  csrf = token ?? '';
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** `/api/v1/path?query`, dropping empty values. */
export function apiUrl(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `${API}${path}${s ? `?${s}` : ''}`;
}

export async function api<T>(method: string, path: string, body?: unknown, query: Query = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['x-csrf-token'] = csrf;
  let response: Response;
  try {
    response = await fetch(apiUrl(path, query), {
      method,
      credentials: 'same-origin',
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The edge does not answer: check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const e = (json as { error?: Record<string, unknown> } | null)?.error;
    const code = typeof e?.code === 'string' ? e.code : 'INTERNAL';
    const message =
      typeof e?.message === 'string'
        ? e.message
        : `The edge answered ${response.status}. Try again in a moment.`;
    const { code: _c, message: _m, ...rest } = e ?? {};
    if (response.status === 401 && onUnauthenticated && path !== '/session') onUnauthenticated();
    throw new ApiError(response.status, code, message, rest);
  }
  return json as T;
}

let onUnauthenticated: (() => void) | null = null;
/** What to do when a call finds the session gone (back to sign-in). */
export function whenSignedOut(handler: () => void): void {
  onUnauthenticated = handler;
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', path, undefined, query);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

/**
 * A readable sentence for any failure: the API's message, with the end of a lock or limit in local
 * time (ACCOUNT_LOCKED, RATE_LIMITED carry `until`), and the password rules not met.
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again in a moment.';
  let text = error.message;
  const until = error.details.until ?? error.details.retryAt;
  if (typeof until === 'string' && !Number.isNaN(Date.parse(until))) {
    const local = new Date(until).toLocaleString();
    text = text.includes(until) ? text.replace(until, local) : `${text} (until ${local})`;
  }
  const rules = error.details.rules;
  if (Array.isArray(rules)) {
    const unmet = rules
      .filter((r: { ok?: unknown }) => r.ok === false)
      .map((r: { message?: unknown }) => String(r.message));
    if (unmet.length) text = `${text} ${unmet.join('; ')}.`;
  }
  return text;
}
