import { ERROR_CODES, isErrorCode, type ErrorCode } from '../../../protocol/index.ts';
import { EdgeError } from '../edge-error.ts';
import { PasswordPolicyError, type PasswordRuleResult } from '../auth/password-rules.ts';

/**
 * Codes of the account page's HTTP layer that are not panel protocol codes: they belong to a
 * browser talking HTTP (cookies, origins, bodies), not to the WebSocket contract.
 */
export const ACCOUNT_HTTP_CODES = {
  CSRF_INVALID: 'The page is out of date or was not opened here: reload it and try again.',
  ORIGIN_INVALID: 'The request did not come from this site’s own pages.',
  INVALID_BODY: 'The request is not valid JSON or form data, or a field is missing.',
  BODY_TOO_LARGE: 'The request is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'Send JSON or form data.',
  NOT_FOUND: 'No such page.',
  PASSWORD_MISMATCH: 'The two passwords are not the same.',
  EMAIL_REQUIRED: 'Enter your email address.',
} as const;

export type AccountHttpCode = keyof typeof ACCOUNT_HTTP_CODES;
export type AccountErrorCode = ErrorCode | AccountHttpCode;

const STATUS: Partial<Record<AccountErrorCode, number>> = {
  CSRF_INVALID: 403,
  ORIGIN_INVALID: 403,
  INVALID_BODY: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  PASSWORD_MISMATCH: 422,
  EMAIL_REQUIRED: 400,
  LINK_INVALID: 404,
  LINK_EXPIRED: 410,
  LINK_USED: 410,
  BUILTIN_PASSWORD_DISABLED: 403,
  ACCOUNT_DISABLED: 403,
  ACCOUNT_LOCKED: 403,
  PASSWORD_POLICY: 422,
  TOTP_INVALID: 422,
  TOTP_REPLAYED: 422,
  TOKEN_INVALID: 400,
  SIGN_IN_EXPIRED: 410,
  RATE_LIMITED: 429,
  USER_NOT_FOUND: 404,
  INVALID_CREDENTIALS: 401,
  PHONE_CODE_INVALID: 404,
  PHONE_CODE_OTHER_ENTERPRISE: 403,
};

/** An error of the account page: a code, a message for people, and what the JSON body carries. */
export class AccountError extends Error {
  readonly code: AccountErrorCode;
  readonly status: number;
  readonly rules: PasswordRuleResult[] | undefined;
  readonly retryAt: Date | undefined;

  constructor(
    code: AccountErrorCode,
    message?: string,
    extra: { rules?: PasswordRuleResult[]; retryAt?: Date; cause?: unknown } = {},
  ) {
    super(
      message ?? (isErrorCode(code) ? ERROR_CODES[code] : ACCOUNT_HTTP_CODES[code as AccountHttpCode]),
      extra.cause === undefined ? undefined : { cause: extra.cause },
    );
    this.name = 'AccountError';
    this.code = code;
    this.status = STATUS[code] ?? (code === 'INTERNAL' ? 500 : 400);
    this.rules = extra.rules;
    this.retryAt = extra.retryAt;
  }

  /** `{"error": {"code", "message", ...}}`, DESIGN.md §11's REST error shape. */
  toJson(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.rules) error.rules = this.rules;
    if (this.retryAt) error.retryAt = this.retryAt.toISOString();
    return { error };
  }

  /** Any thrown value; unexpected ones become INTERNAL with no details. */
  static from(error: unknown): AccountError {
    if (error instanceof AccountError) return error;
    if (error instanceof PasswordPolicyError)
      return new AccountError('PASSWORD_POLICY', error.message, { rules: error.failed });
    if (error instanceof EdgeError && error.code !== 'INTERNAL')
      return new AccountError(error.code, error.message);
    return new AccountError('INTERNAL', ERROR_CODES.INTERNAL, { cause: error });
  }
}
