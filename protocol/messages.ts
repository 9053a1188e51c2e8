import { z } from 'zod';
import { ERROR_CODE_LIST, type ErrorCode } from './error-codes.ts';
import { JOB_STATES } from './job-states.ts';
import { COVER_NAME_MAX, COVER_NOTE_MAX, COVER_SUBJECT_MAX, MAX_THUMBNAIL_CHARS } from './limits.ts';

/*
 * The panel↔edge messages. This file is the only place a message is defined: the edge validates
 * with these schemas, the panel imports their types, and protocol/schema.json is generated from them.
 */

const id = z.string().min(1).max(64);

export const FaxResolution = z.enum(['standard', 'fine', 'superfine']);
export const ScanSource = z.enum(['adf', 'platen']);
/** The originals' size: the scan region. auto: the device's largest area (up to Legal), fitted to the fax width. */
export const OriginalSize = z.enum(['a4', 'letter', 'legal', 'auto']);
/** text: a threshold that keeps fine print; photo: a halftone (error diffusion) that keeps greys readable. */
export const ContentType = z.enum(['text', 'photo']);
/** Which destination rule of the enterprise's fax policy refuses a number (fax.checkNumber, DESTINATION_BLOCKED). */
export const DestinationRule = z.enum(['international', 'country', 'premium', 'non-geographic']);

/** An optional cover page, drawn by the edge as the fax's first page. */
export const CoverPage = z.object({
  subject: z.string().max(COVER_SUBJECT_MAX).default(''),
  note: z.string().max(COVER_NOTE_MAX).default(''),
  /** Default: the signed-in person (or the shared account) and the enterprise. */
  senderName: z.string().max(COVER_NAME_MAX).optional(),
  /** Default: the recipients' numbers only. */
  recipientName: z.string().max(COVER_NAME_MAX).optional(),
});
export const AuthMode = z.enum(['shared-account', 'device-login', 'user-prompt']);

export const JobState = z.enum(JOB_STATES);

/** One password rule of the enterprise and whether a candidate meets it (null: checked on submit). */
export const PasswordRuleView = z.object({
  rule: z.string().max(32),
  ok: z.boolean().nullable(),
  message: z.string(),
});

