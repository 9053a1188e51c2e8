import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths that may carry secrets anywhere in a log object; pino replaces their values. */
const REDACT = [
  'token',
  'deviceToken',
  'password',
  'secret',
  'sessionToken',
  'stepToken',
  '*.token',
  '*.sessionToken',
  '*.stepToken',
  '*.deviceToken',
  '*.password',
  '*.secret',
  'payload.deviceToken',
  'headers.authorization',
  'headers.cookie',
];

/** The edge's one logger; modules take a child with their namespace (`logger.child({ module })`). */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const base = { name: 'edge', level, redact: { paths: REDACT, censor: '[redacted]' } };
  return options.destination ? pino(base, options.destination as never) : pino(base);
}
