import { XMLParser } from 'fast-xml-parser';
import { EdgeError } from '../edge-error.ts';
import { certificatePem, fingerprintMatches } from './fingerprint.ts';

/**
 * An identity provider as SAML 2.0 / WS-Federation metadata describes it (pure: no I/O here but
 * `fetchIdpMetadata`). One entity: the first EntityDescriptor with an IDPSSODescriptor or a
 * WS-Fed SecurityTokenServiceType role.
 */
export interface IdpMetadata {
  entityId: string;
  /** SAML SingleSignOnService with the HTTP-Redirect binding (else HTTP-POST). */
  ssoUrl: string | null;
  /** SAML SingleLogoutService (HTTP-Redirect, else HTTP-POST). */
  sloUrl: string | null;
  /** WS-Federation PassiveRequestorEndpoint (sign-in and sign-out, `wa=wsignin1.0|wsignout1.0`). */
  wsfedUrl: string | null;
  /** Signing certificates, PEM, in document order (several during an IdP's key rollover). */
  certificates: string[];
}

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const MAX_METADATA_BYTES = 1_000_000;
const FETCH_TIMEOUT_MS = 10_000;

type Node = Record<string, unknown>;
const list = (value: unknown): Node[] =>
  value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map((v) => v as Node);
const text = (value: unknown): string | null => {
  if (typeof value === 'string') return value.trim() || null;
  if (value && typeof value === 'object' && typeof (value as Node)['#text'] === 'string')
    return ((value as Node)['#text'] as string).trim() || null;
  return null;
};
const attribute = (node: Node, name: string): string | null =>
  typeof node[`@_${name}`] === 'string' ? (node[`@_${name}`] as string).trim() || null : null;

const invalid = (why: string): EdgeError =>
  new EdgeError('SSO_METADATA_INVALID', `The identity provider's metadata cannot be used: ${why}.`);

function signingCertificates(role: Node): string[] {
  const out: string[] = [];
  for (const key of list(role.KeyDescriptor)) {
    const use = attribute(key, 'use');
    if (use !== null && use !== 'signing') continue;
    for (const info of list(key.KeyInfo))
      for (const data of list(info.X509Data))
        for (const cert of list(data.X509Certificate)) {
          const value = text(cert);
          if (value === null) continue;
          try {
            out.push(certificatePem(value));
          } catch {
            throw invalid('a signing certificate is not a valid X.509 certificate');
          }
        }
  }
  return out;
}

function endpoint(services: unknown): string | null {
  const all = list(services);
  const pick =
    all.find((s) => attribute(s, 'Binding') === REDIRECT) ??
    all.find((s) => attribute(s, 'Binding') === POST);
  return pick ? attribute(pick, 'Location') : null;
}

function wsfedEndpoint(role: Node): string | null {
  for (const passive of list(role.PassiveRequestorEndpoint))
    for (const reference of list(passive.EndpointReference)) {
      const address = text(reference.Address);
      if (address) return address;
    }
  return null;
}

function httpUrl(value: string | null, what: string): string | null {
  if (value === null) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${what} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`${what} is not an http(s) URL`);
  return url.href;
}

