import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { EdgeError } from '../edge-error.ts';
import type { SsoIdentity, SsoPendingRequest, SsoProtocolName } from './sso-protocol.ts';

/** A sign-in started is answered within 10 minutes or not at all. */
export const SSO_REQUEST_TTL_MS = 10 * 60_000;
/** Rows are kept a day past their expiry (the audit trail is the record), then purged. */
const KEEP_MS = 24 * 3_600_000;

export type SsoPurpose = 'console' | 'account';

export interface StoredSsoRequest extends SsoPendingRequest {
  enterpriseId: string;
  protocol: SsoProtocolName;
  purpose: SsoPurpose;
  returnPath: string;
  expiresAt: string;
  answeredAt: string | null;
  usedAt: string | null;
  identity: SsoIdentity | null;
}

interface Row {
  id: string;
  enterprise_id: string;
  protocol: SsoProtocolName;
  purpose: SsoPurpose;
  return_path: string;
  browser_hash: string;
  nonce: string | null;
  code_verifier: string | null;
  created_at: string;
  expires_at: string;
  answered_at: string | null;
  identity: string | null;
  used_at: string | null;
}

const toRequest = (row: Row): StoredSsoRequest => ({
  id: row.id,
  enterpriseId: row.enterprise_id,
  protocol: row.protocol,
  purpose: row.purpose,
  returnPath: row.return_path,
  nonce: row.nonce,
  codeVerifier: row.code_verifier,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  answeredAt: row.answered_at,
  usedAt: row.used_at,
  identity: row.identity === null ? null : (JSON.parse(row.identity) as SsoIdentity),
});

/** The browser binding: a random cookie value; only its hash is stored. */
export const newBrowserBinding = (): string => randomBytes(32).toString('base64url');
export const isBrowserBinding = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
const bindingHash = (value: string): string => createHash('sha256').update(value, 'utf8').digest('base64url');

/** A request id: an XML ID (starts with `_`, SAML needs an NCName), a WS-Fed wctx, an OIDC state. */
export const newRequestId = (): string => `_${randomBytes(20).toString('hex')}`;
export const isRequestId = (value: unknown): value is string =>
  typeof value === 'string' && /^_[0-9a-f]{40}$/.test(value);

/**
 * The stored sign-in requests (migration 15): single use, expiring, bound to the browser that
 * started them. Each step is one conditional UPDATE, so two answers racing for one request cannot
 * both win.
 */
export class SsoRequests {
  readonly #db: Db;
  readonly #now: () => Date;

  constructor(db: Db, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  create(input: {
    enterpriseId: string;
    protocol: SsoProtocolName;
    purpose: SsoPurpose;
    returnPath: string;
    browserBinding: string;
    nonce?: string | null;
    codeVerifier?: string | null;
  }): StoredSsoRequest {
    const at = this.#now();
    const id = newRequestId();
    this.#db
      .prepare('DELETE FROM sso_requests WHERE expires_at < ?')
      .run(new Date(at.getTime() - KEEP_MS).toISOString());
    this.#db
      .prepare(
        `INSERT INTO sso_requests (id, enterprise_id, protocol, purpose, return_path, browser_hash, nonce,
           code_verifier, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.enterpriseId,
        input.protocol,
        input.purpose,
        input.returnPath,
        bindingHash(input.browserBinding),
        input.nonce ?? null,
        input.codeVerifier ?? null,
        at.toISOString(),
        new Date(at.getTime() + SSO_REQUEST_TTL_MS).toISOString(),
      );
    return this.get(id)!;
  }

  get(id: string): StoredSsoRequest | null {
    if (!isRequestId(id)) return null;
    const row = this.#db.prepare('SELECT * FROM sso_requests WHERE id = ?').get(id) as Row | undefined;
    return row ? toRequest(row) : null;
  }

  /**
   * The request an IdP answer names, while it may still be answered: null when unknown (or of
   * another enterprise or protocol), SSO_REQUEST_USED once answered, SSO_REQUEST_EXPIRED after 10
   * minutes. This is the `find` handed to SsoProtocol.complete.
   */
  pending(id: string, enterpriseId: string, protocol: SsoProtocolName): StoredSsoRequest | null {
    const request = this.get(id);
    if (!request || request.enterpriseId !== enterpriseId || request.protocol !== protocol) return null;
    if (request.answeredAt !== null || request.usedAt !== null) throw new EdgeError('SSO_REQUEST_USED');
    if (Date.parse(request.expiresAt) <= this.#now().getTime()) throw new EdgeError('SSO_REQUEST_EXPIRED');
    return request;
  }

  /** Records the IdP's accepted answer; SSO_REQUEST_USED when another answer won. */
  answer(id: string, identity: SsoIdentity): void {
    const at = this.#now().toISOString();
    const changed = this.#db
      .prepare(
        `UPDATE sso_requests SET answered_at = ?, identity = ?
         WHERE id = ? AND answered_at IS NULL AND used_at IS NULL AND expires_at > ?`,
      )
      .run(at, JSON.stringify(identity), id, at).changes;
    if (changed !== 1) throw new EdgeError('SSO_REQUEST_USED');
  }

  /**
   * The answered request, for the browser that started it, used up: SSO_REQUEST_UNKNOWN (never
   * answered or unknown), SSO_BROWSER_MISMATCH (another browser: not used up, so the right browser
   * still can), SSO_REQUEST_USED, SSO_REQUEST_EXPIRED.
   */
  take(id: string, enterpriseId: string, browserBinding: string | undefined): StoredSsoRequest {
    const row = isRequestId(id)
      ? (this.#db.prepare('SELECT * FROM sso_requests WHERE id = ?').get(id) as Row | undefined)
      : undefined;
    if (!row || row.enterprise_id !== enterpriseId || row.answered_at === null)
      throw new EdgeError('SSO_REQUEST_UNKNOWN');
    const expected = Buffer.from(row.browser_hash);
    const given = Buffer.from(isBrowserBinding(browserBinding) ? bindingHash(browserBinding) : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new EdgeError('SSO_BROWSER_MISMATCH');
    if (row.used_at !== null) throw new EdgeError('SSO_REQUEST_USED');
    const at = this.#now().toISOString();
    if (row.expires_at <= at) throw new EdgeError('SSO_REQUEST_EXPIRED');
    const changed = this.#db
      .prepare('UPDATE sso_requests SET used_at = ? WHERE id = ? AND used_at IS NULL')
      .run(at, id).changes;
    if (changed !== 1) throw new EdgeError('SSO_REQUEST_USED');
    return toRequest({ ...row, used_at: at });
  }
}
