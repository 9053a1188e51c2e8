import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BILEVEL_SOURCE } from './bilevel.ts';
import { DESPECKLE_SOURCE } from './despeckle.ts';
import { G4_SOURCE } from './g4-encoder.ts';
import { HALFTONE_SOURCE } from './halftone.ts';
import { STAGE_CLOCK_SOURCE } from './stage-clock.ts';
import { TEXT_MODE_SOURCE, type TextModeOptions, type TextModePage } from './text-mode-page.ts';

/**
 * Per-pixel passes kept off the service's event loop: photo-mode halftoning (halftone.ts: ~25 ms of
 * JavaScript per A4 fine page) and a text page's whole way from grey to G4 (text-mode-page.ts) on
 * worker threads, one per core, so the service's event loop (the panel's WebSocket) never stalls on
 * a page and two pages in flight run in parallel. A thread is plain JavaScript made from the pipeline
 * files' sources (~10 MB each; loading them through tsx would cost ~30 MB). Threads start with the
 * first page (or startDitherPool) and stay, unref'd while idle so they never keep a process alive; a
 * thread that dies is replaced, and the page it was on fails with a plain error.
 */

interface DitherRequest {
  id: number;
  grey: Uint8Array;
  width: number;
  height: number;
  /** Set: `grey` is a bilevel page (0/255) to despeckle (despeckle.ts) instead of a photo to dither. */
  despeckle?: { maxSpeck: number };
  /** Set: `grey` is a text page's grey pels, `width × height`, to make a fax page of (text-mode-page.ts). */
  text?: TextModeOptions;
}

/** A thread's answer: the pels (or, for a text page, its G4 data), and what a text page adds. */
interface PoolResult {
  pixels: Uint8Array;
  blank?: boolean;
  stageTimes?: TextModeOptions['stageTimes'];
}

type DitherReply = ({ id: number } & PoolResult) | { id: number; error: string };

interface Task extends DitherRequest {
  /** The caller gives up `grey`: its memory moves to the thread instead of being copied (4 MB a page). */
  transfer?: boolean;
  resolve: (result: PoolResult) => void;
  reject: (error: Error) => void;
}

interface PoolThread {
  worker: Worker;
  task: Task | undefined;
}

// tsx (esbuild with keepNames) wraps named closures in __name(fn, 'name'): the threads' copy of it.
const THREAD_SOURCE = `var __name = (target) => target;
${HALFTONE_SOURCE}
${DESPECKLE_SOURCE}
${G4_SOURCE}
${BILEVEL_SOURCE}
${STAGE_CLOCK_SOURCE}
${TEXT_MODE_SOURCE}
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, grey, width, height, despeckle, text }) => {
  let reply;
  try {
    if (text) {
      const page = textModePage(grey, width, height, text);
      reply = { id, pixels: page.g4, blank: page.blank, stageTimes: text.stageTimes };
    } else {
      const pixels = despeckle
        ? despeckleBilevel(grey, width, height, despeckle.maxSpeck)
        : ditherPhoto(grey, width, height);
      reply = { id, pixels };
    }
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) });
    return;
  }
  parentPort.postMessage(reply, [reply.pixels.buffer]);
});`;

const threads: PoolThread[] = [];
const queue: Task[] = [];
let nextId = 1;
let size = Math.max(1, availableParallelism());

/** Threads in the pool (default: one per core); applies to threads started from now on. */
export function setDitherPoolSize(threadCount: number): void {
  size = Math.max(1, Math.floor(threadCount));
}

/** halftone.ts's ditherPhoto on a pool thread. `grey` is copied (~1 ms), so the caller keeps it. */
export async function ditherOffThread(grey: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const result = await new Promise<PoolResult>((resolve, reject) => {
    queue.push({ id: nextId++, grey, width, height, resolve, reject });
    dispatch();
  });
  return result.pixels;
}

/** despeckle.ts's despeckleBilevel on a pool thread; `bits` is copied, as for ditherOffThread. */
export async function despeckleOffThread(
  bits: Uint8Array,
  width: number,
  height: number,
  maxSpeck: number,
): Promise<Uint8Array> {
  const result = await new Promise<PoolResult>((resolve, reject) => {
    queue.push({ id: nextId++, grey: bits, width, height, despeckle: { maxSpeck }, resolve, reject });
    dispatch();
  });
  return result.pixels;
}

