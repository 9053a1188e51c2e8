import { readFileSync } from 'node:fs';
import { loadSecretKey } from '../../edge-service/src/auth/secret-key.ts';
import { SecretBox } from '../../edge-service/src/auth/secret-box.ts';
import { EdgeError } from '../../edge-service/src/edge-error.ts';
import { SsoSecrets } from '../../edge-service/src/sso/sso-records.ts';
import { resolveIdp } from '../../edge-service/src/sso/sso-service.ts';
import { SsoSettingsService, type SsoSettingsInput } from '../../edge-service/src/sso/sso-settings.ts';
import {
  ACTOR,
  enterprise,
  MAX_STDIN,
  publicOrigin,
  UsageError,
  type Command,
  type Context,
  type Values,
} from './admin-command.ts';

/**
 * `mfp-edge admin sso set|show|clear` (DESIGN.md §11). The settings are the policy's `sso` block
 * in the edge's database, so a running edge uses them at its next sign-in; the client secret comes
 * from standard input only and is sealed with the edge's secret key.
 */
async function settingsService(c: Context): Promise<SsoSettingsService> {
  const { key } = await loadSecretKey(c.dataDir, c.io.env);
  return new SsoSettingsService({
    policies: c.policies,
    secrets: new SsoSecrets(c.db, new SecretBox(key)),
    users: c.users,
    audit: c.audit,
    resolveIdp: (settings) => resolveIdp(settings),
  });
}

async function readSecret(c: Context): Promise<string> {
  if (c.io.stdin.isTTY)
    throw new UsageError('--client-secret-stdin reads the secret from standard input: pipe it in');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of c.io.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_STDIN)
      throw new EdgeError('VALIDATION_FAILED', 'The standard input is far longer than a client secret.');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new EdgeError('VALIDATION_FAILED', 'No client secret on standard input.');
  return text;
}

const str = (values: Values, name: string): string | undefined =>
  typeof values[name] === 'string' ? (values[name] as string) : undefined;

function file(values: Values, name: string): string | undefined {
  const path = str(values, name);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new EdgeError('VALIDATION_FAILED', `--${name} ${path}: ${(error as Error).message}`);
  }
}

async function show(c: Context, service: SsoSettingsService, json: boolean, origin: string | undefined) {
  const e = enterprise(c);
  const view = await service.view(e, publicOrigin(c, origin));
  if (json) {
    c.io.stdout.write(`${JSON.stringify({ enterprise: e.name, ...view }, null, 2)}\n`);
    return;
  }
  if (!view.configured) {
    c.io.stdout.write(`company sign-in of "${e.name}": off\n`);
    return;
  }
  const s = view.settings as Record<string, unknown>;
  c.io.stdout.write(`# company sign-in of "${e.name}": ${String(s.protocol)}\n`);
  for (const [key, value] of Object.entries(s))
    if (value !== null && key !== 'protocol')
      c.io.stdout.write(
        `${key}=${key === 'metadataXml' || key === 'idpCertificate' ? `(${String(value).length} characters)` : String(value)}\n`,
      );
  c.io.stdout.write(`clientSecret=${view.clientSecretSet ? '(set)' : '(none)'}\n`);
  const sp = view.serviceProvider!;
  c.io.stdout.write(`sp.entityId=${sp.entityId}\nsp.answerUrl=${sp.acsUrl}\n`);
  if (sp.metadataUrl) c.io.stdout.write(`sp.metadataUrl=${sp.metadataUrl}\n`);
  if (sp.logoutUrl) c.io.stdout.write(`sp.logoutUrl=${sp.logoutUrl}\n`);
  const idp = view.identityProvider;
  if (idp) {
    c.io.stdout.write(`idp.entityId=${idp.entityId}\nidp.signInUrl=${idp.signInUrl ?? ''}\n`);
    for (const f of idp.certificateFingerprints) c.io.stdout.write(`idp.certificateSha256=${f}\n`);
  }
  for (const warning of view.warnings) c.io.stdout.write(`warning: ${warning}\n`);
}

export const ssoCommands: Record<string, Command> = {
  'sso set': {
    options: {
      protocol: { type: 'string' },
      'metadata-file': { type: 'string' },
      'metadata-url': { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret-stdin': { type: 'boolean', default: false },
      'email-claim': { type: 'string' },
      'entity-id': { type: 'string' },
      'entry-point': { type: 'string' },
      'certificate-file': { type: 'string' },
      fingerprint: { type: 'string' },
      'logout-url': { type: 'string' },
      origin: { type: 'string' },
    },
    async run(c, values, positionals) {
      if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"`);
      const protocol = str(values, 'protocol');
      if (protocol !== 'saml' && protocol !== 'wsfed' && protocol !== 'oidc')
        throw new UsageError('--protocol saml|wsfed|oidc is required');
      if (values['metadata-file'] !== undefined && values['metadata-url'] !== undefined)
        throw new UsageError('give --metadata-file or --metadata-url, not both');
      const input: SsoSettingsInput = {
        protocol,
        metadataUrl: str(values, 'metadata-url') ?? null,
        metadataXml: file(values, 'metadata-file') ?? null,
        issuer: str(values, 'issuer') ?? null,
        clientId: str(values, 'client-id') ?? null,
        idpEntityId: str(values, 'entity-id') ?? null,
        entryPoint: str(values, 'entry-point') ?? null,
        logoutUrl: str(values, 'logout-url') ?? null,
        idpCertificate: file(values, 'certificate-file') ?? null,
        idpCertificateFingerprint: str(values, 'fingerprint') ?? null,
        ...(str(values, 'email-claim') ? { emailClaim: str(values, 'email-claim')! } : {}),
        ...(values['client-secret-stdin'] ? { clientSecret: await readSecret(c) } : {}),
      };
      const service = await settingsService(c);
      service.set(enterprise(c), input, ACTOR);
      await show(c, service, false, str(values, 'origin'));
    },
  },
  'sso show': {
    options: { json: { type: 'boolean', default: false }, origin: { type: 'string' } },
    async run(c, values) {
      await show(c, await settingsService(c), values.json === true, str(values, 'origin'));
    },
  },
  'sso clear': {
    options: {},
    async run(c) {
      const e = enterprise(c);
      (await settingsService(c)).clear(e, ACTOR);
      c.io.stdout.write(`company sign-in of "${e.name}" is off\n`);
    },
  },
};
