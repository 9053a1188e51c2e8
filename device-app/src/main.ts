import type {
  JobView,
  UserView,
  DeviceView,
  PolicyView,
  SignInStep,
  EventPayload,
} from '../../protocol/messages.ts';
import { CLOSE_CODES } from '../../protocol/error-codes.ts';
import { EdgeConnection, RequestError, PANEL_PROTOCOL_VERSIONS } from './edge-connection.ts';
import { show } from './dom.ts';
import { homeScreen } from './screens/home-screen.ts';
import { faxScreen, type FaxDraft } from './screens/fax-screen.ts';
import { jobScreen } from './screens/job-screen.ts';
import { LiveJobs } from './live-job.ts';
import { noticeScreen } from './screens/notice-screen.ts';
import {
  signInScreen,
  totpScreen,
  changePasswordScreen,
  enrolScreen,
  recoveryCodesScreen,
  refusalScreen,
} from './screens/sign-in-screens.ts';
import { waitingScreen, personRefusedScreen, createCountdown } from './screens/session-screens.ts';
import { pairingScreen, type PairingView } from './screens/pairing-screen.ts';
import { viewForStep, type SignInView } from './sign-in-flow.ts';
import { errorText, refusalFor, endNotice, personRefusal } from './sign-in-text.ts';
import { throttle, debounce } from './timing.ts';

const TOKEN_KEY = 'mfp-edge.device-token';
/** The pairing under way: the begin reply (device code included), to claim after a reconnect. */
const PAIRING_KEY = 'mfp-edge.pairing';
const APP = { name: 'mfp-edge-panel', version: '0.2.0' };
/** session.activity at most this often (the edge's inactivity timeout is tens of seconds). */
const ACTIVITY_INTERVAL_MS = 5000;
/** Password rules are asked for once typing pauses this long. */
const RULES_DEBOUNCE_MS = 250;
const NO_ANSWER = 'No answer from the fax service. Check the connection and try again.';

type View =
  | { kind: 'home' }
  | { kind: 'fax' }
  | { kind: 'job'; jobId: string }
  | { kind: 'notice'; title: string; text: string }
  | SignInView
  | { kind: 'refusal'; title: string; text: string }
  | { kind: 'waiting'; notice: string }
  | { kind: 'person-refused'; title: string; message: string }
  | PairingView;

/**
 * Views of a signed-in person: left as soon as nobody is signed in (device-login, user-prompt), kept
 * when the edge confirms the person again (a reconnect, a pushed session.changed).
 */
const PERSON_VIEWS: ReadonlyArray<View['kind']> = ['home', 'fax', 'job', 'recovery-codes'];
/** A sign-in left half-way (a refusal, a typed email, a step) is wiped after this long untouched. */
const ABANDONED_SIGN_IN_MS = 120000;
/** The user-prompt sign-in in progress: a reconnect leaves it alone (its step token is still good). */
const SIGN_IN_VIEWS: ReadonlyArray<View['kind']> = [
  'sign-in',
  'totp',
  'change-password',
  'enrol-2fa',
  'refusal',
];

const screen = document.getElementById('screen')!;
const connectionBadge = document.getElementById('connection')!;
const userName = document.getElementById('user-name')!;
const signOutButton = document.getElementById('sign-out') as HTMLButtonElement;

interface StoredPairing {
  deviceCode: string;
  /** Absent for a code that came in the URL (#pairing-code=): nothing to show, only to claim. */
  userCode?: string;
  qrPng?: string;
  expiresAt?: string;
}

/**
 * The device credential arrives once in the URL fragment (never sent to a server) and is kept
 * locally; so does a pairing code to claim (#pairing-code=, the demo console's pre-approved one).
 */
function readFragment(): void {
  const token = /device-token=([\w-]+)/.exec(location.hash);
  const code = /pairing-code=([\w-]+)/.exec(location.hash);
  if (token && token[1]) localStorage.setItem(TOKEN_KEY, token[1]);
  else if (code && code[1]) storePairing({ deviceCode: code[1] });
  if (token || code) location.hash = '';
}

function deviceToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

function storedPairing(): StoredPairing | null {
  try {
    const value = JSON.parse(localStorage.getItem(PAIRING_KEY) ?? 'null') as StoredPairing | null;
    return value && typeof value.deviceCode === 'string' ? value : null;
  } catch {
    return null;
  }
}

function storePairing(pairing: StoredPairing | null): void {
  if (pairing) localStorage.setItem(PAIRING_KEY, JSON.stringify(pairing));
  else localStorage.removeItem(PAIRING_KEY);
}

function emptyDraft(): FaxDraft {
  return { recipients: [], resolution: 'fine', source: 'adf', message: '', busy: false };
}

/** Thumbnails of the jobs shown, and the job a reload reopens. */
const live = new LiveJobs();

const state = {
  view: { kind: 'notice', title: 'Connecting…', text: 'Connecting to the fax service.' } as View,
  device: null as DeviceView | null,
  user: null as UserView | null,
  policy: null as PolicyView | null,
  jobs: {} as { [id: string]: JobView },
  lastJobId: null as string | null,
  draft: emptyDraft(),
  /** The email of a sign-in under way, offered again after a refusal; forgotten once it ends. */
  email: '',
};

/**
 * The panel session's token: in this variable only (never in storage), sent in hello after a
 * reconnect so a network blip does not sign the person out.
 */
let sessionToken: string | null = null;

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const edge = new EdgeConnection(wsUrl, {
  onOpen: () => void (deviceToken() ? hello() : pair('')),
  onDown: (reason, code) => {
    setConnection('offline', 'Offline');
    if (code === CLOSE_CODES.DEVICE_UNAUTHORIZED || code === CLOSE_CODES.DEVICE_REVOKED) {
      // The credential is dead (revoked, or the device paired again elsewhere): forget it and pair anew.
      localStorage.removeItem(TOKEN_KEY);
      forgetSession();
      resetPersonState();
      state.device = null;
      document.getElementById('device-name')!.textContent = 'Not paired';
      unpairedNotice = 'This printer was removed from the fax service: pair it again.';
      window.setTimeout(() => edge.connect(), 100);
    } else if (code === CLOSE_CODES.UNSUPPORTED_VERSION)
      go({
        kind: 'notice',
        title: 'Update needed',
        text: 'The panel app and the fax service speak different versions. ' + reason,
      });
  },
});

function setConnection(kind: 'online' | 'offline', text: string): void {
  connectionBadge.className = `connection ${kind}`;
  connectionBadge.textContent = text;
}

const authMode = () => state.device?.authMode ?? 'shared-account';

function renderHeader(): void {
  userName.textContent = state.user ? state.user.displayName : '';
  signOutButton.hidden = !(authMode() === 'user-prompt' && state.user);
}

/** Where a person starts when nobody is signed in, with why the last session ended. */
function entryView(notice = ''): View {
  if (authMode() === 'user-prompt') return { kind: 'sign-in', notice };
  if (authMode() === 'device-login') return { kind: 'waiting', notice };
  return { kind: 'home' };
}

function applyPolicy(policy: PolicyView | undefined): void {
  // Pushes and replies can cross: a policy older than the one in hand is stale.
  if (policy && (!state.policy || policy.version > state.policy.version)) state.policy = policy;
}

/** Why the pairing screen is shown again (revoked), for the next pairing screen. */
let unpairedNotice = '';

