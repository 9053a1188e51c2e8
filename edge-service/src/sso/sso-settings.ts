import { z } from 'zod';
import type { AuditTrail } from '../domain/audit.ts';
import type { EnterpriseRecord } from '../domain/device.ts';
import type { UserAccount } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import { certificateFingerprint } from './fingerprint.ts';
import { parseIdpMetadata, type IdpMetadata } from './idp-metadata.ts';
import type { SsoSecrets } from './sso-records.ts';
import type { SsoProtocolName, SsoSettings } from './sso-protocol.ts';

const url = z.string().max(2048);
/** What an administrator sets (API body, CLI options): the policy's `sso` block plus the client secret. */
export const SsoSettingsInput = z.strictObject({
  protocol: z.enum(['saml', 'wsfed', 'oidc']),
  metadataUrl: url.nullable().optional(),
  metadataXml: z.string().max(1_000_000).nullable().optional(),
  issuer: url.nullable().optional(),
  clientId: z.string().max(255).nullable().optional(),
  clientSecret: z
    .string()
    .min(1)
    .max(4096)
    .nullable()
    .optional()
    .describe('Write-only: never answered. Absent keeps the current one; null removes it.'),
  emailClaim: z.string().max(100).optional(),
  idpEntityId: z.string().max(1024).nullable().optional(),
  entryPoint: url.nullable().optional(),
  logoutUrl: url.nullable().optional(),
  idpCertificate: z.string().max(20_000).nullable().optional(),
  idpCertificateFingerprint: z.string().max(300).nullable().optional(),
});
export type SsoSettingsInput = z.infer<typeof SsoSettingsInput>;

export const SsoSettingsView = z.object({
  configured: z.boolean(),
  settings: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe("The policy's sso block (no secret in it)."),
  clientSecretSet: z.boolean(),
  serviceProvider: z
    .object({
      entityId: z.string().describe('Our entity ID / audience: <edge origin>/auth/<slug>/<protocol>.'),
      metadataUrl: z.string().nullable().describe('Our SP metadata (SAML, WS-Fed) to give the IdP.'),
      acsUrl: z
        .string()
        .describe('Where the IdP sends its answer (SAML ACS, WS-Fed wreply, OIDC redirect URI).'),
      logoutUrl: z.string().nullable(),
      signInUrl: z.string().describe('GET it with ?purpose=console|account&return=<path> to sign in.'),
    })
    .nullable(),
  identityProvider: z
    .object({
      entityId: z.string(),
      signInUrl: z.string().nullable(),
      logoutUrl: z.string().nullable(),
      certificateFingerprints: z.array(z.string()).describe('SHA-256 of each signing certificate.'),
    })
    .nullable(),
  warnings: z.array(z.string()),
});
export type SsoSettingsView = z.infer<typeof SsoSettingsView>;

export interface SsoSettingsDeps {
  policies: Pick<PolicyService, 'get' | 'update'>;
  secrets: SsoSecrets;
  users: { list(enterpriseId: string): UserAccount[] };
  audit: AuditTrail;
  /** The IdP of some settings (the SsoService's: fetches and caches metadata URLs). */
  resolveIdp: (settings: SsoSettings) => Promise<IdpMetadata | null>;
}

const ANSWER_PATH: Record<SsoProtocolName, string> = {
  saml: 'saml/acs',
  wsfed: 'wsfed',
  oidc: 'oidc/callback',
};

/**
 * Reading and changing an enterprise's company sign-in: the console, the API and the CLI go
 * through here. The settings are the policy's `sso` block (versioned, audited by PolicyService,
 * seen by a running edge at its next request); the OIDC client secret is sealed apart.
 */
export class SsoSettingsService {
  readonly #d: SsoSettingsDeps;

  constructor(deps: SsoSettingsDeps) {
    this.#d = deps;
  }

