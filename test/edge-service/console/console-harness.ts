import type { Browser } from 'playwright-core';
import { newTotpSecret, totpStep } from '../../../edge-service/src/auth/totp.ts';
import { totpContext } from '../../../edge-service/src/auth/totp-enrolment.ts';
import type { UserAccount } from '../../../edge-service/src/domain/user.ts';
import { DEMO_SLUG } from '../../../edge-service/src/demo-enterprise.ts';
import { launchBrowser } from '../../helpers/browser.ts';
import {
  openConsole,
  signInAtConsole,
  type AdminLogin,
  type ConsolePage,
} from '../../helpers/console-browser.ts';
import { startStack, type Stack } from '../../helpers/edge-and-simulator.ts';

/**
 * A real edge and simulator (the demo enterprise, as `npm start`), headless chromium, and people
 * made straight in the edge's stores: what the console's browser tests start from.
 */
export class ConsoleHarness {
  stack!: Stack;
  browser!: Browser;
  readonly #pages: ConsolePage[] = [];

  async start(): Promise<this> {
    this.stack = await startStack();
    try {
      this.browser = await launchBrowser();
    } catch (error) {
      await this.stack.stop();
      throw error;
    }
    return this;
  }

  async stop(): Promise<void> {
    for (const p of this.#pages.splice(0)) await p.close().catch(() => undefined);
    await this.browser?.close();
    await this.stack?.stop();
  }

  get edgeUrl(): string {
    return this.stack.edge.url;
  }

  get consoleUrl(): string {
    return `${this.edgeUrl}/admin/`;
  }

  get enterpriseId(): string {
    return this.stack.edge.repositories.directory.findEnterpriseBySlug(DEMO_SLUG)!.id;
  }

  /** A person of the demo enterprise with a password (and, given a secret, 2FA enrolled). */
  async person(
    email: string,
    password: string,
    options: { role?: UserAccount['role']; totpSecret?: string; displayName?: string } = {},
  ): Promise<UserAccount> {
    const { users, hasher, secretBox } = this.stack.edge.people;
    const user = users.create({
      enterpriseId: this.enterpriseId,
      email,
      displayName: options.displayName ?? email.split('@')[0]!,
      role: options.role ?? 'user',
    });
    users.setPasswordHash(user.id, await hasher.hash(password), new Date());
    if (options.totpSecret)
      users.setTotp(user.id, {
        ciphertext: secretBox.seal(options.totpSecret, totpContext(user.id)),
        enrolledAt: new Date(),
        // The step before now: the current code is still unused.
        step: totpStep(new Date()) - 2,
      });
    return users.get(user.id)!;
  }

  /** An administrator with 2FA enrolled (admins must have it), ready to sign in at the console. */
  async admin(
    email = 'root@demo.example',
    password = 'Console-Admin-2025!',
  ): Promise<AdminLogin & { user: UserAccount }> {
    const totpSecret = newTotpSecret();
    const user = await this.person(email, password, { role: 'admin', totpSecret });
    return { email, password, totpSecret, user };
  }

  /** A console page in its own browser context (own cookies); closed by stop(). */
  async open(url = this.consoleUrl, viewport?: { width: number; height: number }): Promise<ConsolePage> {
    const page = await openConsole(this.browser, url, viewport);
    this.#pages.push(page);
    return page;
  }

  /** A console page, signed in as `admin`. */
  async signedIn(admin: AdminLogin, url = this.consoleUrl): Promise<ConsolePage> {
    const page = await this.open(url);
    await signInAtConsole(page.page, admin);
    return page;
  }
}