/** Shows a pairing code, or claims a pairing under way (after a reconnect, or from the URL). */
async function pair(notice: string): Promise<void> {
  const stored = storedPairing();
  if (stored) {
    try {
      await claim(stored.deviceCode);
      return;
    } catch (error) {
      const code = error instanceof RequestError ? error.code : null;
      // Still waiting for the admin: show the same code again (this connection hears the approval).
      if (code === 'PAIRING_PENDING' && stored.userCode && stored.qrPng && stored.expiresAt)
        return showPairing(stored, notice);
      if (code !== 'PAIRING_PENDING' && code !== 'PAIRING_CODE_INVALID') return pairingFailed(error);
      storePairing(null);
    }
  }
  try {
    const begun = await edge.request('pairing.begin', {
      app: APP,
      screen: { width: window.innerWidth, height: window.innerHeight },
    });
    storePairing(begun);
    showPairing(begun, notice);
  } catch (error) {
    pairingFailed(error);
  }
}

function showPairing(pairing: StoredPairing, notice: string): void {
  const text = notice || unpairedNotice;
  unpairedNotice = '';
  setConnection('online', 'Not paired');
  go({
    kind: 'pairing',
    userCode: pairing.userCode!,
    qrPng: pairing.qrPng!,
    expiresAt: pairing.expiresAt!,
    notice: text,
  });
}

function pairingFailed(error: unknown): void {
  go({
    kind: 'notice',
    title: 'Not paired',
    text:
      error instanceof RequestError
        ? `${error.message} The panel tries again in a minute.`
        : 'No answer from the fax service. Check the connection.',
  });
  window.setTimeout(() => {
    if (!deviceToken() && state.view.kind === 'notice') void pair('');
  }, 60000);
}

/** Trades the device code for the device credential, then says hello on this same connection. */
async function claim(deviceCode: string): Promise<void> {
  const { deviceToken: token } = await edge.request('pairing.claim', { deviceCode });
  localStorage.setItem(TOKEN_KEY, token);
  storePairing(null);
  await hello();
}

edge.on('pairing.approved', () => {
  const stored = storedPairing();
  if (stored) claim(stored.deviceCode).catch((error) => pairingFailed(error));
});

edge.on('pairing.expired', () => {
  storePairing(null);
  if (!deviceToken()) void pair('The code expired: here is a new one.');
});

async function hello(): Promise<void> {
  const token = deviceToken();
  if (!token) return pair('');
  const resuming = sessionToken;
  try {
    const reply = await edge.request('hello', {
      protocolVersions: PANEL_PROTOCOL_VERSIONS,
      deviceToken: token,
      app: APP,
      ...(resuming ? { sessionToken: resuming } : {}),
    });
    // An admin changed the device's auth mode: whatever the panel showed belongs to the old one.
    const modeChanged = state.device !== null && state.device.authMode !== reply.device.authMode;
    const unpaired = state.view.kind === 'pairing';
    state.device = reply.device;
    applyPolicy(reply.policy);
    if (modeChanged || unpaired) {
      forgetSession();
      resetPersonState();
      state.view = { kind: 'notice', title: 'Connecting…', text: '' };
    }
    document.getElementById('device-name')!.textContent = reply.device.name;
    setConnection('online', 'Online');
    const before = state.user;
    sessionToken = reply.session ? reply.session.sessionToken : null;
    if (before && reply.user && before.email !== reply.user.email) resetPersonState();
    state.user = reply.user;
    renderHeader();
    if (state.user) {
      activity.reset();
      await refreshJobs();
      if (PERSON_VIEWS.includes(state.view.kind)) {
        if (state.view.kind === 'home' || state.view.kind === 'job') render();
      } else go({ kind: 'home' });
      return;
    }
    if (authMode() === 'shared-account') {
      await refreshJobs();
      if (state.view.kind === 'notice') go({ kind: 'home' });
      else if (state.view.kind !== 'fax') render();
      return;
    }
    // Nobody signed in on a device that needs someone.
    if (before || resuming) {
      resetPersonState();
      return go(entryView('You were signed out while the panel was offline.'));
    }
    if (authMode() === 'user-prompt' && SIGN_IN_VIEWS.includes(state.view.kind)) return;
    if (authMode() === 'device-login' && state.view.kind === 'person-refused') return;
    go(entryView());
  } catch (error) {
    if (error instanceof RequestError && error.code === 'DEVICE_UNAUTHORIZED')
      localStorage.removeItem(TOKEN_KEY);
  }
}

