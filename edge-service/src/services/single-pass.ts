/**
 * A background pass (a spool sweep, a mail queue run, a daily check) that runs once at a time:
 * callers during a pass share it, and it never rejects — a failure is reported to `onError`, whose
 * result the pass resolves with, and the next pass tries again.
 */
export class SinglePass<T> {
  readonly #work: () => Promise<T>;
  readonly #onError: (error: unknown) => T;
  #running: Promise<T> | null = null;

  constructor(work: () => Promise<T>, onError: (error: unknown) => T) {
    this.#work = work;
    this.#onError = onError;
  }

  run(): Promise<T> {
    this.#running ??= this.#work()
      .catch(this.#onError)
      .finally(() => (this.#running = null));
    return this.#running;
  }

  /** Resolves once the pass in progress, if any, has ended. */
  async settled(): Promise<void> {
    await this.#running;
  }
}
