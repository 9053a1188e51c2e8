import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobView } from '../../../protocol/index.ts';
import { isFinalJobState } from '../../../protocol/job-states.ts';
import { openDatabase } from '../../../edge-service/src/db/database.ts';
import { PasswordHasher } from '../../../edge-service/src/auth/password-hasher.ts';
import { SqliteUserRepository } from '../../../edge-service/src/storage/sqlite-user-repository.ts';
import { hashDeviceToken, newDeviceToken } from '../../../edge-service/src/services/device-credentials.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EdgeProcess, startSimulatorFarm } from './edge-process.ts';
import { LoadPanel, PanelRequestError } from './load-panel.ts';
import { Latencies, parseMetrics, seededRandom, summarize, type LatencySummary } from './load-stats.ts';

export interface LoadOptions {
  panels: number;
  /** How long the panels work (the soak: how long restarts happen); then the run drains its faxes. */
  seconds: number;
  /** Faxes in flight at once: one fax panel per simulated MFP, each sending its next fax as the last ends. */
  faxes: number;
  /**
   * Of the panels, how many are user-prompt devices whose person signs in with email and password
   * (argon2 at the edge) after hello; the rest are shared-account (signed in by hello). Default: 5%, at most 25.
   */
  promptPanels?: number;
  /** Random SIGKILLs of the edge, each followed by a start on the same data folder. */
  soak?: boolean;
  /** Soak only: how many restarts (default one per 10 s). */
  restarts?: number;
  /** Each panel checks a number about this often (± half), and lists its jobs about every listEveryMs. */
  checkEveryMs?: number;
  listEveryMs?: number;
  /** The simulators' time factor: a fax page is ~30 s × this. */
  timeFactor?: number;
  seed?: number;
  /** No reply within this is a lost reply. */
  replyTimeoutMs?: number;
  /** How long the run waits after `seconds` for its faxes to end. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

interface EdgeFigures {
  rssBytes: number;
  heapUsedBytes: number;
  cpuSeconds: number;
}

export interface LoadReport {
  mode: 'load' | 'soak';
  panels: number;
  panelsSignedIn: number;
  /** Of them, user-prompt panels whose person signed in with a password. */
  promptPanels: number;
  seconds: number;
  faxesInFlight: number;
  seed: number;
  /** Reply latency by request type (ms), measured at the panels. */
  latency: Record<string, LatencySummary>;
  /** Requests that got an error reply, no reply, or lost their socket, by code (soak: outside restarts). */
  errors: Record<string, number>;
  /**
   * The load generator's own event-loop delay while working (p99, max; ms): when it is high, the
   * latencies above include the generator's wait, not only the edge's.
   */
  generatorLoopDelayMs: { p99: number; max: number };
  /** Soak: requests cut off by a restart (no reply because the edge was killed). */
  interruptedByRestart: number;
  edge: {
    before: EdgeFigures;
    connected: EdgeFigures;
    end: EdgeFigures;
    rssPerPanelBytes: number;
    heapPerPanelBytes: number;
    /** Edge CPU while the panels worked, in % of one core; and for connecting and saying hello. */
    cpuPercent: number;
    connectCpuSeconds: number;
    /** Selected /metrics samples at the end. */
    metrics: Record<string, number>;
  } | null;
  restarts: { at: number; downMs: number; reconnectMs: LatencySummary }[];
  jobs: {
    accepted: number;
    /** fax.send reply to the panel hearing "delivered", seconds. */
    deliveredInSeconds: LatencySummary;
    byState: Record<string, number>;
    /** Failed jobs by error code. */
    failedByCode: Record<string, number>;
    /** Accepted jobs that never ended, or vanished. */
    lost: string[];
    /** Numbers a remote machine received more (or less) often than the job's end says. */
    duplicates: string[];
    /** Receptions no delivered job accounts for. */
    unexpected: string[];
  };
  /** Everything that breaks a promise: empty on a good run. */
  problems: string[];
  fdLimit: number | null;
}

