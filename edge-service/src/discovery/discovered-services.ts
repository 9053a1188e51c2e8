/**
 * From resolved DNS-SD services to candidate devices (no I/O): the URLs each service stands for,
 * and services of one device merged — by UUID when they share one, else by address (real MFPs
 * serve eSCL and IPP on different ports of one host, and not all repeat one UUID in both).
 */
import type { DiscoveredDevice } from './device-discovery.ts';

export type BrowsedType = 'uscan' | 'uscans' | 'ipp' | 'ipps';

export interface ResolvedService {
  type: BrowsedType;
  /** DNS-SD instance name. */
  name: string;
  /** SRV target. */
  hostName: string;
  port: number;
  addresses: string[];
  /** Where the answer came from: the address to use when no A/AAAA record came with it. */
  sourceAddress?: string;
  txt: Record<string, string>;
}

interface Endpoint {
  service: ResolvedService;
  host: string;
  uuid: string | null;
  scannerUrl?: string;
  faxUrl?: string;
}

export function normaliseUuid(value: string | undefined): string | null {
  const uuid = value
    ?.trim()
    .toLowerCase()
    .replace(/^urn:uuid:/, '');
  return uuid ? uuid : null;
}

/** The address URLs should use: IPv4 first (link-local IPv6 needs a zone a URL cannot carry well). */
export function preferredHost(service: ResolvedService): string {
  const ipv4 = service.addresses.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
  const candidate = ipv4 ?? service.addresses.find((a) => !/^fe80:/i.test(a)) ?? service.sourceAddress;
  return candidate ?? service.hostName.replace(/\.$/, '');
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** TXT paths come with or without slashes (`eSCL`, `/eSCL`, `eSCL/`). */
function resourcePath(value: string): string {
  return value.trim().replace(/^\/+|\/+$/g, '');
}

function endpointOf(service: ResolvedService): Endpoint | null {
  const host = preferredHost(service);
  const authority = `${urlHost(host)}:${service.port}`;
  const txt = lowerKeys(service.txt);
  if (service.type === 'uscan' || service.type === 'uscans') {
    // Mopria: `rs` defaults to "eSCL" when absent.
    const path = resourcePath(txt.rs ?? 'eSCL');
    const scheme = service.type === 'uscans' ? 'https' : 'http';
    return { service, host, uuid: normaliseUuid(txt.uuid), scannerUrl: `${scheme}://${authority}/${path}` };
  }
  // Only FaxOut matters here: an `_ipp._tcp` without `rfo` is a printer without fax.
  if (txt.rfo === undefined) return null;
  const scheme = service.type === 'ipps' ? 'ipps' : 'ipp';
  return {
    service,
    host,
    uuid: normaliseUuid(txt.uuid),
    faxUrl: `${scheme}://${authority}/${resourcePath(txt.rfo)}`,
  };
}

function lowerKeys(txt: Record<string, string>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(txt).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Candidate devices from the services currently seen, in a stable order (by name, then host). */
export function mergeServices(services: ResolvedService[]): DiscoveredDevice[] {
  const groups: Endpoint[][] = [];
  for (const endpoint of services.map(endpointOf).filter((e): e is Endpoint => e !== null)) {
    const matching = groups.filter((group) =>
      group.some(
        (other) => (endpoint.uuid !== null && other.uuid === endpoint.uuid) || other.host === endpoint.host,
      ),
    );
    // One service may join two groups (its UUID matches one, its host the other): merge them.
    const merged = [...matching.flat(), endpoint];
    for (const group of matching) groups.splice(groups.indexOf(group), 1);
    groups.push(merged);
  }
  return groups.map(toDevice).sort((a, b) => a.name.localeCompare(b.name) || a.host.localeCompare(b.host));
}

function toDevice(endpoints: Endpoint[]): DiscoveredDevice {
  // Plain HTTP before TLS: our clients talk to devices whose certificates are self-signed.
  const rank = (e: Endpoint) => (e.service.type === 'uscan' || e.service.type === 'ipp' ? 0 : 1);
  const sorted = [...endpoints].sort((a, b) => rank(a) - rank(b));
  const scanner = sorted.find((e) => e.scannerUrl !== undefined);
  const fax = sorted.find((e) => e.faxUrl !== undefined);
  const primary = scanner ?? fax ?? sorted[0]!;
  const txt = lowerKeys(primary.service.txt);
  const uuids = [...new Set(endpoints.map((e) => e.uuid).filter((u): u is string => u !== null))];
  const adminUrl = endpoints.map((e) => lowerKeys(e.service.txt).adminurl).find((u) => u !== undefined);
  return {
    id: uuids[0] ?? `host:${primary.host}`,
    name: txt.ty ?? primary.service.name,
    host: primary.host,
    hostName: primary.service.hostName,
    uuids,
    ...(scanner?.scannerUrl ? { scannerUrl: scanner.scannerUrl } : {}),
    ...(fax?.faxUrl ? { faxUrl: fax.faxUrl } : {}),
    ...(adminUrl ? { adminUrl } : {}),
  };
}
