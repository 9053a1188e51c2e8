/*
 * The console's live updates: one EventSource on the enterprise's event stream (SSE, same origin,
 * the session cookie). Pages subscribe by event name; the stream reconnects by itself.
 */
import { apiUrl } from './api.ts';

export type LiveHandler = (data: unknown, event: string) => void;

/** Opens the stream for `ent` (`/enterprises/slug`) and calls `handler` for each of `events`; returns the stop. */
export function listen(
  ent: string,
  events: readonly string[],
  handler: LiveHandler,
  onState?: (open: boolean) => void,
): () => void {
  const source = new EventSource(apiUrl(`${ent}/events`), { withCredentials: true });
  const each = (name: string) => (e: MessageEvent) => {
    let data: unknown = null;
    try {
      data = e.data ? JSON.parse(e.data as string) : null;
    } catch {
      data = e.data;
    }
    handler(data, name);
  };
  for (const name of events) source.addEventListener(name, each(name) as EventListener);
  source.addEventListener('message', each('message') as EventListener);
  source.addEventListener('open', () => onState?.(true));
  source.addEventListener('error', () => onState?.(source.readyState === EventSource.OPEN));
  return () => source.close();
}
