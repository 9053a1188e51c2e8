import { z } from 'zod';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import type { ChannelContext, SignInService, SignInStep } from '../auth/sign-in-service.ts';
import { otpauthQrPng } from '../auth/totp-enrolment.ts';
import type { DirectoryRepository, EnterpriseRecord } from '../domain/device.ts';
import type { UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import { PasswordRuleView } from '../../../protocol/messages.ts';
import { consoleCookieName } from './api-auth.ts';
import { defineEndpoint, type AnyEndpoint } from './endpoint.ts';
import { personView } from './person-view.ts';

const Enterprise = z.object({ id: z.string(), name: z.string(), slug: z.string() });
const SessionUser = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(['admin', 'user', 'support-agent', 'reseller-admin']),
  language: z.string(),
  timeZone: z.string(),
});

/** The next step of a console sign-in; `done` also sets the session cookie. */
export const SignInStepView = z.discriminatedUnion('step', [
  z.object({ step: z.literal('totp'), stepToken: z.string(), expiresAt: z.string() }),
  z.object({
    step: z.literal('change-password'),
    stepToken: z.string(),
    expiresAt: z.string(),
    reason: z.enum(['expired', 'must-change']),
  }),
  z.object({
    step: z.literal('enrol-2fa'),
    stepToken: z.string(),
    expiresAt: z.string(),
    secret: z.string().describe('The Base32 TOTP secret, to type into an authenticator app.'),
    otpauthUri: z.string(),
    qrPng: z.string().describe('The otpauth URI as a QR code, a PNG data URL.'),
  }),
  z.object({
    step: z.literal('done'),
    user: SessionUser,
    enterprise: Enterprise,
    csrfToken: z.string(),
    expiresAt: z.string(),
    recoveryCodes: z.array(z.string()).optional().describe('Shown once, right after 2FA enrolment.'),
  }),
]);

export const SessionView = z.object({
  via: z.enum(['session', 'token']),
  user: SessionUser,
  enterprise: Enterprise,
  /** Null for API tokens (they need none). */
  csrfToken: z.string().nullable(),
  expiresAt: z.string().nullable(),
});

const StepToken = z.string().min(1).max(256);
const ANSWERS = { code: z.string().min(1).max(64), password: z.string().min(1).max(1024) };

export interface SessionEndpointDeps {
  signIn: SignInService;
  consoleSessions: ConsoleSessions;
  users: Pick<UserRepository, 'get' | 'findByEmail'>;
  directory: Pick<DirectoryRepository, 'findEnterpriseBySlug' | 'getEnterprise' | 'listEnterprises'>;
}

/**
 * The console's sign-in (the panel's step machine, auth/sign-in-service.ts, through a console
 * channel) and its session. Only administrators and the vendor-side roles sign in here; they must
 * use 2FA whatever the policy says (an account without it enrols right after the password).
 */
