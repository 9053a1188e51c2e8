import type { ErrorCode } from '../../../protocol/index.ts';

/**
 * The one table from an error code to its HTTP status (DESIGN.md §10: one place turns errors into
 * replies). A code not listed is a 400 when it names something wrong with the request (the
 * default); server-side failures are listed as 5xx. ACCOUNT_LOCKED is 423 Locked (RFC 4918): the
 * credentials may be right, the resource (the account) is locked, and clients should not retry
 * with other credentials.
 */
const STATUS: Partial<Record<ErrorCode, number>> = {
  // 401: who you are is unknown or no longer valid
  UNAUTHENTICATED: 401,
  API_TOKEN_INVALID: 401,
  AUTH_REQUIRED: 401,
  INVALID_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  SESSION_REVOKED: 401,
  SESSION_DEVICE_MISMATCH: 401,
  TOKEN_INVALID: 401,
  SIGN_IN_EXPIRED: 401,
  TOTP_INVALID: 401,
  TOTP_REPLAYED: 401,
  DEVICE_UNAUTHORIZED: 401,
  // 403: known, but not allowed
  FORBIDDEN: 403,
  RESTRICTED_ACCESS: 403,
  CSRF_INVALID: 403,
  ACCOUNT_DISABLED: 403,
  BUILTIN_PASSWORD_DISABLED: 403,
  FAX_SERVICE_DISABLED: 403,
  CONTACTS_UNAVAILABLE: 403,
  // Sign in with your phone (phone part)
  PHONE_CODE_OTHER_ENTERPRISE: 403,
  // 404
  NOT_FOUND: 404,
  ENTERPRISE_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  DEVICE_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  DIRECTORY_ENTRY_NOT_FOUND: 404,
  CONTACT_NOT_FOUND: 404,
  // others of the request line
  METHOD_NOT_ALLOWED: 405,
  USER_EXISTS: 409,
  ENTERPRISE_EXISTS: 409,
  LAST_ADMIN: 409,
  JOB_FINISHED: 409,
  DIRECTORY_ENTRY_EXISTS: 409,
  CONTACT_EXISTS: 409,
  CONTACTS_FULL: 409,
  PAIRING_PENDING: 409,
  LINK_EXPIRED: 410,
  LINK_USED: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ACCOUNT_LOCKED: 423,
  RATE_LIMITED: 429,
  // Provisioning (issue 16)
  SCIM_TOKEN_INVALID: 401,
  SCIM_TOKEN_NOT_FOUND: 404,
  LDAP_SYNC_NOT_CONFIGURED: 409,
  LDAP_SYNC_RUNNING: 409,
  LDAP_MASS_DISABLE_STOPPED: 409,
  LDAP_CONNECT_FAILED: 502,
  LDAP_CERTIFICATE_INVALID: 502,
  LDAP_BIND_FAILED: 502,
  LDAP_SEARCH_FAILED: 502,
  // single sign-on (issue 12, sso part)
  SSO_NOT_CONFIGURED: 404,
  SSO_REQUEST_UNKNOWN: 401,
  SSO_REQUEST_USED: 401,
  SSO_REQUEST_EXPIRED: 401,
  SSO_BROWSER_MISMATCH: 401,
  SSO_STATE_INVALID: 401,
  SSO_SIGNATURE_INVALID: 401,
  SSO_RESPONSE_EXPIRED: 401,
  SSO_AUDIENCE_MISMATCH: 401,
  SSO_ISSUER_MISMATCH: 401,
  SSO_NONCE_INVALID: 401,
  SSO_IDP_ERROR: 401,
  SSO_EMAIL_MISSING: 401,
  SSO_USER_UNKNOWN: 403,
  SSO_CONSOLE_NOT_ALLOWED: 403,
  SSO_METADATA_UNAVAILABLE: 502,
  // single sign-on (issue 12, OIDC / WS-Fed part)
  SSO_DISCOVERY_FAILED: 502,
  SSO_CODE_REJECTED: 401,
  SSO_EMAIL_UNVERIFIED: 401,
  SSO_SIGNATURE_WRAPPED: 401,
  SSO_CLIENT_SECRET_MISSING: 500,
  // the edge's side
  INTERNAL: 500,
  SECRET_INVALID: 500,
  SECRET_KEY_INVALID: 500,
  SPOOL_FULL: 507,
  STORAGE_FULL: 507,
  DEVICE_PROBE_FAILED: 502,
  DEVICE_LOGIN_UNAVAILABLE: 502,
  FAX_UNREACHABLE: 502,
  SCANNER_OFFLINE: 502,
};

export function httpStatusOf(code: ErrorCode): number {
  return STATUS[code] ?? 400;
}

/** The statuses the API answers with, for the OpenAPI document's error responses. */
export const ERROR_STATUSES: readonly number[] = [
  ...new Set([400, ...Object.values(STATUS).filter((s) => s !== undefined)]),
].sort();