/** Parses metadata XML; SSO_METADATA_INVALID (naming what is missing) when it describes no usable IdP. */
export function parseIdpMetadata(xml: string): IdpMetadata {
  if (typeof xml !== 'string' || xml.trim() === '') throw invalid('it is empty');
  if (Buffer.byteLength(xml, 'utf8') > MAX_METADATA_BYTES) throw invalid('it is larger than 1 MB');
  // No DTDs: entity expansion is a classic XML bomb, and metadata never needs one.
  if (/<!DOCTYPE/i.test(xml)) throw invalid('it contains a DOCTYPE');
  let document: Node;
  try {
    document = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      removeNSPrefix: true,
      processEntities: false,
      parseTagValue: false,
      parseAttributeValue: false,
    }).parse(xml, true) as Node;
  } catch (error) {
    throw invalid(`it is not well-formed XML (${(error as Error).message.split('\n')[0]})`);
  }
  const entities: Node[] = [];
  const collect = (node: Node) => {
    for (const entity of list(node.EntityDescriptor)) entities.push(entity);
    for (const group of list(node.EntitiesDescriptor)) collect(group);
  };
  collect(document);
  if (entities.length === 0) throw invalid('it has no EntityDescriptor');
  for (const entity of entities) {
    const idp = list(entity.IDPSSODescriptor)[0];
    const sts = list(entity.RoleDescriptor).find((r) =>
      /SecurityTokenServiceType$/.test(attribute(r, 'type') ?? ''),
    );
    if (!idp && !sts) continue;
    const entityId = attribute(entity, 'entityID');
    if (!entityId) throw invalid('the EntityDescriptor has no entityID');
    const certificates = [
      ...new Set([...(idp ? signingCertificates(idp) : []), ...(sts ? signingCertificates(sts) : [])]),
    ];
    const result: IdpMetadata = {
      entityId,
      ssoUrl: idp ? httpUrl(endpoint(idp.SingleSignOnService), 'SingleSignOnService') : null,
      sloUrl: idp ? httpUrl(endpoint(idp.SingleLogoutService), 'SingleLogoutService') : null,
      wsfedUrl: sts ? httpUrl(wsfedEndpoint(sts), 'PassiveRequestorEndpoint') : null,
      certificates,
    };
    if (result.certificates.length === 0) throw invalid('it names no signing certificate');
    if (result.ssoUrl === null && result.wsfedUrl === null)
      throw invalid('it names no SingleSignOnService nor PassiveRequestorEndpoint');
    return result;
  }
  throw invalid('it describes no identity provider (IDPSSODescriptor or a WS-Federation STS role)');
}

/**
 * Keeps only the certificates with the pinned fingerprint; SSO_CERTIFICATE_MISMATCH when none has
 * it (metadata fetched from a URL is then not trusted blindly).
 */
export function pinCertificates(metadata: IdpMetadata, fingerprint: string | null): IdpMetadata {
  if (fingerprint === null) return metadata;
  const certificates = metadata.certificates.filter((c) => fingerprintMatches(c, fingerprint));
  if (certificates.length === 0)
    throw new EdgeError(
      'SSO_CERTIFICATE_MISMATCH',
      "No signing certificate of the identity provider has the fingerprint configured: check the fingerprint (or the IdP's certificate).",
    );
  return { ...metadata, certificates };
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/** Only https, or http on loopback (test IdPs, an IdP on the same machine). */
export function checkMetadataUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EdgeError('SSO_METADATA_INVALID', 'The metadata URL is not a URL.');
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url;
  throw new EdgeError(
    'SSO_METADATA_INVALID',
    'The metadata URL must be https (plain http only on this machine, 127.0.0.1 or localhost).',
  );
}

/**
 * The metadata document at a URL: a timeout, a size cap, at most three redirects (each checked as
 * the first URL). SSO_METADATA_UNAVAILABLE with the reason when it cannot be had.
 */
export async function fetchIdpMetadata(
  value: string,
  options: { timeoutMs?: number; maxBytes?: number } = {},
): Promise<string> {
  const maxBytes = options.maxBytes ?? MAX_METADATA_BYTES;
  const signal = AbortSignal.timeout(options.timeoutMs ?? FETCH_TIMEOUT_MS);
  let url = checkMetadataUrl(value);
  const unavailable = (why: string) =>
    new EdgeError('SSO_METADATA_UNAVAILABLE', `The identity provider's metadata at ${url.href} ${why}.`);
  for (let hop = 0; hop <= 3; hop++) {
    let response: Response;
    try {
      response = await fetch(url, {
        redirect: 'manual',
        signal,
        headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' },
      });
    } catch (error) {
      throw unavailable(
        (error as Error).name === 'TimeoutError'
          ? 'did not answer in time'
          : `could not be reached (${(error as Error).message})`,
      );
    }
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      await response.body?.cancel();
      url = checkMetadataUrl(new URL(response.headers.get('location')!, url).href);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw unavailable(`answered HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw unavailable(`is larger than ${maxBytes} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body ?? []) {
        size += chunk.length;
        if (size > maxBytes) {
          await response.body?.cancel();
          throw unavailable(`is larger than ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof EdgeError) throw error;
      throw unavailable(`could not be read (${(error as Error).message})`);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  throw unavailable('redirects too many times');
}
