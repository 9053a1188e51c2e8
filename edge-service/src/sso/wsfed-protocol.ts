import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { EdgeError } from '../edge-error.ts';
import { escapeHtml } from '../escape-html.ts';
import type {
  SsoBeginResult,
  SsoContext,
  SsoIdentity,
  SsoPendingRequest,
  SsoProtocol,
} from './sso-protocol.ts';

/**
 * WS-Federation passive requestor profile (AD FS, Entra ID, simplesamlphp's `adfs` module). The
 * IdP POSTs `wresult`, a WS-Trust RequestSecurityTokenResponse holding one signed SAML 1.1 or 2.0
 * assertion, and `wctx`, our request id. The signature is checked with xml-crypto against the
 * IdP's certificates from its metadata (never a certificate inside the answer), and everything we
 * believe is read from the canonical XML xml-crypto verified, not from the posted document, so a
 * second, unsigned assertion wrapped around or beside the signed one is never what we read.
 */

const NS = {
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  saml1: 'urn:oasis:names:tc:SAML:1.0:assertion',
  saml2: 'urn:oasis:names:tc:SAML:2.0:assertion',
  trust: ['http://schemas.xmlsoap.org/ws/2005/02/trust', 'http://docs.oasis-open.org/ws-sx/ws-trust/200512'],
  fed: 'http://docs.oasis-open.org/wsfed/federation/200706',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  wsa: 'http://www.w3.org/2005/08/addressing',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};

/** A token response is a few kilobytes; this bounds what we parse. */
const MAX_WRESULT_CHARS = 256 * 1024;

/** SHA-1 is refused: an IdP still on it must be moved to SHA-256 (AD FS's default). */
const SIGNATURE_ALGORITHMS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);
const DIGEST_ALGORITHMS = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

/**
 * Claim names tried for the default `emailClaim` ("email"): AD FS / Entra send the claim type URI,
 * simplesamlphp the LDAP name. Any other emailClaim is matched exactly (case-insensitively).
 */
const EMAIL_ALIASES = [
  'email',
  'mail',
  'emailaddress',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  'http://schemas.xmlsoap.org/claims/emailaddress',
];

type Saml = 'saml1' | 'saml2';

/**
 * Assertions already accepted, until they expire. `wctx` is not signed (SAML 1.1 has no
 * InResponseTo), so without this a captured token could be posted again with a fresh request of
 * the attacker's own. In memory: a token outlives a restart by at most its few minutes.
 */
const MAX_REMEMBERED = 100_000;
const usedAssertions = new Map<string, number>();

function rememberOnce(key: string, until: number, now: number): boolean {
  for (const [k, expiry] of usedAssertions) {
    if (expiry > now && usedAssertions.size < MAX_REMEMBERED) break;
    usedAssertions.delete(k);
  }
  if (usedAssertions.has(key)) return false;
  usedAssertions.set(key, until);
  return true;
}

function replyUrl(context: SsoContext): string {
  return `${context.baseUrl}/wsfed`;
}

function invalid(why: string): EdgeError {
  return new EdgeError('SSO_RESPONSE_INVALID', `The WS-Federation answer cannot be read: ${why}.`);
}

/** Parses XML, refusing a DTD (entity expansion) and any parse error instead of guessing. */
function parseXml(xml: string): Document {
  if (/<!DOCTYPE/i.test(xml)) throw invalid('it carries a document type declaration');
  let failure: string | null = null;
  const doc = new DOMParser({
    locator: {},
    errorHandler: {
      // xmldom reports an unclosed element only as a warning: any complaint refuses the answer,
      // so what we read and what xml-crypto verifies are parsed the same way.
      warning: (message: string) => {
        failure ??= message;
      },
      error: (message: string) => {
        failure ??= message;
      },
      fatalError: (message: string) => {
        failure ??= message;
      },
    },
  }).parseFromString(xml, 'text/xml');
  if (failure !== null || doc.documentElement === null)
    throw invalid(
      `it is not well-formed XML (${
        String(failure ?? 'no root element')
          .replace(/^\[xmldom \w+\]\s*/, '')
          .split('\n')[0]
      })`,
    );
  return doc as unknown as Document;
}

