import type {
  JobView,
  UserView,
  DeviceView,
  PolicyView,
  SignInStep,
  EventPayload,
} from '../../protocol/messages.ts';
import { CLOSE_CODES } from '../../protocol/error-codes.ts';
import { EdgeConnection, RequestError, ConnectionError, PANEL_PROTOCOL_VERSIONS } from './edge-connection.ts';
import { show } from './dom.ts';
import { homeScreen } from './screens/home-screen.ts';
import { faxScreen, type FaxDraft } from './screens/fax-screen.ts';
import { emptyFaxOptions, faxOptionsPayload } from './screens/fax-options.ts';
import { newPickerState } from './screens/recipient-picker.ts';
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
import { phoneScreen, type PhoneView } from './screens/phone-sign-in-screen.ts';
import { safeQrPng, viewForStep, type SignInView } from './sign-in-flow.ts';
import { errorText, refusalFor, endNotice, personRefusal } from './sign-in-text.ts';
import { throttle, debounce } from './timing.ts';
import { t, setLanguage, pickLanguage, currentLanguage } from './i18n/index.ts';
import { actionText } from './error-text.ts';
import { jobsScreen, type JobsList } from './screens/jobs-screen.ts';

const TOKEN_KEY = 'mfp-edge.device-token';
/** The pairing under way: the begin reply (device code included), to claim after a reconnect. */
const PAIRING_KEY = 'mfp-edge.pairing';
const APP = { name: 'mfp-edge-panel', version: '0.2.0' };
/** session.activity at most this often (the edge's inactivity timeout is tens of seconds). */
const ACTIVITY_INTERVAL_MS = 5000;
/** Password rules are asked for once typing pauses this long. */
const RULES_DEBOUNCE_MS = 250;

type View =
  | { kind: 'home' }
  | { kind: 'fax' }
  | { kind: 'job'; jobId: string }
  | { kind: 'jobs' }
  | { kind: 'notice'; title: string; text: string }
  | SignInView
  | { kind: 'refusal'; title: string; text: string }
  | { kind: 'waiting'; notice: string }
  | { kind: 'person-refused'; title: string; message: string }
  | PhoneView
  | PairingView;

/**
 * Views of a signed-in person: left as soon as nobody is signed in (device-login, user-prompt), kept
 * when the edge confirms the person again (a reconnect, a pushed session.changed).
 */
const PERSON_VIEWS: ReadonlyArray<View['kind']> = ['home', 'fax', 'job', 'jobs', 'recovery-codes'];
/** A sign-in left half-way (a refusal, a typed email, a step) is wiped after this long untouched. */
const ABANDONED_SIGN_IN_MS = 120000;
/** The user-prompt sign-in in progress: a reconnect leaves it alone (its step token is still good). */
const SIGN_IN_VIEWS: ReadonlyArray<View['kind']> = [
  'sign-in',
  'totp',
  'change-password',
  'enrol-2fa',
  'refusal',
  'phone-ended',
];

const screen = document.getElementById('screen')!;
const connectionBadge = document.getElementById('connection')!;
const userName = document.getElementById('user-name')!;
const signOutButton = document.getElementById('sign-out') as HTMLButtonElement;
const offlineBanner = document.getElementById('offline')!;

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
  return {
    recipients: [],
    picker: newPickerState(),
    resolution: 'fine',
    source: 'adf',
    options: emptyFaxOptions(),
    message: '',
    busy: false,
  };
}

/** Thumbnails of the jobs shown, and the job a reload reopens. */
const live = new LiveJobs();

const state = {
  view: { kind: 'notice', title: t('app.connecting'), text: t('app.connectingText') } as View,
  device: null as DeviceView | null,
  user: null as UserView | null,
  policy: null as PolicyView | null,
  jobs: {} as { [id: string]: JobView },
  lastJobId: null as string | null,
  draft: emptyDraft(),
  /** The email of a sign-in under way, offered again after a refusal; forgotten once it ends. */
  email: '',
  /** "My recent jobs" as last asked for (null: asking). */
  jobList: null as JobsList,
  /** The connection: 'connecting' before the first hello, then online / offline / unpaired. */
  connection: 'connecting' as 'connecting' | 'online' | 'offline' | 'unpaired',
};

