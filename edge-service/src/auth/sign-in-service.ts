import type { DeviceRepository, DirectoryRepository } from '../domain/device.ts';
import type { UserAccount, UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { PolicyDocument } from '../policies/policy-schema.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { AuthEvents } from './auth-events.ts';
import { AccountLockedError, AccountLockout, SignInRateLimits } from './lockout.ts';
import type { IssuedSession, PanelSessions } from './panel-sessions.ts';
import type { PasswordChanger } from './password-changer.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { PasswordRuleResult } from './password-rules.ts';
import { hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes.ts';
import { confirmTotpEnrolment, totpContext } from './totp-enrolment.ts';
import type { SecretBox } from './secret-box.ts';
import { StepTokens } from './step-tokens.ts';
import { checkTotp, newTotpSecret, totpUri } from './totp.ts';

/** Where a sign-in attempt comes from: the panel's device and the network address it came from. */
export interface SignInContext {
  deviceId: string;
  source: string;
}

/**
 * Where a sign-in happens when it is not a panel: the admin console (api/console-sign-in.ts). The
 * step machine is the same; the channel binds the steps, may refuse accounts it does not serve,
 * may demand 2FA whatever the policy says, and issues its own kind of session at the end.
 */
export interface SignInChannel {
  kind: 'panel' | 'console' | 'smtp';
  /** Step tokens are bound to it, and its failures are rate-limited as one "device". */
  binding: string;
  enterpriseId: string;
  /** What the binding is, in a RATE_LIMITED message ("printer", "console address"). */
  label: string;
  deviceId?: string;
  /** Refuses (throws) an account this channel does not serve; asked once the password is right. */
  admit?(user: UserAccount): void;
  /** True when this account must have 2FA here whatever the policy says. */
  requiresTwoFactor?(user: UserAccount): boolean;
  issue(user: UserAccount): Promise<IssuedSession>;
}

/** A sign-in through a channel other than a panel. */
export interface ChannelContext {
  channel: SignInChannel;
  source: string;
}

type AnyContext = SignInContext | ChannelContext;

/** Longest email (RFC 5321 path limit) and password input looked at; longer is a wrong credential. */
const MAX_EMAIL_LENGTH = 254;
const MAX_PASSWORD_INPUT = 1024;

type Stage = 'totp' | 'change-password' | 'enrol-2fa';

interface StepState {
  stage: Stage;
  userId: string;
  /** enrol-2fa: the secret shown, stored only once a code from it is confirmed. */
  pendingSecret?: string;
  /** enrol-2fa started by a signed-in user (no new session at the end). */
  sessionId?: string;
}

export type SignInStep =
  | { step: 'totp'; stepToken: string; expiresAt: Date }
  | { step: 'change-password'; stepToken: string; expiresAt: Date; reason: 'expired' | 'must-change' }
  | { step: 'enrol-2fa'; stepToken: string; expiresAt: Date; secret: string; otpauthUri: string }
  | {
      step: 'done';
      session: IssuedSession;
      user: { id: string; email: string; displayName: string; language: string; role: string };
      /** Shown once, right after 2FA enrolment. */
      recoveryCodes?: string[];
    };

export interface SignInServiceOptions {
  users: UserRepository;
  devices: Pick<DeviceRepository, 'get'>;
  directory: Pick<DirectoryRepository, 'getEnterprise'>;
  policies: Pick<PolicyService, 'get'>;
  hasher: PasswordHasher;
  passwords: PasswordChanger;
  secretBox: SecretBox;
  sessions: PanelSessions;
  events?: AuthEvents;
  limits?: SignInRateLimits;
  now?: () => Date;
  logger?: Logger;
  /** How long each step may take (default 5 minutes). */
  stepTtlMs?: number;
}

export { totpContext } from './totp-enrolment.ts';

/**
 * The user-prompt sign-in (DESIGN.md §3), as service logic with no transport: email and password,
 * then as the account needs it a TOTP (or recovery) code, a new password, 2FA enrolment, and a
 * panel session at the end. Each step answers with the next one and a short-lived single-use step
 * token that continues it.
 *
 * Order of refusals for a password: RATE_LIMITED (this device or address failed too often),
 * ACCOUNT_LOCKED, BUILTIN_PASSWORD_DISABLED, INVALID_CREDENTIALS (wrong password or unknown email,
 * alike and in similar time), ACCOUNT_DISABLED (only once the password is right, so it reveals
 * nothing to a guesser). The failure count is reset only by a complete sign-in, so knowing the
 * password does not buy unlimited TOTP guesses.
 */
export class SignInService {
  readonly #o: SignInServiceOptions;
  readonly #now: () => Date;
  readonly #lockout: AccountLockout;
  readonly #limits: SignInRateLimits;
  readonly #steps: StepTokens<StepState>;

  constructor(options: SignInServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#lockout = new AccountLockout({ users: options.users, now: this.#now });
    this.#limits = options.limits ?? new SignInRateLimits({ now: this.#now });
    this.#steps = new StepTokens({
      now: this.#now,
      ...(options.stepTtlMs ? { ttlMs: options.stepTtlMs } : {}),
    });
  }

  async password(email: string, password: string, context: AnyContext): Promise<SignInStep> {
    const channel = this.#channel(context);
    const readable =
      typeof email === 'string' &&
      typeof password === 'string' &&
      email.length <= MAX_EMAIL_LENGTH &&
      password.length <= MAX_PASSWORD_INPUT;
    const user = readable ? this.#o.users.findByEmail(channel.enterpriseId, email) : null;
    return this.#reported(channel, context, { user, email: readable ? email : null }, async () => {
      this.#checkLimits(channel, context);
      if (user) {
        this.#lockout.check(user);
        if (user.builtinPasswordDisabled) throw new EdgeError('BUILTIN_PASSWORD_DISABLED');
      }
      // Verified (against a dummy hash when there is no account) even for unreadable input: same time.
      const ok = await this.#o.hasher.verify(user?.passwordHash ?? null, readable ? password : '');
      if (!ok || !user) {
        this.#recordLimitFailure(channel, context);
        if (user) this.#failed(user);
        this.#o.logger?.info({ channel: channel.binding, source: context.source }, 'sign-in refused');
        throw new EdgeError('INVALID_CREDENTIALS');
      }
      if (user.disabledAt !== null) throw new EdgeError('ACCOUNT_DISABLED');
      channel.admit?.(user);
      return this.#afterPassword(user, password, channel, context);
    });
  }

  async #afterPassword(
    user: UserAccount,
    password: string,
    channel: SignInChannel,
    context: AnyContext,
  ): Promise<SignInStep> {
    if (user.passwordHash && this.#o.hasher.needsRehash(user.passwordHash)) {
      // Stronger parameters reach stored hashes at the next sign-in; the history is left alone.
      this.#o.users.setPasswordHash(user.id, await this.#o.hasher.hash(password), this.#changedAt(user), {
        mustChange: user.mustChangePassword,
      });
    }
    return this.#next(user, channel, null, context.source);
  }

  /** A TOTP code, or one of the recovery codes instead. */
  async totp(stepToken: string, code: string, context: AnyContext): Promise<SignInStep> {
    const channel = this.#channel(context);
    const { state, user } = this.#resume(stepToken, 'totp', channel);
    return this.#reported(channel, context, { user, email: user.email }, async () => {
      this.#checkLimits(channel, context);
      await this.#checkSecondFactor(user, code, channel, context);
      this.#steps.consume(stepToken);
      return this.#next(this.#o.users.get(user.id)!, channel, state.stage, context.source);
    });
  }

  async #checkSecondFactor(
    user: UserAccount,
    code: string,
    channel: SignInChannel,
    context: AnyContext,
  ): Promise<void> {
    if (typeof code === 'string' && looksLikeRecoveryCode(code)) {
      const at = this.#now();
      if (!this.#o.users.useRecoveryCode(user.id, hashRecoveryCode(user.id, code), at)) {
        this.#recordLimitFailure(channel, context);
        this.#failed(user);
        throw new EdgeError('TOTP_INVALID', 'The recovery code is wrong or was already used.');
      }
      this.#o.events?.emit('recovery-code-used', {
        userId: user.id,
        enterpriseId: user.enterpriseId,
        at,
        left: this.#o.users.recoveryCodesLeft(user.id),
      });
    } else {
      if (user.totpSecret === null) throw new EdgeError('TWO_FACTOR_NOT_ENROLLED');
      const secret = this.#o.secretBox.openText(user.totpSecret, totpContext(user.id));
      const check = await checkTotp(secret, typeof code === 'string' ? code.slice(0, 64) : '', {
        at: this.#now(),
        lastStep: user.totpLastStep,
      });
      // Claimed in one statement: of two requests with the same code, one wins.
      if (!check.ok || !this.#o.users.claimTotpStep(user.id, check.step)) {
        this.#recordLimitFailure(channel, context);
        this.#failed(user);
        throw new EdgeError(check.ok || check.reason === 'replayed' ? 'TOTP_REPLAYED' : 'TOTP_INVALID');
      }
    }
  }

  /** The rules against a candidate new password, for showing them as the person types. */
  async passwordRules(
    stepToken: string,
    candidate: string,
    context: AnyContext,
  ): Promise<PasswordRuleResult[]> {
    const { user } = this.#resume(stepToken, 'change-password', this.#channel(context));
    return this.#o.passwords.rules(user, candidate);
  }

  async changePassword(stepToken: string, password: string, context: AnyContext): Promise<SignInStep> {
    const channel = this.#channel(context);
    const { state, user } = this.#resume(stepToken, 'change-password', channel);
    await this.#o.passwords.change(user, password, { by: `user:${user.id}` });
    this.#steps.consume(stepToken);
    return this.#next(this.#o.users.get(user.id)!, channel, state.stage, context.source);
  }

  /** Confirms the enrolment shown by an `enrol-2fa` step with a code from the new secret. */
  async enrolTwoFactor(stepToken: string, code: string, context: AnyContext): Promise<SignInStep> {
    const channel = this.#channel(context);
    const { state, user } = this.#resume(stepToken, 'enrol-2fa', channel);
    if (state.sessionId !== undefined) throw new EdgeError('TOKEN_INVALID');
    const recoveryCodes = await this.#confirmEnrolment(user, state, code);
    this.#steps.consume(stepToken);
    const done = await this.#next(this.#o.users.get(user.id)!, channel, state.stage, context.source);
    return done.step === 'done' ? { ...done, recoveryCodes } : done;
  }

  /** A signed-in user sets up 2FA (optional policy): the secret to scan, and a step to confirm it. */
  async beginTwoFactor(sessionToken: string, context: SignInContext) {
    const { user, sessionId } = await this.#signedIn(sessionToken, context);
    return this.#enrolStep(user, this.#channel(context), sessionId);
  }

  async confirmTwoFactor(
    sessionToken: string,
    stepToken: string,
    code: string,
    context: SignInContext,
  ): Promise<{ recoveryCodes: string[] }> {
    const { sessionId } = await this.#signedIn(sessionToken, context);
    const { state, user } = this.#resume(stepToken, 'enrol-2fa', this.#channel(context));
    if (state.sessionId !== sessionId) throw new EdgeError('TOKEN_INVALID');
    const recoveryCodes = await this.#confirmEnrolment(user, state, code);
    this.#steps.consume(stepToken);
    return { recoveryCodes };
  }

  /**
   * A user removes their own 2FA (a new phone): only while signed in. Under a mandatory policy
   * the next sign-in asks them to enrol again.
   */
  async resetTwoFactor(sessionToken: string, context: SignInContext): Promise<void> {
    const { user } = await this.#signedIn(sessionToken, context);
    const at = this.#now();
    this.#o.users.setTotp(user.id, null);
    this.#o.users.replaceRecoveryCodes(user.id, [], at);
    this.#o.events?.emit('two-factor-disabled', {
      userId: user.id,
      enterpriseId: user.enterpriseId,
      at,
      by: user.id,
    });
  }

  async signOut(sessionToken: string, context: SignInContext): Promise<void> {
    const claims = await this.#o.sessions.verify(sessionToken, context.deviceId);
    this.#o.sessions.revoke({ sessionId: claims.sessionId }, 'sign-out');
  }

  // The next stage the account needs after `after` (null: after the password), or a session.
  async #next(
    user: UserAccount,
    channel: SignInChannel,
    after: Stage | null,
    source: string,
  ): Promise<SignInStep> {
    const policy = this.#o.policies.get(user.enterpriseId).document;
    const order: Stage[] = ['totp', 'change-password', 'enrol-2fa'];
    const remaining = after === null ? order : order.slice(order.indexOf(after) + 1);
    for (const stage of remaining) {
      if (stage === 'totp' && user.totpSecret !== null) {
        return { step: 'totp', ...this.#steps.issue({ stage, userId: user.id }, channel.binding) };
      }
      if (stage === 'change-password') {
        const reason = user.mustChangePassword
          ? 'must-change'
          : this.#expired(user, policy)
            ? 'expired'
            : null;
        if (reason) {
          return {
            step: 'change-password',
            reason,
            ...this.#steps.issue({ stage, userId: user.id }, channel.binding),
          };
        }
      }
      const required =
        (policy.twoFactor === 'mandatory' && !user.twoFactorExcluded) ||
        channel.requiresTwoFactor?.(user) === true;
      if (stage === 'enrol-2fa' && required && user.totpSecret === null)
        return this.#enrolStep(user, channel);
    }
    this.#lockout.recordSuccess(user);
    const session = await channel.issue(user);
    const at = this.#now();
    this.#o.users.recordSignIn?.(user.id, at);
    this.#o.events?.emit('signed-in', {
      userId: user.id,
      enterpriseId: user.enterpriseId,
      at,
      channel: channel.kind,
      ...(channel.deviceId ? { deviceId: channel.deviceId } : {}),
      source,
    });
    return {
      step: 'done',
      session,
      user: {
        id: user.id,
        email: user.email,
        displayName: user.displayName,
        language: user.language,
        role: user.role,
      },
    };
  }

  #enrolStep(
    user: UserAccount,
    channel: SignInChannel,
    sessionId?: string,
  ): SignInStep & { step: 'enrol-2fa' } {
    const secret = newTotpSecret();
    const issuer = this.#o.directory.getEnterprise(user.enterpriseId)?.name ?? 'mfp-edge';
    const state: StepState = { stage: 'enrol-2fa', userId: user.id, pendingSecret: secret };
    if (sessionId !== undefined) state.sessionId = sessionId;
    return {
      step: 'enrol-2fa',
      ...this.#steps.issue(state, channel.binding),
      secret,
      otpauthUri: totpUri({ issuer, email: user.email, secret }),
    };
  }

  #confirmEnrolment(user: UserAccount, state: StepState, code: string): Promise<string[]> {
    return confirmTotpEnrolment(this.#o, user, state.pendingSecret!, code, this.#now());
  }

  #resume(stepToken: string, stage: Stage, channel: SignInChannel): { state: StepState; user: UserAccount } {
    const state = this.#steps.peek(stepToken, channel.binding);
    if (state.stage !== stage) throw new EdgeError('TOKEN_INVALID');
    const user = this.#o.users.get(state.userId);
    if (!user) throw new EdgeError('TOKEN_INVALID');
    // The account may have been locked or disabled since the step began.
    this.#lockout.check(user);
    if (user.disabledAt !== null) throw new EdgeError('ACCOUNT_DISABLED');
    return { state, user };
  }

  async #signedIn(
    sessionToken: string,
    context: SignInContext,
  ): Promise<{ user: UserAccount; sessionId: string }> {
    this.#device(context);
    if (typeof sessionToken !== 'string' || sessionToken === '') throw new EdgeError('AUTH_REQUIRED');
    const claims = await this.#o.sessions.verify(sessionToken, context.deviceId);
    const user = this.#o.users.get(claims.userId);
    if (!user) throw new EdgeError('TOKEN_INVALID');
    if (user.disabledAt !== null) throw new EdgeError('ACCOUNT_DISABLED');
    return { user, sessionId: claims.sessionId };
  }

  #failed(user: UserAccount): void {
    const policy = this.#o.policies.get(user.enterpriseId).document;
    const outcome = this.#lockout.recordFailure(user, policy);
    if (!outcome.lockedNow) return;
    this.#o.logger?.warn({ userId: user.id, lockedUntil: outcome.lockedUntil }, 'account locked');
    this.#o.events?.emit('account-locked', {
      userId: user.id,
      enterpriseId: user.enterpriseId,
      at: this.#now(),
      lockedUntil: outcome.lockedUntil,
    });
    throw new AccountLockedError(outcome.lockedUntil);
  }

  #expired(user: UserAccount, policy: PolicyDocument): boolean {
    if (policy.passwordExpiryDays === 0 || user.passwordNeverExpires || user.passwordChangedAt === null)
      return false;
    return (
      Date.parse(user.passwordChangedAt) + policy.passwordExpiryDays * 86_400_000 <= this.#now().getTime()
    );
  }

  #changedAt(user: UserAccount): Date {
    return user.passwordChangedAt ? new Date(user.passwordChangedAt) : this.#now();
  }

  #device(context: SignInContext) {
    const device = typeof context.deviceId === 'string' ? this.#o.devices.get(context.deviceId) : null;
    if (!device || device.revokedAt !== null) throw new EdgeError('DEVICE_UNAUTHORIZED');
    return device;
  }

  /** A panel's device as a channel: steps bound to the device, a panel session at the end. */
  #channel(context: AnyContext): SignInChannel {
    if ('channel' in context) return context.channel;
    const device = this.#device(context);
    return {
      kind: 'panel',
      binding: device.id,
      enterpriseId: device.enterpriseId,
      label: 'printer',
      deviceId: device.id,
      issue: (user) =>
        this.#o.sessions.create({ userId: user.id, deviceId: device.id, enterpriseId: user.enterpriseId }),
    };
  }

  #checkLimits(channel: SignInChannel, context: AnyContext): void {
    this.#limits.check({ deviceId: channel.binding, source: context.source }, channel.label);
  }

  #recordLimitFailure(channel: SignInChannel, context: AnyContext): void {
    this.#limits.recordFailure({ deviceId: channel.binding, source: context.source });
  }

  /** Runs a step; a refusal is told as 'sign-in-failed' (the audit log records it). */
  async #reported(
    channel: SignInChannel,
    context: AnyContext,
    who: { user: UserAccount | null; email: string | null },
    step: () => Promise<SignInStep>,
  ): Promise<SignInStep> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof EdgeError) {
        this.#o.events?.emit('sign-in-failed', {
          userId: who.user?.id ?? null,
          email: who.email,
          enterpriseId: who.user?.enterpriseId ?? channel.enterpriseId,
          at: this.#now(),
          channel: channel.kind,
          ...(channel.deviceId ? { deviceId: channel.deviceId } : {}),
          source: context.source,
          code: error.code,
        });
      }
      throw error;
    }
  }
}
