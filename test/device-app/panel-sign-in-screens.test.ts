import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { launchBrowser } from '../helpers/browser.ts';
import { FakePanelEdge, type FakeAnswer, type SeenRequest } from '../helpers/fake-panel-edge.ts';
import type { AuthMode, PasswordRuleView, SessionView } from '../../protocol/index.ts';
import { formatLocalTime } from '../../device-app/src/sign-in-text.ts';

/*
 * The panel's sign-in and session screens in headless chromium at 800×480, against a scripted edge
 * (test/helpers/fake-panel-edge.ts): every refusal, the countdown, a reconnect, escaping. The real
 * edge's flows are in panel-people-browser.test.ts.
 */

const ADA = { displayName: 'Ada Lovelace', email: 'ada@demo.example' };
const policy = {
  version: 3,
  panelInactivitySeconds: 60,
  twoFactor: 'mandatory' as const,
  passwordMinLength: 8,
};

function session(token = 'session-token-1', user = ADA): SessionView {
  return { sessionToken: token, user, expiresAt: new Date(Date.now() + 60000).toISOString() };
}

function rulesFor(candidate: string): PasswordRuleView[] {
  return [
    { rule: 'min-length', ok: candidate.length >= 8, message: 'At least 8 characters' },
    { rule: 'digits', ok: /\d/.test(candidate), message: 'At least 1 digit' },
    { rule: 'history', ok: null, message: 'Not one of your last 3 passwords' },
  ];
}

/** Waits until `check` holds (requests reach the scripted edge a moment after the click). */
async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const step = (s: Record<string, unknown>): FakeAnswer => ({
  payload: { stepToken: 'step-1', expiresAt: new Date(Date.now() + 300000).toISOString(), ...s },
});