/**
 * The language of the panel's words: the signed-in person's own, else the device's (the panel
 * browser's language, which the MFP sets from its own setting), else English. Switching re-renders
 * what is shown, keeping what the person typed.
 */
function applyLanguage(): void {
  if (!setLanguage(pickLanguage(state.user?.language, navigator.language))) return;
  document.documentElement.lang = currentLanguage();
  renderFrame();
  keepingTyped(render);
}

/** The texts of index.html's frame, in the current language. */
function renderFrame(): void {
  signOutButton.textContent = t('app.signOut');
  connectionBadge.setAttribute('aria-label', t('app.connectionLabel'));
  offlineBanner.textContent = t('app.offlineBanner');
  setConnection(state.connection);
}

/**
 * Runs `rerender` and puts back what was typed in the screen's text fields (by id; never a
 * password): a re-render the person did not ask for (a language switch, a failed request) must not
 * wipe the number or email they were typing.
 */
function keepingTyped(rerender: () => void): void {
  const typed: { [id: string]: string } = {};
  const fields = screen.querySelectorAll('input[id]');
  for (let i = 0; i < fields.length; i++) {
    const input = fields[i] as HTMLInputElement;
    if (input.type !== 'password' && input.type !== 'radio' && input.type !== 'checkbox' && input.value)
      typed[input.id] = input.value;
  }
  rerender();
  for (const id of Object.keys(typed)) {
    const input = document.getElementById(id) as HTMLInputElement | null;
    if (input && screen.contains(input) && !input.value) input.value = typed[id]!;
  }
}

/** What a person reads when a request failed: the panel's words for the code, or for the connection. */
function failureText(error: unknown): string {
  if (error instanceof RequestError) return actionText(error.body);
  if (error instanceof ConnectionError)
    return error.kind === 'offline'
      ? t('app.offlineRequest')
      : error.kind === 'lost'
        ? t('app.noAnswer')
        : t('app.timeout');
  return t('app.somethingWrong');
}

/**
 * The panel session's token: in this variable only (never in storage), sent in hello after a
 * reconnect so a network blip does not sign the person out.
 */
let sessionToken: string | null = null;

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const edge = new EdgeConnection(wsUrl, {
  onOpen: () => void (deviceToken() ? hello() : pair('')),
  onDown: (reason, code) => {
    if (code === CLOSE_CODES.DEVICE_UNAUTHORIZED || code === CLOSE_CODES.DEVICE_REVOKED)
      setConnection('unpaired');
    else setConnection('offline');
    if (code === CLOSE_CODES.DEVICE_UNAUTHORIZED || code === CLOSE_CODES.DEVICE_REVOKED) {
      // The credential is dead (revoked, or the device paired again elsewhere): forget it and pair anew.
      localStorage.removeItem(TOKEN_KEY);
      forgetSession();
      resetPersonState();
      state.device = null;
      document.getElementById('device-name')!.textContent = t('app.notPaired');
      unpairedNotice = t('app.removed');
      window.setTimeout(() => edge.connect(), 100);
    } else if (code === CLOSE_CODES.UNSUPPORTED_VERSION)
      go({
        kind: 'notice',
        title: t('app.updateNeeded'),
        text: t('app.updateNeededText', { reason }),
      });
  },
});

/** The header's badge and the offline banner (role=status: a screen reader hears it come and go). */
function setConnection(kind: typeof state.connection): void {
  state.connection = kind;
  connectionBadge.className = `connection ${kind}`;
  connectionBadge.textContent =
    kind === 'online'
      ? t('app.online')
      : kind === 'offline'
        ? t('app.offline')
        : kind === 'unpaired'
          ? t('app.notPaired')
          : t('app.connecting');
  offlineBanner.hidden = kind !== 'offline';
  document.body.classList.toggle('is-offline', kind === 'offline');
}

const authMode = () => state.device?.authMode ?? 'shared-account';

function renderHeader(): void {
  userName.textContent = state.user ? state.user.displayName : '';
  signOutButton.hidden = !(authMode() === 'user-prompt' && state.user);
  applyLanguage();
}

