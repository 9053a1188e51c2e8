import type { UserAccount } from '../domain/user.ts';

/** Who a person is, as the session (sign-in, GET /session) and the user endpoints both show them. */
export const personView = (u: UserAccount) => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  role: u.role,
  language: u.language,
  timeZone: u.timeZone,
});