const METRICS = [
  'mfp_edge_panel_connections',
  'mfp_edge_process_resident_memory_bytes',
  'mfp_edge_nodejs_heap_size_used_bytes',
  'mfp_edge_process_cpu_seconds_total',
  'mfp_edge_nodejs_eventloop_lag_p99_seconds',
  'mfp_edge_process_open_fds',
  'mfp_edge_jobs{state="delivered"}',
  'mfp_edge_jobs{state="failed"}',
  'mfp_edge_pages{stage="sent"}',
];

/** How a soak's fax may fail (see the check at the end of runLoad). */
const SOAK_FAILURES = new Set(['SCAN_INTERRUPTED', 'SCANNER_BUSY']);

/** Numbers the panels check as they are typed: valid ones in several countries, and a few wrong ones. */
const CHECKED = ['+33 1 42 68 53 00', '+1 212 555 0142', '+49 30 901820', '+44 20 7946 0958', '12', '+999 1'];

/** "Max open files" of this process (the edge child inherits it), or null off Linux. */
function fdLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    return null;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function figures(metrics: Map<string, number>): EdgeFigures {
  return {
    rssBytes: metrics.get('mfp_edge_process_resident_memory_bytes') ?? 0,
    heapUsedBytes: metrics.get('mfp_edge_nodejs_heap_size_used_bytes') ?? 0,
    cpuSeconds: metrics.get('mfp_edge_process_cpu_seconds_total') ?? 0,
  };
}

interface TrackedJob {
  id: string;
  number: string;
  state: string;
  totalPages: number | null;
  errorCode?: string;
}