/** Where a person starts when nobody is signed in, with why the last session ended. */
function entryView(notice = ''): View {
  // An enterprise with a company sign-in: the phone first (its people may have no password here).
  if (authMode() === 'user-prompt' && state.policy?.companySignIn && !notice)
    return { kind: 'phone-starting' };
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
  setConnection('unpaired');
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
    title: t('app.notPaired'),
    text:
      error instanceof RequestError
        ? t('app.pairingRetry', { message: error.message })
        : t('app.pairingNoAnswer'),
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
  if (!deviceToken()) void pair(t('app.codeExpired'));
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
      state.view = { kind: 'notice', title: t('app.connecting'), text: '' };
    }
    document.getElementById('device-name')!.textContent = reply.device.name;
    setConnection('online');
    const before = state.user;
    sessionToken = reply.session ? reply.session.sessionToken : null;
    if (before && reply.user && before.email !== reply.user.email) resetPersonState();
    state.user = reply.user;
    renderHeader();
    if (state.user) {
      activity.reset();
      await refreshJobs();
      if (PERSON_VIEWS.includes(state.view.kind)) {
        if (state.view.kind === 'home' || state.view.kind === 'job' || state.view.kind === 'jobs') render();
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
      return go(entryView(t('app.signedOutOffline')));
    }
    // A phone code dies with the connection that asked for it: a fresh one on this connection.
    if (authMode() === 'user-prompt' && (state.view.kind === 'phone' || state.view.kind === 'phone-starting'))
      return go({ kind: 'phone-starting' });
    if (authMode() === 'user-prompt' && SIGN_IN_VIEWS.includes(state.view.kind)) return;
    if (authMode() === 'device-login' && state.view.kind === 'person-refused') return;
    go(entryView());
  } catch (error) {
    if (error instanceof RequestError && error.code === 'DEVICE_UNAUTHORIZED')
      localStorage.removeItem(TOKEN_KEY);
  }
}

/** How many jobs "My recent jobs" lists. */
const RECENT_JOBS = 10;

async function refreshJobs(): Promise<void> {
  try {
    const { jobs } = await edge.request('jobs.list', { limit: RECENT_JOBS });
    for (const job of jobs) remember(job);
    if (!state.lastJobId && jobs[0]) state.lastJobId = jobs[0].id;
    state.jobList = jobs.map((job) => state.jobs[job.id] ?? job);
  } catch {
    // The list is a convenience ("Last fax", "My recent jobs" says so); the panel works without it.
    state.jobList = 'unavailable';
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

/** "My recent jobs": newest first, live jobs pushed since the list was asked for included. */
function recentJobs(): JobsList {
  if (state.jobList === null || state.jobList === 'unavailable') return state.jobList;
  const listed = state.jobList.map((job) => state.jobs[job.id] ?? job);
  const ids = listed.map((job) => job.id);
  const pushed = Object.keys(state.jobs)
    .filter((id) => ids.indexOf(id) < 0)
    .map((id) => state.jobs[id]!);
  return pushed
    .concat(listed)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
    .slice(0, RECENT_JOBS);
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
  state.jobList = null;
}

function forgetSession(): void {
  sessionToken = null;
  state.user = null;
  countdown.hide();
  rulesCheck.cancel();
  renderHeader();
}

/**
 * The session ended (sign-out, inactivity, the MFP, an admin…): back to the start with a notice,
 * worded after the language went back to the device's.
 */
function endSession(notice: () => string): void {
  forgetSession();
  resetPersonState();
  go(entryView(notice()));
}

edge.on('job.updated', ({ job }) => {
  remember(job);
  if ((state.view.kind === 'job' && state.view.jobId === job.id) || state.view.kind === 'jobs') render();
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
  const seconds = state.policy?.panelInactivitySeconds ?? null;
  endSession(() => endNotice(event.reason, seconds));
});

/* Sign in with your phone: the edge pushes how it ended; a confirmation comes as session.changed. */
edge.on('auth.phone.denied', () => {
  if (state.view.kind === 'phone') go({ kind: 'phone-ended', reason: 'denied', message: '' });
});
edge.on('auth.phone.expired', () => {
  if (state.view.kind === 'phone') go({ kind: 'phone-ended', reason: 'expired', message: '' });
});

/** The phone code being asked for (one at a time; a re-render does not ask again). */
let phoneRequest: Promise<void> | null = null;
function requestPhoneCode(): void {
  if (phoneRequest) return;
  phoneRequest = edge
    .request('auth.phone.begin', {})
    .then(
      (reply) => {
        if (state.view.kind !== 'phone-starting') return;
        go({
          kind: 'phone',
          userCode: reply.userCode,
          qrPng: safeQrPng(reply.qrPng) ?? '',
          verificationUri: reply.verificationUri,
          expiresAt: reply.expiresAt,
        });
      },
      (error: unknown) => {
        if (state.view.kind === 'phone-starting')
          go({ kind: 'phone-ended', reason: 'failed', message: failureText(error) });
      },
    )
    .then(() => {
      phoneRequest = null;
    });
}

const phoneActions = {
  again: () => go({ kind: 'phone-starting' }),
  password: () => go({ kind: 'sign-in', notice: '' }),
  cancel: () => {
    edge.request('auth.phone.cancel', {}).catch(() => undefined);
    go({ kind: 'sign-in', notice: '' });
  },
};

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
  const signedOut = () => endSession(() => t('end.sign-out'));
  edge.request('auth.signOut', {}).then(signedOut, signedOut);
});

