import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DESPECKLE_SOURCE } from './despeckle.ts';
import { G4_SOURCE } from './g4-encoder.ts';
import { HALFTONE_SOURCE } from './halftone.ts';

/**
 * Per-pixel passes kept off the service's event loop: photo-mode halftoning (halftone.ts: ~25 ms of JavaScript per A4 fine page) and text pages' despeckle and G4 coding (despeckle.ts, g4-encoder.ts) on worker threads, one
 * per core, so the service's event loop (the panel's WebSocket) never stalls on a photo page and two
 * photo pages in flight dither in parallel. A thread is plain JavaScript made from halftone.ts's
 * source (~10 MB each; loading it through tsx would cost ~30 MB). Threads start with the first photo
 * page and stay, unref'd while idle so they never keep a process alive; a thread that dies is
 * replaced, and the page it was on fails with a plain error.
 */

interface DitherRequest {
  id: number;
  grey: Uint8Array;
  width: number;
  height: number;
  /** Set: `grey` is a bilevel page (0/255) to despeckle (despeckle.ts) instead of a photo to dither. */
  despeckle?: { maxSpeck: number };
  /** Set: `grey` is a text page's bilevel pels (0/255) to despeckle and code as G4 (g4-encoder.ts). */
  text?: { maxSpeck: number };
}

type DitherReply = { id: number; pixels: Uint8Array } | { id: number; error: string };

interface Task extends DitherRequest {
  /** The caller gives up `grey`: its memory moves to the thread instead of being copied (4 MB a page). */
  transfer?: boolean;
  resolve: (pixels: Uint8Array) => void;
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
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, grey, width, height, despeckle, text }) => {
  let pixels;
  try {
    pixels = text
      ? faxTextPage(grey, width, height, text.maxSpeck)
      : despeckle
        ? despeckleBilevel(grey, width, height, despeckle.maxSpeck)
        : ditherPhoto(grey, width, height);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) });
    return;
  }
  parentPort.postMessage({ id, pixels }, [pixels.buffer]);
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
export function ditherOffThread(grey: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    queue.push({ id: nextId++, grey, width, height, resolve, reject });
    dispatch();
  });
}

/** despeckle.ts's despeckleBilevel on a pool thread; `bits` is copied, as for ditherOffThread. */
export function despeckleOffThread(
  bits: Uint8Array,
  width: number,
  height: number,
  maxSpeck: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    queue.push({ id: nextId++, grey: bits, width, height, despeckle: { maxSpeck }, resolve, reject });
    dispatch();
  });
}

/**
 * g4-encoder.ts's faxTextPage on a pool thread: a text page's bilevel pels (0 ink, 255 paper) to its
 * G4 data, despeckled. `bits` is handed over, not copied: it must be a whole ArrayBuffer of its own
 * (as sharp's output is), and the caller must not use it afterwards.
 */
export function faxTextPageOffThread(
  bits: Uint8Array,
  width: number,
  height: number,
  maxSpeck: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const whole = bits.byteOffset === 0 && bits.byteLength === bits.buffer.byteLength;
    queue.push({
      id: nextId++,
      grey: bits,
      width,
      height,
      text: { maxSpeck },
      transfer: whole,
      resolve,
      reject,
    });
    dispatch();
  });
}

/** Stops the pool's threads (tests, shutdown); the next photo page starts new ones. */
export async function stopDitherPool(): Promise<void> {
  const stopping = threads.splice(0).map(({ worker }) => worker.terminate());
  await Promise.all(stopping);
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
  thread.worker.unref();
  thread.worker.on('message', (reply: DitherReply) => {
    const task = thread.task;
    if (task === undefined || task.id !== reply.id) return;
    thread.task = undefined;
    thread.worker.unref();
    if ('pixels' in reply) task.resolve(reply.pixels);
    else
      task.reject(
        new Error(
          `${task.text ? 'G4 coding' : task.despeckle ? 'despeckling' : 'dithering'} failed: ${reply.error}`,
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
  threads.push(thread);
  return thread;
}
