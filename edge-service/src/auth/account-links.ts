import { createHash, randomBytes } from 'node:crypto';
import type { AccountLinkKind, AccountLinkRecord, AccountLinkRepository } from '../domain/auth-records.ts';
import type { UserAccount, UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { PasswordChanger } from './password-changer.ts';

const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Invitation and password-reset links: a 256-bit random token (only its SHA-256 is stored), valid
 * per the policy (invitationValidityDays / resetLinkValidityHours), single use, for one user. A new
 * link of a kind ends the user's unused older ones. No reset for users whose built-in password is
 * disabled (they sign in by SSO or device login).
 */
export class AccountLinks {
  readonly #links: AccountLinkRepository;
  readonly #users: UserRepository;
  readonly #policies: Pick<PolicyService, 'get'>;
  readonly #passwords: PasswordChanger;
  readonly #now: () => Date;

  constructor(options: {
    links: AccountLinkRepository;
    users: UserRepository;
    policies: Pick<PolicyService, 'get'>;
    passwords: PasswordChanger;
    now?: () => Date;
  }) {
    this.#links = options.links;
    this.#users = options.users;
    this.#policies = options.policies;
    this.#passwords = options.passwords;
    this.#now = options.now ?? (() => new Date());
  }

  /** The token goes into the emailed URL and nowhere else. */
  create(userId: string, kind: AccountLinkKind): { token: string; link: AccountLinkRecord } {
    const user = this.#users.get(userId);
    if (!user) throw new EdgeError('USER_NOT_FOUND');
    if (user.builtinPasswordDisabled) throw new EdgeError('BUILTIN_PASSWORD_DISABLED');
    if (user.disabledAt !== null) throw new EdgeError('ACCOUNT_DISABLED');
    const policy = this.#policies.get(user.enterpriseId).document;
    const at = this.#now();
    const validityMs =
      kind === 'invitation'
        ? policy.invitationValidityDays * 86_400_000
        : policy.resetLinkValidityHours * 3_600_000;
    const token = randomBytes(32).toString('base64url');
    this.#links.expireUnused(userId, kind, at);
    const link = this.#links.create({
      userId,
      kind,
      tokenHash: hashToken(token),
      at,
      expiresAt: new Date(at.getTime() + validityMs),
    });
    return { token, link };
  }

  /** The link and its user if the token may be used now; LINK_INVALID, LINK_EXPIRED or LINK_USED. */
  inspect(
    token: string,
    expect: { kind?: AccountLinkKind; email?: string } = {},
  ): {
    link: AccountLinkRecord;
    user: UserAccount;
  } {
    const link =
      typeof token === 'string' && token.length <= 256 ? this.#links.findByTokenHash(hashToken(token)) : null;
    if (!link || (expect.kind !== undefined && link.kind !== expect.kind))
      throw new EdgeError('LINK_INVALID');
    const user = this.#users.get(link.userId);
    if (
      !user ||
      (expect.email !== undefined && user.email.toLowerCase() !== expect.email.trim().toLowerCase())
    )
      throw new EdgeError('LINK_INVALID');
    if (link.usedAt !== null) throw new EdgeError('LINK_USED');
    if (Date.parse(link.expiresAt) <= this.#now().getTime()) throw new EdgeError('LINK_EXPIRED');
    if (user.builtinPasswordDisabled) throw new EdgeError('BUILTIN_PASSWORD_DISABLED');
    if (user.disabledAt !== null) throw new EdgeError('ACCOUNT_DISABLED');
    return { link, user };
  }

  /**
   * Sets the password through the link and uses it up. The password is checked before the link is
   * spent (a password the rules refuse leaves the link usable), and the link is spent before the
   * password is stored (of two uses at once, one wins). A reset also unlocks the account.
   */
  async redeem(
    token: string,
    password: string,
    expect: { kind?: AccountLinkKind; email?: string } = {},
  ): Promise<UserAccount> {
    const { link, user } = this.inspect(token, expect);
    await this.#passwords.change(user, password, {
      by: `link:${link.kind}`,
      beforeStore: () => {
        if (!this.#links.markUsed(link.id, this.#now())) throw new EdgeError('LINK_USED');
      },
    });
    if (link.kind === 'reset') this.#users.resetFailures(user.id);
    return this.#users.get(user.id)!;
  }
}