export const ErrorBody = z.object({
  code: z.enum(ERROR_CODE_LIST as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  /** Which page or recipient the error concerns, when it concerns one. */
  page: z.number().int().positive().optional(),
  recipient: z.string().optional(),
  /** ACCOUNT_LOCKED, RATE_LIMITED: when trying again can succeed (ISO 8601); absent: until an admin acts. */
  until: z.string().optional(),
  /** PASSWORD_POLICY: the rules the new password failed. */
  rules: z.array(PasswordRuleView).optional(),
  /** DESTINATION_BLOCKED: the fax policy rule that refuses `recipient`. */
  rule: DestinationRule.optional(),
});

export const Recipient = z.object({
  number: z.string(),
  state: z.enum(['pending', 'dialing', 'sending', 'delivered', 'failed', 'retry-wait']),
  error: ErrorBody.optional(),
});

/**
 * Where one page is: scanned (in the spool), compressed (converted to the fax's G4 page), sending
 * (on the line to at least one recipient now), sent (received by every recipient). `sentTo` counts the
 * recipients whose fax machine has this page: with several recipients a page can be sent to some
 * and still waiting for others (busy, retry later).
 */
export const PageState = z.enum(['scanned', 'compressed', 'sending', 'sent']);
export const PageView = z.object({
  number: z.number().int().positive(),
  state: PageState,
  sentTo: z.number().int().nonnegative(),
});

/** A page with its thumbnail: a PNG data URL, gray, about 120 px wide (job.page, job.get). */
export const PageThumbnail = z.object({
  number: z.number().int().positive(),
  state: PageState,
  /** `data:image/png;base64,…`; absent when the scanned image could not be previewed. */
  thumbnail: z.string().max(MAX_THUMBNAIL_CHARS).optional(),
});

/**
 * In needs-attention: what the person has to do. The sheet the feeder stopped on was not scanned:
 * it and every sheet after it go back in the feeder. With duplex a sheet holds two pages.
 */
export const JobAttention = z.object({
  /** Pages scanned and kept (1 … pagesKept); Resume numbers the new ones after them. */
  pagesKept: z.number().int().nonnegative(),
  /** The first page to put back (pagesKept + 1). */
  fromPage: z.number().int().positive(),
  /** The first sheet to put back (equals fromPage in simplex). */
  fromSheet: z.number().int().positive(),
  duplex: z.boolean(),
  /** When the job stops waiting and fails with the original code (ISO 8601). */
  until: z.string(),
});

export const JobView = z.object({
  id,
  state: JobState,
  createdAt: z.string(),
  updatedAt: z.string(),
  resolution: FaxResolution,
  pagesScanned: z.number().int().nonnegative(),
  pagesSent: z.number().int().nonnegative(),
  totalPages: z.number().int().nonnegative().nullable(),
  recipients: z.array(Recipient),
  error: ErrorBody.optional(),
  /** In retry-wait: when the next attempt dials the recipients that were busy or did not answer (ISO 8601). */
  retryAt: z.string().optional(),
  /** How many times the printer lost this fax part-way (it restarted) and the edge sent it again. */
  resentAfterRestart: z.number().int().positive().optional(),
  /** The options the job was sent with (jobs sent before they existed show the defaults). */
  options: z
    .object({
      source: ScanSource,
      duplex: z.boolean(),
      originalSize: OriginalSize,
      contentType: ContentType,
      skipBlankPages: z.boolean(),
      cover: z.boolean(),
    })
    .optional(),
  /** skipBlankPages: scanned pages left out as blank (not in totalPages). */
  pagesSkipped: z.number().int().nonnegative().optional(),
  /** Each page scanned so far and where it is (no thumbnails: job.page and job.get carry them). */
  pages: z.array(PageView).optional(),
  /** In needs-attention: which sheets to put back (the text to show is `error.message`). */
  attention: JobAttention.optional(),
});

export const DeviceView = z.object({ id, name: z.string(), authMode: AuthMode });
export const UserView = z.object({
  displayName: z.string(),
  email: z.string(),
  /** The person's own language for the panel's words; absent: the device's language applies. */
  language: z.enum(['en', 'fr', 'de']).optional(),
});

/**
 * What a panel needs of its enterprise's policy document. `version` only grows: a panel keeps the
 * highest it has seen and ignores an older one.
 */
export const PolicyView = z.object({
  /** 0: the defaults of an enterprise that never changed its policy. */
  version: z.number().int().nonnegative(),
  /** Seconds without a touch before the edge signs the person out (never during their running send). */
  panelInactivitySeconds: z.number().int().positive(),
  twoFactor: z.enum(['optional', 'mandatory']),
  passwordMinLength: z.number().int().min(8),
  /** The enterprise signs people in with its company sign-in (SSO): "sign in with your phone" comes first. */
  companySignIn: z.boolean().optional(),
});

/** A panel session: the token goes back in hello after a reconnect, and nowhere else. */
export const SessionView = z.object({
  sessionToken: z.string().max(2048),
  user: UserView,
  /** When the session ends unless the person touches the panel (ISO 8601); extended by activity. */
  expiresAt: z.string(),
});

const stepToken = z.string().min(1).max(256);
const stepBase = { stepToken, expiresAt: z.string() };

/** The next screen of a user-prompt sign-in. */
export const SignInStep = z.discriminatedUnion('step', [
  /** Ask for the 6-digit code of the authenticator app (or a recovery code). */
  z.object({ step: z.literal('totp'), ...stepBase }),
  /** Ask for a new password, showing every rule as the person types (auth.passwordRules). */
  z.object({
    step: z.literal('change-password'),
    ...stepBase,
    reason: z.enum(['expired', 'must-change']),
    rules: z.array(PasswordRuleView),
  }),
  /** Mandatory 2FA not set up: show the QR code (PNG data URL) and the key, then ask for a code. */
  z.object({
    step: z.literal('enrol-2fa'),
    ...stepBase,
    secret: z.string().max(128),
    otpauthUri: z.string().max(1024),
    qrPng: z.string().max(65536),
  }),
  /** Signed in. Recovery codes come once, right after enrolment, to be written down. */
  z.object({
    step: z.literal('done'),
    session: SessionView,
    recoveryCodes: z.array(z.string().max(64)).max(20).optional(),
  }),
]);

/** Why a panel session ended (session.changed with user null). */
export const SessionEndReason = z.enum([
  'sign-out',
  'inactivity',
  'expired',
  'locked',
  'disabled',
  'password-changed',
  'admin',
  'device-revoked',
  'device-sign-out',
  'unknown-person',
]);

/** The panel app, as it names itself in hello and pairing.begin. */
const PanelApp = z.object({ name: z.string().max(64), version: z.string().max(32) });

/** The pairing secret only the panel holds (RFC 8628 device_code): 256 bits, base64url. */
const deviceCode = z.string().min(16).max(256);

/* Credentials are bounded by the 64 KiB frame; the edge treats anything beyond its limits as wrong. */
const credential = z.string().max(4096);

/** A fax number as the panel shows it: what is dialled, its two formats, and where it goes. */
export const NumberView = z.object({
  /** E.164: what the panel sends back in fax.send. */
  e164: z.string().max(16),
  /** International format, e.g. +33 1 42 68 53 00. */
  display: z.string().max(64),
  /** National format, as dialled inside its country, e.g. 01 42 68 53 00. */
  national: z.string().max(64),
  /** ISO 3166-1 alpha-2; null for numbers of no one country (+800). */
  country: z.string().max(2).nullable(),
  /** The country's name in the person's language (en, fr, de). */
  countryName: z.string().max(100).nullable(),
});

/** An entry of the enterprise fax directory (managed in the admin console and the API). */
export const DirectoryEntryView = NumberView.extend({
  id,
  name: z.string().max(100),
  company: z.string().max(100).nullable(),
  department: z.string().max(100).nullable(),
});

/** One of the signed-in person's own contacts. */
export const ContactView = NumberView.extend({ id, name: z.string().max(100) });

/** A number faxed lately, the name it has in the person's contacts or the directory, if any. */
export const RecentNumberView = NumberView.extend({
  name: z.string().max(100).nullable(),
  /** When the latest fax to it was sent (ISO 8601). */
  lastSentAt: z.string(),
});

/** Requests the panel sends, by type: each has a payload schema and a reply payload schema. */
export const requests = {
  hello: {
    payload: z.object({
      /** Protocol versions the panel speaks; the edge answers with the highest shared one. */
      protocolVersions: z.array(z.number().int().positive()).min(1).max(16),
      /** The device credential received at pairing. */
      deviceToken: z.string().min(16).max(256),
      app: PanelApp,
      /** A session this panel had before it reconnected: resumed if still valid, else ignored. */
      sessionToken: z.string().max(2048).optional(),
    }),
    reply: z.object({
      protocolVersion: z.number().int(),
      edgeVersion: z.string(),
      device: DeviceView,
      /** The person the panel acts for: the shared account, the person signed in at the MFP, or a resumed session's user. */
      user: UserView.nullable(),
      session: SessionView.nullable().optional(),
      policy: PolicyView.optional(),
    }),
  },
  /**
   * A panel with no device credential asks to be paired (instead of hello; DESIGN.md §2). The
   * user code is shown for the admin to type in the console; the device code stays on the panel
   * (kept across reconnects) and is traded for the device credential once the admin approved.
   * Rate-limited per source address (RATE_LIMITED with `until`).
   */
  'pairing.begin': {
    payload: z.object({
      app: PanelApp,
      /** The panel's screen in CSS pixels, for the admin to recognise it (e.g. 800×480). */
      screen: z
        .object({ width: z.number().int().min(1).max(10000), height: z.number().int().min(1).max(10000) })
        .optional(),
    }),
    reply: z.object({
      /** RFC 8628 user code: 8 of BCDFGHJKLMNPQRSTVWXZ, shown XXXX-XXXX. */
      userCode: z.string().regex(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
      /** The panel's secret for pairing.claim: never shown, never logged. */
      deviceCode,
      /** When the codes stop working (ISO 8601): 10 minutes after begin. */
      expiresAt: z.string(),
      /** The admin console's approve page with the code filled in: `<edge>/admin/#/pair?code=WDJBMJHT`. */
      approveUrl: z.string().max(2048),
      /** approveUrl as a QR code, a PNG data URL (panels may lack SVG; CSP allows img-src data:). */
      qrPng: z.string().max(65536),
    }),
  },
  /**
   * Trades the device code for the device credential, once: after `pairing.approved` (or after a
   * reconnect, to find out). PAIRING_PENDING before the approval (the connection then hears
   * `pairing.approved` when it comes); PAIRING_CODE_INVALID when unknown, expired or already used.
   * Then send hello with the credential, on this connection or another.
   */
  'pairing.claim': {
    payload: z.object({ deviceCode }),
    reply: z.object({
      /** The device credential: keep it (the only secret a panel holds) and send it in hello. */
      deviceToken: z.string().min(16).max(256),
    }),
  },
  /** user-prompt: email and password; answers with the next step or a coded refusal. */
  'auth.password': {
    payload: z.object({ email: credential, password: credential }),
    reply: SignInStep,
  },
  /** The code of the authenticator app (or a recovery code) for a `totp` step. */
  'auth.totp': {
    payload: z.object({ stepToken, code: credential }),
    reply: SignInStep,
  },
  /** Every password rule against a candidate, as the person types (nothing is stored). */
  'auth.passwordRules': {
    payload: z.object({ stepToken, candidate: credential }),
    reply: z.object({ rules: z.array(PasswordRuleView) }),
  },
  /** The new password of a `change-password` step. */
  'auth.changePassword': {
    payload: z.object({ stepToken, password: credential }),
    reply: SignInStep,
  },
  /** A code from the secret an `enrol-2fa` step showed: confirms the enrolment. */
  'auth.enrolTwoFactor': {
    payload: z.object({ stepToken, code: credential }),
    reply: SignInStep,
  },
  /**
   * Sign in with your phone (user-prompt; RFC 8628, the edge is the authorization server): a code
   * and the phone page's URL (and its QR) to show. The outcome comes as an event within a second:
   * `auth.phone.approved` then `session.changed` with the session, `auth.phone.denied`, or
   * `auth.phone.expired`. A new begin, a password sign-in or `auth.phone.cancel` ends the old code.
   */
  'auth.phone.begin': {
    payload: z.object({}),
    reply: z.object({
      /** RFC 8628 user code: 8 of BCDFGHJKLMNPQRSTVWXZ, shown XXXX-XXXX. */
      userCode: z.string().regex(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
      /** `<edge>/auth/<slug>/device`: where a person types the code. */
      verificationUri: z.string().max(2048),
      /** verificationUri with `?user_code=…`: what the QR code holds. */
      verificationUriComplete: z.string().max(2048),
      /** verificationUriComplete as a QR code, a PNG data URL. */
      qrPng: z.string().max(65536),
      /** When the code stops working (ISO 8601): the policy's phoneSignInMinutes after begin. */
      expiresAt: z.string(),
      /** RFC 8628 interval (seconds): for pollers; panels hear the outcome as an event instead. */
      interval: z.number().int().positive(),
    }),
  },
  /** The person gave up on the phone sign-in: its code can no longer be confirmed. */
  'auth.phone.cancel': {
    payload: z.object({}),
    reply: z.object({}),
  },
  /** Ends the panel session (user-prompt; a device-login session ends at the MFP). */
  'auth.signOut': {
    payload: z.object({}),
    reply: z.object({}),
  },
  /** The person touched the panel: the inactivity timer starts again. Panels send it at most every few seconds. */
  'session.activity': {
    payload: z.object({}),
    reply: z.object({
      expiresAt: z.string().nullable(),
      /** The session with a fresh token (keep it for hello after a reconnect); absent without one. */
      session: SessionView.optional(),
    }),
  },
  /**
   * A number as typed: INVALID_NUMBER when it is not one; otherwise where it goes and whether the
   * enterprise's destination rules let a fax go there (a refused number is a reply, not an error:
   * the panel shows `message` under the number and disables Add; fax.send refuses it the same way).
   */
  'fax.checkNumber': {
    payload: z.object({ number: z.string().max(64) }),
    reply: z.object({
      e164: z.string(),
      /** ISO 3166-1 alpha-2; null for a number of no country (+800 and other global services). */
      country: z.string().nullable(),
      /** The country's name in the person's language (null for a number of no country). */
      countryName: z.string().nullable(),
      display: z.string(),
      /** The national format of the number. */
      national: z.string().optional(),
      /** libphonenumber's type (FIXED_LINE, MOBILE, PREMIUM_RATE, …); null when unknown. */
      numberType: z.string().nullable(),
      allowed: z.boolean(),
      /** When not allowed: the rule and a sentence naming it and what to do. */
      rule: DestinationRule.optional(),
      message: z.string().optional(),
    }),
  },
  /**
   * The enterprise fax directory, searched by the start of a word of the name, company or
   * department, or of the number (international or national digits). An empty query lists from A.
   * The signed-in person's enterprise only (on a shared-account device: the device's).
   */
  'directory.search': {
    payload: z.object({
      query: z.string().max(100).default(''),
      limit: z.number().int().min(1).max(50).default(20),
    }),
    reply: z.object({
      entries: z.array(DirectoryEntryView),
      /** How many entries match in all (more than `entries` holds: ask the person to type more). */
      total: z.number().int().nonnegative(),
    }),
  },
  /**
   * The signed-in person's own contacts, by name. Only on devices where people sign in
   * (user-prompt, device-login): a shared-account device answers CONTACTS_UNAVAILABLE, since
   * everyone at that printer is the same account.
   */
  'contacts.list': {
    payload: z.object({}),
    reply: z.object({ contacts: z.array(ContactView) }),
  },
  /** Adds a contact (the number is checked as fax.checkNumber does). CONTACT_EXISTS, CONTACTS_FULL. */
  'contacts.add': {
    payload: z.object({ name: z.string().trim().min(1).max(100), number: z.string().max(64) }),
    reply: z.object({ contact: ContactView }),
  },
  /** Removes one of the person's contacts; CONTACT_NOT_FOUND for any other id. */
  'contacts.remove': {
    payload: z.object({ id }),
    reply: z.object({}),
  },
  /**
   * The last distinct numbers faxed, the latest first: the signed-in person's (from any printer of
   * the enterprise), or on a shared-account device this device's.
   */
  'recipients.recent': {
    payload: z.object({ limit: z.number().int().min(1).max(20).default(10) }),
    reply: z.object({ numbers: z.array(RecentNumberView) }),
  },
  /**
   * Scans, converts and faxes. Every number is checked (INVALID_NUMBER, DESTINATION_BLOCKED with
   * `recipient` and `rule`) before the job is accepted; nothing is scanned for a refused job.
   */
  'fax.send': {
    payload: z.object({
      /** At most MAX_FAX_RECIPIENTS, checked by the edge so the panel gets TOO_MANY_RECIPIENTS. */
      recipients: z.array(z.string().max(64)),
      resolution: FaxResolution.default('fine'),
      source: ScanSource.default('adf'),
      duplex: z.boolean().default(false),
      originalSize: OriginalSize.default('auto'),
      contentType: ContentType.default('text'),
      /** Leave out pages with (almost) no ink; a job whose every page is blank fails with ALL_PAGES_BLANK. */
      skipBlankPages: z.boolean().default(false),
      cover: CoverPage.optional(),
    }),
    reply: z.object({ job: JobView }),
  },
  /**
   * A preview of the original on the glass (platen only: a feeder would feed the sheet out of the
   * tray, so the feeder is refused with PREVIEW_UNAVAILABLE). Nothing is kept.
   */
  'fax.preview': {
    payload: z.object({
      source: ScanSource.default('platen'),
      resolution: FaxResolution.default('fine'),
      originalSize: OriginalSize.default('auto'),
      contentType: ContentType.default('text'),
    }),
    reply: z.object({
      /** The page as the fax will carry it (bilevel), a PNG data URL about 240 pixels wide. */
      png: z.string().max(60000),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      blank: z.boolean(),
    }),
  },
  'job.cancel': {
    payload: z.object({ jobId: id }),
    reply: z.object({ job: JobView }),
  },
  /**
   * A job in needs-attention carries on: a new scan job on the device whose pages are appended after
   * the kept ones (`finish: true`: no sheet is left, send the pages kept as they are). Owner only, as
   * job.cancel. JOB_NOT_WAITING when the job is not in needs-attention.
   */
  'job.resume': {
    payload: z.object({ jobId: id, finish: z.boolean().default(false) }),
    reply: z.object({ job: JobView }),
  },
  /**
   * One job with the thumbnails of its pages, to rebuild the live view after a reload or a
   * reconnect. Thumbnails come from page `fromPage` on (default 1) as far as fit in one frame;
   * `nextPage` says where to ask again when more are left. Owner only on sign-in devices.
   */
  'job.get': {
    payload: z.object({ jobId: id, fromPage: z.number().int().positive().default(1) }),
    reply: z.object({
      job: JobView,
      thumbnails: z.array(PageThumbnail),
      nextPage: z.number().int().positive().optional(),
    }),
  },
  'jobs.list': {
    payload: z.object({ limit: z.number().int().min(1).max(50).default(10) }),
    reply: z.object({ jobs: z.array(JobView) }),
  },
} as const;

/** Events the edge pushes without being asked. */
export const events = {
  'job.updated': z.object({ job: JobView }),
  /** A page was scanned: its thumbnail, pushed once to the panels that hear the job. */
  'job.page': z.object({ jobId: id, page: PageThumbnail }),
  /**
   * The person the panel acts for changed: signed in at the MFP (device-login), or the session ended
   * (user null, with why). `code`/`message` explain a refusal, e.g. UNKNOWN_USER for a person signed
   * in at the MFP who has no account in the enterprise.
   */
  'session.changed': z.object({
    user: UserView.nullable(),
    session: SessionView.nullable().optional(),
    reason: SessionEndReason.optional(),
    code: z.enum(ERROR_CODE_LIST as [ErrorCode, ...ErrorCode[]]).optional(),
    message: z.string().optional(),
  }),
  /** The inactivity sign-out is near: show a countdown; any activity cancels it. */
  'session.expiring': z.object({ at: z.string() }),
  /** The enterprise's policy changed: pushed to every connected panel of the enterprise within a second. */
  'policy.updated': z.object({ policy: PolicyView }),
  /** An admin approved this panel's pairing: send pairing.claim now. Carries no secret. */
  'pairing.approved': z.object({ deviceName: z.string() }),
  /** The pairing's 10 minutes ran out unapproved: begin again for a fresh code. */
  'pairing.expired': z.object({}),
  /** The person confirmed on their phone: `session.changed` with their session follows at once. */
  'auth.phone.approved': z.object({ user: UserView }),
  /** The person denied on their phone: nobody is signed in; begin again for a new code. */
  'auth.phone.denied': z.object({}),
  /** The code's time ran out unconfirmed: begin again for a new code. */
  'auth.phone.expired': z.object({}),
} as const;

export type RequestType = keyof typeof requests;
export type EventType = keyof typeof events;
export type RequestPayload<T extends RequestType> = z.input<(typeof requests)[T]['payload']>;
export type ParsedRequestPayload<T extends RequestType> = z.output<(typeof requests)[T]['payload']>;
export type ReplyPayload<T extends RequestType> = z.infer<(typeof requests)[T]['reply']>;
export type EventPayload<T extends EventType> = z.infer<(typeof events)[T]>;
export type JobView = z.infer<typeof JobView>;
export type JobState = z.infer<typeof JobState>;
export type PageView = z.infer<typeof PageView>;
export type PageState = z.infer<typeof PageState>;
export type PageThumbnail = z.infer<typeof PageThumbnail>;
export type JobAttention = z.infer<typeof JobAttention>;
export type FaxResolution = z.infer<typeof FaxResolution>;
export type ScanSource = z.infer<typeof ScanSource>;
export type OriginalSize = z.infer<typeof OriginalSize>;
export type ContentType = z.infer<typeof ContentType>;
export type DestinationRule = z.infer<typeof DestinationRule>;
export type CoverPage = z.infer<typeof CoverPage>;
export type AuthMode = z.infer<typeof AuthMode>;
export type ErrorBody = z.infer<typeof ErrorBody>;
export type DeviceView = z.infer<typeof DeviceView>;
export type UserView = z.infer<typeof UserView>;
export type PolicyView = z.infer<typeof PolicyView>;
export type SessionView = z.infer<typeof SessionView>;
export type SignInStep = z.infer<typeof SignInStep>;
export type SessionEndReason = z.infer<typeof SessionEndReason>;
export type PasswordRuleView = z.infer<typeof PasswordRuleView>;
export type NumberView = z.infer<typeof NumberView>;
export type DirectoryEntryView = z.infer<typeof DirectoryEntryView>;
export type ContactView = z.infer<typeof ContactView>;
export type RecentNumberView = z.infer<typeof RecentNumberView>;
