import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../../edge-service/src/logger.ts';

/** The edge's logger at its most talkative, writing into a string the test can search. */
export function captureLogs(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), text: () => lines.join('') };
}