export function sessionEndpoints(deps: SessionEndpointDeps): AnyEndpoint[] {
  const channel = (source: string, enterpriseId: string): ChannelContext => ({
    source,
    channel: {
      kind: 'console',
      // Steps continue only from the address that began them; failures count per address.
      binding: `console:${source}`,
      enterpriseId,
      label: 'network address',
      admit(user) {
        if (user.role === 'user')
          throw new EdgeError(
            'FORBIDDEN',
            'The admin console is for administrators: your account signs in at the printers only.',
          );
      },
      requiresTwoFactor: (user) => user.role !== 'user',
      issue: (user) => Promise.resolve(deps.consoleSessions.create(user.id, source)),
    },
  });

  /** The enterprise named, or the one whose account has that email, or (none) the first: the answer is the same. */
  const enterpriseFor = (slug: string | undefined, email: string): EnterpriseRecord | null => {
    if (slug !== undefined) {
      const found = deps.directory.findEnterpriseBySlug(slug);
      if (!found) throw new EdgeError('ENTERPRISE_NOT_FOUND');
      return found;
    }
    const all = deps.directory.listEnterprises();
    const withEmail = all.filter((e) => deps.users.findByEmail(e.id, email));
    if (withEmail.length > 1)
      throw new EdgeError(
        'VALIDATION_FAILED',
        'enterprise: this email has accounts in several enterprises; name the enterprise (its identifier).',
      );
    return withEmail[0] ?? all[0] ?? null;
  };

  const view = async (
    step: SignInStep,
    context: {
      secure: boolean;
      cookies: { set: (n: string, v: string, o: { maxAgeSeconds?: number }) => void };
    },
  ): Promise<z.input<typeof SignInStepView>> => {
    switch (step.step) {
      case 'totp':
        return { step: 'totp', stepToken: step.stepToken, expiresAt: step.expiresAt.toISOString() };
      case 'change-password':
        return {
          step: 'change-password',
          stepToken: step.stepToken,
          expiresAt: step.expiresAt.toISOString(),
          reason: step.reason,
        };
      case 'enrol-2fa':
        return {
          step: 'enrol-2fa',
          stepToken: step.stepToken,
          expiresAt: step.expiresAt.toISOString(),
          secret: step.secret,
          otpauthUri: step.otpauthUri,
          qrPng: await otpauthQrPng(step.otpauthUri),
        };
      case 'done': {
        const user = deps.users.get(step.user.id)!;
        const enterprise = deps.directory.getEnterprise(user.enterpriseId)!;
        // A session cookie (no Max-Age): the browser forgets it when closed; the server ends it sooner.
        context.cookies.set(consoleCookieName(context.secure), step.session.token, {});
        return {
          step: 'done',
          user: personView(user),
          enterprise: { id: enterprise.id, name: enterprise.name, slug: enterprise.slug },
          csrfToken: deps.consoleSessions.csrfToken(step.session.sessionId),
          expiresAt: step.session.expiresAt.toISOString(),
          ...(step.recoveryCodes ? { recoveryCodes: step.recoveryCodes } : {}),
        };
      }
    }
  };

  /** A step after the password: its step token and the person's answer, a code or a new password. */
  const laterStep = (
    spec: { path: string; operationId: string; summary: string },
    answer: 'code' | 'password',
    take: (stepToken: string, answer: string, context: ChannelContext) => Promise<SignInStep>,
  ): AnyEndpoint =>
    defineEndpoint({
      method: 'post',
      ...spec,
      tag: 'session',
      access: 'public',
      body: z.strictObject({ stepToken: StepToken, [answer]: ANSWERS[answer] }),
      response: SignInStepView,
      async handle(c) {
        // The schema above holds both (a computed key widens the inferred type).
        const body = c.body as Record<'stepToken' | typeof answer, string>;
        return view(await take(body.stepToken, body[answer], channel(c.source, '')), c);
      },
    });

  return [
    defineEndpoint({
      method: 'post',
      path: '/session/password',
      operationId: 'signInWithPassword',
      summary: 'Console sign-in, first step: email and password. Answers the next step.',
      tag: 'session',
      access: 'public',
      body: z.strictObject({
        email: z.string().min(1).max(254),
        password: z.string().min(1).max(1024),
        enterprise: z
          .string()
          .min(2)
          .max(63)
          .optional()
          .describe('The enterprise identifier (slug), when the email is in several.'),
      }),
      response: SignInStepView,
      async handle(c) {
        const enterprise = enterpriseFor(c.body.enterprise, c.body.email);
        if (!enterprise) throw new EdgeError('INVALID_CREDENTIALS');
        const step = await deps.signIn.password(
          c.body.email,
          c.body.password,
          channel(c.source, enterprise.id),
        );
        return view(step, c);
      },
    }),
    laterStep(
      {
        path: '/session/totp',
        operationId: 'signInWithTotp',
        summary: 'Console sign-in: the 6-digit code of the authenticator app, or a recovery code.',
      },
      'code',
      (token, code, context) => deps.signIn.totp(token, code, context),
    ),
    laterStep(
      {
        path: '/session/change-password',
        operationId: 'signInChangePassword',
        summary: 'Console sign-in: a new password when the old one expired or must be changed.',
      },
      'password',
      (token, password, context) => deps.signIn.changePassword(token, password, context),
    ),
    defineEndpoint({
      method: 'post',
      path: '/session/password-rules',
      operationId: 'signInPasswordRules',
      summary: "The enterprise's password rules against a candidate, to show them as the person types.",
      tag: 'session',
      access: 'public',
      body: z.strictObject({ stepToken: StepToken, password: z.string().max(1024) }),
      response: z.object({ rules: z.array(PasswordRuleView) }),
      async handle(c) {
        const rules = await deps.signIn.passwordRules(
          c.body.stepToken,
          c.body.password,
          channel(c.source, ''),
        );
        return { rules: rules.map(({ rule, ok, message }) => ({ rule, ok, message })) };
      },
    }),
    laterStep(
      {
        path: '/session/enrol-2fa',
        operationId: 'signInEnrolTwoFactor',
        summary: 'Console sign-in: confirms the 2FA enrolment with a code from the new secret.',
      },
      'code',
      (token, code, context) => deps.signIn.enrolTwoFactor(token, code, context),
    ),
    defineEndpoint({
      method: 'get',
      path: '/session',
      operationId: 'getSession',
      summary: 'Who is signed in, their enterprise, and the CSRF token for state-changing requests.',
      tag: 'session',
      access: 'signed-in',
      response: SessionView,
      handle(c) {
        const actor = c.actor!;
        const enterprise = deps.directory.getEnterprise(actor.user.enterpriseId)!;
        return {
          via: actor.via,
          user: personView(actor.user),
          enterprise: { id: enterprise.id, name: enterprise.name, slug: enterprise.slug },
          csrfToken: c.session?.csrfToken ?? null,
          expiresAt: c.session?.expiresAt ?? null,
        };
      },
    }),
    defineEndpoint({
      method: 'delete',
      path: '/session',
      operationId: 'signOut',
      summary: 'Signs out of the console (the session ends everywhere at once).',
      tag: 'session',
      access: 'signed-in',
      response: z.undefined(),
      status: 204,
      handle(c) {
        const actor = c.actor!;
        if (actor.via !== 'session')
          throw new EdgeError('FORBIDDEN', 'An API token has no session to end: revoke the token instead.');
        deps.consoleSessions.revoke({ sessionId: actor.credentialId }, 'sign-out');
        c.cookies.clear(consoleCookieName(c.secure));
        return undefined;
      },
    }),
  ];
}