function childElements(parent: Element, namespace?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const element = node as Element;
    if (namespace !== undefined && element.namespaceURI !== namespace) continue;
    if (localName !== undefined && element.localName !== localName) continue;
    out.push(element);
  }
  return out;
}

function child(parent: Element, namespace: string, localName: string): Element | null {
  return childElements(parent, namespace, localName)[0] ?? null;
}

function textOf(element: Element | null): string | null {
  const value = element?.textContent?.trim();
  return value === undefined || value === '' ? null : value;
}

function attributeOf(element: Element | null, name: string): string | null {
  const value = element?.getAttribute(name)?.trim();
  return value === undefined || value === '' ? null : value;
}

/** The one assertion inside the one RequestedSecurityToken, and its SAML version. */
function assertionOf(doc: Document): { assertion: Element; saml: Saml } {
  const tokens: Element[] = [];
  for (const ns of NS.trust) {
    const found = doc.getElementsByTagNameNS(ns, 'RequestedSecurityToken');
    for (let i = 0; i < found.length; i++) tokens.push(found.item(i)!);
  }
  if (tokens.length === 0) throw invalid('it holds no RequestedSecurityToken');
  if (tokens.length > 1)
    throw new EdgeError(
      'SSO_SIGNATURE_WRAPPED',
      'The WS-Federation answer holds more than one security token.',
    );
  const inside = childElements(tokens[0]!);
  if (inside.length !== 1)
    throw new EdgeError(
      'SSO_SIGNATURE_WRAPPED',
      'The security token holds more than one element (one assertion expected).',
    );
  const assertion = inside[0]!;
  if (assertion.localName !== 'Assertion')
    throw invalid(`its token is a ${assertion.localName}, not a SAML assertion`);
  if (assertion.namespaceURI === NS.saml1) return { assertion, saml: 'saml1' };
  if (assertion.namespaceURI === NS.saml2) return { assertion, saml: 'saml2' };
  throw invalid(`its assertion is of namespace ${assertion.namespaceURI}, not SAML 1.1 or 2.0`);
}

/**
 * Verifies the one signature, enveloped in the assertion and referencing it by its ID, with one of
 * the IdP's certificates, and returns the canonical XML of what was signed.
 */
function verifiedAssertionXml(
  xml: string,
  doc: Document,
  assertion: Element,
  saml: Saml,
  certificates: string[],
): string {
  const signatures = doc.getElementsByTagNameNS(NS.dsig, 'Signature');
  if (signatures.length === 0)
    throw new EdgeError('SSO_SIGNATURE_INVALID', 'The WS-Federation answer is not signed.');
  if (signatures.length > 1)
    throw new EdgeError('SSO_SIGNATURE_WRAPPED', 'The WS-Federation answer holds more than one signature.');
  const signature = signatures.item(0)!;
  if (signature.parentNode !== assertion)
    throw new EdgeError(
      'SSO_SIGNATURE_WRAPPED',
      'The signature is not the assertion’s own (enveloped) signature.',
    );
  const idAttribute = saml === 'saml1' ? 'AssertionID' : 'ID';
  const id = attributeOf(assertion, idAttribute);
  if (id === null) throw invalid(`its assertion has no ${idAttribute}`);

  let lastError: unknown = null;
  for (const publicCert of certificates) {
    // xml-crypto already looks for ID (and Id, id); naming it again would count each element twice.
    const verifier = new SignedXml({ publicCert, ...(saml === 'saml1' ? { idAttribute } : {}) });
    verifier.loadSignature(signature as unknown as Node);
    const references = verifier.getReferences();
    if (references.length !== 1 || references[0]!.uri !== `#${id}`)
      throw new EdgeError(
        'SSO_SIGNATURE_WRAPPED',
        'The signature does not reference exactly the assertion read.',
      );
    const signatureAlgorithm =
      (verifier as unknown as { signatureAlgorithm?: string }).signatureAlgorithm ?? '';
    if (
      !SIGNATURE_ALGORITHMS.has(signatureAlgorithm) ||
      !DIGEST_ALGORITHMS.has(references[0]!.digestAlgorithm)
    )
      throw new EdgeError(
        'SSO_SIGNATURE_INVALID',
        `The assertion is signed with ${signatureAlgorithm} / ${references[0]!.digestAlgorithm}: ask your IT team to sign with RSA-SHA256.`,
      );
    try {
      if (verifier.checkSignature(xml)) {
        const signed = verifier.getSignedReferences();
        if (signed.length !== 1) throw new EdgeError('SSO_SIGNATURE_WRAPPED');
        return signed[0]!;
      }
    } catch (error) {
      if (error instanceof EdgeError) throw error;
      // A duplicated ID is xml-crypto's own wrapping guard.
      if (
        error instanceof Error &&
        /signature wrapping|multiple elements with the same value/i.test(error.message)
      )
        throw new EdgeError('SSO_SIGNATURE_WRAPPED', undefined, { cause: error });
      lastError = error;
    }
  }
  throw new EdgeError('SSO_SIGNATURE_INVALID', undefined, lastError === null ? {} : { cause: lastError });
}

