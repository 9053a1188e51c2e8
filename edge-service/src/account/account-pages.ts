import type { AccountLinkKind } from '../domain/auth-records.ts';
import type { PasswordRuleResult } from '../auth/password-rules.ts';
import type { AccountErrorCode } from './account-errors.ts';
import { CSRF_FIELD } from './csrf.ts';
import { html, type Html } from './html.ts';
import type { EnrolmentOffer } from './two-factor-enrolment.ts';

/** What every page needs: where the router is mounted and this browser's CSRF token. */
export interface PageContext {
  base: string;
  csrfToken: string;
}

export interface PageAction {
  href: string;
  label: string;
}

export function layout(ctx: PageContext, title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="csrf-token" content="${ctx.csrfToken}" />
        <title>${title} · mfp-edge</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${ctx.base}/account.css" />
        <script src="${ctx.base}/account.js" defer></script>
      </head>
      <body>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `.value;
}

export const csrfField = (ctx: PageContext) =>
  html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrfToken}" />`;

export const alert = (message: string | undefined) =>
  message ? html`<p class="alert" role="alert">${message}</p>` : html``;

export function ruleItems(rules: readonly PasswordRuleResult[]): Html {
  return html`${rules.map(
    (r) =>
      html`<li data-rule="${r.rule}" data-ok="${String(r.ok)}">
        <span class="rule-state">${ruleState(r.ok)}</span>${r.message}
      </li>`,
  )}`;
}

/** The words a screen reader says before each rule (the colour and mark are for the eyes). */
export function ruleState(ok: boolean | null): string {
  return ok === true ? 'Met: ' : ok === false ? 'Not met: ' : 'Checked when you save: ';
}

// ----- reset request ------------------------------------------------------------------------------

export function resetRequestPage(ctx: PageContext, options: { email?: string; error?: string } = {}): string {
  return layout(
    ctx,
    'Forgot your password?',
    html`<p>
        Enter the email address of your account. If it has a password here, we email you a link to choose a
        new one.
      </p>
      ${alert(options.error)}
      <form method="post" action="${ctx.base}/reset-request">
        ${csrfField(ctx)}
        <label for="email">Email address</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          maxlength="254"
          value="${options.email ?? ''}"
        />
        <button type="submit">Send me a reset link</button>
      </form>`,
  );
}

export const RESET_REQUESTED_MESSAGE =
  'If an account with that email address exists, we sent it an email with what to do next.';

export function resetRequestedPage(ctx: PageContext, email: string): string {
  return layout(
    ctx,
    'Check your email',
    html`<p role="status">${RESET_REQUESTED_MESSAGE}</p>
      <p>
        We wrote to <strong>${email}</strong>. A reset link works once and for a limited time. If nothing
        arrives within a few minutes, check the address and your spam folder, or ask your administrator.
      </p>
      <p>
        If your company signs you in with its own sign-in, or at the printer with a badge, card or PIN, your
        account has no password here: the email says where to sign in.
      </p>
      <p><a href="${ctx.base}/">Use another email address</a></p>`,
  );
}

// ----- invitation and reset: the new password ---------------------------------------------------

const PASSWORD_TITLES: Record<AccountLinkKind, string> = {
  invitation: 'Set up your account',
  reset: 'Choose a new password',
};

export interface PasswordPageOptions {
  kind: AccountLinkKind;
  /** Known when the link came as `?token=` or the form is shown again; else the script reads `#token=`. */
  token?: string;
  user?: { email: string; displayName: string; enterprise: string };
  rules?: readonly PasswordRuleResult[];
  error?: string;
}

export function greeting(kind: AccountLinkKind, user: { displayName: string; enterprise: string }): string {
  return kind === 'invitation'
    ? `Welcome, ${user.displayName}. Choose the password you will use at the office printers of ${user.enterprise}.`
    : `Choose a new password for your account at ${user.enterprise}, ${user.displayName}.`;
}

export function passwordPage(ctx: PageContext, o: PasswordPageOptions): string {
  const path = o.kind === 'invitation' ? 'invite' : 'reset';
  const known = o.user !== undefined;
  return layout(
    ctx,
    PASSWORD_TITLES[o.kind],
    html`<p id="link-status" role="status">${known ? '' : 'Checking your link…'}</p>
      <noscript
        ><p class="alert">
          This page needs JavaScript to read the link. Turn JavaScript on, or ask your administrator for help.
        </p></noscript
      >
      <p id="greeting">${o.user ? greeting(o.kind, o.user) : ''}</p>
      ${alert(o.error)}
      <form
        id="password-form"
        method="post"
        action="${ctx.base}/${path}"
        data-link-kind="${o.kind}"
        ${known ? html`` : html` hidden`}
      >
        ${csrfField(ctx)}
        <input type="hidden" name="token" value="${o.token ?? ''}" />
        <label for="email">Email address</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          readonly
          value="${o.user?.email ?? ''}"
        />
        <label for="password">New password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          maxlength="1024"
          aria-describedby="rules-heading"
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
        <p id="confirm-status" class="hint" aria-live="polite"></p>
        <h2 id="rules-heading">Your password needs</h2>
        <ul id="rules" aria-labelledby="rules-heading" aria-live="polite">
          ${ruleItems(o.rules ?? [])}
        </ul>
        <button type="submit">${o.kind === 'invitation' ? 'Set password' : 'Save new password'}</button>
      </form>`,
  );
}

// ----- two-factor enrolment -----------------------------------------------------------------------

/** The Base32 key in groups of four, as authenticator apps show and take it. */
export const groupKey = (secret: string): string => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

/** The authenticator-app steps of a 2FA enrolment (QR code, or the key by hand, then the code). */
export function enrolmentSteps(qrPng: string, secret: string) {
  return html`<ol class="steps">
    <li>
      Open an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or
      FreeOTP) and scan this code:
      <img
        id="qr"
        src="${qrPng}"
        alt="QR code to scan with your authenticator app"
        width="200"
        height="200"
      />
    </li>
    <li>
      Or add the account by hand with this key (time-based, 6 digits):
      <code id="totp-key" aria-label="Key for your authenticator app">${groupKey(secret)}</code>
    </li>
    <li>Type the 6-digit code the app now shows.</li>
  </ol>`;
}

/** The code field of an enrolment form. */
export const enrolmentCodeField = html`<label for="code">Code from your authenticator app</label>
  <input
    id="code"
    name="code"
    type="text"
    inputmode="numeric"
    autocomplete="one-time-code"
    pattern="[0-9 ]{6,8}"
    maxlength="8"
    required
  />`;

export function enrolPage(ctx: PageContext, offer: EnrolmentOffer, error?: string): string {
  return layout(
    ctx,
    'Set up two-factor authentication',
    html`<p role="status">
        Your password is set. Your company also asks for a code from an authenticator app when you sign in.
      </p>
      ${alert(error)} ${enrolmentSteps(offer.qrDataUrl, offer.secret)}
      <form method="post" action="${ctx.base}/two-factor">
        ${csrfField(ctx)}
        <input type="hidden" name="enrolToken" value="${offer.enrolToken}" />
        ${enrolmentCodeField}
        <button type="submit">Turn on two-factor authentication</button>
      </form>`,
  );
}

// ----- done ----------------------------------------------------------------------------------------

export function donePage(
  ctx: PageContext,
  o: { kind: AccountLinkKind; email: string; recoveryCodes?: readonly string[] },
): string {
  const codes = o.recoveryCodes?.length
    ? html`<h2 id="codes-heading">Recovery codes</h2>
        <p>
          Keep these codes somewhere safe, away from your phone. Each one works once instead of a code from
          the app, if you lose your phone. <strong>They are shown only now.</strong>
        </p>
        <ol id="recovery-codes" class="codes" aria-labelledby="codes-heading">
          ${o.recoveryCodes.map((c) => html`<li><code>${c}</code></li>`)}
        </ol>`
    : html``;
  return layout(
    ctx,
    o.kind === 'invitation' ? 'Your account is ready' : 'Your password was changed',
    html`<p role="status">
        ${o.kind === 'invitation' ? 'Your account is ready.' : 'Your new password is saved.'} At an office
        printer, open the Fax app and sign in as <strong>${o.email}</strong> with your
        password${o.recoveryCodes?.length ? ' and a code from your authenticator app' : ''}.
      </p>
      ${codes}`,
  );
}

// ----- refusals ------------------------------------------------------------------------------------

export interface Refusal {
  title: string;
  message: string;
  action?: PageAction;
}

/** A page a person can act on, for a link or step that cannot be used. */
export function refusal(
  kind: AccountLinkKind | 'two-factor' | null,
  code: AccountErrorCode,
  base: string,
): Refusal {
  const invite = kind === 'invitation';
  const newLink: PageAction | undefined =
    kind === 'reset' ? { href: `${base}/`, label: 'Ask for a new reset link' } : undefined;
  const ask = invite ? 'Ask your administrator for a new invitation.' : 'Ask for a new link below.';
  switch (code) {
    case 'LINK_USED':
      return {
        title: invite ? 'This invitation was already used' : 'This link was already used',
        message: invite
          ? 'This invitation was already used to set a password. If that was you, sign in at a printer with that password. Otherwise ask your administrator for a new invitation.'
          : `This reset link was already used. If you did not change your password with it, ${ask.toLowerCase()}`,
        ...(newLink ? { action: newLink } : {}),
      };
    case 'LINK_EXPIRED':
      return {
        title: invite ? 'This invitation has expired' : 'This link has expired',
        message: invite
          ? 'This invitation has expired (or a newer one was sent). Ask your administrator for a new invitation.'
          : `This reset link has expired (or a newer one was sent). ${ask}`,
        ...(newLink ? { action: newLink } : {}),
      };
    case 'LINK_INVALID':
      return {
        title: 'This link is not valid',
        message: invite
          ? 'This invitation link is not valid: it may be cut short, or be for another account. Open the whole link from the email again, or ask your administrator for a new invitation.'
          : `This reset link is not valid: it may be cut short, or be for another account. Open the whole link from the email again. ${ask}`,
        ...(newLink ? { action: newLink } : {}),
      };
    case 'BUILTIN_PASSWORD_DISABLED':
      return {
        title: 'Your account does not use a password here',
        message:
          "Sign in with your company sign-in, or at the printer's own sign-in (badge, card or PIN). If that does not work, ask your administrator.",
      };
    case 'ACCOUNT_DISABLED':
      return {
        title: 'Your account is disabled',
        message: 'Your account is disabled. Ask an administrator of your company.',
      };
    case 'RATE_LIMITED':
      return {
        title: 'Too many attempts',
        message: 'There were too many attempts from your network. Wait a few minutes, then try again.',
      };
    case 'SIGN_IN_EXPIRED':
    case 'TOKEN_INVALID':
      return {
        title: 'Two-factor set-up not finished',
        message:
          'The set-up took too long or was already finished. Your password is saved: sign in at a printer, and it asks you to set up two-factor authentication there.',
      };
    case 'CSRF_INVALID':
    case 'ORIGIN_INVALID':
      return {
        title: 'Reload the page',
        message:
          'This page is out of date or was not opened from this site. Open the link from your email again and retry.',
      };
    case 'NOT_FOUND':
      return {
        title: 'No such page',
        message: 'There is no such page.',
        action: { href: `${base}/`, label: 'Forgot your password?' },
      };
    default:
      return {
        title: 'Something went wrong',
        message: 'The edge hit an unexpected error. Try again in a moment, or ask your administrator.',
      };
  }
}

export function refusalPage(ctx: PageContext, r: Refusal): string {
  return layout(
    ctx,
    r.title,
    html`<p role="alert">${r.message}</p>
      ${r.action ? html`<p><a href="${r.action.href}">${r.action.label}</a></p>` : html``}`,
  );
}
