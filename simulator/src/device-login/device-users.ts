/** A person enrolled on the device: what its own sign-in (badge reader, PIN pad, keyboard) knows. */
export interface DeviceUser {
  name: string;
  /** As the device's directory spells it; matched case-insensitively, as real directories do. */
  email: string;
  /** The badge's id as the card reader reports it (hex). */
  card: string;
  pin: string;
}

/** What the device tells a paired edge about a person: never the card id or PIN. */
export interface DeviceUserIdentity {
  name: string;
  email: string;
}

/**
 * The demo people on the virtual MFP. Mixed-case emails on purpose: the edge must match them
 * case-insensitively (DESIGN.md §3 device-login).
 */
export const DEMO_DEVICE_USERS: readonly DeviceUser[] = Object.freeze([
  { name: 'Alice Martin', email: 'Alice.Martin@Demo.Example', card: '04A1B2C3', pin: '1111' },
  { name: 'Bruno Okafor', email: 'bruno.okafor@demo.example', card: '04D4E5F6', pin: '2222' },
  { name: 'Chloé Dubois', email: 'Chloe.DUBOIS@demo.example', card: '04778899', pin: '3333' },
  { name: 'Dmitri Ivanov', email: 'D.Ivanov@Demo.Example', card: '04AABBCC', pin: '4444' },
]);

export function identityOf(user: DeviceUser): DeviceUserIdentity {
  return { name: user.name, email: user.email };
}