interface AssertionFacts {
  id: string;
  issuer: string | null;
  notBefore: string | null;
  notOnOrAfter: string | null;
  audiences: string[];
  subject: string | null;
  /** Attribute name (as sent, and namespace/name for SAML 1.1) → values. */
  attributes: Array<{ names: string[]; values: string[] }>;
  /** SAML 2.0 bearer confirmation: where and until when the assertion may be presented. */
  recipient: string | null;
  confirmationNotOnOrAfter: string | null;
}

function factsOf(root: Element, saml: Saml): AssertionFacts {
  const ns = NS[saml];
  const id = attributeOf(root, saml === 'saml1' ? 'AssertionID' : 'ID');
  if (id === null) throw invalid('its signed assertion has no ID');
  const conditions = child(root, ns, 'Conditions');
  const audiences: string[] = [];
  const restriction = saml === 'saml1' ? 'AudienceRestrictionCondition' : 'AudienceRestriction';
  for (const r of conditions === null ? [] : childElements(conditions, ns, restriction))
    for (const audience of childElements(r, ns, 'Audience')) {
      const value = textOf(audience);
      if (value !== null) audiences.push(value);
    }
  const attributes: AssertionFacts['attributes'] = [];
  let subject: string | null = null;
  let recipient: string | null = null;
  let confirmationNotOnOrAfter: string | null = null;
  if (saml === 'saml1') {
    for (const statement of childElements(root, ns)) {
      const s = child(statement, ns, 'Subject');
      subject ??= textOf(s === null ? null : child(s, ns, 'NameIdentifier'));
      if (statement.localName !== 'AttributeStatement') continue;
      for (const attribute of childElements(statement, ns, 'Attribute')) {
        const name = attributeOf(attribute, 'AttributeName');
        const namespace = attributeOf(attribute, 'AttributeNamespace');
        if (name === null) continue;
        attributes.push({
          names: namespace === null ? [name] : [name, `${namespace}/${name}`],
          values: childElements(attribute, ns, 'AttributeValue').flatMap((v) => textOf(v) ?? []),
        });
      }
    }
  } else {
    const s = child(root, ns, 'Subject');
    subject = textOf(s === null ? null : child(s, ns, 'NameID'));
    const data =
      s === null ? null : child(child(s, ns, 'SubjectConfirmation') ?? s, ns, 'SubjectConfirmationData');
    recipient = attributeOf(data, 'Recipient');
    confirmationNotOnOrAfter = attributeOf(data, 'NotOnOrAfter');
    for (const statement of childElements(root, ns, 'AttributeStatement'))
      for (const attribute of childElements(statement, ns, 'Attribute')) {
        const name = attributeOf(attribute, 'Name');
        if (name === null) continue;
        attributes.push({
          names: [name],
          values: childElements(attribute, ns, 'AttributeValue').flatMap((v) => textOf(v) ?? []),
        });
      }
  }
  return {
    id,
    issuer: saml === 'saml1' ? attributeOf(root, 'Issuer') : textOf(child(root, ns, 'Issuer')),
    notBefore: attributeOf(conditions, 'NotBefore'),
    notOnOrAfter: attributeOf(conditions, 'NotOnOrAfter'),
    audiences,
    subject,
    attributes,
    recipient,
    confirmationNotOnOrAfter,
  };
}

