import { pino, type Logger } from 'pino';

export type { Logger };

/** The simulator's logger: quiet by default in tests (LOG_LEVEL overrides). */
export function createLogger(options: { level?: string } = {}): Logger {
  return pino({ name: 'simulator', level: options.level ?? process.env.LOG_LEVEL ?? 'info' });
}
