import { MAX_PASSWORD_HISTORY, type UserAccount, type UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { AuthEvents } from './auth-events.ts';
import type { PasswordHasher } from './password-hasher.ts';
import {
  enforcePassword,
  evaluatePassword,
  loadCommonPasswords,
  type PasswordRuleResult,
} from './password-rules.ts';

/** Setting a user's password, the one way: the enterprise's rules, the history, the event. */
export class PasswordChanger {
  readonly #users: UserRepository;
  readonly #hasher: PasswordHasher;
  readonly #policies: Pick<PolicyService, 'get'>;
  readonly #events: AuthEvents | undefined;
  readonly #now: () => Date;

  constructor(options: {
    users: UserRepository;
    hasher: PasswordHasher;
    policies: Pick<PolicyService, 'get'>;
    events?: AuthEvents;
    now?: () => Date;
  }) {
    this.#users = options.users;
    this.#hasher = options.hasher;
    this.#policies = options.policies;
    this.#events = options.events;
    this.#now = options.now ?? (() => new Date());
  }

  /** Every rule against a candidate, for a panel showing them as the person types. */
  async rules(user: UserAccount, candidate: string): Promise<PasswordRuleResult[]> {
    return evaluatePassword(candidate, this.#policies.get(user.enterpriseId).document, {
      email: user.email,
      commonPasswords: await loadCommonPasswords(),
    });
  }

  /**
   * Checks and stores a new password. PASSWORD_POLICY (PasswordPolicyError) lists the rules not met;
   * BUILTIN_PASSWORD_DISABLED for users who sign in only by SSO or device login. `by`: who did it.
   */
  async change(
    user: UserAccount,
    password: string,
    options: {
      by: string;
      mustChange?: boolean;
      /** Runs once the password passed the rules, before it is stored (may throw to stop it). */
      beforeStore?: () => void;
    },
  ): Promise<void> {
    if (user.builtinPasswordDisabled) throw new EdgeError('BUILTIN_PASSWORD_DISABLED');
    const policy = this.#policies.get(user.enterpriseId).document;
    await enforcePassword(password, policy, {
      email: user.email,
      recentHashes: this.#users.recentPasswordHashes(user.id, policy.passwordHistory),
      hasher: this.#hasher,
    });
    const hash = await this.#hasher.hash(password);
    options.beforeStore?.();
    const at = this.#now();
    this.#users.setPasswordHash(user.id, hash, at, {
      mustChange: options.mustChange === true,
      historyKeep: MAX_PASSWORD_HISTORY,
    });
    this.#events?.emit('password-changed', {
      userId: user.id,
      enterpriseId: user.enterpriseId,
      at,
      by: options.by,
    });
  }
}
