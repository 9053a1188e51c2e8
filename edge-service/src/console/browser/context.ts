/* What every page gets: the session, the enterprise it works on, and navigation. */
import type { Session } from './session.ts';

export interface PageContext {
  session: Session;
  /** `/enterprises/<slug>`: the prefix of enterprise-scoped API paths. */
  ent: string;
  /** Goes to a console route (`#/users`). */
  go(route: string): void;
}

/** A page draws into `main`; it may return what to stop when the page is left (an event stream). */
export type Page = (main: HTMLElement, ctx: PageContext, params: URLSearchParams) => void | (() => void);
