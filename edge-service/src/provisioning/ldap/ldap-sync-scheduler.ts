import type { DirectoryRepository } from '../../domain/device.ts';
import type { Logger } from '../../logger.ts';
import type { LdapSync } from './ldap-sync.ts';
import type { LdapSyncSettingsStore } from './ldap-sync-settings.ts';

/**
 * Runs each enterprise's directory sync every `intervalMinutes` of its settings (0: on demand
 * only). Started and stopped with the edge; stop() waits for a run in progress, so the database
 * is not closed under it.
 */
export class LdapSyncScheduler {
  readonly #sync: LdapSync;
  readonly #settings: LdapSyncSettingsStore;
  readonly #directory: Pick<DirectoryRepository, 'getEnterprise'>;
  readonly #log: Logger | undefined;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<unknown> | null = null;

  constructor(options: {
    sync: LdapSync;
    settings: LdapSyncSettingsStore;
    directory: Pick<DirectoryRepository, 'getEnterprise'>;
    logger?: Logger;
    /** How often due runs are looked for (default a minute). */
    tickMs?: number;
  }) {
    this.#sync = options.sync;
    this.#settings = options.settings;
    this.#directory = options.directory;
    this.#log = options.logger;
    this.#tickMs = options.tickMs ?? 60_000;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (!this.#inFlight) this.#inFlight = this.tick().finally(() => (this.#inFlight = null));
    }, this.#tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#inFlight;
  }

  /** Runs every sync that is due now. */
  async tick(now = new Date()): Promise<void> {
    for (const enterpriseId of this.#settings.enterprises()) {
      const stored = this.#settings.get(enterpriseId);
      const enterprise = this.#directory.getEnterprise(enterpriseId);
      if (
        !stored ||
        !enterprise ||
        stored.settings.intervalMinutes === 0 ||
        this.#sync.isRunning(enterpriseId)
      )
        continue;
      const last = this.#sync.lastReport(enterpriseId);
      if (last && Date.parse(last.startedAt) + stored.settings.intervalMinutes * 60_000 > now.getTime())
        continue;
      try {
        await this.#sync.run(enterprise, { trigger: 'schedule', actor: 'system' });
      } catch (error) {
        this.#log?.error({ err: error, enterprise: enterprise.slug }, 'scheduled directory sync failed');
      }
    }
  }
}
