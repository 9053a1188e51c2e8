// The codes from their own module, the rest as types only: protocol/index.ts loads every message
// schema (zod), which `mfp-edge convert` would otherwise wait for before its first page.
import { ERROR_CODES } from '../../protocol/error-codes.ts';
import type { DestinationRule, ErrorCode, ErrorBody, PasswordRuleView } from '../../protocol/index.ts';

export interface EdgeErrorDetails {
  page?: number;
  recipient?: string;
  /** ACCOUNT_LOCKED, RATE_LIMITED: when trying again can succeed. */
  until?: Date;
  /** PASSWORD_POLICY: the rules not met. */
  rules?: readonly PasswordRuleView[];
  /** DESTINATION_BLOCKED: the fax policy rule that refuses the recipient. */
  rule?: DestinationRule;
  cause?: unknown;
}

/**
 * The one error type the edge throws on purpose. Handlers throw it; the dispatchers (WebSocket,
 * HTTP) turn it into a reply with its code. Anything else that escapes is reported as INTERNAL.
 */
export class EdgeError extends Error {
  readonly code: ErrorCode;
  readonly page?: number;
  readonly recipient?: string;
  readonly until?: Date;
  readonly rules?: readonly PasswordRuleView[];
  readonly rule?: DestinationRule;

  constructor(code: ErrorCode, message: string = ERROR_CODES[code], details: EdgeErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'EdgeError';
    this.code = code;
    if (details.page !== undefined) this.page = details.page;
    if (details.recipient !== undefined) this.recipient = details.recipient;
    if (details.until !== undefined) this.until = details.until;
    if (details.rules !== undefined) this.rules = details.rules;
    if (details.rule !== undefined) this.rule = details.rule;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.page !== undefined) body.page = this.page;
    if (this.recipient !== undefined) body.recipient = this.recipient;
    if (this.until !== undefined) body.until = this.until.toISOString();
    if (this.rules !== undefined)
      body.rules = this.rules.map(({ rule, ok, message }) => ({ rule, ok, message }));
    if (this.rule !== undefined) body.rule = this.rule;
    return body;
  }

  /** Any thrown value as an EdgeError; unexpected ones become INTERNAL without leaking details. */
  static from(error: unknown): EdgeError {
    if (error instanceof EdgeError) return error;
    // A full disk under SQLite (or a write of ours): a condition an operator can fix, not a bug.
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT')
      return new EdgeError('STORAGE_FULL', ERROR_CODES.STORAGE_FULL, { cause: error });
    return new EdgeError('INTERNAL', ERROR_CODES.INTERNAL, { cause: error });
  }
}
