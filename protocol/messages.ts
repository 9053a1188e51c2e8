import { z } from 'zod';
import { ERROR_CODE_LIST, type ErrorCode } from './error-codes.ts';
import { JOB_STATES } from './job-states.ts';

/*
 * The panel↔edge messages. This file is the only place a message is defined: the edge validates
 * with these schemas, the panel imports their types, and protocol/schema.json is generated from them.
 */

const id = z.string().min(1).max(64);

export const FaxResolution = z.enum(['standard', 'fine', 'superfine']);
export const ScanSource = z.enum(['adf', 'platen']);
export const AuthMode = z.enum(['shared-account', 'device-login', 'user-prompt']);

export const JobState = z.enum(JOB_STATES);

export const ErrorBody = z.object({
  code: z.enum(ERROR_CODE_LIST as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  /** Which page or recipient the error concerns, when it concerns one. */
  page: z.number().int().positive().optional(),
  recipient: z.string().optional(),
});

export const Recipient = z.object({
  number: z.string(),
  state: z.enum(['pending', 'dialing', 'sending', 'delivered', 'failed', 'retry-wait']),
  error: ErrorBody.optional(),
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
});

export const DeviceView = z.object({ id, name: z.string(), authMode: AuthMode });
export const UserView = z.object({ displayName: z.string(), email: z.string() });

/** Requests the panel sends, by type: each has a payload schema and a reply payload schema. */
export const requests = {
  hello: {
    payload: z.object({
      /** Protocol versions the panel speaks; the edge answers with the highest shared one. */
      protocolVersions: z.array(z.number().int().positive()).min(1).max(16),
      /** The device credential received at pairing. */
      deviceToken: z.string().min(16).max(256),
      app: z.object({ name: z.string().max(64), version: z.string().max(32) }),
    }),
    reply: z.object({
      protocolVersion: z.number().int(),
      edgeVersion: z.string(),
      device: DeviceView,
      user: UserView.nullable(),
    }),
  },
  'fax.checkNumber': {
    payload: z.object({ number: z.string().max(64) }),
    reply: z.object({ e164: z.string(), country: z.string().nullable(), display: z.string() }),
  },
  'fax.send': {
    payload: z.object({
      /** At most MAX_FAX_RECIPIENTS, checked by the edge so the panel gets TOO_MANY_RECIPIENTS. */
      recipients: z.array(z.string().max(64)),
      resolution: FaxResolution.default('fine'),
      source: ScanSource.default('adf'),
      duplex: z.boolean().default(false),
    }),
    reply: z.object({ job: JobView }),
  },
  'job.cancel': {
    payload: z.object({ jobId: id }),
    reply: z.object({ job: JobView }),
  },
  'jobs.list': {
    payload: z.object({ limit: z.number().int().min(1).max(50).default(10) }),
    reply: z.object({ jobs: z.array(JobView) }),
  },
} as const;

/** Events the edge pushes without being asked. */
export const events = {
  'job.updated': z.object({ job: JobView }),
} as const;

export type RequestType = keyof typeof requests;
export type EventType = keyof typeof events;
export type RequestPayload<T extends RequestType> = z.input<(typeof requests)[T]['payload']>;
export type ParsedRequestPayload<T extends RequestType> = z.output<(typeof requests)[T]['payload']>;
export type ReplyPayload<T extends RequestType> = z.infer<(typeof requests)[T]['reply']>;
export type EventPayload<T extends EventType> = z.infer<(typeof events)[T]>;
export type JobView = z.infer<typeof JobView>;
export type JobState = z.infer<typeof JobState>;
export type FaxResolution = z.infer<typeof FaxResolution>;
export type ScanSource = z.infer<typeof ScanSource>;
export type AuthMode = z.infer<typeof AuthMode>;
export type ErrorBody = z.infer<typeof ErrorBody>;
export type DeviceView = z.infer<typeof DeviceView>;
export type UserView = z.infer<typeof UserView>;