/* The user-prompt sign-in. */

function signInFailed(error: unknown, inline: (text: string) => void): void {
  if (error instanceof RequestError) {
    const refusal = refusalFor(error.body);
    if (refusal) return go({ kind: 'refusal', ...refusal });
    return inline(errorText(error.body));
  }
  inline(failureText(error));
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
          phone: () => go({ kind: 'phone-starting' }),
        }),
      );
    case 'phone-starting':
      show(screen, phoneScreen(view, phoneActions));
      return requestPhoneCode();
    case 'phone':
    case 'phone-ended':
      return show(screen, phoneScreen(view, phoneActions));
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
          recentJobs: () => {
            go({ kind: 'jobs' });
            void refreshJobs().then(() => state.view.kind === 'jobs' && render());
          },
          userName: state.user && authMode() !== 'shared-account' ? state.user.displayName : null,
        }),
      );
    }
    case 'fax':
      return show(screen, faxScreen(state.draft, faxActions));
    case 'jobs':
      return show(
        screen,
        jobsScreen(recentJobs(), {
          open: (jobId) => go({ kind: 'job', jobId }),
          refresh: () => {
            state.jobList = null;
            render();
            void refreshJobs().then(() => state.view.kind === 'jobs' && render());
          },
          back: () => go({ kind: 'home' }),
        }),
      );
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

/** The composer's message line; a failure keeps the number being typed (`keep`). */
function message(text: string, keep = false): void {
  state.draft.message = text;
  if (keep) keepingTyped(render);
  else render();
}

const faxActions = {
  // The recipient picker (screens/recipient-picker.ts) talks to the edge itself.
  picker: {
    edge,
    get contactsAvailable() {
      return authMode() !== 'shared-account';
    },
    errorText: failureText,
  },
  setResolution: (resolution: FaxDraft['resolution']) => {
    state.draft.resolution = resolution;
  },
  setSource: (source: FaxDraft['source']) => {
    state.draft.source = source;
    // The preview button depends on the source (glass only).
    render();
  },
  options: {
    changed: () => render(),
    preview: () => {
      const { resolution, source, options } = state.draft;
      options.preview.busy = true;
      render();
      edge
        .request('fax.preview', {
          source,
          resolution,
          originalSize: options.originalSize,
          contentType: options.contentType,
        })
        .then((result) => {
          options.preview = { busy: false, result };
          message('');
        })
        .catch((error: unknown) => {
          options.preview.busy = false;
          // The panel's words for the scanner's code or the connection, never the edge's raw message.
          message(failureText(error));
        });
    },
  },
  send: () => {
    state.draft.busy = true;
    render();
    const { recipients, resolution, source, options } = state.draft;
    edge
      .request('fax.send', {
        recipients: recipients.map((r) => r.input),
        resolution,
        source,
        ...faxOptionsPayload(options),
      })
      .then(({ job }) => {
        remember(job);
        state.lastJobId = job.id;
        // The options stay for the next fax; the cover text and the preview belong to this one.
        const next = { ...options, cover: { enabled: false, subject: '', note: '' } };
        state.draft = {
          ...emptyDraft(),
          resolution,
          source,
          options: { ...next, preview: { busy: false, result: null } },
        };
        go({ kind: 'job', jobId: job.id });
      })
      .catch((error: unknown) => {
        state.draft.busy = false;
        message(failureText(error), true);
      });
  },
  back: () => go({ kind: 'home' }),
};

readFragment();
applyLanguage();
renderFrame();
render();
edge.connect();