describe('panel sign-in and session screens (scripted edge, 800×480)', function () {
  this.timeout(60000);
  let edge: FakePanelEdge;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    edge = new FakePanelEdge();
    await edge.start();
  });
  afterEach(async () => {
    await page?.close();
    await edge.stop();
    assert.deepEqual(errors, []);
  });

  /** The edge as a device of `mode`; `more` answers everything past hello. */
  function script(
    mode: AuthMode,
    more: (request: SeenRequest) => FakeAnswer | undefined,
    helloUser: (request: SeenRequest) => { user: typeof ADA | null; session: SessionView | null } = () => ({
      user: null,
      session: null,
    }),
  ): void {
    edge.handler = (request) => {
      if (request.type === 'hello') {
        return {
          payload: {
            protocolVersion: 1,
            edgeVersion: 'fake',
            device: { id: 'd1', name: 'Lobby MFP', authMode: mode },
            ...helloUser(request),
            policy,
          },
        };
      }
      if (request.type === 'jobs.list') return { payload: { jobs: [] } };
      if (request.type === 'session.activity') return { payload: { expiresAt: null } };
      if (request.type === 'auth.signOut') return { payload: {} };
      return more(request) ?? { error: { code: 'INTERNAL', message: 'not scripted' } };
    };
  }

  async function open(options: { clock?: boolean } = {}): Promise<void> {
    page = await browser.newPage({ viewport: { width: 800, height: 480 } });
    errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    if (options.clock) await page.clock.install();
    await page.goto(edge.panelUrl());
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Online' }).waitFor();
  }

  async function signIn(email = ADA.email, password = 'correct horse'): Promise<void> {
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  it('walks a new user through a password change with live rules, 2FA enrolment and recovery codes', async () => {
    const qrPng = await QRCode.toDataURL('otpauth://totp/Demo:ada?secret=JBSWY3DPEHPK3PXP', { margin: 1 });
    script('user-prompt', (request) => {
      if (request.type === 'auth.password')
        return step({ step: 'change-password', reason: 'must-change', rules: rulesFor('') });
      if (request.type === 'auth.passwordRules')
        return { payload: { rules: rulesFor(String(request.payload.candidate)) } };
      if (request.type === 'auth.changePassword')
        return step({
          step: 'enrol-2fa',
          secret: 'JBSWY3DPEHPK3PXPJBSWY3DP',
          otpauthUri: 'otpauth://x',
          qrPng,
        });
      if (request.type === 'auth.enrolTwoFactor') {
        if (request.payload.code === '000000')
          return { error: { code: 'TOTP_INVALID', message: 'edge text' } };
        return {
          payload: {
            step: 'done',
            session: session(),
            recoveryCodes: ['AAAA-BBBB-CCCC-DDDD', 'EEEE-FFFF-GGGG-HHHH'],
          },
        };
      }
      return undefined;
    });
    await open();
    await signIn();

    const screen = page.getByRole('region', { name: 'Choose a new password' });
    await screen.waitFor();
    await screen.getByText('You must choose a new password').waitFor();
    const rules = page.getByRole('list', { name: 'Password rules' });
    assert.equal(await rules.getByRole('listitem').count(), 3);
    const submit = page.getByRole('button', { name: 'Change password' });
    assert.equal(await submit.isDisabled(), true);

    const password = page.getByLabel('New password', { exact: true });
    await password.pressSequentially('short', { delay: 20 });
    await rules.locator('[data-ok="false"]').filter({ hasText: 'At least 8 characters' }).waitFor();
    await password.pressSequentially('-enough1', { delay: 20 });
    await rules.locator('[data-ok="true"]').filter({ hasText: 'At least 1 digit' }).waitFor();
    await rules.locator('[data-ok="true"]').filter({ hasText: 'At least 8 characters' }).waitFor();
    const checks = edge.of('auth.passwordRules');
    assert.ok(
      checks.length >= 1 && checks.length < 'short-enough1'.length,
      `debounced: ${checks.length} checks`,
    );
    assert.equal(checks.at(-1)!.payload.candidate, 'short-enough1');
    assert.equal(await submit.isDisabled(), true, 'not until the confirmation matches');
    await page.getByLabel('Confirm new password').fill('short-enough');
    await page.getByText('The two passwords are not the same.').waitFor();
    assert.equal(await submit.isDisabled(), true);
    await page.getByLabel('Confirm new password').fill('short-enough1');
    await submit.waitFor({ state: 'visible' });
    assert.equal(await submit.isDisabled(), false);
    await submit.click();

    const enrol = page.getByRole('region', { name: 'Set up two-factor sign-in' });
    await enrol.waitFor();
    assert.equal(edge.of('auth.changePassword')[0]!.payload.password, 'short-enough1');
    const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    assert.equal(await qr.getAttribute('src'), qrPng);
    assert.ok(
      await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
      'the PNG loads',
    );
    assert.equal(
      await page.getByLabel('Key for manual entry').textContent(),
      'JBSW Y3DP EHPK 3PXP JBSW Y3DP',
    );
    const code = page.getByRole('textbox', { name: 'Code from the app' });
    assert.equal(await code.getAttribute('inputmode'), 'numeric');
    await code.fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is wrong or too old' }).waitFor();
    await code.fill('123456');
    await page.getByRole('button', { name: 'Confirm' }).click();

    const codes = page.getByRole('list', { name: 'Recovery codes' });
    await codes.waitFor();
    assert.deepEqual(await codes.getByRole('listitem').allTextContents(), [
      'AAAA-BBBB-CCCC-DDDD',
      'EEEE-FFFF-GGGG-HHHH',
    ]);
    await page.getByRole('button', { name: 'I have written them down' }).click();
    await page.getByRole('region', { name: 'Home' }).getByText('Ada Lovelace').waitFor();
    await page.locator('#user-name').filter({ hasText: 'Ada Lovelace' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // Nothing secret kept in the page or in storage.
    const kept = await page.evaluate(() => ({
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      inputs: [...document.querySelectorAll('input')].map((i) => i.value),
    }));
    assert.doesNotMatch(kept.storage, /session-token|short-enough/);
    assert.deepEqual(kept.inputs, []);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('region', { name: 'Sign in' }).getByText('You are signed out.').waitFor();
    assert.equal(edge.of('auth.signOut').length, 1);
    assert.equal(
      await page.getByRole('textbox', { name: 'Email' }).inputValue(),
      '',
      'the email is forgotten too',
    );
  });

  it('asks for the TOTP code, takes a recovery code instead, and clears the password', async () => {
    script('user-prompt', (request) => {
      if (request.type === 'auth.password') return step({ step: 'totp' });
      if (request.type === 'auth.totp') {
        if (request.payload.code === '111111')
          return { error: { code: 'TOTP_REPLAYED', message: 'edge text' } };
        return { payload: { step: 'done', session: session() } };
      }
      return undefined;
    });
    await open();
    await signIn();
    const code = page.getByRole('textbox', { name: 'Code from your authenticator app' });
    await code.waitFor();
    assert.equal(await code.getAttribute('inputmode'), 'numeric');
    await code.fill('111111');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'already used' }).waitFor();
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    const recovery = page.getByRole('textbox', { name: 'Recovery code' });
    assert.equal(await recovery.getAttribute('inputmode'), 'text');
    await recovery.fill('ABCD-EFGH-JKLM-NPQR');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('region', { name: 'Home' }).waitFor();
    assert.deepEqual(
      edge.of('auth.totp').map((r) => r.payload.code),
      ['111111', 'ABCD-EFGH-JKLM-NPQR'],
    );
  });

  it('has one clear screen per refusal', async () => {
    const until = new Date(Date.now() + 30 * 60000).toISOString();
    const answers: Record<string, FakeAnswer> = {
      'locked@x.test': { error: { code: 'ACCOUNT_LOCKED', message: 'edge', until } },
      'admin-locked@x.test': { error: { code: 'ACCOUNT_LOCKED', message: 'edge' } },
      'busy@x.test': { error: { code: 'RATE_LIMITED', message: 'edge', until } },
      'sso@x.test': { error: { code: 'BUILTIN_PASSWORD_DISABLED', message: 'edge' } },
      'wrong@x.test': { error: { code: 'INVALID_CREDENTIALS', message: 'edge' } },
      'slow@x.test': step({ step: 'totp' }),
    };
    script('user-prompt', (request) => {
      if (request.type === 'auth.password') return answers[String(request.payload.email)];
      if (request.type === 'auth.totp') return { error: { code: 'SIGN_IN_EXPIRED', message: 'edge' } };
      return undefined;
    });
    await open();
    const expect = async (email: string, title: string, text: string | RegExp) => {
      await signIn(email);
      const alert = page.getByRole('alert', { name: title });
      await alert.waitFor();
      const body = (await alert.textContent()) ?? '';
      if (typeof text === 'string') assert.ok(body.includes(text), `${email}: ${body}`);
      else assert.match(body, text);
      await page.getByRole('button', { name: 'Back to sign-in' }).click();
      assert.equal(await page.getByRole('textbox', { name: 'Email' }).inputValue(), email, 'the email stays');
      assert.equal(
        await page.getByLabel('Password', { exact: true }).inputValue(),
        '',
        'the password does not',
      );
    };
    await expect('locked@x.test', 'Account locked', `Your account is locked until ${formatLocalTime(until)}`);
    await expect('admin-locked@x.test', 'Account locked', 'until an administrator unlocks it');
    await expect('busy@x.test', 'Too many attempts', `Try again at ${formatLocalTime(until)}`);
    await expect(
      'sso@x.test',
      'No password on this printer',
      /Sign in with your phone, or use the printer's own sign-in/,
    );
    await expect('wrong@x.test', 'Wrong email or password', 'The email or password is wrong');

    await signIn('slow@x.test');
    await page.getByRole('textbox', { name: 'Code from your authenticator app' }).fill('123456');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert', { name: 'Start again' }).waitFor();
  });

  it('wipes a sign-in left half-way after two minutes untouched', async () => {
    script('user-prompt', (request) =>
      request.type === 'auth.password'
        ? { error: { code: 'INVALID_CREDENTIALS', message: 'edge' } }
        : undefined,
    );
    await open({ clock: true });
    await signIn('someone@x.test');
    await page.getByRole('alert', { name: 'Wrong email or password' }).waitFor();
    await page.clock.fastForward(60000);
    assert.equal(await page.getByRole('alert', { name: 'Wrong email or password' }).isVisible(), true);
    await page.clock.fastForward(61000);
    await page.getByRole('region', { name: 'Sign in' }).waitFor();
    assert.equal(
      await page.getByRole('textbox', { name: 'Email' }).inputValue(),
      '',
      'the email is forgotten',
    );
  });

  it('counts down before an inactivity sign-out, keeps the session on a touch, and says why it ended', async () => {
    script(
      'user-prompt',
      () => undefined,
      () => ({ user: ADA, session: session() }),
    );
    await open();
    await page.getByRole('region', { name: 'Home' }).waitFor();
    const before = edge.of('session.activity').length;
    await page.getByRole('button', { name: 'Fax' }).click();
    await page.getByRole('button', { name: 'Key 1', exact: true }).click();
    await page.getByRole('button', { name: 'Key 2', exact: true }).click();
    await page.getByRole('button', { name: 'Back' }).click();
    await until(() => edge.of('session.activity').length - before >= 1, 'the first activity');
    await page.getByRole('region', { name: 'Home' }).waitFor();
    assert.equal(edge.of('session.activity').length - before, 1, 'throttled: one activity for four touches');

    edge.push('session.expiring', { at: new Date(Date.now() + 10000).toISOString() });
    const overlay = page.getByRole('alertdialog', { name: 'Signing out soon' });
    await overlay.getByText(/Signing out in (10|9) s — touch to stay/).waitFor();
    await overlay.getByRole('button', { name: /touch to stay/ }).click();
    await overlay.waitFor({ state: 'hidden' });
    // A touch on the countdown always goes, however recent the last activity was.
    await until(() => edge.of('session.activity').length - before === 2, 'the countdown touch');

    edge.push('session.expiring', { at: new Date(Date.now() + 3000).toISOString() });
    await overlay.waitFor();
    edge.push('session.changed', { user: null, reason: 'inactivity' });
    await page
      .getByRole('region', { name: 'Sign in' })
      .getByText('Signed out after 60 s without activity.')
      .waitFor();
    await overlay.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#user-name').textContent(), '');
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).isHidden(), true);
  });

  it('resumes the session with its token after a network blip', async () => {
    script(
      'user-prompt',
      (request) =>
        request.type === 'auth.password'
          ? { payload: { step: 'done', session: session('tok-A') } }
          : undefined,
      (request) =>
        request.payload.sessionToken === 'tok-A'
          ? { user: ADA, session: session('tok-B') }
          : { user: null, session: null },
    );
    await open();
    await signIn();
    await page.getByRole('region', { name: 'Home' }).waitFor();
    edge.dropConnections();
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Offline' }).waitFor();
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Online' }).waitFor();
    const hellos = edge.of('hello');
    assert.equal(hellos.length, 2);
    assert.equal(hellos[0]!.payload.sessionToken, undefined);
    assert.equal(hellos[1]!.payload.sessionToken, 'tok-A');
    await page.getByRole('region', { name: 'Home' }).getByText('Ada Lovelace').waitFor();

    // The renewed token is the one sent next time; a session the edge no longer knows ends here.
    edge.handler = ((inner) => (request: SeenRequest) =>
      request.type === 'hello' && request.payload.sessionToken === 'tok-B'
        ? inner({ ...request, payload: { ...request.payload, sessionToken: 'expired' } })
        : inner(request))(edge.handler);
    edge.dropConnections();
    await page
      .getByRole('region', { name: 'Sign in' })
      .getByText('You were signed out while the panel was offline.')
      .waitFor();
    assert.equal(edge.of('hello')[2]!.payload.sessionToken, 'tok-B');
  });

  it('device-login: waits for the printer sign-in, shows the name, the unknown person escaped, and the sign-out', async () => {
    script('device-login', () => undefined);
    await open();
    await page.getByRole('heading', { name: 'Sign in at the printer (card, PIN…)' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).isHidden(), true);

    edge.push('session.changed', { user: ADA, session: session() });
    await page.getByRole('region', { name: 'Home' }).getByText('Ada Lovelace').waitFor();
    assert.equal(
      await page.getByRole('button', { name: 'Sign out' }).isHidden(),
      true,
      'signed out at the MFP',
    );

    edge.push('session.changed', { user: null, reason: 'device-sign-out' });
    await page
      .getByRole('region', { name: 'Sign in at the printer' })
      .getByText('The printer signed you out.')
      .waitFor();

    const message = 'Nobody called <img src=x onerror="window.pwned=1"> works here';
    edge.push('session.changed', { user: null, reason: 'unknown-person', code: 'UNKNOWN_USER', message });
    const alert = page.getByRole('alert', { name: 'No fax account' });
    await alert.getByText(message, { exact: true }).waitFor();
    assert.equal(await alert.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);

    edge.push('session.changed', { user: null, reason: 'device-sign-out' });
    await page.getByRole('heading', { name: 'Sign in at the printer (card, PIN…)' }).waitFor();

    edge.push('session.changed', { user: { displayName: '<b>Bob</b>', email: 'bob@x.test' } });
    await page.getByRole('region', { name: 'Home' }).getByText('<b>Bob</b>', { exact: true }).waitFor();
  });

  it('device-login: says so when the edge cannot read the printer sign-in', async () => {
    script('device-login', () => undefined);
    await open();
    await page.getByRole('heading', { name: 'Sign in at the printer (card, PIN…)' }).waitFor();
    edge.push('session.changed', {
      user: null,
      code: 'DEVICE_LOGIN_UNAVAILABLE',
      message: 'The edge cannot read who is signed in at this printer (Lobby MFP)',
    });
    await page
      .getByRole('alert', { name: 'Printer sign-in unavailable' })
      .getByText('The edge cannot read who is signed in at this printer (Lobby MFP)')
      .waitFor();
  });

  it('keeps the newest policy only', async () => {
    script(
      'user-prompt',
      () => undefined,
      () => ({ user: ADA, session: session() }),
    );
    await open();
    await page.getByRole('region', { name: 'Home' }).waitFor();
    edge.push('policy.updated', { policy: { ...policy, version: 5, panelInactivitySeconds: 120 } });
    edge.push('policy.updated', { policy: { ...policy, version: 4, panelInactivitySeconds: 30 } });
    edge.push('session.changed', { user: null, reason: 'inactivity' });
    await page.getByText('Signed out after 120 s without activity.').waitFor();
  });
});
