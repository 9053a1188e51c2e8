import { z } from 'zod';
import { defineEndpoint, type AnyEndpoint } from '../api/endpoint.ts';
import { actorName, ENTERPRISE_READERS, ENTERPRISE_WRITERS } from '../api/enterprise-access.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import { SsoSettingsInput, SsoSettingsView, type SsoSettingsService } from './sso-settings.ts';

/** GET / PUT / DELETE /enterprises/{enterprise}/sso: the console's SSO section and scripts. */
export function ssoEndpoints(deps: {
  settings: SsoSettingsService;
  publicOrigin: () => string;
  directory: Pick<DirectoryRepository, 'listEnterprises'>;
  policies: Pick<PolicyService, 'get'>;
}): AnyEndpoint[] {
  return [
    defineEndpoint({
      method: 'get',
      path: '/sso/sign-in-options',
      operationId: 'listSsoSignInOptions',
      summary:
        'The enterprises of this edge that sign in through their company IdP, with the URL that starts it (the sign-in pages show a button per item).',
      tag: 'sso',
      access: 'public',
      response: z.object({
        items: z.array(
          z.object({
            enterprise: z.object({ name: z.string(), slug: z.string() }),
            protocol: z.enum(['saml', 'wsfed', 'oidc']),
            startUrl: z.string().describe('Add &return=<path>; purpose=console (or account).'),
          }),
        ),
      }),
      handle: () => ({
        items: deps.directory.listEnterprises().flatMap((e) => {
          const sso = deps.policies.get(e.id).document.sso;
          return sso
            ? [
                {
                  enterprise: { name: e.name, slug: e.slug },
                  protocol: sso.protocol,
                  startUrl: `/auth/${e.slug}/sso/start?purpose=console`,
                },
              ]
            : [];
        }),
      }),
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/sso',
      operationId: 'getSso',
      summary:
        "The enterprise's company sign-in: settings (no secret), our service-provider URLs and metadata, the IdP as resolved, warnings.",
      tag: 'sso',
      access: ENTERPRISE_READERS,
      response: SsoSettingsView,
      handle: (c) => deps.settings.view(c.enterprise!, deps.publicOrigin()),
    }),
    defineEndpoint({
      method: 'put',
      path: '/enterprises/{enterprise}/sso',
      operationId: 'setSso',
      summary:
        'Sets company sign-in (SAML, WS-Fed or OIDC); fields left out are cleared, except clientSecret (write-only: absent keeps it). Audited.',
      tag: 'sso',
      access: ENTERPRISE_WRITERS,
      maxBodyBytes: 2 * 1024 * 1024,
      body: SsoSettingsInput,
      response: SsoSettingsView,
      async handle(c) {
        deps.settings.set(c.enterprise!, c.body, actorName(c.actor), c.source);
        return deps.settings.view(c.enterprise!, deps.publicOrigin());
      },
    }),
    defineEndpoint({
      method: 'delete',
      path: '/enterprises/{enterprise}/sso',
      operationId: 'deleteSso',
      summary: 'Turns company sign-in off and forgets the client secret. Audited.',
      tag: 'sso',
      access: ENTERPRISE_WRITERS,
      response: z.undefined(),
      status: 204,
      handle(c) {
        deps.settings.clear(c.enterprise!, actorName(c.actor), c.source);
        return undefined;
      },
    }),
  ];
}
