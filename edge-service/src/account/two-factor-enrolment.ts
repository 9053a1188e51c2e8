import type { AuthEvents } from '../auth/auth-events.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import { confirmTotpEnrolment, otpauthQrPng } from '../auth/totp-enrolment.ts';
import { StepTokens } from '../auth/step-tokens.ts';
import { newTotpSecret, totpUri } from '../auth/totp.ts';
import type { AccountLinkKind } from '../domain/auth-records.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import type { UserAccount, UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { PolicyService } from '../policies/policy-service.ts';

export interface EnrolmentOffer {
  enrolToken: string;
  expiresAt: Date;
  /** Base32, for typing into an app by hand (shown in groups of four). */
  secret: string;
  otpauthUri: string;
  /** The otpauth URI as a PNG data URL (CSP `img-src data:`). */
  qrDataUrl: string;
}

interface Pending {
  userId: string;
  secret: string;
  /** The link that set the password: it only picks the wording of the last page. */
  kind: AccountLinkKind;
  expiresAt: number;
}

/**
 * 2FA enrolment on the account page, right after an invitation or reset set the password. Stored
 * as the panel's enrolment stores it (SignInService): the secret sealed in the secret box under the
 * user's context, the confirming code's step claimed, ten recovery codes stored hashed and shown
 * once, `two-factor-enabled` emitted. The pending secret lives in memory behind a single-use token
 * bound to the browser (its CSRF nonce), for 10 minutes.
 */
export class TwoFactorEnrolment {
  readonly #users: UserRepository;
  readonly #directory: Pick<DirectoryRepository, 'getEnterprise'>;
  readonly #policies: Pick<PolicyService, 'get'>;
  readonly #box: SecretBox;
  readonly #events: AuthEvents | undefined;
  readonly #now: () => Date;
  readonly #ttlMs: number;
  readonly #steps: StepTokens<Pending>;

  constructor(options: {
    users: UserRepository;
    directory: Pick<DirectoryRepository, 'getEnterprise'>;
    policies: Pick<PolicyService, 'get'>;
    secretBox: SecretBox;
    events?: AuthEvents;
    now: () => Date;
    ttlMs?: number;
  }) {
    this.#users = options.users;
    this.#directory = options.directory;
    this.#policies = options.policies;
    this.#box = options.secretBox;
    this.#events = options.events;
    this.#now = options.now;
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#steps = new StepTokens({ now: options.now, ttlMs: this.#ttlMs, maxPending: 1000 });
  }

  /** Whether the enterprise's policy makes this user enrol now (mandatory, not enrolled, not excluded). */
  required(user: UserAccount): boolean {
    return (
      this.#policies.get(user.enterpriseId).document.twoFactor === 'mandatory' &&
      user.totpSecret === null &&
      !user.twoFactorExcluded
    );
  }

  /** A new secret to scan, behind a token that only this browser can use. */
  offer(user: UserAccount, browser: string, kind: AccountLinkKind): Promise<EnrolmentOffer> {
    const state: Pending = {
      userId: user.id,
      secret: newTotpSecret(),
      kind,
      expiresAt: this.#now().getTime() + this.#ttlMs,
    };
    const { stepToken } = this.#steps.issue(state, browser);
    return this.#describe(user, state, stepToken);
  }

  /** The same pending offer again (after a wrong code the page is shown once more). */
  offerAgain(enrolToken: string, browser: string): Promise<EnrolmentOffer> {
    const { user, state } = this.pending(enrolToken, browser);
    return this.#describe(user, state, enrolToken);
  }

  /** The pending enrolment: TOKEN_INVALID (unknown, used, another browser), SIGN_IN_EXPIRED. */
  pending(enrolToken: string, browser: string): { user: UserAccount; state: Pending } {
    const state = this.#steps.peek(enrolToken, browser);
    const user = this.#users.get(state.userId);
    if (!user || user.totpSecret !== null) throw new EdgeError('TOKEN_INVALID');
    if (user.disabledAt !== null) throw new EdgeError('ACCOUNT_DISABLED');
    return { user, state };
  }

  /** A code from the new secret confirms it; the recovery codes come back to be shown once. */
  async confirm(
    enrolToken: string,
    code: string,
    browser: string,
  ): Promise<{ user: UserAccount; kind: AccountLinkKind; recoveryCodes: string[] }> {
    const { user, state } = this.pending(enrolToken, browser);
    const recoveryCodes = await confirmTotpEnrolment(
      { users: this.#users, secretBox: this.#box, events: this.#events },
      user,
      state.secret,
      code,
      this.#now(),
      // Claimed before the secret is stored: a second confirmation racing this one finds it used.
      () => this.#steps.consume(enrolToken),
    );
    return { user: this.#users.get(user.id)!, kind: state.kind, recoveryCodes };
  }

  async #describe(user: UserAccount, state: Pending, enrolToken: string): Promise<EnrolmentOffer> {
    const issuer = this.#directory.getEnterprise(user.enterpriseId)?.name ?? 'mfp-edge';
    const otpauthUri = totpUri({ issuer, email: user.email, secret: state.secret });
    const qrDataUrl = await otpauthQrPng(otpauthUri);
    return { enrolToken, expiresAt: new Date(state.expiresAt), secret: state.secret, otpauthUri, qrDataUrl };
  }
}