function instant(value: string, what: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw invalid(`its ${what} is not a time`);
  return ms;
}

function checkTimes(facts: AssertionFacts, context: SsoContext): void {
  const now = context.now().getTime();
  const skew = context.clockSkewSeconds * 1000;
  if (facts.notOnOrAfter === null)
    throw new EdgeError(
      'SSO_RESPONSE_EXPIRED',
      'The assertion has no NotOnOrAfter: an assertion without an end is refused.',
    );
  if (now >= instant(facts.notOnOrAfter, 'NotOnOrAfter') + skew)
    throw new EdgeError('SSO_RESPONSE_EXPIRED', `The assertion expired at ${facts.notOnOrAfter}.`);
  if (facts.notBefore !== null && now < instant(facts.notBefore, 'NotBefore') - skew)
    throw new EdgeError('SSO_RESPONSE_EXPIRED', `The assertion is not valid before ${facts.notBefore}.`);
  if (
    facts.confirmationNotOnOrAfter !== null &&
    now >= instant(facts.confirmationNotOnOrAfter, 'SubjectConfirmationData NotOnOrAfter') + skew
  )
    throw new EdgeError(
      'SSO_RESPONSE_EXPIRED',
      `The assertion could be presented until ${facts.confirmationNotOnOrAfter}.`,
    );
}

function emailOf(facts: AssertionFacts, emailClaim: string): string | null {
  const wanted = (emailClaim === 'email' ? EMAIL_ALIASES : [emailClaim]).map((n) => n.toLowerCase());
  for (const name of wanted)
    for (const attribute of facts.attributes)
      if (attribute.names.some((n) => n.toLowerCase() === name) && attribute.values.length > 0)
        return attribute.values[0]!;
  return null;
}