  async view(enterprise: EnterpriseRecord, origin: string): Promise<SsoSettingsView> {
    const settings = this.#d.policies.get(enterprise.id).document.sso;
    const warnings = this.#warnings(enterprise, settings);
    if (!settings)
      return {
        configured: false,
        settings: null,
        clientSecretSet: false,
        serviceProvider: null,
        identityProvider: null,
        warnings,
      };
    const base = `${new URL(origin).origin}/auth/${enterprise.slug}`;
    let identityProvider: SsoSettingsView['identityProvider'] = null;
    try {
      const idp = await this.#d.resolveIdp(settings);
      if (idp)
        identityProvider = {
          entityId: idp.entityId,
          signInUrl: idp.ssoUrl ?? idp.wsfedUrl,
          logoutUrl: idp.sloUrl,
          certificateFingerprints: idp.certificates.map((c) => certificateFingerprint(c, 'sha256')),
        };
    } catch (error) {
      warnings.push(`The identity provider cannot be used yet: ${(error as Error).message}`);
    }
    const secretSet = this.#d.secrets.has(enterprise.id);
    if (settings.protocol === 'oidc' && !secretSet)
      warnings.push('No client secret is set: the IdP must accept this client as a public one (PKCE only).');
    return {
      configured: true,
      settings: { ...settings },
      clientSecretSet: secretSet,
      serviceProvider: {
        entityId: `${base}/${settings.protocol}`,
        metadataUrl: settings.protocol === 'oidc' ? null : `${base}/${settings.protocol}/metadata`,
        acsUrl: `${base}/${ANSWER_PATH[settings.protocol]}`,
        logoutUrl: settings.protocol === 'saml' ? `${base}/saml/slo` : null,
        signInUrl: `${base}/sso/start`,
      },
      identityProvider,
      warnings,
    };
  }

  /** Sets the whole `sso` block (fields not given are cleared) and, when given, the client secret. */
  set(
    enterprise: EnterpriseRecord,
    input: SsoSettingsInput,
    actor: string,
    source: string | null = null,
  ): void {
    if (input.metadataXml) parseIdpMetadata(input.metadataXml);
    const sso = {
      protocol: input.protocol,
      metadataUrl: input.metadataUrl || null,
      metadataXml: input.metadataXml || null,
      issuer: input.issuer || null,
      clientId: input.clientId || null,
      emailClaim: input.emailClaim || 'email',
      idpEntityId: input.idpEntityId || null,
      entryPoint: input.entryPoint || null,
      logoutUrl: input.logoutUrl || null,
      idpCertificate: input.idpCertificate || null,
      idpCertificateFingerprint: input.idpCertificateFingerprint || null,
    };
    this.#d.policies.update(enterprise.id, { sso }, actor, { source });
    if (input.clientSecret !== undefined) this.setSecret(enterprise, input.clientSecret, actor, source);
  }

  setSecret(
    enterprise: EnterpriseRecord,
    secret: string | null,
    actor: string,
    source: string | null = null,
  ): void {
    this.#d.secrets.set(enterprise.id, secret);
    // The fact, never the secret.
    this.#d.audit.record({
      enterpriseId: enterprise.id,
      actor,
      action: secret === null ? 'sso.client-secret-clear' : 'sso.client-secret-set',
      target: enterprise.id,
      source,
    });
  }

  clear(enterprise: EnterpriseRecord, actor: string, source: string | null = null): void {
    if (this.#d.policies.get(enterprise.id).document.sso === null && !this.#d.secrets.has(enterprise.id))
      throw new EdgeError('SSO_NOT_CONFIGURED');
    this.#d.policies.update(enterprise.id, { sso: null }, actor, { source });
    if (this.#d.secrets.has(enterprise.id)) this.setSecret(enterprise, null, actor, source);
  }

  /** Advice, never a refusal: someone must still get in when the IdP is down or misconfigured. */
  #warnings(enterprise: EnterpriseRecord, settings: SsoSettings | null): string[] {
    if (!settings) return [];
    const admins = this.#d.users
      .list(enterprise.id)
      .filter((u) => u.role === 'admin' && u.deletedAt === null && u.disabledAt === null);
    const breakGlass = admins.filter(
      (u) => u.passwordHash !== null && !u.builtinPasswordDisabled && u.totpSecret !== null,
    );
    return breakGlass.length === 0
      ? [
          'No administrator keeps a built-in password with two-factor authentication: if the identity provider fails, nobody can sign in to the console. Keep at least one.',
        ]
      : [];
  }
}
