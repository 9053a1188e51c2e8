import type { EventPayload, EventType } from '../../../protocol/index.ts';
import type { SessionClaims } from '../auth/session-tokens.ts';
import type { DeviceRecord, UserRecord } from '../domain/device.ts';
import type { UserLanguage } from '../domain/user.ts';

/** The panel session row behind a signed-in person (user-prompt and device-login; not the shared account). */
export interface SignedIn {
  claims: SessionClaims;
  /** The last token handed to the panel. Never logged. */
  token: string;
  /** user-prompt: signed out after the policy's inactivity; device-login follows the MFP instead. */
  inactivity: boolean;
}

/** What the edge knows about one panel connection. */
export interface PanelSession {
  /** Set by a successful hello; null before. */
  device: DeviceRecord | null;
  protocolVersion: number | null;
  /** `language`: the signed-in person's own (absent for a shared account's user). */
  user: (UserRecord & { language?: UserLanguage }) | null;
  /** The connection's remote address: the sign-in rate limits count by it. */
  source: string;
  signedIn: SignedIn | null;
  /**
   * The origin the panel reached the edge at (`http://host:port`, from the upgrade request), for
   * the pairing's approve URL; null when unknown.
   */
  origin: string | null;
  /** A pairing this connection began or waits on (before hello): it hears pairing.approved/expired. */
  pairing: { id: string; expiresAt: number } | null;
}

export function newPanelSession(source = 'unknown', origin: string | null = null): PanelSession {
  return { device: null, protocolVersion: null, user: null, source, signedIn: null, origin, pairing: null };
}

/** One panel connection as the panel code sees it: its session, and a way to tell it things. */
export interface PanelPeer {
  readonly session: PanelSession;
  push<E extends EventType>(event: E, payload: EventPayload<E>): void;
  /** Ends the connection with a close code (e.g. CLOSE_CODES.DEVICE_REVOKED). */
  close(code: number, reason: string): void;
}

/**
 * Whose jobs a panel may see and cancel: on a device where people sign in, only the signed-in
 * person's (the next person at the printer must not read the last one's faxes); on a shared-account
 * device, the device's (everyone there is the shared account).
 */
export function ownerOf(session: PanelSession): string | undefined {
  if (!session.device || session.device.authMode === 'shared-account') return undefined;
  return session.user?.id ?? '';
}
