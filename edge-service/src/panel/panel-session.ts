import type { DeviceRecord, UserRecord } from '../domain/device.ts';

/** What the edge knows about one panel connection. */
export interface PanelSession {
  /** Set by a successful hello; null before. */
  device: DeviceRecord | null;
  protocolVersion: number | null;
  user: UserRecord | null;
}

export function newPanelSession(): PanelSession {
  return { device: null, protocolVersion: null, user: null };
}
