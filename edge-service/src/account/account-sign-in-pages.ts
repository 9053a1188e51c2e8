import type { PasswordRuleResult } from '../auth/password-rules.ts';
import {
  alert,
  csrfField,
  enrolmentCodeField,
  enrolmentSteps,
  layout,
  ruleItems,
  type PageContext,
} from './account-pages.ts';
import { html } from './html.ts';

/** Where the sign-in goes back to, carried by every step's form. */
const returnField = (returnTo: string) => html`<input type="hidden" name="return" value="${returnTo}" />`;

/** "Sign in with your company": the sso room's start URL for the account page. */
export function companySignInUrl(slug: string, returnTo: string): string {
  return `/auth/${encodeURIComponent(slug)}/sso/start?purpose=account&return=${encodeURIComponent(returnTo)}`;
}

export interface SignInPageOptions {
  returnTo: string;
  email?: string;
  error?: string;
  /** The enterprise's company sign-in, when it has one and the page knows the enterprise. */
  company?: { name: string; url: string } | null;
}

export function signInPage(ctx: PageContext, o: SignInPageOptions): string {
  const company = o.company
    ? html`<p><a class="button" id="company-sign-in" href="${o.company.url}">Sign in with your company</a></p>
        <p class="hint">${o.company.name} signs you in with its own sign-in. Or use a password here:</p>`
    : html``;
  return layout(
    ctx,
    'Sign in',
    html`${company} ${alert(o.error)}
      <form method="post" action="${ctx.base}/sign-in">
        ${csrfField(ctx)} ${returnField(o.returnTo)}
        <label for="email">Email address</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          maxlength="254"
          value="${o.email ?? ''}"
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxlength="1024"
        />
        <button type="submit">Sign in</button>
      </form>
      <p><a href="${ctx.base}/">Forgot your password?</a></p>`,
  );
}

export function totpPage(
  ctx: PageContext,
  o: { returnTo: string; stepToken: string; error?: string },
): string {
  return layout(
    ctx,
    'Two-factor code',
    html`${alert(o.error)}
      <form method="post" action="${ctx.base}/sign-in/totp">
        ${csrfField(ctx)} ${returnField(o.returnTo)}
        <input type="hidden" name="stepToken" value="${o.stepToken}" />
        <label for="code">Code from your authenticator app, or a recovery code</label>
        <input id="code" name="code" type="text" autocomplete="one-time-code" required maxlength="64" />
        <button type="submit">Continue</button>
      </form>`,
  );
}

export function changePasswordPage(
  ctx: PageContext,
  o: {
    returnTo: string;
    stepToken: string;
    reason: 'expired' | 'must-change';
    rules: readonly PasswordRuleResult[];
    error?: string;
  },
): string {
  return layout(
    ctx,
    'Choose a new password',
    html`<p role="status">
        ${
          o.reason === 'expired'
            ? 'Your password has expired.'
            : 'Your administrator asks you to choose a new password.'
        }
      </p>
      ${alert(o.error)}
      <form method="post" action="${ctx.base}/sign-in/change-password">
        ${csrfField(ctx)} ${returnField(o.returnTo)}
        <input type="hidden" name="stepToken" value="${o.stepToken}" />
        <input type="hidden" name="reason" value="${o.reason}" />
        <label for="password">New password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          maxlength="1024"
        />
        <label for="confirm">Repeat the new password</label>
        <input
          id="confirm"
          name="confirm"
          type="password"
          autocomplete="new-password"
          required
          maxlength="1024"
        />
        <h2 id="sign-in-rules-heading">Your password needs</h2>
        <ul aria-labelledby="sign-in-rules-heading">
          ${ruleItems(o.rules)}
        </ul>
        <button type="submit">Save new password</button>
      </form>`,
  );
}

export function enrolSignInPage(
  ctx: PageContext,
  o: { returnTo: string; stepToken: string; secret: string; qrPng: string; error?: string },
): string {
  return layout(
    ctx,
    'Set up two-factor authentication',
    html`<p role="status">Your company asks for a code from an authenticator app when you sign in.</p>
      ${alert(o.error)} ${enrolmentSteps(o.qrPng, o.secret)}
      <form method="post" action="${ctx.base}/sign-in/enrol-2fa">
        ${csrfField(ctx)} ${returnField(o.returnTo)}
        <input type="hidden" name="stepToken" value="${o.stepToken}" />
        ${enrolmentCodeField}
        <button type="submit">Turn on two-factor authentication</button>
      </form>`,
  );
}

/** After 2FA enrolment: the recovery codes, once, then on to where the sign-in was going. */
export function recoveryCodesPage(
  ctx: PageContext,
  o: { returnTo: string; codes: readonly string[] },
): string {
  return layout(
    ctx,
    'Recovery codes',
    html`<p role="status">You are signed in.</p>
      <p>
        Keep these codes somewhere safe, away from your phone. Each one works once instead of a code from the
        app. <strong>They are shown only now.</strong>
      </p>
      <ol id="recovery-codes" class="codes" aria-label="Recovery codes">
        ${o.codes.map((c) => html`<li><code>${c}</code></li>`)}
      </ol>
      <p><a class="button" href="${o.returnTo}">Continue</a></p>`,
  );
}

/** A person with no way to sign in here: no built-in password and no company sign-in. */
export function noSignInPage(ctx: PageContext, o: { returnTo: string }): string {
  return layout(
    ctx,
    'Your account does not use a password here',
    html`<p role="alert">
        Your account has no password here, and your company has no company sign-in set up for this edge. Sign
        in at a printer with its own sign-in (badge, card or PIN), or ask your administrator to give you a
        password or to set up the company sign-in.
      </p>
      <p><a href="${ctx.base}/sign-in?return=${encodeURIComponent(o.returnTo)}">Use another account</a></p>`,
  );
}

/** `/account/` signed in: who you are, and sign out. */
export function signedInPage(
  ctx: PageContext,
  o: { displayName: string; email: string; enterprise: string; language: string },
): string {
  const languages: Record<string, string> = { en: 'English', fr: 'Français', de: 'Deutsch' };
  return layout(
    ctx,
    'Your account',
    html`<dl id="who">
        <dt>Name</dt>
        <dd>${o.displayName}</dd>
        <dt>Email address</dt>
        <dd>${o.email}</dd>
        <dt>Company</dt>
        <dd>${o.enterprise}</dd>
        <dt>Language</dt>
        <dd>${languages[o.language] ?? o.language}</dd>
      </dl>
      <form method="post" action="${ctx.base}/sign-out">
        ${csrfField(ctx)}
        <button type="submit">Sign out</button>
      </form>`,
  );
}

export function signedOutPage(ctx: PageContext): string {
  return layout(
    ctx,
    'You are signed out',
    html`<p role="status">You are signed out of your account on this browser.</p>
      <p><a href="${ctx.base}/sign-in">Sign in again</a></p>`,
  );
}