function formText(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${name} is missing`);
  if (value.length > max) throw invalid(`${name} is larger than ${max} characters`);
  return value;
}

export class WsfedProtocol implements SsoProtocol {
  readonly name = 'wsfed' as const;

  begin(context: SsoContext, request: SsoPendingRequest): Promise<SsoBeginResult> {
    // A refusal is a rejected promise, as the interface's callers expect, never a synchronous throw.
    return Promise.resolve().then(() => {
      const url = new URL(passiveEndpoint(context));
      url.searchParams.set('wa', 'wsignin1.0');
      url.searchParams.set('wtrealm', context.entityId);
      url.searchParams.set('wctx', request.id);
      url.searchParams.set('wreply', replyUrl(context));
      return { redirectUrl: url.href };
    });
  }

  complete(
    context: SsoContext,
    answer: { body: Record<string, unknown>; query: Record<string, unknown>; url: string },
    find: (requestId: string) => SsoPendingRequest | null,
  ): Promise<{ requestId: string; identity: SsoIdentity }> {
    return Promise.resolve().then(() => this.completeNow(context, answer.body, find));
  }

  private completeNow(
    context: SsoContext,
    body: Record<string, unknown>,
    find: (requestId: string) => SsoPendingRequest | null,
  ): { requestId: string; identity: SsoIdentity } {
    if (body.wa !== undefined && body.wa !== 'wsignin1.0')
      throw invalid(`wa is ${String(body.wa)}, not wsignin1.0`);
    const wctx = body.wctx;
    if (typeof wctx !== 'string' || wctx === '')
      throw new EdgeError(
        'SSO_REQUEST_UNKNOWN',
        'The WS-Federation answer carries no wctx: start the sign-in again.',
      );
    const request = find(wctx);
    if (request === null) throw new EdgeError('SSO_REQUEST_UNKNOWN');
    const idp = context.idp;
    if (idp === null || idp.certificates.length === 0)
      throw new EdgeError(
        'SSO_METADATA_INVALID',
        "The identity provider's metadata names no signing certificate.",
      );

    const xml = formText(body.wresult, 'wresult', MAX_WRESULT_CHARS);
    const doc = parseXml(xml);
    const { assertion, saml } = assertionOf(doc);
    const signedXml = verifiedAssertionXml(xml, doc, assertion, saml, idp.certificates);

    // From here on only the canonical XML that was signed is read.
    const signedRoot = parseXml(signedXml).documentElement!;
    if (signedRoot.localName !== 'Assertion' || signedRoot.namespaceURI !== assertion.namespaceURI)
      throw new EdgeError('SSO_SIGNATURE_WRAPPED', 'What was signed is not the assertion.');
    const facts = factsOf(signedRoot, saml);
    if (facts.issuer !== idp.entityId)
      throw new EdgeError(
        'SSO_ISSUER_MISMATCH',
        `The assertion was issued by ${facts.issuer ?? 'nobody named'}, not by ${idp.entityId}.`,
      );
    if (!facts.audiences.includes(context.entityId))
      throw new EdgeError(
        'SSO_AUDIENCE_MISMATCH',
        `The assertion is for ${facts.audiences.join(', ') || 'no audience'}, not for this edge's realm ${context.entityId}.`,
      );
    if (facts.recipient !== null && facts.recipient !== replyUrl(context))
      throw new EdgeError(
        'SSO_AUDIENCE_MISMATCH',
        `The assertion is to be presented at ${facts.recipient}, not here.`,
      );
    checkTimes(facts, context);
    const email = emailOf(facts, context.settings.emailClaim);
    if (email === null)
      throw new EdgeError(
        'SSO_EMAIL_MISSING',
        `The assertion has no "${context.settings.emailClaim}" claim: ask your IT team to send the email address claim, or set sso.emailClaim.`,
      );
    const now = context.now().getTime();
    const until = instant(facts.notOnOrAfter!, 'NotOnOrAfter') + context.clockSkewSeconds * 1000;
    if (!rememberOnce(`${idp.entityId} ${facts.id}`, until, now))
      throw new EdgeError(
        'SSO_REQUEST_USED',
        'This sign-in token was already used: start the sign-in again.',
      );
    return { requestId: request.id, identity: { email, subject: facts.subject ?? email, logoutHint: null } };
  }

  metadata(context: SsoContext): string | null {
    const realm = escapeHtml(context.entityId);
    const reply = escapeHtml(replyUrl(context));
    return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="${NS.md}" entityID="${realm}">
  <md:RoleDescriptor xmlns:xsi="${NS.xsi}" xmlns:fed="${NS.fed}" xsi:type="fed:ApplicationServiceType" protocolSupportEnumeration="${NS.fed}">
    <fed:TargetScopes>
      <wsa:EndpointReference xmlns:wsa="${NS.wsa}"><wsa:Address>${realm}</wsa:Address></wsa:EndpointReference>
    </fed:TargetScopes>
    <fed:PassiveRequestorEndpoint>
      <wsa:EndpointReference xmlns:wsa="${NS.wsa}"><wsa:Address>${reply}</wsa:Address></wsa:EndpointReference>
    </fed:PassiveRequestorEndpoint>
  </md:RoleDescriptor>
</md:EntityDescriptor>
`;
  }

  /** WS-Fed sign-out names no user: the IdP ends its own session and tells its relying parties. */
  logoutUrl(
    context: SsoContext,
    _identity?: Pick<SsoIdentity, 'subject' | 'logoutHint'>,
  ): Promise<string | null> {
    // An explicit sso.logoutUrl wins; a SAML SingleLogoutService from the metadata is not a WS-Fed URL.
    const endpoint = context.settings.logoutUrl ?? context.idp?.wsfedUrl ?? null;
    if (endpoint === null) return Promise.resolve(null);
    const url = new URL(endpoint);
    url.searchParams.set('wa', 'wsignout1.0');
    url.searchParams.set('wtrealm', context.entityId);
    return Promise.resolve(url.href);
  }
}

/** The IdP's passive requestor endpoint (WS-Fed metadata, or sso.entryPoint without metadata). */
function passiveEndpoint(context: SsoContext): string {
  // Not the SAML SingleSignOnService: a SAML endpoint does not speak wa=wsignin1.0.
  const endpoint = context.idp?.wsfedUrl ?? null;
  if (endpoint === null)
    throw new EdgeError(
      'SSO_METADATA_INVALID',
      "The identity provider's metadata has no WS-Federation PassiveRequestorEndpoint: check the metadata (an STS RoleDescriptor), or set sso.entryPoint without metadata.",
    );
  return endpoint;
}

export const wsfedProtocol = new WsfedProtocol();