async function refreshJobs(): Promise<void> {
  try {
    const { jobs } = await edge.request('jobs.list', { limit: 10 });
    for (const job of jobs) remember(job);
    if (!state.lastJobId && jobs[0]) state.lastJobId = jobs[0].id;
  } catch {
    // The list is a convenience ("Last fax"); the panel works without it.
  }
  await restoreWatchedJob();
}

/**
 * After a reload (or a reconnect) the job being watched comes back with its thumbnails: job.get
 * answers for this person's jobs only. A reload that started on the connecting notice opens it.
 */
async function restoreWatchedJob(): Promise<void> {
  const jobId = live.watched();
  if (!jobId) return;
  try {
    const job = await live.restore(jobId, (payload) => edge.request('job.get', payload));
    remember(job);
    state.lastJobId = job.id;
    if (state.view.kind === 'notice' || state.view.kind === 'home') state.view = { kind: 'job', jobId };
  } catch {
    live.unwatch();
  }
}

/** Replies and events can cross on the wire: keep whichever view of a job is newer. */
function remember(job: JobView): void {
  const known = state.jobs[job.id];
  if (!known || known.updatedAt <= job.updatedAt) state.jobs[job.id] = job;
}

/** What belongs to the person who was signed in: gone before the next one touches the panel. */
function resetPersonState(): void {
  live.clear();
  live.unwatch();
  state.jobs = {};
  state.lastJobId = null;
  state.draft = emptyDraft();
  state.email = '';
}

function forgetSession(): void {
  sessionToken = null;
  state.user = null;
  countdown.hide();
  rulesCheck.cancel();
  renderHeader();
}

/** The session ended (sign-out, inactivity, the MFP, an admin…): back to the start with a notice. */
function endSession(notice: string): void {
  forgetSession();
  resetPersonState();
  go(entryView(notice));
}

edge.on('job.updated', ({ job }) => {
  remember(job);
  if (state.view.kind === 'job' && state.view.jobId === job.id) render();
});

edge.on('job.page', (event) => {
  if (live.page(event) && state.view.kind === 'job' && state.view.jobId === event.jobId) render();
});

edge.on('policy.updated', ({ policy }) => applyPolicy(policy));

edge.on('session.changed', (event: EventPayload<'session.changed'>) => {
  if (event.user) {
    const before = state.user;
    if (before && before.email !== event.user.email) resetPersonState();
    state.user = event.user;
    if (event.session) sessionToken = event.session.sessionToken;
    renderHeader();
    activity.reset();
    if (!PERSON_VIEWS.includes(state.view.kind) || (before && before.email !== event.user.email)) {
      void refreshJobs().then(() => go({ kind: 'home' }));
    }
    return;
  }
  // A refusal of the person at the MFP (no account, disabled, the MFP cannot be read): the edge says why.
  if (event.code) {
    forgetSession();
    resetPersonState();
    return go({ kind: 'person-refused', ...personRefusal(event.code, event.message) });
  }
  if (state.view.kind === 'person-refused') {
    // The refused person signed out at the MFP: wait for the next one.
    forgetSession();
    return go(entryView());
  }
  // Already signed out here (the panel's own Sign out): nothing more to say.
  if (!state.user && !sessionToken) return;
  endSession(endNotice(event.reason, state.policy?.panelInactivitySeconds ?? null));
});

edge.on('session.expiring', ({ at }) => {
  if (state.user && authMode() !== 'shared-account') countdown.show(at);
});

/* Inactivity: any touch tells the edge (throttled); a touch on the countdown always does. */
const activity = throttle(() => {
  edge
    .request('session.activity', {})
    .then((reply) => {
      // The edge may hand a fresh token with it: that is the one to resume with after a reconnect.
      if (reply.session && state.user) sessionToken = reply.session.sessionToken;
    })
    .catch(() => undefined);
}, ACTIVITY_INTERVAL_MS);

