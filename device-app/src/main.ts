import type { JobView, UserView, DeviceView } from '../../protocol/messages.ts';
import { CLOSE_CODES } from '../../protocol/error-codes.ts';
import { EdgeConnection, RequestError, PANEL_PROTOCOL_VERSIONS } from './edge-connection.ts';
import { show } from './dom.ts';
import { homeScreen } from './screens/home-screen.ts';
import { faxScreen, type FaxDraft } from './screens/fax-screen.ts';
import { jobScreen } from './screens/job-screen.ts';
import { noticeScreen } from './screens/notice-screen.ts';

const TOKEN_KEY = 'mfp-edge.device-token';
const APP = { name: 'mfp-edge-panel', version: '0.1.0' };

type View =
  | { kind: 'home' }
  | { kind: 'fax' }
  | { kind: 'job'; jobId: string }
  | { kind: 'notice'; title: string; text: string };

const screen = document.getElementById('screen')!;
const connectionBadge = document.getElementById('connection')!;

/** The pairing credential arrives once in the URL fragment (never sent to a server) and is kept locally. */
function deviceToken(): string | null {
  const match = /device-token=([\w-]+)/.exec(location.hash);
  if (match && match[1]) {
    localStorage.setItem(TOKEN_KEY, match[1]);
    location.hash = '';
  }
  return localStorage.getItem(TOKEN_KEY);
}

const state = {
  view: { kind: 'notice', title: 'Connecting…', text: 'Connecting to the fax service.' } as View,
  device: null as DeviceView | null,
  user: null as UserView | null,
  jobs: {} as { [id: string]: JobView },
  lastJobId: null as string | null,
  draft: { recipients: [], resolution: 'fine', source: 'adf', message: '', busy: false } as FaxDraft,
};

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const edge = new EdgeConnection(wsUrl, {
  onOpen: () => void hello(),
  onDown: (reason, code) => {
    setConnection('offline', 'Offline');
    if (code === CLOSE_CODES.DEVICE_UNAUTHORIZED || code === CLOSE_CODES.DEVICE_REVOKED)
      go({
        kind: 'notice',
        title: 'Not paired',
        text: 'This panel is not paired with the fax service (or was revoked). Ask your administrator to pair it.',
      });
    else if (code === CLOSE_CODES.UNSUPPORTED_VERSION)
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

async function hello(): Promise<void> {
  const token = deviceToken();
  if (!token) {
    go({
      kind: 'notice',
      title: 'Not paired',
      text: 'This panel is not paired with the fax service. Ask your administrator to pair it.',
    });
    return;
  }
  try {
    const reply = await edge.request('hello', {
      protocolVersions: PANEL_PROTOCOL_VERSIONS,
      deviceToken: token,
      app: APP,
    });
    state.device = reply.device;
    state.user = reply.user;
    document.getElementById('device-name')!.textContent = reply.device.name;
    document.getElementById('user-name')!.textContent = reply.user ? reply.user.displayName : '';
    setConnection('online', 'Online');
    const { jobs } = await edge.request('jobs.list', { limit: 10 });
    for (const job of jobs) remember(job);
    if (!state.lastJobId && jobs[0]) state.lastJobId = jobs[0].id;
    if (state.view.kind === 'notice') go({ kind: 'home' });
    else render();
  } catch (error) {
    if (error instanceof RequestError && error.code === 'DEVICE_UNAUTHORIZED')
      localStorage.removeItem(TOKEN_KEY);
  }
}

/** Replies and events can cross on the wire: keep whichever view of a job is newer. */
function remember(job: JobView): void {
  const known = state.jobs[job.id];
  if (!known || known.updatedAt <= job.updatedAt) state.jobs[job.id] = job;
}

edge.on('job.updated', ({ job }) => {
  remember(job);
  if (state.view.kind === 'job' && state.view.jobId === job.id) render();
});

function go(view: View): void {
  state.view = view;
  render();
}

function render(): void {
  const view = state.view;
  if (view.kind === 'notice') return show(screen, noticeScreen(view.title, view.text));
  if (view.kind === 'home') {
    const last = state.lastJobId;
    return show(
      screen,
      homeScreen({
        fax: () => go({ kind: 'fax' }),
        recentJob: last ? () => go({ kind: 'job', jobId: last }) : null,
      }),
    );
  }
  if (view.kind === 'fax') return show(screen, faxScreen(state.draft, faxActions));
  const job = state.jobs[view.jobId];
  if (!job) return go({ kind: 'home' });
  show(
    screen,
    jobScreen(job, {
      cancel: () => void edge.request('job.cancel', { jobId: job.id }).catch(() => undefined),
      done: () => go({ kind: 'home' }),
    }),
  );
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
        message(error.message);
      });
  },
  back: () => go({ kind: 'home' }),
};

render();
edge.connect();
