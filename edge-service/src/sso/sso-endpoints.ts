import { z } from 'zod';
import { defineEndpoint, type AnyEndpoint } from '../api/endpoint.ts';
import { actorName, ENTERPRISE_READERS, ENTERPRISE_WRITERS } from '../api/enterprise-access.ts';
import { SsoSettingsInput, SsoSettingsView, type SsoSettingsService } from './sso-settings.ts';

/** GET / PUT / DELETE /enterprises/{enterprise}/sso: the console's SSO section and scripts. */
export function ssoEndpoints(deps: {
  settings: SsoSettingsService;
  publicOrigin: () => string;
}): AnyEndpoint[] {
  return [
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
