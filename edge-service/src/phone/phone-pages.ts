import { layout, type PageContext } from '../account/account-pages.ts';
import { html } from '../account/html.ts';

/** The phone's pages use the account page's look (its stylesheet and script under /account). */
export const PHONE_PAGE_BASE = '/account';

export function confirmPage(
  ctx: PageContext,
  o: {
    action: string;
    userCode: string;
    deviceName: string;
    enterprise: string;
    panelAddress: string;
    person: { displayName: string; email: string };
  },
): string {
  const field = (name: string, value: string) =>
    html`<input type="hidden" name="${name}" value="${value}" />`;
  const form = (decision: 'approve' | 'deny', label: string) =>
    html`<form method="post" action="${o.action}">
      ${field('_csrf', ctx.csrfToken)} ${field('user_code', o.userCode)} ${field('decision', decision)}
      <button type="submit" id="${decision}" ${decision === 'deny' ? html` class="secondary"` : html``}>
        ${label}
      </button>
    </form>`;
  return layout(
    ctx,
    'Sign in at the printer?',
    html`<p>
        You are about to sign in as <strong>${o.person.displayName}</strong> (${o.person.email}) at this
        printer:
      </p>
      <dl id="device">
        <dt>Printer</dt>
        <dd id="device-name">${o.deviceName}</dd>
        <dt>Company</dt>
        <dd>${o.enterprise}</dd>
        <dt>Printer's network address</dt>
        <dd>${o.panelAddress}</dd>
        <dt>Code on the printer</dt>
        <dd><code id="user-code">${o.userCode}</code></dd>
      </dl>
      <p>Confirm only if you are standing at this printer and it shows this code.</p>
      ${form('approve', 'Confirm')} ${form('deny', 'Deny')}`,
  );
}

export function enterCodePage(ctx: PageContext, o: { action: string }): string {
  return layout(
    ctx,
    'Sign in at a printer',
    html`<form method="get" action="${o.action}">
      <label for="user_code">The code the printer shows (XXXX-XXXX)</label>
      <input id="user_code" name="user_code" type="text" autocomplete="off" required maxlength="12" />
      <button type="submit">Continue</button>
    </form>`,
  );
}

export function decidedPage(ctx: PageContext, o: { approved: boolean; deviceName: string }): string {
  return layout(
    ctx,
    o.approved ? 'You are signed in at the printer' : 'Sign-in denied',
    html`<p role="status" id="outcome">
      ${
        o.approved
          ? `The printer "${o.deviceName}" is signing you in now. You can put your phone away; sign out at the printer when you are done.`
          : `Nobody was signed in at "${o.deviceName}". If you did not start this sign-in, tell your administrator.`
      }
    </p>`,
  );
}

/** Why a code cannot be confirmed, in words a person can act on. */
export function phoneRefusal(code: string, message: string): { title: string; message: string } {
  switch (code) {
    case 'PHONE_CODE_INVALID':
      return {
        title: 'This code cannot be used',
        message:
          'The code is unknown, was already used, or has expired. At the printer, choose "Sign in with your phone" again and scan the new code.',
      };
    case 'PHONE_CODE_OTHER_ENTERPRISE':
      return {
        title: 'This printer is not one of your company’s',
        message:
          'The printer belongs to another company than your account, so you cannot sign in there. Use one of your company’s printers.',
      };
    case 'ACCOUNT_DISABLED':
      return { title: 'Your account is disabled', message: 'Ask an administrator of your company.' };
    case 'ACCOUNT_LOCKED':
      return { title: 'Your account is locked', message };
    case 'RATE_LIMITED':
      return {
        title: 'Too many attempts',
        message: 'Too many wrong codes came from your network. Wait a few minutes, then try again.',
      };
    case 'ENTERPRISE_NOT_FOUND':
      return {
        title: 'No such company',
        message: 'The link is not valid: scan the code on the printer again.',
      };
    default:
      return { title: 'The sign-in could not go on', message };
  }
}
