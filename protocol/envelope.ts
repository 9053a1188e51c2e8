import { z } from 'zod';
import { requests, events, ErrorBody, type RequestType, type EventType } from './messages.ts';
import type { ErrorCode } from './error-codes.ts';

/*
 * The three frames on the wire:
 *   panel → edge  { type, id, payload }                      a request
 *   edge → panel  { type: 'reply', id, ok: true, payload }   its answer
 *                 { type: 'reply', id, ok: false, error }     or its failure, with a stable code
 *   edge → panel  { type: 'event', event, payload }           something that happened
 */

export const RequestFrame = z.object({
  type: z.string().min(1).max(64),
  id: z.string().min(1).max(64),
  payload: z.unknown().optional(),
});

export const ReplyFrame = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), id: z.string(), ok: z.literal(true), payload: z.unknown() }),
  z.object({ type: z.literal('reply'), id: z.string(), ok: z.literal(false), error: ErrorBody }),
]);

export const EventFrame = z.object({
  type: z.literal('event'),
  event: z.enum(Object.keys(events) as [EventType, ...EventType[]]),
  payload: z.unknown(),
});

export type ReplyFrame = z.infer<typeof ReplyFrame>;
export type EventFrame = z.infer<typeof EventFrame>;

export type DecodedRequest = {
  [T in RequestType]: { type: T; id: string; payload: z.output<(typeof requests)[T]['payload']> };
}[RequestType];

export type DecodeResult =
  { ok: true; request: DecodedRequest } | { ok: false; id: string | null; code: ErrorCode; message: string };

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`)
    .join('; ');
}

/** Parses and validates one text frame from a panel. Never throws. */
export function decodeRequest(text: string): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, id: null, code: 'BAD_MESSAGE', message: 'The message is not valid JSON.' };
  }
  const frame = RequestFrame.safeParse(json);
  if (!frame.success) {
    const maybeId = (json as { id?: unknown } | null)?.id;
    const id = typeof maybeId === 'string' ? maybeId.slice(0, 64) : null;
    return { ok: false, id, code: 'BAD_MESSAGE', message: describe(frame.error) };
  }
  const { type, id, payload } = frame.data;
  if (!Object.hasOwn(requests, type)) {
    return { ok: false, id, code: 'UNKNOWN_TYPE', message: `Unknown message type "${type}".` };
  }
  const schema = requests[type as RequestType].payload;
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    return { ok: false, id, code: 'BAD_MESSAGE', message: `${type}: ${describe(parsed.error)}` };
  }
  return { ok: true, request: { type, id, payload: parsed.data } as DecodedRequest };
}

/** A successful reply; the payload is the reply schema of the request's type. */
export function encodeReply(id: string, payload: unknown): string {
  return JSON.stringify({ type: 'reply', id, ok: true, payload });
}

export function encodeError(id: string | null, error: z.infer<typeof ErrorBody>): string {
  return JSON.stringify({ type: 'reply', id: id ?? '', ok: false, error });
}

export function encodeEvent<T extends EventType>(event: T, payload: z.infer<(typeof events)[T]>): string {
  return JSON.stringify({ type: 'event', event, payload });
}

/** Parses one frame from the edge (what a panel receives). Never throws. */
export function decodeServerFrame(
  text: string,
): { kind: 'reply'; frame: ReplyFrame } | { kind: 'event'; frame: EventFrame } | { kind: 'invalid' } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid' };
  }
  const reply = ReplyFrame.safeParse(json);
  if (reply.success) return { kind: 'reply', frame: reply.data };
  const event = EventFrame.safeParse(json);
  if (event.success) return { kind: 'event', frame: event.data };
  return { kind: 'invalid' };
}

/** Picks the highest version both sides speak, or null. */
export function negotiateVersion(offered: readonly number[], supported: readonly number[]): number | null {
  const shared = offered.filter((v) => supported.includes(v));
  return shared.length ? Math.max(...shared) : null;
}
