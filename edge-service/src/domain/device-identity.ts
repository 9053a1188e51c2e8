/** Who is signed in at the MFP itself (card, PIN, LDAP at the device), as the device reports it. */
export interface DevicePerson {
  name: string;
  /** Matched to the enterprise's users case-insensitively; null when the device knows no email. */
  email: string | null;
}

/**
 * The MFP's own sign-in ("device login", DESIGN.md §3), read by the edge from the device with the
 * device's stored admin credential — never from the browser. One per device, from DeviceDrivers.
 */
export interface DeviceIdentity {
  /** Who is signed in at the MFP now; null for nobody. */
  current(signal?: AbortSignal): Promise<DevicePerson | null>;
  /**
   * Follows the MFP's sign-in: `onChange` hears every change (and the state when the watch starts),
   * `onError` a lost connection (the watch keeps trying). Returns what stops it.
   */
  watch(onChange: (person: DevicePerson | null) => void, onError?: (error: unknown) => void): () => void;
}
