/** Limits both sides rely on. Free of zod so panels can import them. */

/** Largest WebSocket text frame either side accepts; bigger frames close the socket (1009). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** The panel must send `hello` within this time after connecting, or the edge closes the socket. */
export const HELLO_TIMEOUT_MS = 10_000;

/** Recipients of one fax; more are refused with TOO_MANY_RECIPIENTS (panels disable Add at this count). */
export const MAX_FAX_RECIPIENTS = 10;

/** Cover page text (fax.send `cover`): longer text is refused (BAD_MESSAGE), not cut. */
export const COVER_SUBJECT_MAX = 120;
export const COVER_NOTE_MAX = 1000;
export const COVER_NAME_MAX = 80;

/** Longest page thumbnail data URL (job.page, job.get); the edge leaves out a bigger one. */
export const MAX_THUMBNAIL_CHARS = 24 * 1024;
