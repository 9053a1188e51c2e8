/**
 * Advertises the virtual MFP's services over multicast DNS (bonjour-service). Off unless asked for:
 * mDNS leaves the machine. When the simulator listens on one address, only that interface is used
 * and the host name is published with that address (bonjour-service itself only publishes the
 * addresses of non-loopback interfaces, so a simulator on 127.0.0.1 would otherwise not resolve).
 */
import { Bonjour, type Service, type ServiceConfig } from 'bonjour-service';
import type { DnsSdService } from './dns-sd-services.ts';

export interface DnsSdAdvertiserOptions {
  services: DnsSdService[];
  /** The address the simulator listens on; a wildcard (`0.0.0.0`, `::`) means every interface. */
  address: string;
  onError?: (error: Error) => void;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export class DnsSdAdvertiser {
  readonly #options: DnsSdAdvertiserOptions;
  #bonjour: Bonjour | null = null;
  #published: Service[] = [];

  constructor(options: DnsSdAdvertiserOptions) {
    this.#options = options;
  }

  /** Resolves once every service has been announced (after probing the link for name conflicts). */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.#bonjour) return;
    const { address } = this.#options;
    const specific = !WILDCARDS.has(address);
    const onError = (error: Error) => this.#options.onError?.(error);
    // The constructor's options go to multicast-dns (its typing says ServiceConfig).
    const socketOptions = specific ? { interface: address, bind: '0.0.0.0' } : {};
    const bonjour = new Bonjour(socketOptions as unknown as Partial<ServiceConfig>, onError);
    this.#bonjour = bonjour;
    const announced = this.#options.services.map((config) => {
      const service = bonjour.publish({ ...config, disableIPv6: specific && !address.includes(':') });
      if (specific) {
        // records() is what the registry announces and answers with; it runs after probing, so
        // extending it here (right after publish) is in time.
        const records = service.records.bind(service);
        service.records = () => [
          ...records(),
          { name: service.host, type: address.includes(':') ? 'AAAA' : 'A', ttl: 120, data: address },
        ];
      }
      this.#published.push(service);
      return new Promise<void>((resolve) => service.once('up', () => resolve()));
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`DNS-SD services not announced within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([Promise.all(announced), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends goodbye packets (TTL 0) so browsers drop the services at once, then closes the socket. */
  async stop(): Promise<void> {
    const bonjour = this.#bonjour;
    this.#bonjour = null;
    this.#published = [];
    if (!bonjour) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      bonjour.unpublishAll(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  }

  get services(): readonly Service[] {
    return this.#published;
  }
}
