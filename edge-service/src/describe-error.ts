/**
 * A thrown value as one line for an error message. `fetch` and socket errors hide the telling part
 * in their cause ("fetch failed" → "connect ECONNREFUSED 127.0.0.1:631"), so a cause is appended.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause === undefined || cause === error.message ? error.message : `${error.message}: ${cause}`;
}