/**
 * text-mode-page.ts's textModePage on a pool thread: a text page's grey pels (`sourceWidth ×
 * sourceHeight`, resized there if that is not the fax page's size) to its G4 data and whether it is
 * blank. `grey` is handed over, not copied, when it is a whole ArrayBuffer of its own (as a decoder's
 * output is): the caller must not use it afterwards. Stage times come back into
 * `options.stageTimes`.
 */
export async function textModePageOffThread(
  grey: Uint8Array,
  sourceWidth: number,
  sourceHeight: number,
  options: TextModeOptions,
): Promise<TextModePage> {
  const { stageTimes, ...rest } = options;
  const result = await new Promise<PoolResult>((resolve, reject) => {
    const whole = grey.byteOffset === 0 && grey.byteLength === grey.buffer.byteLength;
    queue.push({
      id: nextId++,
      grey,
      width: sourceWidth,
      height: sourceHeight,
      text: stageTimes === undefined ? rest : { ...rest, stageTimes: {} },
      transfer: whole,
      resolve,
      reject,
    });
    dispatch();
  });
  if (stageTimes !== undefined) {
    for (const [stage, ms] of Object.entries(result.stageTimes ?? {})) {
      stageTimes[stage] = (stageTimes[stage] ?? 0) + ms;
    }
  }
  return { g4: result.pixels, blank: result.blank === true };
}

/** Stops the pool's threads (tests, shutdown); the next photo page starts new ones. */
export async function stopDitherPool(): Promise<void> {
  const stopping = threads.splice(0).map(({ worker }) => worker.terminate());
  await Promise.all(stopping);
}

/**
 * Starts the pool's threads now rather than with the first page, so that a batch (`mfp-edge convert`)
 * has them ready while it reads and decodes its first pages. Idle, they do not keep the process alive.
 */
export function startDitherPool(): void {
  while (threads.length < size) startThread();
}

/** How many pool threads are running (for tests). */
export function ditherPoolThreads(): number {
  return threads.length;
}

function dispatch(): void {
  while (queue.length > 0) {
    let idle = threads.find((thread) => thread.task === undefined);
    if (idle === undefined && threads.length < size) idle = startThread();
    if (idle === undefined) return;
    const task = queue.shift() as Task;
    idle.task = task;
    idle.worker.ref();
    const request: DitherRequest = {
      id: task.id,
      grey: task.grey,
      width: task.width,
      height: task.height,
      ...(task.despeckle === undefined ? {} : { despeckle: task.despeckle }),
      ...(task.text === undefined ? {} : { text: task.text }),
    };
    idle.worker.postMessage(request, task.transfer === true ? [task.grey.buffer as ArrayBuffer] : []);
  }
}

function startThread(): PoolThread {
  const thread: PoolThread = { worker: new Worker(THREAD_SOURCE, { eval: true }), task: undefined };
  thread.worker.on('message', (reply: DitherReply) => {
    const task = thread.task;
    if (task === undefined || task.id !== reply.id) return;
    thread.task = undefined;
    thread.worker.unref();
    if ('pixels' in reply) task.resolve(reply);
    else
      task.reject(
        new Error(
          `${task.text ? 'the text page' : task.despeckle ? 'despeckling' : 'dithering'} failed: ${reply.error}`,
        ),
      );
    dispatch();
  });
  const lost = (error: Error): void => {
    const index = threads.indexOf(thread);
    if (index >= 0) threads.splice(index, 1);
    thread.task?.reject(error);
    thread.task = undefined;
    dispatch();
  };
  thread.worker.on('error', (error) => lost(new Error(`dither thread failed: ${error.message}`)));
  thread.worker.on('exit', (code) => lost(new Error(`dither thread exited (${code})`)));
  // After the listeners: adding a 'message' listener refs a worker again.
  thread.worker.unref();
  threads.push(thread);
  return thread;
}
