/*
 * Company sign-in (SSO) in the enterprise settings: the protocol, the IdP (metadata URL or pasted
 * XML for SAML / WS-Fed; issuer, client ID and secret for OIDC), the email claim, our
 * service-provider metadata to download, and the warnings. Its own form and its own PUT: the
 * client secret is write-only and never comes back.
 */
import { del, describeFailure, get, put } from './api.ts';
import type { PageContext } from './context.ts';
import { confirmAction, field, h, notice, select, show, uid } from './dom.ts';

interface SsoAnswer {
  configured: boolean;
  settings: Record<string, string | null> | null;
  clientSecretSet: boolean;
  serviceProvider: {
    entityId: string;
    metadataUrl: string | null;
    acsUrl: string;
    logoutUrl: string | null;
  } | null;
  identityProvider: { entityId: string; signInUrl: string | null; certificateFingerprints: string[] } | null;
  warnings: string[];
}

const PROTOCOLS = [
  ['saml', 'SAML 2.0'],
  ['wsfed', 'WS-Federation'],
  ['oidc', 'OpenID Connect'],
] as const;

function textarea(label: string, name: string, value: string, help: string) {
  const id = uid(name);
  const input = h('textarea', { id, name, rows: 4, 'aria-describedby': `${id}-help` });
  input.value = value;
  return {
    wrap: h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      input,
      h('p', { class: 'help', id: `${id}-help` }, help),
    ),
    input,
  };
}

export function ssoSection(ctx: PageContext): HTMLElement {
  const messages = h('div', { class: 'errors' });
  const body = h('div', {}, h('p', {}, 'Loading company sign-in…'));
  const section = h(
    'section',
    { 'aria-labelledby': 'sso-title' },
    h('h2', { id: 'sso-title' }, 'Company sign-in (SSO)'),
    messages,
    body,
  );
  const path = `${ctx.ent}/sso`;

  async function load(): Promise<void> {
    try {
      draw(await get<SsoAnswer>(path));
    } catch (failure) {
      show(messages, notice('error', describeFailure(failure)));
    }
  }

  function draw(answer: SsoAnswer): void {
    const s = answer.settings ?? {};
    const protocol = select(
      'Protocol',
      'sso-protocol',
      PROTOCOLS,
      s.protocol ?? 'saml',
      'How this enterprise’s identity provider signs people in.',
    );
    const metadataUrl = field('IdP metadata URL', 'sso-metadata-url', {
      type: 'url',
      value: s.metadataUrl ?? '',
      help: 'SAML / WS-Fed: https (or http on this machine); fetched again every 10 minutes.',
    });
    const metadataXml = textarea(
      'IdP metadata XML',
      'sso-metadata-xml',
      s.metadataXml ?? '',
      'SAML / WS-Fed: or paste the metadata document instead of a URL.',
    );
    const fingerprint = field('Certificate fingerprint (optional)', 'sso-fingerprint', {
      value: s.idpCertificateFingerprint ?? '',
      help: 'SHA-256 or SHA-1 as your IdP shows it; colons, spaces and case do not matter. Only a signing certificate with it is trusted.',
    });
    const issuer = field('Issuer URL', 'sso-issuer', {
      type: 'url',
      value: s.issuer ?? '',
      help: 'OpenID Connect: the issuer (its /.well-known/openid-configuration is read).',
    });
    const clientId = field('Client ID', 'sso-client-id', { value: s.clientId ?? '' });
    const clientSecret = field('Client secret', 'sso-client-secret', {
      type: 'password',
      autocomplete: 'off',
      placeholder: answer.clientSecretSet ? '(set: leave empty to keep it)' : '(none)',
      help: 'Write-only: stored encrypted, never shown again.',
    });
    const emailClaim = field('Email claim or attribute', 'sso-email-claim', {
      value: s.emailClaim ?? 'email',
      help: 'The IdP attribute holding the email matched to your users (case does not matter), e.g. email, mail or upn.',
    });
    const form = h(
      'form',
      { 'aria-label': 'Company sign-in' },
      protocol.wrap,
      metadataUrl.wrap,
      metadataXml.wrap,
      fingerprint.wrap,
      issuer.wrap,
      clientId.wrap,
      clientSecret.wrap,
      emailClaim.wrap,
      h('button', { type: 'submit' }, 'Save company sign-in'),
    );
    const off = h('button', { type: 'button', class: 'danger' }, 'Turn off company sign-in');
    const sp = answer.serviceProvider;
    const idp = answer.identityProvider;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = (x: { input: HTMLInputElement | HTMLTextAreaElement }) => x.input.value.trim() || null;
      const body: Record<string, unknown> = {
        protocol: protocol.input.value,
        metadataUrl: value(metadataUrl),
        metadataXml: value(metadataXml),
        idpCertificateFingerprint: value(fingerprint),
        issuer: value(issuer),
        clientId: value(clientId),
        emailClaim: value(emailClaim) ?? 'email',
        ...(clientSecret.input.value ? { clientSecret: clientSecret.input.value } : {}),
      };
      void (async () => {
        try {
          draw(await put<SsoAnswer>(path, body));
          show(messages, notice('ok', 'Company sign-in saved.'));
        } catch (failure) {
          show(messages, notice('error', describeFailure(failure)));
        }
      })();
    });
    off.addEventListener('click', () => {
      void (async () => {
        if (
          !(await confirmAction(
            'Turn off company sign-in?',
            'People who have no built-in password can then sign in only at the printer (device login).',
            'Turn off',
          ))
        )
          return;
        try {
          await del(path);
          show(messages, notice('ok', 'Company sign-in is off.'));
          await load();
        } catch (failure) {
          show(messages, notice('error', describeFailure(failure)));
        }
      })();
    });
    show(
      body,
      h(
        'p',
        { role: 'status', 'aria-label': 'Company sign-in status' },
        answer.configured
          ? `${PROTOCOLS.find(([p]) => p === s.protocol)?.[1] ?? s.protocol} is set up.`
          : 'Not set up: people sign in with their built-in password or at the printer.',
      ),
      ...answer.warnings.map((w) => notice('info', w)),
      sp
        ? h(
            'dl',
            { 'aria-label': 'For your identity provider' },
            h('dt', {}, 'Our entity ID (audience)'),
            h('dd', {}, sp.entityId),
            h('dt', {}, s.protocol === 'oidc' ? 'Redirect URI' : 'Reply / ACS URL'),
            h('dd', {}, sp.acsUrl),
            ...(sp.logoutUrl ? [h('dt', {}, 'Single logout URL'), h('dd', {}, sp.logoutUrl)] : []),
          )
        : null,
      sp?.metadataUrl
        ? h('p', {}, h('a', { href: `${sp.metadataUrl}?download`, download: '' }, 'Download our SP metadata'))
        : null,
      idp
        ? h(
            'p',
            { class: 'help' },
            `Identity provider: ${idp.entityId}; signing certificate SHA-256 ${idp.certificateFingerprints.join(', ')}.`,
          )
        : null,
      form,
      answer.configured ? off : null,
    );
  }

  void load();
  return section;
}
