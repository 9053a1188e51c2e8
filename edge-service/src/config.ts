import { z } from 'zod';
import { PRE_DIAL_STRING_PATTERN } from './domain/fax-retry-policy.ts';

/**
 * The edge's configuration: one schema with defaults and limits. Values come from the caller (CLI
 * flags) over environment variables (MFP_EDGE_*) over defaults; unknown keys are reported, not fatal.
 */
export const EdgeConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  dataDir: z.string().default('./data'),
  /** HTTPS and WSS with this certificate and key (PEM files); see tls/edge-certificate.ts. */
  tlsCertFile: z.string().min(1).optional(),
  tlsKeyFile: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How often a running fax job asks the modem for progress. */
  faxPollMs: z.coerce.number().int().min(50).max(60_000).default(500),
  /**
   * How long a modem that stopped answering is waited for before the fax it holds counts as lost and
   * is sent again under the retry policy (unless the modem's log proves it delivered).
   */
  faxPollTimeoutSeconds: z.coerce.number().min(1).max(3600).default(60),
  /**
   * How long a job stopped mid-scan (a jam, an open cover: needs-attention, its pages kept) waits for
   * Resume before it fails with the scanner's code. 30 minutes: long enough to fetch help for a jam,
   * short enough that scanned pages do not sit in the spool all day; the person's session stays open
   * meanwhile (a waiting job counts as their running send).
   */
  jamWaitMinutes: z.coerce
    .number()
    .min(0.01)
    .max(24 * 60)
    .default(30),
  /** Scanned pages converted at once; 2 keeps both cores of a small edge box busy. */
  pagesInFlight: z.coerce.number().int().min(1).max(16).default(2),
  /**
   * Origins allowed to frame the panel (CSP frame-ancestors), e.g. the simulator console; the edge's
   * own origin always is.
   */
  panelFrameAncestors: z.array(z.string().regex(/^https?:\/\/[\w.-]+(:\d+)?$/)).default([]),
  /** Default country for numbers typed without +: ISO 3166 alpha-2. */
  defaultCountry: z.string().length(2).default('US'),
  /** How long the pages of a finished job stay in the spool. */
  spoolRetentionHours: z.coerce
    .number()
    .min(0)
    .max(24 * 365)
    .default(24),
  /** How often the spool is swept for expired pages. */
  spoolSweepMinutes: z.coerce
    .number()
    .min(0.01)
    .max(24 * 60)
    .default(10),
  /** Retry policy of enterprises that have not set their own: dial attempts per recipient… */
  faxRetryAttempts: z.coerce.number().int().min(1).max(10).default(3),
  /** …and the wait between attempts, for busy and no-answer recipients. */
  faxRetryIntervalSeconds: z.coerce
    .number()
    .min(0)
    .max(24 * 3600)
    .default(120),
  /** Dialled before every number by enterprises that have not set their own, e.g. "9" for an outside line. */
  faxPreDialString: z.coerce
    .string()
    .regex(PRE_DIAL_STRING_PATTERN, 'at most 16 of 0-9 * # , (a pause)')
    .default(''),
  /**
   * Outgoing mail server (`smtp://` or `smtps://`, credentials may be in the URL). Unset: every
   * message is written as an .eml file to <data>/outbox/ instead (DESIGN.md §11).
   */
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\/[^/?#\s]+/i, 'an smtp:// or smtps:// URL with a host')
    .optional(),
  /** The SMTP password when the URL names a user but carries no password (keeps it out of the URL). */
  smtpPassword: z.string().optional(),
  /** Sender of every notification. */
  mailFrom: z.string().min(3).default('mfp-edge <no-reply@localhost>'),
  /**
   * Email-to-fax intake (DESIGN.md §11): SMTP on this port ('off': no intake; 0: any free port, for
   * tests). Each enterprise still decides whether it takes email faxes (policy emailToFax.enabled).
   */
  smtpIntakePort: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).default(2525),
  smtpIntakeHost: z.string().min(1).default('127.0.0.1'),
  /** How often email faxes waiting for an offline printer are looked at (and moved to an online one). */
  emailToFaxMoveSeconds: z.coerce.number().min(0.1).max(3600).default(15),
  /** The DNS server SPF look-ups ask (host:port); unset: the system resolver. */
  dnsServer: z
    .string()
    .regex(/^[\w.:-]+:\d{1,5}$|^\[[\da-f:]+\]:\d{1,5}$/i, 'host:port, e.g. 127.0.0.1:5300')
    .optional(),
});

export type EdgeConfig = z.infer<typeof EdgeConfigSchema>;
export type EdgeConfigInput = z.input<typeof EdgeConfigSchema>;

const ENV_KEYS: Record<string, keyof EdgeConfig> = {
  MFP_EDGE_HOST: 'host',
  MFP_EDGE_PORT: 'port',
  MFP_EDGE_DATA: 'dataDir',
  MFP_EDGE_TLS_CERT: 'tlsCertFile',
  MFP_EDGE_TLS_KEY: 'tlsKeyFile',
  MFP_EDGE_LOG_LEVEL: 'logLevel',
  MFP_EDGE_DEFAULT_COUNTRY: 'defaultCountry',
  MFP_EDGE_SPOOL_RETENTION_HOURS: 'spoolRetentionHours',
  MFP_EDGE_FAX_PRE_DIAL: 'faxPreDialString',
  MFP_EDGE_FAX_RETRY_ATTEMPTS: 'faxRetryAttempts',
  MFP_EDGE_FAX_RETRY_INTERVAL_SECONDS: 'faxRetryIntervalSeconds',
  MFP_EDGE_FAX_POLL_TIMEOUT_SECONDS: 'faxPollTimeoutSeconds',
  MFP_EDGE_JAM_WAIT_MINUTES: 'jamWaitMinutes',
  MFP_EDGE_SMTP_URL: 'smtpUrl',
  MFP_EDGE_SMTP_PASSWORD: 'smtpPassword',
  MFP_EDGE_MAIL_FROM: 'mailFrom',
  MFP_EDGE_SMTP_INTAKE_PORT: 'smtpIntakePort',
  MFP_EDGE_SMTP_INTAKE_HOST: 'smtpIntakeHost',
  MFP_EDGE_DNS_SERVER: 'dnsServer',
};

export function loadConfig(
  input: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): { config: EdgeConfig; warnings: string[] } {
  const warnings: string[] = [];
  const known = new Set(Object.keys(EdgeConfigSchema.shape));
  const merged: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    if (env[name] !== undefined && env[name] !== '') merged[key] = env[name];
  }
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!known.has(key)) warnings.push(`unknown configuration key "${key}" ignored`);
    else merged[key] = value;
  }
  const parsed = EdgeConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${detail}`);
  }
  return { config: parsed.data, warnings };
}
