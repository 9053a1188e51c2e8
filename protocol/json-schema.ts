import { z } from 'zod';
import { requests, events } from './messages.ts';
import { RequestFrame, ReplyFrame, EventFrame } from './envelope.ts';
import { PROTOCOL_VERSION } from './version.ts';
import { ERROR_CODES } from './error-codes.ts';

/** The protocol as one JSON Schema document, for panel platforms that do not run TypeScript. */
export function protocolJsonSchema(): Record<string, unknown> {
  const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `mfp-edge panel protocol v${PROTOCOL_VERSION}`,
    protocolVersion: PROTOCOL_VERSION,
    errorCodes: ERROR_CODES,
    frames: {
      request: toSchema(RequestFrame, 'input'),
      reply: toSchema(ReplyFrame, 'output'),
      event: toSchema(EventFrame, 'output'),
    },
    requests: Object.fromEntries(
      Object.entries(requests).map(([type, def]) => [
        type,
        { payload: toSchema(def.payload, 'input'), reply: toSchema(def.reply, 'output') },
      ]),
    ),
    events: Object.fromEntries(
      Object.entries(events).map(([type, schema]) => [type, toSchema(schema, 'output')]),
    ),
  };
}
