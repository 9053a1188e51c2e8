import type { AccountLinks } from '../auth/account-links.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import type { UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { QueuedMail } from '../mail/mailer.ts';
import type { Notifier } from '../mail/notifier.ts';
import { accountLinkUrl } from './account-routes.ts';

/**
 * Invites a user: a new invitation link (older unused ones end) and the mail carrying it, whose
 * URL opens the account page. For the admin console, the API and `mfp-edge admin` alike.
 */
export function inviteUser(
  deps: {
    links: Pick<AccountLinks, 'create'>;
    users: Pick<UserRepository, 'get'>;
    directory: Pick<DirectoryRepository, 'getEnterprise'>;
    notifier: Pick<Notifier, 'invitation'>;
    publicOrigin: string;
  },
  userId: string,
  options: { invitedBy?: string } = {},
): { mail: QueuedMail; expiresAt: Date } {
  const user = deps.users.get(userId);
  if (!user) throw new EdgeError('USER_NOT_FOUND');
  const { token, link } = deps.links.create(userId, 'invitation');
  const expiresAt = new Date(link.expiresAt);
  const mail = deps.notifier.invitation({
    to: user.email,
    name: user.displayName,
    language: user.language,
    timeZone: user.timeZone,
    url: accountLinkUrl(deps.publicOrigin, 'invitation', token),
    expiresAt,
    enterpriseName: deps.directory.getEnterprise(user.enterpriseId)?.name ?? 'mfp-edge',
    ...(options.invitedBy ? { invitedBy: options.invitedBy } : {}),
  });
  return { mail, expiresAt };
}
