/* Provisioning: SCIM tokens and groups for the identity provider, the LDAP directory sync and its last report. */
import { del, describeFailure, get, patch, post, put } from './api.ts';
import type { PageContext } from './context.ts';
import { checkbox, confirmAction, field, h, notice, show, table, when } from './dom.ts';

interface ScimToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
interface ScimGroup {
  id: string;
  displayName: string;
  role: 'admin' | null;
  members: number;
}
interface Item {
  dn: string;
  email: string | null;
}
interface Report {
  outcome: string;
  startedAt: string;
  trigger: string;
  message: string | null;
  entries: number;
  counts: Record<'created' | 'updated' | 'enabled' | 'disabled' | 'failed', number>;
  failed: (Item & { reason: string; retried: boolean })[];
  disabled: Item[];
  tlsVerify: boolean;
}
interface LdapState {
  settings: {
    url: string;
    startTls: boolean;
    bindDn: string;
    baseDn: string;
    filter: string;
    caCertificates: string | null;
    tlsVerify: boolean;
    adminGroup: string | null;
    intervalMinutes: number;
    maxDisableShare: number;
  } | null;
  lastRun: Report | null;
}

export function renderProvisioning(main: HTMLElement, ctx: PageContext): void {
  const messages = h('div', { class: 'errors', 'aria-live': 'polite' });
  const fail = (failure: unknown) => show(messages, notice('error', describeFailure(failure)));
  const slug = ctx.ent.replace(/^\/enterprises\//, '');

  // SCIM
  const tokens = h('div', {});
  const groups = h('div', {});
  const created = h('div', {});
  const tokenName = field('Token name', 'scimTokenName', {
    required: true,
    maxlength: 100,
    help: 'e.g. "Entra ID" or "Okta".',
  });
  const tokenForm = h(
    'form',
    { class: 'card', 'aria-label': 'New SCIM token' },
    tokenName.wrap,
    h('button', { type: 'submit' }, 'Create SCIM token'),
  );
  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const t = await post<{ token: string; record: ScimToken }>(`${ctx.ent}/scim/tokens`, {
          name: tokenName.input.value.trim(),
        });
        show(
          created,
          h(
            'div',
            { class: 'notice ok', role: 'status' },
            h('p', {}, `SCIM token “${t.record.name}” created. Copy it now: it is shown only once.`),
            h('p', {}, h('code', { class: 'token', 'aria-label': 'New SCIM token value' }, t.token)),
          ),
        );
        tokenName.input.value = '';
        await refreshScim();
      } catch (failure) {
        fail(failure);
      }
    })();
  });

  async function refreshScim(): Promise<void> {
    try {
      const { items } = await get<{ items: ScimToken[] }>(`${ctx.ent}/scim/tokens`);
      const live = items.filter((t) => !t.revokedAt);
      show(
        tokens,
        live.length === 0
          ? h('p', {}, 'No SCIM token yet.')
          : table(
              'SCIM tokens',
              ['Name', 'Created', 'Last used', 'Actions'],
              live.map((t) => [
                t.name,
                when(t.createdAt),
                when(t.lastUsedAt),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    'aria-label': `Revoke ${t.name}`,
                    onclick: () => void revoke(t),
                  },
                  'Revoke',
                ),
              ]),
            ),
      );
      const g = await get<{ items: ScimGroup[] }>(`${ctx.ent}/scim/groups`);
      show(
        groups,
        g.items.length === 0
          ? h(
              'p',
              { class: 'help' },
              'Groups the identity provider pushes appear here; map one to the administrator role.',
            )
          : table(
              'SCIM groups',
              ['Group', 'Members', 'Members are administrators'],
              g.items.map((group) => {
                const box = checkbox(`Administrators: ${group.displayName}`, 'admin', group.role === 'admin');
                box.input.addEventListener('change', () => {
                  void patch(`${ctx.ent}/scim/groups/${group.id}`, {
                    role: box.input.checked ? 'admin' : null,
                  })
                    .then(() => show(messages, notice('ok', `${group.displayName} updated.`)))
                    .catch(fail);
                });
                return [group.displayName, String(group.members), box.wrap];
              }),
            ),
      );
    } catch (failure) {
      fail(failure);
    }
  }

  async function revoke(t: ScimToken): Promise<void> {
    if (
      !(await confirmAction(
        `Revoke ${t.name}?`,
        'The identity provider is refused at its next request.',
        'Revoke token',
      ))
    )
      return;
    try {
      await del(`${ctx.ent}/scim/tokens/${t.id}`);
      show(messages, notice('ok', `${t.name} is revoked.`));
      await refreshScim();
    } catch (failure) {
      fail(failure);
    }
  }

  // LDAP directory sync
  const url = field('Server URL', 'ldapUrl', {
    required: true,
    placeholder: 'ldaps://dc1.example.com:636',
    help: 'ldaps://, or ldap:// with StartTLS.',
  });
  const startTls = checkbox('StartTLS (for ldap:// URLs)', 'startTls');
  const bindDn = field('Bind DN', 'bindDn', {
    required: true,
    placeholder: 'cn=mfp-edge,ou=Service,dc=example,dc=com',
  });
  const password = field('Bind password', 'bindPassword', {
    type: 'password',
    autocomplete: 'new-password',
    help: 'Kept encrypted; leave empty to keep the stored one.',
  });
  const baseDn = field('Base DN', 'baseDn', { required: true, placeholder: 'ou=People,dc=example,dc=com' });
  const filter = field('Filter', 'filter', { value: '(objectClass=inetOrgPerson)' });
  const adminGroup = field('Administrators group DN', 'adminGroup', {
    help: 'Its members become administrators; empty: nobody from the directory is.',
  });
  const interval = field('Run every (minutes)', 'intervalMinutes', {
    type: 'number',
    min: 0,
    max: 10080,
    value: '60',
    help: '0: on demand only.',
  });
  const ca = h('textarea', {
    id: 'ldap-ca',
    name: 'caCertificates',
    rows: 4,
    'aria-label': 'CA certificate (PEM)',
  });
  const verify = checkbox(
    'Check the server certificate',
    'tlsVerify',
    true,
    'Turning this off lets anyone on the network pose as the directory; it is audited.',
  );
  const ldapForm = h(
    'form',
    { class: 'card', 'aria-label': 'Directory sync settings' },
    url.wrap,
    startTls.wrap,
    bindDn.wrap,
    password.wrap,
    baseDn.wrap,
    filter.wrap,
    adminGroup.wrap,
    interval.wrap,
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'ldap-ca' }, 'CA certificate (PEM), when the directory’s is not publicly trusted'),
      ca,
    ),
    verify.wrap,
    h('button', { type: 'submit' }, 'Save directory sync'),
  );
  ldapForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const answer = await put<{ warnings: string[] }>(`${ctx.ent}/ldap-sync`, {
          url: url.input.value.trim(),
          startTls: startTls.input.checked,
          bindDn: bindDn.input.value.trim(),
          baseDn: baseDn.input.value.trim(),
          filter: filter.input.value.trim(),
          adminGroup: adminGroup.input.value.trim() || null,
          intervalMinutes: Number(interval.input.value),
          caCertificates: ca.value.trim() || null,
          tlsVerify: verify.input.checked,
          ...(password.input.value ? { password: password.input.value } : {}),
        });
        password.input.value = '';
        show(
          messages,
          notice(answer.warnings.length ? 'error' : 'ok', answer.warnings[0] ?? 'Directory sync saved.'),
        );
      } catch (failure) {
        fail(failure);
      }
    })();
  });
  const force = checkbox('Allow disabling more than the set share of users', 'force');
  const report = h('div', {});
  const runButton = h('button', { type: 'button', onclick: () => void runNow() }, 'Sync now');

  function showReport(r: Report | null): void {
    if (!r) return show(report, h('p', {}, 'No sync has run yet.'));
    const c = r.counts;
    show(
      report,
      h('h3', {}, 'Last run'),
      h(
        'p',
        { role: 'status' },
        `${when(r.startedAt)} (${r.trigger}): ${r.outcome}. ${r.entries} entries; created ${c.created}, updated ${c.updated}, enabled ${c.enabled}, disabled ${c.disabled}, failed ${c.failed}.`,
      ),
      r.message ? notice('error', r.message) : null,
      r.tlsVerify ? null : notice('error', 'Certificate validation was off for this run.'),
      r.failed.length
        ? table(
            'Entries that failed',
            ['Entry', 'Reason', 'Failed before'],
            r.failed.map((f) => [f.dn, f.reason, f.retried ? 'yes' : 'no']),
          )
        : null,
    );
  }

  async function runNow(): Promise<void> {
    try {
      showReport(await post<Report>(`${ctx.ent}/ldap-sync/run`, { force: force.input.checked }));
    } catch (failure) {
      fail(failure);
    }
  }

  async function loadLdap(): Promise<void> {
    try {
      const state = await get<LdapState>(`${ctx.ent}/ldap-sync`);
      const s = state.settings;
      if (s) {
        url.input.value = s.url;
        startTls.input.checked = s.startTls;
        bindDn.input.value = s.bindDn;
        baseDn.input.value = s.baseDn;
        filter.input.value = s.filter;
        adminGroup.input.value = s.adminGroup ?? '';
        interval.input.value = String(s.intervalMinutes);
        ca.value = s.caCertificates ?? '';
        verify.input.checked = s.tlsVerify;
      }
      showReport(state.lastRun);
    } catch (failure) {
      fail(failure);
    }
  }

  show(
    main,
    h('h1', {}, 'Provisioning'),
    messages,
    h('h2', {}, 'SCIM (Entra ID, Okta)'),
    h(
      'p',
      {},
      'Tenant URL: ',
      h('code', {}, `${location.origin}/scim/v2/${slug}/`),
      '. Secret token: a SCIM token below.',
    ),
    tokenForm,
    created,
    tokens,
    groups,
    h('h2', {}, 'Directory sync (LDAP / Active Directory)'),
    ldapForm,
    h('div', { class: 'card' }, force.wrap, runButton),
    report,
  );
  void refreshScim();
  void loadLdap();
}
