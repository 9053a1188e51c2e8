import type { z } from 'zod';
import type { EnterpriseRecord } from '../domain/device.ts';
import type { UserAccount, UserRole } from '../domain/user.ts';

/**
 * One REST endpoint, defined once: the router mounts it (validating params, query and body with
 * these schemas) and the OpenAPI document is generated from the same object (DESIGN.md §10).
 *
 * Paths use OpenAPI templating relative to /api/v1 (`/enterprises/{enterprise}/users/{id}`). A path
 * with `{enterprise}` (an enterprise slug) touches that enterprise's data: the router resolves it,
 * checks that the caller may act on it (its own enterprise; vendor-side roles only while the
 * enterprise's restrictedAccess is off, audited when refused) and hands it to the handler.
 */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call: nobody signed in, anyone signed in, or these roles. */
export type EndpointAccess = 'public' | 'signed-in' | readonly UserRole[];

/** The caller, from a console cookie session or a personal API token (Authorization: Bearer). */
export interface ApiActor {
  via: 'session' | 'token';
  user: UserAccount;
  /** The console session or API token id (for audit entries and revocation). */
  credentialId: string;
}

export interface EndpointContext<P, Q, B> {
  /** Null only on public endpoints. */
  actor: ApiActor | null;
  /** The enterprise of `{enterprise}`; null when the path has none. */
  enterprise: EnterpriseRecord | null;
  params: P;
  query: Q;
  body: B;
  /** The caller's network address (rate limits, audit). No proxy header is trusted. */
  source: string;
  /** True when the request came over TLS (cookies get Secure). */
  secure: boolean;
  /** Cookie sessions only: the session's CSRF token and when it ends if idle (GET /session shows them). */
  session?: { csrfToken: string; expiresAt: string };
  /** Cookies the response sets or clears (console sign-in and sign-out). */
  cookies: {
    get(name: string): string | undefined;
    set(name: string, value: string, options: { maxAgeSeconds?: number }): void;
    clear(name: string): void;
  };
}

/** A download instead of JSON (CSV, Excel exports). */
export class ApiFile {
  constructor(
    readonly contentType: string,
    readonly fileName: string,
    readonly body: Buffer | string,
  ) {}
}

export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  path: string;
  /** Unique, camelCase: the OpenAPI operationId. */
  operationId: string;
  summary: string;
  /** OpenAPI tag: the console page or API area (devices, users, policy, jobs, audit, ...). */
  tag: string;
  access: EndpointAccess;
  params?: P;
  query?: Q;
  body?: B;
  /** The JSON answer; for downloads, the media types an ApiFile may carry instead. */
  response: R | { files: readonly string[] };
  /**
   * The request body limit in bytes, when an endpoint needs more than the router's default (64 KiB).
   */
  maxBodyBytes?: number;
  /** Default 200; 201 for creations, 204 for answers without a body (return undefined). */
  status?: 200 | 201 | 202 | 204;
  handle(
    context: EndpointContext<z.output<P>, z.output<Q>, z.output<B>>,
  ): Promise<z.input<R> | ApiFile | undefined> | z.input<R> | ApiFile | undefined;
}

/** Keeps the schemas' types flowing into the handler; the object is returned unchanged. */
export function defineEndpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
>(endpoint: Endpoint<P, Q, B, R>): Endpoint<P, Q, B, R> {
  return endpoint;
}

/** Any endpoint, for lists handed to the router and the OpenAPI generator. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEndpoint = Endpoint<any, any, any, any>;
