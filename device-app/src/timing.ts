/* Rate helpers with injectable clocks, so they are unit-tested without waiting. */

export interface Throttled {
  /** Runs the function unless it ran less than the interval ago; `force` runs it anyway. Returns whether it ran. */
  call(force?: boolean): boolean;
  /** Forget the last run (after a reconnect or a new session). */
  reset(): void;
}

/** At most one call per `intervalMs` (the first goes through at once; the ones inside the interval are dropped). */
export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now): Throttled {
  let last = -Infinity;
  return {
    call(force = false) {
      const t = now();
      if (!force && t - last < intervalMs) return false;
      last = t;
      fn();
      return true;
    },
    reset() {
      last = -Infinity;
    },
  };
}

export interface Timers {
  set: (fn: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
}

const windowTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Debounced<A> {
  (arg: A): void;
  cancel(): void;
}

/** Runs `fn` with the latest argument once `ms` passed without a new call. */
export function debounce<A>(fn: (arg: A) => void, ms: number, timers: Timers = windowTimers): Debounced<A> {
  let handle: unknown = null;
  const debounced = ((arg: A) => {
    if (handle !== null) timers.clear(handle);
    handle = timers.set(() => {
      handle = null;
      fn(arg);
    }, ms);
  }) as Debounced<A>;
  debounced.cancel = () => {
    if (handle !== null) timers.clear(handle);
    handle = null;
  };
  return debounced;
}
