import { strict as assert } from 'node:assert';
import { statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { EdgeService } from '../../../edge-service/src/edge-service.ts';
import {
  GENERATED_CERT_FILE,
  GENERATED_KEY_FILE,
  isLoopbackHost,
  loadEdgeCertificate,
} from '../../../edge-service/src/tls/edge-certificate.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

function httpsGet(
  url: string,
  ca: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('edge TLS certificate', function () {
  this.timeout(30_000);
  const dirs: { remove: () => void }[] = [];
  const dir = () => {
    const made = tempDir();
    dirs.push(made);
    return made.path;
  };
  after(() => dirs.forEach((d) => d.remove()));

  it('tells loopback hosts from the rest', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', 'edge.localhost'])
      assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'edge.example', '10.0.0.1'])
      assert.equal(isLoopbackHost(host), false, host);
  });

  it('serves plain HTTP on loopback when no certificate is given', async () => {
    assert.equal(await loadEdgeCertificate({ host: '127.0.0.1', dataDir: dir() }), null);
  });

  it('generates a self-signed certificate once when listening beyond loopback, and keeps it', async () => {
    const data = dir();
    const first = await loadEdgeCertificate({ host: '0.0.0.0', dataDir: data });
    assert.ok(first);
    assert.equal(first.source, 'generated');
    assert.match(first.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(statSync(join(data, GENERATED_KEY_FILE)).mode & 0o777, 0o600);
    const again = await loadEdgeCertificate({ host: '0.0.0.0', dataDir: data });
    assert.equal(again?.source, 'generated-earlier');
    assert.equal(again?.fingerprint256, first.fingerprint256);
    // Near its end it is replaced, not served until browsers refuse it.
    const later = new Date(Date.now() + 2 * 365 * 86_400_000 - 10 * 86_400_000);
    const renewed = await loadEdgeCertificate({ host: '0.0.0.0', dataDir: data, now: later });
    assert.equal(renewed?.source, 'generated');
    assert.notEqual(renewed?.fingerprint256, first.fingerprint256);
  });

  it('refuses half a pair and a key that does not match the certificate', async () => {
    const a = dir();
    const b = dir();
    await loadEdgeCertificate({ host: '0.0.0.0', dataDir: a });
    await loadEdgeCertificate({ host: '0.0.0.0', dataDir: b });
    await assert.rejects(
      loadEdgeCertificate({ host: '127.0.0.1', dataDir: a, certFile: join(a, GENERATED_CERT_FILE) }),
      /go together/,
    );
    await assert.rejects(
      loadEdgeCertificate({
        host: '127.0.0.1',
        dataDir: a,
        certFile: join(a, GENERATED_CERT_FILE),
        keyFile: join(b, GENERATED_KEY_FILE),
      }),
      /cannot be used: the key does not match/,
    );
    const garbage = join(a, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    await assert.rejects(
      loadEdgeCertificate({ host: '127.0.0.1', dataDir: a, certFile: garbage, keyFile: garbage }),
      /cannot be used/,
    );
  });

  it('serves HTTPS and WSS with --tls-cert/--tls-key, and account cookies are Secure there', async () => {
    const certs = dir();
    const made = await loadEdgeCertificate({ host: '0.0.0.0', dataDir: certs });
    assert.ok(made);
    const edge = new EdgeService({
      config: {
        port: 0,
        smtpIntakePort: 'off',
        dataDir: dir(),
        tlsCertFile: join(certs, GENERATED_CERT_FILE),
        tlsKeyFile: join(certs, GENERATED_KEY_FILE),
      },
      logger: createLogger({ level: 'silent' }),
    });
    await edge.start();
    try {
      assert.match(edge.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(edge.certificate?.fingerprint256, made.fingerprint256);
      const health = await httpsGet(`${edge.url}/healthz`, made.cert);
      assert.equal(health.status, 200);
      assert.equal(JSON.parse(health.body).status, 'ok');
      const page = await httpsGet(`${edge.url}/account/`, made.cert);
      const cookies = [page.headers['set-cookie'] ?? []].flat() as string[];
      assert.ok(cookies.length > 0, 'the account page sets its CSRF cookie');
      for (const cookie of cookies) {
        assert.match(cookie, /^__Host-/);
        assert.match(cookie, /; Secure/i);
        assert.match(cookie, /; HttpOnly/i);
        assert.match(cookie, /; SameSite=Strict/i);
      }
      // The panel's WebSocket over TLS: an unknown credential is refused, which needs a working WSS.
      const socket = new WebSocket(`${edge.url.replace(/^https/, 'wss')}/ws`, { ca: made.cert });
      const reply = await new Promise<{ type: string; error?: { code: string } }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer over WSS')), 5000);
        socket.on('open', () =>
          socket.send(
            JSON.stringify({
              type: 'hello',
              id: '1',
              payload: {
                protocolVersions: [1],
                deviceToken: 'x'.repeat(43),
                app: { name: 'test', version: '1' },
              },
            }),
          ),
        );
        socket.on('message', (data) => {
          clearTimeout(timer);
          resolve(JSON.parse(String(data)));
        });
        socket.on('error', reject);
      });
      socket.terminate();
      assert.equal(reply.error?.code, 'DEVICE_UNAUTHORIZED');
    } finally {
      await edge.stop();
    }
  });
});
