/**
 * Every error the edge reports to a panel has one of these stable codes. The message text beside a
 * code is for people and may change; the code may not. Panels map codes to their own wording.
 */
export const ERROR_CODES = {
  // Envelope and session
  BAD_MESSAGE: 'The message is not valid JSON or does not match its schema.',
  UNKNOWN_TYPE: 'The message type is not part of the negotiated protocol version.',
  HELLO_REQUIRED: 'The first message on a connection must be hello.',
  UNSUPPORTED_VERSION: 'The panel and the edge share no protocol version.',
  DEVICE_UNAUTHORIZED: 'The device credential is missing, unknown or revoked: pair the device again.',
  RATE_LIMITED: 'Too many attempts; wait and try again.',
  AUTH_REQUIRED: 'Sign in first: this device needs a signed-in person for this.',
  INTERNAL: 'The edge hit an unexpected error; the job, if any, is kept.',
  // People: sign-in, passwords, two-factor, sessions, links (user-prompt mode and the admin tools)
  INVALID_CREDENTIALS: 'The email or password is wrong. Check both and try again.',
  ACCOUNT_LOCKED:
    'The account is locked after too many failed attempts: wait until it unlocks, or ask an administrator to unlock it.',
  ACCOUNT_DISABLED: 'The account is disabled: ask an administrator of your company.',
  BUILTIN_PASSWORD_DISABLED:
    "This account does not use a password here: sign in at the printer's own sign-in (card or PIN) or with your company sign-in.",
  PASSWORD_POLICY:
    "The new password does not meet the company's password rules; each rule not met is listed.",
  PASSWORD_EXPIRED: 'The password has expired: choose a new one.',
  TOTP_REQUIRED: 'Enter the 6-digit code from your authenticator app.',
  TOTP_INVALID: 'The code is wrong or too old: enter the current code from your authenticator app.',
  TOTP_REPLAYED: 'That code was already used: wait for the next code in your authenticator app.',
  TWO_FACTOR_NOT_ENROLLED: 'Two-factor authentication is not set up for this account.',
  SIGN_IN_EXPIRED: 'The sign-in took too long: enter your email and password again.',
  SESSION_EXPIRED: 'You were signed out after a while without activity: sign in again.',
  SESSION_REVOKED: 'You were signed out (by an administrator, or from this printer): sign in again.',
  SESSION_DEVICE_MISMATCH: 'This sign-in belongs to another printer: sign in again here.',
  TOKEN_INVALID: 'The sign-in token is not valid: sign in again.',
  LINK_INVALID: 'The link is not valid: ask for a new invitation or password reset.',
  LINK_EXPIRED: 'The link has expired: ask for a new invitation or password reset.',
  LINK_USED: 'The link was already used: ask for a new one if you still need it.',
  AUTH_MODE_MISMATCH:
    "This printer does not sign people in that way: use the printer's own sign-in, or nothing (shared account).",
  UNKNOWN_USER:
    'The person signed in at the printer has no account in this company: ask an administrator to add them.',
  // Device login: the edge reading who is signed in at the printer (device API, DESIGN.md §3)
  DEVICE_LOGIN_UNAVAILABLE:
    "The printer's own sign-in cannot be read right now (the printer does not answer or answered nonsense): check the printer is on and connected; the edge keeps trying.",
  DEVICE_CREDENTIAL_REJECTED:
    "The printer refused the edge's admin credential: an administrator must enter the printer's current admin password for this device in the admin console.",
  DEVICE_LOGIN_LOCKED_OUT:
    'The printer locked the edge out after too many failed sign-ins; it tries again after the lockout (about a minute). If it persists, check the admin password stored for this device.',
  DEVICE_CREDENTIAL_MISSING:
    "This printer is in device-login mode but the edge has no admin credential for it: an administrator must enter the printer's admin password for this device.",
  // Administration (policies, enterprises, users, stored secrets)
  POLICY_INVALID: 'The policy setting is not valid; the message names the key and the allowed values.',
  ENTERPRISE_NOT_FOUND: 'No such enterprise.',
  ENTERPRISE_EXISTS: 'An enterprise with that name or identifier already exists.',
  ENTERPRISE_SLUG_INVALID:
    'An enterprise identifier is 2 to 63 of a-z, 0-9 and -, and neither starts nor ends with -.',
  USER_NOT_FOUND: 'No user with that email in this enterprise.',
  USER_EXISTS: 'A user with that email already exists in this enterprise.',
  DEVICE_NOT_FOUND: 'No such device.',
  SECRET_INVALID:
    "A stored secret could not be decrypted: it was altered, or the edge's secret key (MFP_EDGE_SECRET_KEY or data/secret.key) changed.",
  SECRET_KEY_INVALID:
    'The secret key is not valid: MFP_EDGE_SECRET_KEY (or data/secret.key) must hold 32 bytes as base64 or hex.',
  // REST API and admin console (HTTP statuses in edge-service/src/api/)
  NOT_FOUND: 'No such API resource.',
  METHOD_NOT_ALLOWED: 'This resource does not accept that method.',
  VALIDATION_FAILED: 'The request does not match its schema; the message names each field that is wrong.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than the API accepts.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the request body as application/json.',
  UNAUTHENTICATED: 'Sign in to the console, or send a valid API token (Authorization: Bearer).',
  API_TOKEN_INVALID: 'The API token is unknown, expired or revoked: create a new one in the console.',
  CSRF_INVALID: 'The request lacks the console page token (X-CSRF-Token): reload the page and try again.',
  FORBIDDEN: 'Your role does not allow this.',
  RESTRICTED_ACCESS:
    "This enterprise has restricted access on: vendor support and reseller accounts cannot see or change its data. Ask the enterprise's administrator.",
  LAST_ADMIN: 'An enterprise must keep at least one active administrator: add another administrator first.',
  TWO_FACTOR_REQUIRED_FOR_ADMINS:
    'Administrators must use two-factor authentication: it cannot be turned off for them.',
  PAIRING_CODE_INVALID: 'The pairing code is unknown, used or expired: read the code the printer shows now.',
  PAIRING_PENDING: 'The pairing is not approved yet: the administrator has not entered the code.',
  DEVICE_PROBE_FAILED: 'The printer at that address did not answer as a scanner (eSCL) or fax (IPP FaxOut).',
  // Audit log (api helper)
  AUDIT_CHAIN_BROKEN:
    'The audit log was altered: an entry does not match its hash or one is missing. Keep the database file for investigation.',
  // Fax directory, personal contacts (issue 11, directory helper)
  DIRECTORY_ENTRY_NOT_FOUND: 'No such entry in the enterprise fax directory.',
  DIRECTORY_ENTRY_EXISTS:
    'That fax number is already in the directory: edit its entry instead of adding it again.',
  DIRECTORY_IMPORT_INVALID:
    'The directory file could not be imported (nothing was imported); the message names each row that is wrong.',
  CONTACT_NOT_FOUND: 'No such contact in your list.',
  CONTACT_EXISTS: 'That number is already one of your contacts.',
  CONTACTS_FULL: 'Your contact list is full: remove a contact first.',
  CONTACTS_UNAVAILABLE:
    'Personal contacts are not kept on a shared-account printer (everyone there would see them): use the directory or type the number.',
  // Fax input
  INVALID_NUMBER: 'The fax number is not a valid phone number.',
  NO_RECIPIENTS: 'A fax needs at least one recipient.',
  TOO_MANY_RECIPIENTS: 'A fax has more recipients than allowed.',
  JOB_NOT_FOUND: 'No such job on this device.',
  JOB_FINISHED: 'The job has already finished.',
  FAX_SERVICE_DISABLED: 'Fax is turned off for your account: ask an administrator of your company.',
  // Live job (resume helper, issue 11)
  JOB_NOT_WAITING:
    'The job is not waiting for Resume: it is still scanning or sending, or it has finished. Look at its state on the panel.',
  // Scanner
  SCANNER_BUSY: 'The scanner is in use by someone else.',
  SCANNER_JAM: 'Paper is jammed in the feeder.',
  FEEDER_EMPTY: 'The document feeder is empty.',
  COVER_OPEN: 'A cover of the scanner is open.',
  SCANNER_OFFLINE: 'The scanner does not answer.',
  SCANNER_ERROR: 'The scanner reported an error.',
  SCAN_INTERRUPTED: 'The edge restarted while scanning; the sheets already fed cannot be read again.',
  // Fax line
  FAX_UNSUPPORTED: 'The device offers no fax modem.',
  FAX_BUSY: 'The line of the recipient was busy.',
  FAX_NO_ANSWER: 'The recipient did not answer.',
  FAX_DROPPED: 'The call dropped during transmission.',
  FAX_LINE_DOWN: 'The fax line of the device is down.',
  FAX_ERROR: 'The fax modem reported an error.',
  FAX_UNREACHABLE: 'The printer does not answer: check it is on and connected to the network.',
  FAX_JOB_LOST:
    'The printer lost the fax part-way (it restarted or stopped answering); it is sent again if the retry policy allows.',
  // Edge storage
  SPOOL_FULL: 'The edge ran out of disk space for scanned pages.',
  // Images
  IMAGE_INVALID: 'A scanned page could not be read as an image.',
  IMAGE_TOO_LARGE: 'A scanned page is larger than the edge accepts.',
  // Composer options, destination rules, cover page, preview (issue 11)
  DESTINATION_BLOCKED:
    "The company's fax policy does not allow faxes to this number; the rule is named. Ask an administrator if you need it.",
  ALL_PAGES_BLANK:
    'Every scanned page was blank, so nothing was sent: check the originals face the right way, or turn off "Skip blank pages".',
  PREVIEW_UNAVAILABLE:
    'A preview scans the glass only: put the first page on the glass, or send without a preview.',
  // Email-to-fax (issue 13): what an emailed document can fail with, in receipts and the console.
  PDF_ENCRYPTED: 'An emailed PDF is protected by a password: send it without the protection.',
  PDF_INVALID: 'An emailed PDF cannot be read: save it again and resend.',
  PAGE_LIMIT: 'The emailed document has more pages than the enterprise allows for an email fax.',
  ATTACHMENT_UNSUPPORTED: 'An email attachment is not PDF, TIFF, JPEG or PNG, so it cannot be faxed.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * WebSocket close codes the edge uses (4000–4999 is the application range of RFC 6455). 1009 (too
 * big) and 1011 (internal error) are the standard ones.
 */
export const CLOSE_CODES = {
  MESSAGE_TOO_BIG: 1009,
  INTERNAL: 1011,
  BAD_MESSAGE: 4400,
  DEVICE_UNAUTHORIZED: 4401,
  HELLO_TIMEOUT: 4408,
  UNSUPPORTED_VERSION: 4426,
  DEVICE_REVOKED: 4403,
  /** An admin changed the device (name, auth mode, shared account, URLs): reconnect and hello again. */
  DEVICE_CHANGED: 4409,
} as const;
