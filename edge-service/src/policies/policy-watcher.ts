import type { Logger } from '../logger.ts';
import type { PolicyRepository } from './policy-repository.ts';
import type { PolicyService } from './policy-service.ts';

export const POLICY_POLL_MS = 250;

/**
 * Makes a running edge notice policy changes written by another process (the admin CLI writes the
 * same SQLite file). Every `intervalMs` it reads PRAGMA data_version, a counter SQLite bumps when
 * another connection commits: one cheap call, no query, while nothing changes. When it moves, the
 * service compares stored versions and emits 'changed' for the ones that moved.
 */
export class PolicyWatcher {
  readonly #service: PolicyService;
  readonly #repository: PolicyRepository;
  readonly #intervalMs: number;
  readonly #log: Logger | undefined;
  #timer: NodeJS.Timeout | undefined;
  #counter: number | undefined;

  constructor(options: {
    service: PolicyService;
    repository: PolicyRepository;
    intervalMs?: number;
    logger?: Logger;
  }) {
    this.#service = options.service;
    this.#repository = options.repository;
    this.#intervalMs = options.intervalMs ?? POLICY_POLL_MS;
    this.#log = options.logger;
  }

  start(): void {
    if (this.#timer) return;
    this.#counter = this.#repository.externalChangeCounter();
    this.#service.refresh();
    this.#timer = setInterval(() => this.poll(), this.#intervalMs);
    this.#timer.unref();
  }

  /** One check (the timer calls it; tests may too). */
  poll(): void {
    try {
      const counter = this.#repository.externalChangeCounter();
      if (counter === this.#counter) return;
      this.#counter = counter;
      this.#service.refresh();
    } catch (error) {
      // A busy or closing database: try again next tick rather than stopping the watch.
      this.#log?.warn({ err: error }, 'policy watch failed; retrying');
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
