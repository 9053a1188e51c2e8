import { BlockList, isIPv6 } from 'node:net';
import type { DirectoryRepository, EnterpriseRecord } from '../domain/device.ts';
import { evaluateDestination } from '../domain/destination-rules.ts';
import { parseFaxNumber } from '../domain/fax-number.ts';
import type { UserAccount, UserRepository } from '../domain/user.ts';
import type { PolicyDocument } from '../policies/policy-schema.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import { reply, type SmtpReply } from './smtp-reply.ts';
import type { SpfChecker, SpfResult } from './spf-check.ts';

export type EmailToFaxPolicy = PolicyDocument['emailToFax'];

/** Who sends an admitted message: a registered person (their settings) or a trusted-domain address. */
export type EmailSender =
  { kind: 'user'; user: UserAccount; address: string } | { kind: 'trusted-domain'; address: string };

export interface AdmittedMessage {
  enterprise: EnterpriseRecord;
  policy: PolicyDocument;
  sender: EmailSender;
}

export interface SenderPolicyOptions {
  directory: Pick<DirectoryRepository, 'listEnterprises'>;
  policies: Pick<PolicyService, 'get'>;
  users: Pick<UserRepository, 'findByEmail' | 'get'>;
  spf: SpfChecker;
  defaultCountry: string;
}

/**
 * Who may send an email fax, decided in the order of issue 13, each refusal an SMTP reply:
 * 1. the enterprise, from the recipient's fax domain (unknown domain: 550 5.1.2);
 * 2. email-to-fax disabled for it: 550 5.7.1;
 * 3. the client address outside the IP allow-list, when one is set: 550 5.7.1;
 * 4. SPF, when the check is on and the sender did not sign in with SMTP AUTH (a signed-in person
 *    proved who they are; SPF only tells whether the client may relay the domain's mail):
 *    - pass: on;
 *    - fail (-all), softfail (~all): 550 5.7.23. Softfail is the domain saying "probably not
 *      mine"; a fax costs money and leaves the company, so a maybe-forged sender is refused;
 *    - neutral (?all), none: 550 5.7.23. The domain makes no statement, and an admin who turned
 *      the check on asked for proof; the text says how to give it (an SPF record, or the allow-list);
 *    - temperror (a DNS timeout, a SERVFAIL): 451 4.4.3. Neither accepted unproven nor lost: the
 *      sender's server keeps the message and retries, and the next look-up usually answers;
 *    - permerror (a broken record): 550 5.7.24;
 * 5. the sender: a registered, enabled person of the enterprise (the SMTP AUTH one, or the
 *    envelope sender's address), else an address of a trusted domain; anyone else: 550 5.7.1.
 */
export class SenderPolicy {
  readonly #o: SenderPolicyOptions;

  constructor(options: SenderPolicyOptions) {
    this.#o = options;
  }

  /** The enterprise whose fax domain is `domain`, with its policy; throws the reply when none. */
  enterpriseOf(domain: string): { enterprise: EnterpriseRecord; policy: PolicyDocument } {
    const wanted = domain.toLowerCase();
    for (const enterprise of this.#o.directory.listEnterprises()) {
      const policy = this.#o.policies.get(enterprise.id).document;
      if (policy.emailToFax.faxDomain === wanted) return { enterprise, policy };
    }
    throw reply.unknownDomain(domain);
  }

  /** Steps 2–5 for one message (asked at its first recipient). */
  async admit(input: {
    enterprise: EnterpriseRecord;
    policy: PolicyDocument;
    ip: string;
    helo: string;
    mailFrom: string;
    authUserId: string | null;
  }): Promise<AdmittedMessage> {
    const { enterprise, policy } = input;
    const settings = policy.emailToFax;
    if (!settings.enabled) throw reply.disabled(settings.faxDomain ?? 'this domain');
    const ip = plainIp(input.ip);
    if (settings.ipAllowList.length > 0 && !allowListed(settings.ipAllowList, ip))
      throw reply.notAllowedAddress(ip);
    const authUser = input.authUserId ? this.#o.users.get(input.authUserId) : null;
    const address = input.mailFrom.trim().toLowerCase();
    if (settings.spfCheck && !authUser) {
      const domain = address.split('@').pop() ?? '';
      if (!address.includes('@')) throw reply.unknownSender(address);
      const result = await this.#o.spf({ sender: address, ip, helo: input.helo });
      refuseUnlessPass(result, domain, ip);
    }
    const sender = this.#sender(enterprise, settings, authUser ?? null, address);
    return { enterprise, policy, sender };
  }

  #sender(
    enterprise: EnterpriseRecord,
    settings: EmailToFaxPolicy,
    authUser: UserAccount | null,
    address: string,
  ): EmailSender {
    const user =
      authUser?.enterpriseId === enterprise.id
        ? authUser
        : address
          ? this.#o.users.findByEmail(enterprise.id, address)
          : null;
    if (user && user.disabledAt === null && user.deletedAt === null) {
      if (!user.faxEnabled) throw reply.senderFaxDisabled(user.email);
      return { kind: 'user', user, address: user.email };
    }
    const domain = address.split('@').pop() ?? '';
    if (address.includes('@') && settings.trustedDomains.includes(domain))
      return { kind: 'trusted-domain', address };
    throw reply.unknownSender(address);
  }

  /** One recipient's number: E.164, or the per-recipient reply (553 not a number, 550 refused). */
  recipient(localPart: string, policy: PolicyDocument): string {
    let number;
    try {
      number = parseFaxNumber(localPart, this.#o.defaultCountry);
    } catch (error) {
      throw reply.invalidNumber(localPart, error instanceof Error ? error.message : 'not a number');
    }
    const verdict = evaluateDestination(number, policy, this.#o.defaultCountry);
    if (!verdict.allowed) throw reply.numberRefused(number.e164, verdict.message);
    return number.e164;
  }
}

function refuseUnlessPass(result: SpfResult, domain: string, ip: string): void {
  const refusal: SmtpReply | null =
    result === 'pass'
      ? null
      : result === 'fail' || result === 'softfail'
        ? reply.spfFailed(domain, ip, result)
        : result === 'temperror'
          ? reply.spfTempError(domain)
          : result === 'permerror'
            ? reply.spfPermError(domain)
            : reply.spfNoVerdict(domain, ip, result);
  if (refusal) throw refusal;
}

/** ::ffff:127.0.0.2 (an IPv4 client on a dual-stack socket) as 127.0.0.2. */
export function plainIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

function allowListed(ranges: readonly string[], ip: string): boolean {
  const list = new BlockList();
  for (const range of ranges) {
    const [address, prefix] = range.split('/') as [string, string | undefined];
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4');
}
