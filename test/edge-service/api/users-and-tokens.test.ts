import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import {
  ApiClient,
  createAccount,
  ensureEnterprise,
  sessionClient,
  startApiEdge,
  type ApiEdge,
  type TestAccount,
} from '../../helpers/api-client.ts';

describe('api/users, API tokens, request limits', function () {
  this.timeout(120_000);
  let api: ApiEdge;
  let admin: TestAccount;
  let client: ApiClient;
  const now = { offsetMs: 0 };

  before(async () => {
    // The API's clock can be moved (token expiry) without waiting.
    api = await startApiEdge({ apiClock: () => new Date(Date.now() + now.offsetMs) });
    const acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    admin = await createAccount(api.edge, {
      enterprise: acme,
      email: 'admin@acme.test',
      displayName: 'Ada Admin',
    });
    client = sessionClient(api.edge, admin);
  });
  after(async () => api?.stop());

  describe('users', () => {
    it('creates a user (201), refuses a duplicate (409 USER_EXISTS) and invalid fields (400 naming them)', async () => {
      const created = await client.request('POST', '/enterprises/acme/users', {
        email: 'bob@acme.test',
        displayName: 'Bob',
        language: 'fr',
        timeZone: 'Europe/Paris',
        password: 'a much longer passphrase 42',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.role, 'user');
      assert.equal(created.body.hasPassword, true);
      assert.equal(created.body.faxEnabled, true);
      const again = await client.request('POST', '/enterprises/acme/users', {
        email: 'BOB@acme.test',
        displayName: 'Bob',
      });
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'USER_EXISTS');
      const invalid = await client.request('POST', '/enterprises/acme/users', {
        email: 'not-an-email',
        displayName: '',
        timeZone: 'Mars/Olympus',
        colour: 'red',
      });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.error.code, 'VALIDATION_FAILED');
      for (const field of ['body.email', 'body.displayName', 'body.timeZone', 'colour'])
        assert.match(invalid.body.error.message, new RegExp(field.replace('.', '\\.')));
      const weak = await client.request('POST', '/enterprises/acme/users', {
        email: 'weak@acme.test',
        displayName: 'Weak',
        password: 'short',
      });
      assert.equal(weak.status, 400);
      assert.equal(weak.body.error.code, 'PASSWORD_POLICY');
      assert.ok(weak.body.error.rules.length > 0);
    });

    it('invites a user: the mail is queued and the answer says until when the link works', async () => {
      const invited = await client.request('POST', '/enterprises/acme/users', {
        email: 'carol@acme.test',
        displayName: 'Carol',
        invite: true,
      });
      assert.equal(invited.status, 201, JSON.stringify(invited.body));
      assert.ok(Date.parse(invited.body.invitationExpiresAt) > Date.now() + 6 * 86_400_000);
    });

    it('refuses to exclude an admin from 2FA (TWO_FACTOR_REQUIRED_FOR_ADMINS)', async () => {
      const answer = await client.request('POST', '/enterprises/acme/users', {
        email: 'dan@acme.test',
        displayName: 'Dan',
        role: 'admin',
        twoFactorExcluded: true,
      });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.code, 'TWO_FACTOR_REQUIRED_FOR_ADMINS');
      const patch = await client.request('PATCH', `/enterprises/acme/users/${admin.user.id}`, {
        twoFactorExcluded: true,
      });
      assert.equal(patch.body.error.code, 'TWO_FACTOR_REQUIRED_FOR_ADMINS');
    });

    it('keeps the last active admin: no delete, disable or demotion (409 LAST_ADMIN); with a second admin it works', async () => {
      const path = `/enterprises/acme/users/${admin.user.id}`;
      for (const [method, url, body] of [
        ['DELETE', path, undefined],
        ['POST', `${path}/disable`, undefined],
        ['PATCH', path, { role: 'user' }],
        ['PATCH', path, { disabled: true }],
      ] as const) {
        const answer = await client.request(method, url, body);
        assert.equal(answer.status, 409, `${method} ${url}`);
        assert.equal(answer.body.error.code, 'LAST_ADMIN');
      }
      const second = await client.request('POST', '/enterprises/acme/users', {
        email: 'eve@acme.test',
        displayName: 'Eve',
        role: 'admin',
      });
      assert.equal(second.status, 201);
      const eve = sessionClient(api.edge, { user: { id: second.body.id } });
      // Now Ada may be demoted, but Eve (then the last) may not be.
      const demoted = await eve.request('PATCH', path, { role: 'user' });
      assert.equal(demoted.status, 200);
      const last = await eve.request('DELETE', `/enterprises/acme/users/${second.body.id}`);
      assert.equal(last.body.error.code, 'LAST_ADMIN');
      // Ada's console session ended with the demotion; Eve promotes her back.
      const back = await eve.request('PATCH', path, { role: 'admin' });
      assert.equal(back.status, 200);
      client = sessionClient(api.edge, admin);
    });

    it('lists with filters and pagination; the Locked tag and the locked filter; unlock (audited)', async () => {
      const bob = api.edge.people.users.findByEmail(admin.user.enterpriseId, 'bob@acme.test')!;
      api.edge.people.users.recordFailure(bob.id, new Date(), { maxAttempts: 1, lockUntil: null });
      const locked = await client.request('GET', '/enterprises/acme/users?locked=true');
      assert.equal(locked.status, 200, JSON.stringify(locked.body));
      assert.deepEqual(
        locked.body.items.map((u: { email: string }) => u.email),
        ['bob@acme.test'],
      );
      assert.equal(locked.body.items[0].locked, true);
      const page = await client.request('GET', '/enterprises/acme/users?pageSize=2&page=2');
      assert.equal(page.body.pageSize, 2);
      assert.equal(page.body.page, 2);
      assert.equal(page.body.total, 4);
      assert.equal(page.body.items.length, 2);
      const search = await client.request('GET', '/enterprises/acme/users?q=CAR');
      assert.deepEqual(
        search.body.items.map((u: { email: string }) => u.email),
        ['carol@acme.test'],
      );
      const bad = await client.request('GET', '/enterprises/acme/users?page=0&locked=maybe&role=king');
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /query\.page/);
      assert.match(bad.body.error.message, /query\.locked/);
      assert.match(bad.body.error.message, /query\.role/);
      const unlocked = await client.request('POST', `/enterprises/acme/users/${bob.id}/unlock`);
      assert.equal(unlocked.body.locked, false);
      const audit = await client.request('GET', '/enterprises/acme/audit?action=user.unlock');
      assert.equal(audit.body.items[0].target, bob.id);
      assert.equal(audit.body.items[0].actorEmail, 'admin@acme.test');
    });

    it('exports the filtered list as CSV and as typed Excel cells (audited with the filter)', async () => {
      const csv = await client.request('GET', '/enterprises/acme/users/export?format=csv&role=user');
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-disposition') ?? '', /^attachment; filename="users-acme\.csv"/);
      const lines = (csv.body as string)
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      assert.equal(lines.length, 3, String(lines)); // header, bob, carol
      const xlsx = await client.request('GET', '/enterprises/acme/users/export?format=xlsx');
      assert.equal(xlsx.status, 200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
      const sheet = book.worksheets[0]!;
      assert.equal(sheet.rowCount, 5);
      assert.equal(typeof sheet.getRow(2).getCell(6).value, 'boolean');
      assert.ok(sheet.getRow(2).getCell(11).value instanceof Date);
      const audit = await client.request('GET', '/enterprises/acme/audit?action=user.export');
      assert.deepEqual(audit.body.items[1].details.filter, { role: 'user' });
    });

    it('disabling a user ends their console session and revokes their tokens at once', async () => {
      const acme = api.edge.repositories.directory.findEnterpriseBySlug('acme')!;
      const other = await createAccount(api.edge, { enterprise: acme, email: 'fay@acme.test' });
      const fay = sessionClient(api.edge, other);
      const token = await fay.request('POST', '/tokens', { name: 'script', expiresInDays: 30 });
      assert.equal(token.status, 201);
      const disabled = await client.request('POST', `/enterprises/acme/users/${other.user.id}/disable`);
      assert.equal(disabled.body.disabled, true);
      assert.equal((await fay.request('GET', '/session')).status, 401);
      assert.equal(
        (await ApiClient.withToken(api.url, token.body.token).request('GET', '/session')).status,
        401,
      );
      const deleted = await client.request('DELETE', `/enterprises/acme/users/${other.user.id}`);
      assert.equal(deleted.status, 204);
      assert.equal((await client.request('GET', `/enterprises/acme/users/${other.user.id}`)).status, 404);
    });
  });

  describe('API tokens', () => {
    it('creates a token shown once, usable as a bearer token; listed without the secret', async () => {
      const created = await client.request('POST', '/tokens', { name: 'nightly export', expiresInDays: 7 });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.token, /^mfpe_[\w-]{43}$/);
      const script = ApiClient.withToken(api.url, created.body.token);
      const session = await script.request('GET', '/session');
      assert.equal(session.status, 200);
      assert.equal(session.body.via, 'token');
      assert.equal(session.body.csrfToken, null);
      // Bearer requests are not ambient: no CSRF token needed.
      const patch = await script.request('PATCH', '/enterprises/acme/policy', { lockoutAttempts: 7 });
      assert.equal(patch.status, 200);
      const listed = await client.request('GET', '/tokens');
      const entry = listed.body.items.find((t: { id: string }) => t.id === created.body.id);
      assert.equal(entry.token, undefined);
      assert.ok(entry.lastUsedAt);
      assert.doesNotMatch(JSON.stringify(listed.body), /mfpe_/);
    });

    it('refuses creating a token with a token (FORBIDDEN), an expiry beyond 365 days (400)', async () => {
      const created = await client.request('POST', '/tokens', { name: 'a', expiresInDays: 1 });
      const script = ApiClient.withToken(api.url, created.body.token);
      const minted = await script.request('POST', '/tokens', { name: 'b', expiresInDays: 1 });
      assert.equal(minted.status, 403);
      assert.equal(minted.body.error.code, 'FORBIDDEN');
      const long = await client.request('POST', '/tokens', { name: 'c', expiresInDays: 400 });
      assert.equal(long.status, 400);
      const farAt = await client.request('POST', '/tokens', {
        name: 'd',
        expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString(),
      });
      assert.equal(farAt.status, 400);
      assert.equal(farAt.body.error.code, 'VALIDATION_FAILED');
    });

    it('a revoked token is refused at once; an expired, unknown or malformed one too (401 API_TOKEN_INVALID)', async () => {
      const created = await client.request('POST', '/tokens', { name: 'short', expiresInDays: 1 });
      const script = ApiClient.withToken(api.url, created.body.token);
      assert.equal((await script.request('GET', '/tokens')).status, 200);
      now.offsetMs = 86_400_000 + 1000;
      const expired = await script.request('GET', '/tokens');
      now.offsetMs = 0;
      assert.equal(expired.status, 401);
      assert.equal(expired.body.error.code, 'API_TOKEN_INVALID');

      const other = await client.request('POST', '/tokens', { name: 'revoked', expiresInDays: 1 });
      const revokedScript = ApiClient.withToken(api.url, other.body.token);
      assert.equal((await revokedScript.request('GET', '/tokens')).status, 200);
      assert.equal((await client.request('DELETE', `/tokens/${other.body.id}`)).status, 204);
      const refused = await revokedScript.request('GET', '/tokens');
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error.code, 'API_TOKEN_INVALID');
      for (const bad of [`mfpe_${'A'.repeat(43)}`, 'nonsense']) {
        const answer = await ApiClient.withToken(api.url, bad).request('GET', '/tokens');
        assert.equal(answer.body.error.code, 'API_TOKEN_INVALID');
      }
      const audit = await client.request('GET', '/enterprises/acme/audit?action=token.');
      assert.ok(audit.body.items.some((e: { action: string }) => e.action === 'token.revoke'));
    });

    it('a token of someone who lost the admin role is refused on admin routes (FORBIDDEN)', async () => {
      const acme = api.edge.repositories.directory.findEnterpriseBySlug('acme')!;
      const gus = await createAccount(api.edge, { enterprise: acme, email: 'gus@acme.test' });
      const created = await sessionClient(api.edge, gus).request('POST', '/tokens', {
        name: 'g',
        expiresInDays: 1,
      });
      await client.request('PATCH', `/enterprises/acme/users/${gus.user.id}`, { role: 'user' });
      const answer = await ApiClient.withToken(api.url, created.body.token).request(
        'GET',
        '/enterprises/acme/users',
      );
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, 'FORBIDDEN');
    });
  });

  describe('request limits', () => {
    it('refuses an oversized body with 413 before reading it (Content-Length), and a streamed one once past the limit', async () => {
      const big = JSON.stringify({ email: 'x@acme.test', displayName: 'x'.repeat(70 * 1024) });
      const declared = await client.request('POST', '/enterprises/acme/users', undefined, {
        rawBody: big,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(declared.status, 413);
      assert.equal(declared.body.error.code, 'PAYLOAD_TOO_LARGE');
      // Chunked (no Content-Length): the stream is capped.
      const stream = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 80; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
          controller.close();
        },
      });
      const chunked = await fetch(`${api.url}/api/v1/enterprises/acme/users`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: client.cookie!,
          'x-csrf-token': client.csrfToken!,
        },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      assert.equal(chunked.status, 413);
    });

    it('refuses a non-JSON body (415) and malformed JSON (400 VALIDATION_FAILED)', async () => {
      const form = await client.request('POST', '/enterprises/acme/users', undefined, {
        rawBody: 'email=a@b.c',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(form.status, 415);
      assert.equal(form.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
      const broken = await client.request('POST', '/enterprises/acme/users', undefined, {
        rawBody: '{"email":',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(broken.status, 400);
      assert.equal(broken.body.error.code, 'VALIDATION_FAILED');
    });

    it('answers a malformed %-escape with a plain 400, no stack trace and no file path (API and panel)', async () => {
      for (const path of ['/panel/%ZZ', '/api/v1/enterprises/%ZZ/users']) {
        const answer = await fetch(`${api.url}${path}`, { headers: { cookie: client.cookie! } });
        const text = await answer.text();
        assert.equal(answer.status, 400, `${path}: ${text}`);
        assert.doesNotMatch(text, /node_modules|\/work\/|at .*\(|Error:/, path);
      }
    });
  });
});