/**
 * `npm run load`: an edge in its own process, `panels` paired shared-account devices in a fresh
 * data folder, one real WebSocket panel each (hello with its device token: signed in as the shared
 * account), checking numbers and following jobs, and `faxes` faxes in flight on as many in-process
 * simulators. The soak kills and restarts the edge at random and then checks every accepted fax
 * ended once, against what the simulators' remote machines received (/sim/api/faxes).
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? Date.now() % 1_000_000;
  const random = seededRandom(seed);
  const soak = options.soak === true;
  const checkEveryMs = options.checkEveryMs ?? 3000;
  const listEveryMs = options.listEveryMs ?? 10_000;
  const replyTimeoutMs = options.replyTimeoutMs ?? 15_000;
  const signal = options.signal;
  const limit = fdLimit();
  if (limit !== null && limit < options.panels + 256)
    throw new Error(
      `${options.panels} panels need about ${options.panels + 256} open files; this shell allows ${limit} (ulimit -n)`,
    );
  // One abort listener for the whole run (not one per wait: hundreds of panels wait at once).
  const sleepers = new Set<() => void>();
  signal?.addEventListener('abort', () => [...sleepers].forEach((wake) => wake()), { once: true });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      sleepers.add(wake);
    });
  const aborted = () => {
    if (signal?.aborted) throw new Error('interrupted');
  };

  const dataDir = mkdtempSync(join(tmpdir(), 'mfp-load-'));
  let farm: Awaited<ReturnType<typeof startSimulatorFarm>> | null = null;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const panels: LoadPanel[] = [];
  let edge: EdgeProcess | null = null;
  let running = true;
  try {
    // The MFPs: one per fax in flight (a modem sends one fax at a time), at least one for the idle panels.
    farm = await startSimulatorFarm(Math.max(1, options.faxes), options.timeFactor ?? 0.02);
    const simulators = farm.urls.map((url) => ({
      url,
      deviceUrls: { scannerUrl: `${url}/eSCL`, faxUrl: `${url.replace(/^http:/, 'ipp:')}/ipp/faxout` },
    }));

    // The devices, through the edge's own repositories, as the demo set-up and the admin CLI make them.
    const tokens: string[] = [];
    // The fax panels stay shared-account; user-prompt panels come after them.
    const promptPanels = Math.min(
      Math.max(0, options.panels - options.faxes),
      options.promptPanels ?? Math.min(25, Math.floor(options.panels / 20)),
    );
    const firstPrompt = options.panels - promptPanels;
    const people: { email: string; password: string }[] = [];
    const password = `load-${newDeviceToken()}`;
    const passwordHash = promptPanels > 0 ? await new PasswordHasher().hash(password) : '';
    const db = openDatabase(join(dataDir, 'edge.db'));
    try {
      const directory = new SqliteDirectoryRepository(db);
      const devices = new SqliteDeviceRepository(db);
      const enterprise = directory.createEnterprise('Load Enterprise', 'load');
      const shared = directory.createUser({
        enterpriseId: enterprise.id,
        email: 'front-desk@load.example',
        displayName: 'Front desk',
      });
      const users = new SqliteUserRepository(db);
      db.transaction(() => {
        for (let i = 0; i < options.panels; i++) {
          const token = newDeviceToken();
          tokens.push(token);
          const prompt = i >= firstPrompt;
          if (prompt) {
            const email = `person-${i + 1}@load.example`;
            const user = users.create({ enterpriseId: enterprise.id, email, displayName: `Person ${i + 1}` });
            users.setPasswordHash(user.id, passwordHash, new Date(), { mustChange: false });
            people.push({ email, password });
          }
          devices.create({
            enterpriseId: enterprise.id,
            name: `Load panel ${i + 1}`,
            authMode: prompt ? 'user-prompt' : 'shared-account',
            sharedUserId: prompt ? null : shared.id,
            ...simulators[i % simulators.length]!.deviceUrls,
            deviceApiUrl: null,
            tokenHash: hashDeviceToken(token),
          });
        }
      })();
    } finally {
      db.close();
    }

    edge = new EdgeProcess({
      port: await freePort(),
      dataDir,
      startTimeoutMs: 60_000,
      env: {
        MFP_EDGE_LOG_LEVEL: 'warn',
        // A killed send is retried soon, and a restart does not wait for faxes on the line.
        MFP_EDGE_FAX_RETRY_INTERVAL_SECONDS: '1',
        MFP_EDGE_FAX_POLL_TIMEOUT_SECONDS: '15',
        MFP_EDGE_SHUTDOWN_GRACE_SECONDS: '0',
      },
      // e.g. "--cpu-prof --cpu-prof-dir=DIR": a profile of the edge under load (written at its clean stop).
      nodeArgs: (process.env.MFP_LOAD_EDGE_NODE_ARGS ?? '').split(' ').filter(Boolean),
    });
    log(`starting the edge (data ${dataDir}) and ${simulators.length} simulator(s)`);
    await edge.start();
    const wsUrl = `${edge.url.replace(/^http/, 'ws')}/ws`;
    /*
     * Memory as the smallest of a few scrapes: the edge cannot be told to collect garbage, and a
     * single scrape lands anywhere in the heap's saw-tooth; the low points are the live memory.
     */
    const settled = async (): Promise<EdgeFigures> => {
      const samples: EdgeFigures[] = [];
      for (let i = 0; i < 6; i++) {
        samples.push(figures(parseMetrics(await edge!.metrics())));
        await sleep(500);
      }
      return {
        rssBytes: Math.min(...samples.map((f) => f.rssBytes)),
        heapUsedBytes: Math.min(...samples.map((f) => f.heapUsedBytes)),
        cpuSeconds: samples.at(-1)!.cpuSeconds,
      };
    };
    const before = await settled();

    const latencies = new Latencies();
    const errors: Record<string, number> = {};
    let interruptedByRestart = 0;
    /** True from a kill until the edge is up again: what fails then is the restart's doing. */
    let restarting = false;
    const failed = (error: unknown, restartMayExplain: boolean) => {
      const code = error instanceof PanelRequestError ? error.code : 'EXCEPTION';
      // The panels type wrong numbers on purpose: the edge's refusal is the right answer.
      if (code === 'INVALID_NUMBER') return;
      const cut = code === 'CLOSED' || code === 'NO_REPLY' || code === 'CONNECT_FAILED';
      if (soak && cut && restartMayExplain) interruptedByRestart++;
      else errors[code] = (errors[code] ?? 0) + 1;
    };

    // Connect everyone, 50 at a time: hello is the sign-in (the shared account).
    log(`connecting ${options.panels} panels`);
    tokens.forEach((token, i) =>
      panels.push(
        new LoadPanel(
          token,
          latencies,
          replyTimeoutMs,
          i >= firstPrompt ? people[i - firstPrompt] : undefined,
        ),
      ),
    );
    let signedIn = 0;
    for (let i = 0; i < panels.length; i += 50) {
      aborted();
      await Promise.all(
        panels.slice(i, i + 50).map((p) =>
          p.connect(wsUrl).then(
            () => signedIn++,
            (error) => failed(error, false),
          ),
        ),
      );
    }
    await sleep(1000);
    const connected = await settled();
    log(`${signedIn} panels signed in; edge RSS ${(connected.rssBytes / 2 ** 20).toFixed(1)} MiB`);

    // A closed panel reconnects (after a restart) until the run ends; reconnect times per restart.
    let reconnectTimes: number[] = [];
    let lastKillAt = 0;
    const reconnect = async (panel: LoadPanel) => {
      await sleep(100 + random() * 400);
      while (running && !panel.open && !signal?.aborted) {
        try {
          await panel.connect(wsUrl);
          if (lastKillAt) reconnectTimes.push(Date.now() - lastKillAt);
          return;
        } catch {
          await sleep(250 + random() * 500);
        }
      }
    };
    for (const panel of panels) panel.onClose = () => void (running ? reconnect(panel) : undefined);

    loopDelay.enable();
    const startedAt = Date.now();
    const stopAt = startedAt + options.seconds * 1000;
    const jitter = (ms: number) => ms * (0.5 + random());

    // Every panel: numbers checked as they are typed, the job list looked at now and then.
    const work = async (panel: LoadPanel) => {
      await sleep(random() * checkEveryMs);
      let nextList = Date.now() + jitter(listEveryMs);
      while (Date.now() < stopAt && !signal?.aborted) {
        if (panel.open) {
          const down = restarting;
          const list = Date.now() >= nextList;
          if (list) nextList = Date.now() + jitter(listEveryMs);
          await (
            list
              ? panel.request('jobs.list', { limit: 10 })
              : panel.request('fax.checkNumber', { number: CHECKED[Math.floor(random() * CHECKED.length)]! })
          ).catch((error: unknown) => failed(error, down || restarting || !panel.open));
        }
        await sleep(jitter(checkEveryMs));
      }
    };

    // The fax panels: the first `faxes` panels, one per simulator; each sends its next fax as the last ends.
    const jobs: TrackedJob[] = [];
    /** Numbers whose fax.send got no reply (the edge died under it): the job may exist. */
    const unanswered: { panel: LoadPanel; number: string }[] = [];
    let numberSeq = 1000;
    /** fax.send to delivered, seconds, as the panel sees it. */
    const faxSeconds: number[] = [];
    const untilFinal = async (panel: LoadPanel, job: TrackedJob, deadline: number) => {
      const seen = (view: JobView) => {
        if (view.id !== job.id) return;
        job.state = view.state;
        job.totalPages = view.totalPages;
        if (view.error) job.errorCode = view.error.code;
      };
      panel.onJob = seen;
      while (!isFinalJobState(job.state) && Date.now() < deadline && !signal?.aborted) {
        await sleep(1000);
        // Events can be missed across a restart: the list says where the job is.
        if (panel.open && !isFinalJobState(job.state))
          await panel
            .request('jobs.list', { limit: 10 })
            .then((reply) => (reply as { jobs: JobView[] }).jobs.forEach(seen))
            .catch((error: unknown) => failed(error, true));
      }
    };
    const faxWork = async (panel: LoadPanel) => {
      while (Date.now() < stopAt && !signal?.aborted) {
        if (!panel.open) {
          await sleep(200);
          continue;
        }
        const number = `+1212555${numberSeq++}`;
        let view: JobView;
        try {
          view = (
            (await panel.request('fax.send', { recipients: [number], resolution: 'standard' })) as {
              job: JobView;
            }
          ).job;
        } catch (error) {
          const code = error instanceof PanelRequestError ? error.code : '';
          if (soak && (code === 'CLOSED' || code === 'NO_REPLY')) unanswered.push({ panel, number });
          failed(error, true);
          await sleep(500);
          continue;
        }
        const job: TrackedJob = { id: view.id, number, state: view.state, totalPages: view.totalPages };
        jobs.push(job);
        const sentAt = Date.now();
        await untilFinal(panel, job, stopAt + (options.drainTimeoutMs ?? 120_000));
        if (job.state === 'delivered') faxSeconds.push((Date.now() - sentAt) / 1000);
      }
    };

    // The soak's restarts: SIGKILL at random moments, then a start on the same data folder and port.
    const restarts: LoadReport['restarts'] = [];
    const restartLoop = async () => {
      const count = options.restarts ?? Math.max(1, Math.round(options.seconds / 10));
      const times = Array.from({ length: count }, () => 0.1 + random() * 0.7)
        .sort()
        .map((f) => startedAt + f * options.seconds * 1000);
      for (const at of times) {
        await sleep(at - Date.now());
        if (signal?.aborted) return;
        restarting = true;
        reconnectTimes = [];
        lastKillAt = Date.now();
        log(`SIGKILL the edge at ${((lastKillAt - startedAt) / 1000).toFixed(1)} s`);
        await edge!.kill('SIGKILL');
        await edge!.start();
        const downMs = Date.now() - lastKillAt;
        // Reconnected when every panel is open again (bounded).
        const deadline = Date.now() + 60_000;
        while (panels.some((p) => !p.open) && Date.now() < deadline && !signal?.aborted) await sleep(100);
        restarting = false;
        restarts.push({ at: lastKillAt - startedAt, downMs, reconnectMs: summarize(reconnectTimes) });
        log(`edge back after ${downMs} ms; ${panels.filter((p) => p.open).length} panels reconnected`);
      }
    };

    log(`${options.seconds} s of work${soak ? ' with restarts' : ''}, ${options.faxes} faxes in flight`);
    const faxPanels = panels.slice(0, Math.min(options.faxes, panels.length));
    const idle = await Promise.all([
      ...panels.slice(faxPanels.length).map(work),
      ...faxPanels.map(faxWork),
      ...(soak ? [restartLoop()] : []),
      (async () => {
        await sleep(Math.max(0, stopAt - Date.now()));
        return edge!.metrics().then(parseMetrics, () => null);
      })(),
    ]);
    const workedMetrics = idle.at(-1) as Map<string, number> | null;
    loopDelay.disable();
    aborted();

    // Faxes sent into a dying edge: a job it had accepted shows in its device's list.
    for (const { panel, number } of unanswered) {
      const deadline = Date.now() + 30_000;
      while (!panel.open && Date.now() < deadline) await sleep(200);
      const reply = (await panel.request('jobs.list', { limit: 50 }).catch(() => null)) as {
        jobs: JobView[];
      } | null;
      const found = reply?.jobs.find((j) => j.recipients.some((r) => r.number === number));
      if (found) {
        const job: TrackedJob = { id: found.id, number, state: found.state, totalPages: found.totalPages };
        jobs.push(job);
        await untilFinal(panel, job, Date.now() + (options.drainTimeoutMs ?? 120_000));
      }
    }
    const end = await settled();
    const endMetrics = parseMetrics(await edge.metrics());
    running = false;

    // Every accepted job ended once: what the remote machines received against how each job ended.
    const received = new Map<string, number>();
    const partial = new Map<string, number>();
    for (const simulator of simulators) {
      const response = await fetch(`${simulator.url}/sim/api/faxes`, { signal: AbortSignal.timeout(10_000) });
      for (const fax of (await response.json()) as { to: string; status: string; pages: number }[]) {
        const into = fax.status === 'received' ? received : partial;
        into.set(fax.to, (into.get(fax.to) ?? 0) + 1);
      }
    }
    const byState: Record<string, number> = {};
    const lost: string[] = [];
    const duplicates: string[] = [];
    const problems: string[] = [];
    const claimed = new Set<string>();
    const failedByCode: Record<string, number> = {};
    for (const job of jobs) {
      byState[job.state] = (byState[job.state] ?? 0) + 1;
      claimed.add(job.number);
      const copies = received.get(job.number) ?? 0;
      if (!isFinalJobState(job.state)) lost.push(`${job.id} (${job.number}) still ${job.state}`);
      else if (job.state === 'delivered' && copies !== 1)
        duplicates.push(`${job.number}: delivered, received ${copies}×`);
      else if (job.state !== 'delivered' && copies !== 0)
        duplicates.push(`${job.number}: ${job.state} ${job.errorCode ?? ''}, yet received ${copies}×`);
      if (job.state === 'failed')
        failedByCode[job.errorCode ?? 'none'] = (failedByCode[job.errorCode ?? 'none'] ?? 0) + 1;
      // A fax may only fail when the edge died under its scan (the fed sheets are out of the tray),
      // or, just after a restart, when the device still holds the scan job the dead edge started
      // (SCANNER_BUSY until the device abandons it): each a refusal the person sees, nothing sent.
      if (job.state === 'failed' && !(soak && SOAK_FAILURES.has(job.errorCode ?? '')))
        problems.push(`${job.number} failed: ${job.errorCode ?? 'no code'}`);
    }
    const unexpected = [...received.keys()]
      .filter((n) => !claimed.has(n))
      .map((n) => `${n} received, no job`);
    if (lost.length) problems.push(`${lost.length} job(s) never ended: ${lost.slice(0, 5).join('; ')}`);
    if (duplicates.length) problems.push(...duplicates.slice(0, 10));
    if (unexpected.length) problems.push(...unexpected.slice(0, 10));
    if (signedIn !== options.panels) problems.push(`${options.panels - signedIn} panel(s) never signed in`);
    const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
    if (errorCount) problems.push(`${errorCount} request(s) failed: ${JSON.stringify(errors)}`);
    if (options.faxes > 0 && jobs.length === 0) problems.push('no fax was accepted');
    if (soak && restarts.length === 0) problems.push('no restart happened');

    const worked = workedMetrics ? figures(workedMetrics) : end;
    const n = Math.max(1, signedIn);
    return {
      mode: soak ? 'soak' : 'load',
      panels: options.panels,
      panelsSignedIn: signedIn,
      promptPanels,
      seconds: options.seconds,
      faxesInFlight: options.faxes,
      seed,
      latency: latencies.summary(),
      errors,
      interruptedByRestart,
      generatorLoopDelayMs: {
        p99: Math.round(loopDelay.percentile(99) / 1e5) / 10,
        max: Math.round(loopDelay.max / 1e5) / 10,
      },
      // A restart resets the edge's counters: its figures describe one life, so only a load run has them.
      edge: soak
        ? null
        : {
            before,
            connected,
            end,
            rssPerPanelBytes: Math.round((connected.rssBytes - before.rssBytes) / n),
            heapPerPanelBytes: Math.round((connected.heapUsedBytes - before.heapUsedBytes) / n),
            cpuPercent:
              Math.round(((worked.cpuSeconds - connected.cpuSeconds) / options.seconds) * 1000) / 10,
            connectCpuSeconds: Math.round((connected.cpuSeconds - before.cpuSeconds) * 100) / 100,
            metrics: Object.fromEntries(
              METRICS.flatMap((m) => (endMetrics.has(m) ? [[m, endMetrics.get(m)!]] : [])),
            ),
          },
      restarts,
      jobs: {
        accepted: jobs.length,
        deliveredInSeconds: summarize(faxSeconds),
        byState,
        failedByCode,
        lost,
        duplicates,
        unexpected,
      },
      problems,
      fdLimit: limit,
    };
  } finally {
    running = false;
    for (const panel of panels) {
      panel.onClose = () => {};
      panel.close();
    }
    await edge?.kill('SIGTERM', 10_000);
    loopDelay.disable();
    await farm?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const MiB = 2 ** 20;

/** The report as a person reads it. */
export function formatLoadReport(r: LoadReport): string {
  const lines = [
    `mfp-edge ${r.mode}: ${r.panelsSignedIn}/${r.panels} panels signed in (${r.promptPanels} with a password), ${r.seconds} s, ${r.faxesInFlight} faxes in flight (seed ${r.seed})`,
    '',
    'reply latency at the panels (ms)   count      p50      p99      max',
  ];
  for (const [type, s] of Object.entries(r.latency))
    lines.push(
      `  ${type.padEnd(30)} ${String(s.count).padStart(7)} ${s.p50.toFixed(1).padStart(8)} ${s.p99.toFixed(1).padStart(8)} ${s.max.toFixed(1).padStart(8)}`,
    );
  lines.push(
    `  (the load generator's own event-loop delay: p99 ${r.generatorLoopDelayMs.p99} ms, max ${r.generatorLoopDelayMs.max} ms)`,
  );
  if (r.edge) {
    const e = r.edge;
    lines.push(
      '',
      `edge memory: RSS ${(e.before.rssBytes / MiB).toFixed(1)} → ${(e.connected.rssBytes / MiB).toFixed(1)} MiB with the panels (${(e.end.rssBytes / MiB).toFixed(1)} at the end), heap ${(e.before.heapUsedBytes / MiB).toFixed(1)} → ${(e.connected.heapUsedBytes / MiB).toFixed(1)} MiB`,
      `  per panel: ${(e.rssPerPanelBytes / 1024).toFixed(1)} KiB RSS, ${(e.heapPerPanelBytes / 1024).toFixed(1)} KiB heap`,
      `edge CPU: ${e.cpuPercent}% of one core while working; ${e.connectCpuSeconds} s to connect and sign in every panel`,
      `edge /metrics at the end: ${Object.entries(e.metrics)
        .map(([k, v]) => `${k.replace(/^mfp_edge_/, '')}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
        .join(', ')}`,
    );
  }
  for (const restart of r.restarts)
    lines.push(
      `restart at ${(restart.at / 1000).toFixed(1)} s: edge up again after ${restart.downMs} ms; panels back in p50 ${restart.reconnectMs.p50} ms, max ${restart.reconnectMs.max} ms`,
    );
  if (r.mode === 'soak') lines.push(`requests cut off by a restart: ${r.interruptedByRestart}`);
  lines.push(
    '',
    `faxes: ${r.jobs.accepted} accepted, ${Object.entries(r.jobs.byState)
      .map(([s, n]) => `${n} ${s}`)
      .join(
        ', ',
      )} (delivered in p50 ${r.jobs.deliveredInSeconds.p50} s, max ${r.jobs.deliveredInSeconds.max} s); lost ${r.jobs.lost.length}, duplicates ${r.jobs.duplicates.length}, unexpected ${r.jobs.unexpected.length}`,
    r.problems.length
      ? `PROBLEMS:\n  ${r.problems.join('\n  ')}`
      : 'every reply arrived; every accepted fax ended exactly once',
  );
  return lines.join('\n');
}
