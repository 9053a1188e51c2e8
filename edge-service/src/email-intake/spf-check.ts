import { Resolver } from 'node:dns/promises';
import { createRequire } from 'node:module';

/** The SPF results of RFC 7208 §2.6. */
export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror';

export type SpfChecker = (input: { sender: string; ip: string; helo: string }) => Promise<SpfResult>;

type MailauthSpf = (opts: {
  sender: string;
  ip: string;
  helo: string;
  mta: string;
  resolver: (name: string, type: string) => Promise<unknown>;
}) => Promise<{ status: { result: string } }>;

// mailauth 4 ships CommonJS without types: its SPF verifier alone, typed here.
const { spf } = createRequire(import.meta.url)('mailauth/lib/spf') as { spf: MailauthSpf };

/** A DNS server that does not answer within this (twice) gives temperror: the sender retries. */
const DNS_TIMEOUT_MS = 2_000;
const DNS_TRIES = 2;

const RESULTS = new Set<SpfResult>(['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror']);

/**
 * SPF with mailauth, asking `dnsServer` (host:port, e.g. a local dnsmasq) or the system resolver.
 * Its own Resolver, so the rest of the process keeps the system's DNS.
 */
export function createSpfChecker(options: { dnsServer?: string | undefined; mta: string }): SpfChecker {
  const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
  if (options.dnsServer) resolver.setServers([options.dnsServer]);
  const resolve = (name: string, type: string): Promise<unknown> => {
    switch (type) {
      case 'TXT':
        return resolver.resolveTxt(name);
      case 'A':
        return resolver.resolve4(name);
      case 'AAAA':
        return resolver.resolve6(name);
      case 'MX':
        return resolver.resolveMx(name);
      case 'PTR':
        return resolver.resolvePtr(name);
      default:
        return resolver.resolve(name, type);
    }
  };
  return async ({ sender, ip, helo }) => {
    const result = await spf({ sender, ip, helo, mta: options.mta, resolver: resolve });
    const verdict = result.status.result as SpfResult;
    return RESULTS.has(verdict) ? verdict : 'permerror';
  };
}
