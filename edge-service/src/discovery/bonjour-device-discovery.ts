/**
 * DeviceDiscovery over multicast DNS with bonjour-service: browses `_uscan._tcp`, `_uscans._tcp`,
 * `_ipp._tcp` and `_ipps._tcp`, and keeps the candidate devices current as services come and go.
 * Only started on request (mDNS traffic leaves the machine).
 */
import { EventEmitter } from 'node:events';
import { Bonjour, type Browser, type Service, type ServiceConfig } from 'bonjour-service';
import type { DeviceDiscovery, DeviceDiscoveryEvents, DiscoveredDevice } from './device-discovery.ts';
import { mergeServices, type BrowsedType, type ResolvedService } from './discovered-services.ts';

export interface BonjourDeviceDiscoveryOptions {
  /** Address of the one interface to browse on (e.g. the LAN address); all interfaces when unset. */
  interface?: string;
  /** How often to ask again, so devices that missed the first query show up (default 10 s). */
  requeryMs?: number;
  onError?: (error: Error) => void;
}

const TYPES: BrowsedType[] = ['uscan', 'uscans', 'ipp', 'ipps'];

export class BonjourDeviceDiscovery extends EventEmitter<DeviceDiscoveryEvents> implements DeviceDiscovery {
  readonly #options: BonjourDeviceDiscoveryOptions;
  #bonjour: Bonjour | null = null;
  #browsers: Browser[] = [];
  #requery: NodeJS.Timeout | undefined;
  readonly #services = new Map<string, { type: BrowsedType; service: Service }>();
  /** Host name (lower case) → addresses from every A/AAAA record seen, whatever packet carried it. */
  readonly #addresses = new Map<string, Set<string>>();
  #mdns: MdnsSocket | null = null;
  #devices: DiscoveredDevice[] = [];

  constructor(options: BonjourDeviceDiscoveryOptions = {}) {
    super();
    this.#options = options;
  }

  async start(): Promise<void> {
    if (this.#bonjour) return;
    const socketOptions = this.#options.interface
      ? { interface: this.#options.interface, bind: '0.0.0.0' }
      : {};
    // The constructor's options go to multicast-dns (its typing says ServiceConfig).
    const bonjour = new Bonjour(socketOptions as unknown as Partial<ServiceConfig>, (error: Error) =>
      this.#options.onError?.(error),
    );
    this.#bonjour = bonjour;
    // bonjour-service keeps a service's addresses from the packet that first announced it and never
    // updates them; responders such as avahi announce a service and its host's address separately.
    // So address records are collected from every response, and asked for when missing.
    this.#mdns = (bonjour as unknown as { server?: { mdns?: MdnsSocket } }).server?.mdns ?? null;
    this.#mdns?.on('response', this.#onResponse);
    for (const type of TYPES) {
      const browser = bonjour.find({ type });
      const key = (service: Service) => `${type}/${service.fqdn ?? service.name}`;
      const seen = (service: Service) => {
        this.#services.set(key(service), { type, service });
        if (!service.addresses?.length && service.host) this.#mdns?.query(service.host, 'A');
        this.#refresh();
      };
      browser.on('up', seen);
      browser.on('txt-update', seen);
      browser.on('srv-update', seen);
      browser.on('down', (service) => {
        this.#services.delete(key(service));
        this.#refresh();
      });
      this.#browsers.push(browser);
    }
    const requeryMs = this.#options.requeryMs ?? 10_000;
    this.#requery = setInterval(() => {
      // No browser.expire(): bonjour-service does not refresh lastSeen on repeated answers, so it
      // would drop live devices; devices leave on their goodbye packets (TTL 0) instead.
      for (const browser of this.#browsers) browser.update();
    }, requeryMs);
    this.#requery.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#requery);
    for (const browser of this.#browsers) browser.stop();
    this.#mdns?.off('response', this.#onResponse);
    this.#mdns = null;
    this.#browsers = [];
    const bonjour = this.#bonjour;
    this.#bonjour = null;
    if (bonjour) await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  }

  list(): DiscoveredDevice[] {
    return this.#devices.map((device) => ({ ...device, uuids: [...device.uuids] }));
  }

  readonly #onResponse = (packet: MdnsPacket): void => {
    let changed = false;
    for (const record of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
      if ((record.type !== 'A' && record.type !== 'AAAA') || typeof record.data !== 'string') continue;
      const host = record.name.toLowerCase();
      const known = this.#addresses.get(host) ?? new Set<string>();
      const had = known.has(record.data);
      if (record.ttl === 0) known.delete(record.data);
      else known.add(record.data);
      this.#addresses.set(host, known);
      changed ||= had !== known.has(record.data);
    }
    if (changed) this.#refresh();
  };

  #refresh(): void {
    const before = this.#devices;
    const after = mergeServices(
      [...this.#services.values()].map(({ type, service }) =>
        resolved(type, service, [...(this.#addresses.get(service.host?.toLowerCase() ?? '') ?? [])]),
      ),
    );
    this.#devices = after;
    const sameDevice = (a: DiscoveredDevice, b: DiscoveredDevice) =>
      a.host === b.host || a.uuids.some((uuid) => b.uuids.includes(uuid));
    for (const device of after) {
      const previous = before.find((old) => sameDevice(old, device));
      if (!previous) this.emit('up', device);
      else if (JSON.stringify(previous) !== JSON.stringify(device)) this.emit('update', device);
    }
    for (const device of before) {
      if (!after.some((current) => sameDevice(device, current))) this.emit('down', device);
    }
  }
}

interface MdnsRecord {
  name: string;
  type: string;
  ttl?: number;
  data?: unknown;
}

interface MdnsPacket {
  answers?: MdnsRecord[];
  additionals?: MdnsRecord[];
}

/** The part of multicast-dns (bonjour-service's socket) used here. */
interface MdnsSocket {
  on(event: 'response', listener: (packet: MdnsPacket) => void): unknown;
  off(event: 'response', listener: (packet: MdnsPacket) => void): unknown;
  query(name: string, type: string): void;
}

function resolved(type: BrowsedType, service: Service, moreAddresses: string[]): ResolvedService {
  const txt: Record<string, string> = {};
  for (const [key, value] of Object.entries((service.txt ?? {}) as Record<string, unknown>)) {
    // bonjour-service decodes a key without `=` as undefined, and values as strings.
    txt[key] = value === undefined || value === null ? '' : String(value);
  }
  return {
    type,
    name: service.name,
    hostName: service.host,
    port: service.port,
    addresses: [...new Set([...(service.addresses ?? []), ...moreAddresses])],
    ...(service.referer?.address ? { sourceAddress: service.referer.address } : {}),
    txt,
  };
}