const countdown = createCountdown(document.body, () => {
  if (state.user) activity.call(true);
});

/*
 * Nobody's session covers a sign-in under way: one left half-way (the next person would find the
 * previous one's email, or a refusal) goes back to an empty sign-in after a while untouched.
 */
let abandonTimer: number | null = null;
function watchAbandonedSignIn(): void {
  if (abandonTimer !== null) window.clearTimeout(abandonTimer);
  abandonTimer = null;
  const view = state.view;
  if (authMode() !== 'user-prompt' || state.user) return;
  if (view.kind === 'sign-in' && !view.notice && !state.email) return;
  if (!SIGN_IN_VIEWS.includes(view.kind)) return;
  abandonTimer = window.setTimeout(() => {
    abandonTimer = null;
    if (state.user || !SIGN_IN_VIEWS.includes(state.view.kind)) return;
    state.email = '';
    go({ kind: 'sign-in', notice: '' });
  }, ABANDONED_SIGN_IN_MS);
}

const touched = () => {
  watchAbandonedSignIn();
  if (countdown.shown) return; // the countdown's own handler sends it
  if (state.user && authMode() !== 'shared-account') activity.call();
};
for (const type of ['touchstart', 'mousedown', 'keydown']) document.addEventListener(type, touched, true);

signOutButton.addEventListener('click', () => {
  const signedOut = () => endSession('You are signed out.');
  edge.request('auth.signOut', {}).then(signedOut, signedOut);
});

/* The user-prompt sign-in. */

function signInFailed(error: unknown, inline: (text: string) => void): void {
  if (error instanceof RequestError) {
    const refusal = refusalFor(error.body);
    if (refusal) return go({ kind: 'refusal', ...refusal });
    return inline(errorText(error.body));
  }
  inline(NO_ANSWER);
}

function stepDone(step: SignInStep): void {
  const outcome = viewForStep(step);
  if (outcome.session) {
    sessionToken = outcome.session.sessionToken;
    state.user = outcome.session.user;
    state.email = '';
    activity.reset();
    renderHeader();
    void refreshJobs().then(() => go(outcome.view ?? { kind: 'home' }));
    return;
  }
  go(outcome.view);
}

function retry<V extends View>(view: V, patch: Partial<V>): (text: string) => void {
  return (text) => {
    if (state.view === view) go({ ...view, ...patch, message: text });
  };
}

const rulesCheck = debounce((check: { stepToken: string; candidate: string }) => {
  edge
    .request('auth.passwordRules', check)
    .then(({ rules }) => passwordScreen?.setRules(check.candidate, rules))
    .catch(() => undefined);
}, RULES_DEBOUNCE_MS);

let passwordScreen: ReturnType<typeof changePasswordScreen> | null = null;

function go(view: View): void {
  state.view = view;
  render();
  watchAbandonedSignIn();
}

