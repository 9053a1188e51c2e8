/** Runs at most `limit` tasks at once; `run` resolves with the task's result. */
export class Limiter {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) {
      // The finishing task hands its slot over (see below), so #active stays counted for us.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // Handing the slot straight to a waiter keeps a newcomer from slipping in between.
      if (next) next();
      else this.#active--;
    }
  }
}

/** A mutex per key: jobs on one device's scanner run one after another, devices in parallel. */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Runs `task` once every earlier holder of `key` is done. Aborting `signal` while waiting rejects
   * with its reason at once, and the queue moves on without this task.
   */
  async lock<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    try {
      await waitOrAbort(previous, signal);
      return await task();
    } finally {
      // Released even when we never ran: a waiter that gave up must not block those behind it.
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

function waitOrAbort(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
