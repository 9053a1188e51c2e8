/*
 * The admin console (served at /admin/): one static page, hash routes (#/devices, #/pair?code=…),
 * everything read from /api/v1. A QR code on a panel opens #/pair?code=XXXXXXXX: when nobody is
 * signed in the route is kept and opened after sign-in.
 */
import { del, describeFailure, whenSignedOut, setCsrfToken } from './api.ts';
import type { Page, PageContext } from './context.ts';
import { h, notice, show } from './dom.ts';
import { renderAudit } from './audit-page.ts';
import { renderDevices } from './devices-page.ts';
import { renderDirectory } from './directory-page.ts';
import { renderJobs } from './jobs-page.ts';
import { renderOutbox } from './outbox-page.ts';
import { renderPair } from './pair-page.ts';
import { renderProvisioning } from './provisioning-page.ts';
import { loadSession, type Session } from './session.ts';
import { renderSettings } from './settings-page.ts';
import { renderSignIn } from './sign-in-page.ts';
import { renderTokens } from './tokens-page.ts';
import { renderUsers } from './users-page.ts';

const ROUTES: Record<string, { title: string; page: Page; nav: boolean }> = {
  devices: { title: 'Devices', page: renderDevices, nav: true },
  pair: { title: 'Pair a printer', page: renderPair, nav: false },
  users: { title: 'Users', page: renderUsers, nav: true },
  directory: { title: 'Directory', page: renderDirectory, nav: true },
  jobs: { title: 'Jobs and usage', page: renderJobs, nav: true },
  settings: { title: 'Enterprise settings', page: renderSettings, nav: true },
  audit: { title: 'Audit log', page: renderAudit, nav: true },
  outbox: { title: 'Outbox', page: renderOutbox, nav: true },
  tokens: { title: 'API tokens', page: renderTokens, nav: true },
  provisioning: { title: 'Provisioning', page: renderProvisioning, nav: true },
};

let session: Session | null = null;
let leave: (() => void) | null = null;

function main(): HTMLElement {
  return document.getElementById('main')!;
}

function parseHash(): { name: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [name = '', query = ''] = hash.split('?');
  return { name: name in ROUTES ? name : 'devices', params: new URLSearchParams(query) };
}

function go(route: string): void {
  if (location.hash === route) void render();
  else location.hash = route;
}

function renderNav(current: string): void {
  const nav = document.getElementById('nav')!;
  const items = Object.entries(ROUTES)
    .filter(([, r]) => r.nav)
    .map(([name, r]) =>
      h('li', {}, h('a', { href: `#/${name}`, 'aria-current': name === current ? 'page' : null }, r.title)),
    );
  show(nav, h('ul', {}, ...items));
  const who = document.getElementById('who')!;
  show(
    who,
    session
      ? `${session.user.displayName}${session.enterpriseName ? ` · ${session.enterpriseName}` : ''} `
      : '',
    h('button', { type: 'button', class: 'link', onclick: () => void signOut() }, 'Sign out'),
  );
}

async function signOut(): Promise<void> {
  try {
    await del('/session');
  } catch {
    // Signed out already, or the edge is gone: either way the page forgets the session.
  }
  session = null;
  setCsrfToken(null);
  await render('You are signed out.');
}

async function render(message?: string): Promise<void> {
  leave?.();
  leave = null;
  const where = main();
  const top = document.getElementById('top')!;
  if (!session) {
    try {
      session = await loadSession();
    } catch (failure) {
      show(
        where,
        h('h1', {}, 'The console cannot reach the edge'),
        notice('error', describeFailure(failure)),
      );
      return;
    }
  }
  if (!session) {
    top.hidden = true;
    document.title = 'Sign in · mfp-edge console';
    renderSignIn(
      where,
      () => {
        session = null;
        void render();
      },
      message,
    );
    return;
  }
  top.hidden = false;
  const { name, params } = parseHash();
  const route = ROUTES[name]!;
  renderNav(name);
  document.title = `${route.title} · mfp-edge console`;
  const ctx: PageContext = {
    session,
    ent: `/enterprises/${encodeURIComponent(session.enterprise)}`,
    go,
  };
  where.replaceChildren();
  const stop = route.page(where, ctx, params);
  if (stop) leave = stop;
}

whenSignedOut(() => {
  if (!session) return;
  session = null;
  void render('Your session ended: sign in again.');
});
window.addEventListener('hashchange', () => void render());
void render();
