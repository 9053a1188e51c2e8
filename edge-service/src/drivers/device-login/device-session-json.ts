/**
 * The device API's session document (`GET /device/api/v1/session` and each `session` event):
 * `{signedIn, user: {name, email} | null, since}`. Pure: text in, a DevicePerson (or null) out, and a
 * coded error for anything else. The device is not trusted to be well-behaved: sizes are capped,
 * types checked, and an email the edge could never match is dropped rather than passed on.
 */
import { z } from 'zod';
import type { DevicePerson } from '../../domain/device-identity.ts';
import { EdgeError } from '../../edge-error.ts';

/** Longest name and email kept (RFC 5321 caps a path at 256 octets; a display name needs less). */
export const MAX_NAME_LENGTH = 256;
export const MAX_EMAIL_LENGTH = 254;

const SessionDocument = z.object({
  signedIn: z.boolean(),
  user: z
    .object({
      name: z
        .string()
        .max(4 * MAX_NAME_LENGTH)
        .nullish(),
      email: z
        .string()
        .max(4 * MAX_EMAIL_LENGTH)
        .nullish(),
    })
    .nullish(),
  since: z.string().nullish(),
});

/** One `local@domain` without spaces or controls; the edge matches it case-insensitively. */
const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u;

function invalid(why: string): EdgeError {
  return new EdgeError(
    'DEVICE_LOGIN_UNAVAILABLE',
    `The printer answered its sign-in state in a form the edge does not understand (${why}).`,
  );
}

/** Who the document says is signed in; null for nobody. DEVICE_LOGIN_UNAVAILABLE when it is not one. */
export function parseDeviceSession(text: string): DevicePerson | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  const parsed = SessionDocument.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue ? `${issue.path.join('.') || 'document'}: ${issue.message}` : 'unexpected shape');
  }
  const { signedIn, user } = parsed.data;
  if (!signedIn) return null;
  if (!user) throw invalid('signed in, but no user');
  const email = normaliseEmail(user.email);
  const name = cleanText(user.name ?? '').slice(0, MAX_NAME_LENGTH) || email;
  if (!name) throw invalid('signed in, but the user has neither name nor email');
  return { name, email };
}

/** Trimmed, or null when absent, empty, too long or not an address. */
export function normaliseEmail(value: string | null | undefined): string | null {
  const email = (value ?? '').trim();
  if (email === '' || email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) return null;
  return email;
}

/** Control characters out, runs of white space as one space. */
function cleanText(value: string): string {
  return value
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Same person (name and email as the device spells them), or both nobody. */
export function samePerson(a: DevicePerson | null, b: DevicePerson | null): boolean {
  if (a === null || b === null) return a === b;
  return a.name === b.name && a.email === b.email;
}
