import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

/**
 * SAML 2.0 Responses made by hand for the refusal tests, signed with xml-crypto (with the real
 * IdP's key for validly-signed-but-wrong ones, or a key of the test's own for "wrongly signed").
 */
export interface CraftedResponse {
  issuer: string;
  audience: string;
  destination: string;
  inResponseTo: string;
  email: string;
  /** Validity of the assertion (Conditions and SubjectConfirmationData). */
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** What is signed: the assertion (default), the whole response, or nothing. */
  sign?: 'assertion' | 'response' | 'none';
  key?: string;
  cert?: string;
  /** XML signature wrapping: a second, unsigned assertion for this email beside the signed one. */
  wrappedEmail?: string;
}

const id = () => `_${randomBytes(16).toString('hex')}`;
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function assertion(o: CraftedResponse, assertionId: string, email: string): string {
  const now = new Date();
  const notBefore = o.notBefore ?? new Date(now.getTime() - 60_000);
  const notOnOrAfter = o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  return `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${iso(notBefore)}"><saml:Issuer>${esc(o.issuer)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">_${randomBytes(8).toString('hex')}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${esc(o.destination)}" InResponseTo="${esc(o.inResponseTo)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(notBefore)}" SessionIndex="_${randomBytes(8).toString('hex')}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="mail" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${esc(email)}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`;
}

function sign(xml: string, target: 'Assertion' | 'Response', key: string, cert: string): string {
  const signer = new SignedXml({
    privateKey: key,
    publicCert: cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  const path = target === 'Assertion' ? "//*[local-name(.)='Assertion']" : "/*[local-name(.)='Response']";
  signer.addReference({
    xpath: path,
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
  });
  signer.computeSignature(xml, {
    location: { reference: `${path}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

/** The base64 SAMLResponse a browser would post. */
export function craftSamlResponse(o: CraftedResponse): string {
  const mode = o.sign ?? 'assertion';
  let signed = assertion(o, id(), o.email);
  if (mode === 'assertion') signed = sign(signed, 'Assertion', o.key!, o.cert!);
  const extra = o.wrappedEmail ? assertion(o, id(), o.wrappedEmail) : '';
  let response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id()}" Version="2.0" IssueInstant="${iso(new Date())}" Destination="${esc(o.destination)}" InResponseTo="${esc(o.inResponseTo)}"><saml:Issuer>${esc(o.issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${extra}${signed}</samlp:Response>`;
  if (mode === 'response') response = sign(response, 'Response', o.key!, o.cert!);
  return Buffer.from(response, 'utf8').toString('base64');
}