function render(): void {
  const view = state.view;
  passwordScreen = null;
  rulesCheck.cancel();
  switch (view.kind) {
    case 'notice':
      return show(screen, noticeScreen(view.title, view.text));
    case 'sign-in':
      return show(
        screen,
        signInScreen(view, state.email, {
          signIn: (email, password) => {
            state.email = email;
            edge
              .request('auth.password', { email, password })
              .then(stepDone, (error) =>
                signInFailed(error, (text) => go({ kind: 'sign-in', notice: text })),
              );
          },
        }),
      );
    case 'totp':
      return show(
        screen,
        totpScreen(view, {
          submit: (code) =>
            edge
              .request('auth.totp', { stepToken: view.stepToken, code })
              .then(stepDone, (error) => signInFailed(error, retry(view, {}))),
          cancel: () => go({ kind: 'sign-in', notice: '' }),
        }),
      );
    case 'change-password': {
      const handle = changePasswordScreen(view, {
        check: (candidate) => rulesCheck({ stepToken: view.stepToken, candidate }),
        submit: (password) =>
          edge
            .request('auth.changePassword', { stepToken: view.stepToken, password })
            .then(stepDone, (error) => {
              const rules = error instanceof RequestError ? error.body.rules : undefined;
              signInFailed(error, retry(view, rules ? { rules } : {}));
            }),
        cancel: () => go({ kind: 'sign-in', notice: '' }),
      });
      show(screen, handle.element);
      passwordScreen = handle;
      return;
    }
    case 'enrol-2fa':
      return show(
        screen,
        enrolScreen(view, {
          submit: (code) =>
            edge
              .request('auth.enrolTwoFactor', { stepToken: view.stepToken, code })
              .then(stepDone, (error) => signInFailed(error, retry(view, {}))),
          cancel: () => go({ kind: 'sign-in', notice: '' }),
        }),
      );
    case 'recovery-codes':
      return show(screen, recoveryCodesScreen(view, { done: () => go({ kind: 'home' }) }));
    case 'refusal':
      return show(screen, refusalScreen(view, { again: () => go({ kind: 'sign-in', notice: '' }) }));
    case 'waiting':
      return show(screen, waitingScreen(view.notice));
    case 'person-refused':
      return show(screen, personRefusedScreen(view.title, view.message));
    case 'pairing':
      return show(screen, pairingScreen(view));
    case 'home': {
      if (!state.user && authMode() !== 'shared-account' && state.device) return go(entryView());
      const last = state.lastJobId;
      return show(
        screen,
        homeScreen({
          fax: () => go({ kind: 'fax' }),
          recentJob: last ? () => go({ kind: 'job', jobId: last }) : null,
          userName: state.user && authMode() !== 'shared-account' ? state.user.displayName : null,
        }),
      );
    }
    case 'fax':
      return show(screen, faxScreen(state.draft, faxActions));
    case 'job': {
      const job = state.jobs[view.jobId];
      if (!job) return go({ kind: 'home' });
      live.watch(job.id);
      return show(
        screen,
        jobScreen(job, {
          cancel: () => void edge.request('job.cancel', { jobId: job.id }).catch(() => undefined),
          resume: (finish) =>
            void edge
              .request('job.resume', { jobId: job.id, finish })
              .then((reply) => {
                remember(reply.job);
                render();
              })
              .catch(() => undefined),
          done: () => {
            live.unwatch();
            go({ kind: 'home' });
          },
          thumbnail: (page) => live.thumbnail(job.id, page),
        }),
      );
    }
  }
}

function message(text: string): void {
  state.draft.message = text;
  render();
}

const faxActions = {
  addNumber: (input: string) => {
    edge
      .request('fax.checkNumber', { number: input })
      .then((number) => {
        if (state.draft.recipients.some((r) => r.display === number.display))
          return message(`${number.display} is already in the list.`);
        state.draft.recipients.push({ input, display: number.display, country: number.country });
        message('');
      })
      .catch((error: Error) => message(error.message));
  },
  removeNumber: (index: number) => {
    state.draft.recipients.splice(index, 1);
    render();
  },
  setResolution: (resolution: FaxDraft['resolution']) => {
    state.draft.resolution = resolution;
  },
  setSource: (source: FaxDraft['source']) => {
    state.draft.source = source;
  },
  send: () => {
    state.draft.busy = true;
    render();
    const { recipients, resolution, source } = state.draft;
    edge
      .request('fax.send', { recipients: recipients.map((r) => r.input), resolution, source, duplex: false })
      .then(({ job }) => {
        remember(job);
        state.lastJobId = job.id;
        state.draft = { recipients: [], resolution, source, message: '', busy: false };
        go({ kind: 'job', jobId: job.id });
      })
      .catch((error: Error) => {
        state.draft.busy = false;
        message(error instanceof RequestError ? errorText(error.body) : error.message);
      });
  },
  back: () => go({ kind: 'home' }),
};

readFragment();
render();
edge.connect();
