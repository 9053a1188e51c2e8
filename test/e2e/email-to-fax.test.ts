import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { simpleParser } from 'mailparser';
import PDFDocument from 'pdfkit';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import {
  insideMailNamespace,
  runInMailNamespace,
  swaks,
  TestDns,
  type SwaksResult,
} from '../helpers/mail-namespace.ts';
import { CliProcess } from '../helpers/cli-process.ts';
import { DeviceProxy } from '../helpers/device-proxy.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/*
 * Issue 13's "Done when" and its bad inputs, with real peers: swaks as the SMTP client from several
 * loopback addresses, dnsmasq serving the SPF records, the simulator's fax modem and remote machines
 * as the far end. Everything runs inside a private network namespace (root): the mocha process
 * re-runs this file there (test/helpers/mail-namespace.ts), where 127.0.0.2… exist and the fixed
 * ports are free. One edge and simulator serve every case; the crash case starts its own processes.
 */

const THIS_FILE = fileURLToPath(import.meta.url);
/** 10.9.9.1 is on `lo` too, but not a loopback address: the intake treats it as the office network. */
const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.9', '10.9.9.1/32'];
const FAX_DOMAIN = 'fax.demo.test';
const SMTP_PORT = 2525;

if (!insideMailNamespace()) {
  describe('email-to-fax with swaks, dnsmasq and the simulator (in a private network namespace)', function () {
    this.timeout(600_000);
    it('passes every case inside the namespace', async () => {
      const { code, output } = await runInMailNamespace(THIS_FILE, ADDRESSES, 580_000);
      assert.equal(code, 0, output);
      // The inner run's summary, so the outer report says what ran.
      const passing = /(\d+) passing/.exec(output);
      assert.ok(passing && Number(passing[1]) > 10, output);
    });
  });
} else {
  describe('email-to-fax (inside the namespace)', function () {
    this.timeout(120_000);
    const files = tempDir('mfp-email-files-');
    const dns = new TestDns(
      5300,
      {
        'pass.test': 'v=spf1 ip4:127.0.0.2 -all',
        'soft.test': 'v=spf1 ip4:127.0.0.250 ~all',
        'neutral.test': 'v=spf1 ?all',
      },
      'timeout.test',
    );
    let stack: Stack;
    let enterpriseId = '';

    before(async () => {
      await dns.start();
      stack = await startStack({
        timeFactor: 0.01,
        faxRetryIntervalSeconds: 1,
        // All addresses of the namespace: 10.9.9.1 reaches it as a client from the office network would.
        edgeConfig: {
          smtpIntakePort: SMTP_PORT,
          smtpIntakeHost: '0.0.0.0',
          dnsServer: dns.server,
          faxRetryAttempts: 2,
          emailToFaxMoveSeconds: 0.5,
        },
      });
      enterpriseId = stack.edge.repositories.directory.findEnterpriseBySlug('demo')!.id;
      setPolicy({
        enabled: false,
        faxDomain: FAX_DOMAIN,
        trustedDomains: ['partner.test', 'pass.test', 'soft.test', 'neutral.test', 'timeout.test'],
      });
    });

    after(async () => {
      await stack?.stop();
      await dns.stop();
      files.remove();
    });

    function setPolicy(emailToFax: Record<string, unknown>): void {
      stack.edge.people.policies.update(enterpriseId, { emailToFax } as never, 'test');
    }

    function send(options: {
      from: string;
      to: string[];
      ip?: string;
      attach?: { file: string; type: string }[];
      body?: string;
      extra?: string[];
    }): Promise<SwaksResult> {
      const args = [
        '--server',
        '127.0.0.1',
        '--port',
        String(SMTP_PORT),
        '--local-interface',
        options.ip ?? '127.0.0.2',
        '--from',
        options.from,
        `--to=${options.to.join(',')}`,
        '--body',
        options.body ?? 'Please find the document attached.',
        ...(options.attach ?? []).flatMap((a) => ['--attach-type', a.type, '--attach', `@${a.file}`]),
        ...(options.extra ?? []),
      ];
      return swaks(args);
    }

    const last = (r: SwaksResult) => r.replies.filter((l) => !/^221/.test(l)).at(-1) ?? '';
    const number = (n: number) => `1212555${String(n).padStart(4, '0')}`;
    const e164 = (n: number) => `+${number(n)}`;

    async function receivedBy(to: string, count = 1, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const faxes = stack.simulator.remotes.list().filter((f) => f.to === to && f.status === 'received');
        if (faxes.length >= count) return faxes;
        if (Date.now() > deadline) throw new Error(`no fax to ${to} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    async function receiptFor(jobId: string, timeoutMs = 30_000) {
      const outbox = join(stack.dataDir, 'outbox');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let names: string[] = [];
        try {
          names = readdirSync(outbox);
        } catch {
          // Not written yet.
        }
        for (const name of names) {
          const mail = await simpleParser(readFileSync(join(outbox, name)));
          if ((mail.text ?? '').replace(/=\r?\n/g, '').includes(jobId)) return mail;
        }
        if (Date.now() > deadline) throw new Error(`no receipt for ${jobId} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    const jobIdOf = (r: SwaksResult) => /Fax job ([\w-]+) queued/.exec(r.output)?.[1] ?? '';

    it('refuses every message while email-to-fax is disabled (550 5.7.1)', async () => {
      const r = await send({ from: 'bob@partner.test', to: [number(100)].map((n) => `${n}@${FAX_DOMAIN}`) });
      assert.match(r.output, /<\*\* +550 5\.7\.1 Email-to-fax is turned off for fax\.demo\.test/);
      assert.doesNotMatch(r.output, /queued/);
    });

    it('refuses a client outside the IP allow-list and accepts one inside (trusted domain, defaults)', async () => {
      setPolicy({ enabled: true, ipAllowList: ['127.0.0.2'] });
      const outside = await send({
        ip: '127.0.0.3',
        from: 'bob@partner.test',
        to: [`${number(101)}@${FAX_DOMAIN}`],
      });
      assert.match(
        outside.output,
        /<\*\* +550 5\.7\.1 Your mail server's address 127\.0\.0\.3 is not on the email-to-fax allow-list/,
      );
      const inside = await send({
        ip: '127.0.0.2',
        from: 'bob@partner.test',
        to: [`${number(101)}@${FAX_DOMAIN}`],
        body: 'A fax written in the email itself.',
      });
      assert.match(last(inside), /^250 2\.0\.0 Fax job/);
      const [fax] = await receivedBy(e164(101));
      assert.equal(fax!.pages, 1, 'the text alone is one page');
      const receipt = await receiptFor(jobIdOf(inside));
      assert.equal(receipt.to && 'text' in receipt.to ? receipt.to.text : '', 'bob@partner.test');
      assert.match(receipt.subject ?? '', /delivered/);
      setPolicy({ ipAllowList: [] });
    });

    describe('SPF (dnsmasq serving the records)', () => {
      before(() => setPolicy({ spfCheck: true }));
      after(() => setPolicy({ spfCheck: false }));

      it('pass: accepted', async () => {
        const r = await send({
          ip: '127.0.0.2',
          from: 'ann@pass.test',
          to: [`${number(102)}@${FAX_DOMAIN}`],
        });
        assert.match(last(r), /^250 2\.0\.0/);
      });

      it('fail (-all, a spoofed sender): 550 5.7.23', async () => {
        const r = await send({
          ip: '127.0.0.3',
          from: 'ann@pass.test',
          to: [`${number(103)}@${FAX_DOMAIN}`],
        });
        assert.match(
          r.output,
          /<\*\* +550 5\.7\.23 SPF check fail: pass\.test does not say that 127\.0\.0\.3 may send/,
        );
      });

      it('softfail (~all): refused too, 550 5.7.23', async () => {
        const r = await send({
          ip: '127.0.0.2',
          from: 'sam@soft.test',
          to: [`${number(103)}@${FAX_DOMAIN}`],
        });
        assert.match(r.output, /<\*\* +550 5\.7\.23 SPF check softfail/);
      });

      it('neutral (?all): no proof, 550 5.7.23 saying how to give it', async () => {
        const r = await send({
          ip: '127.0.0.2',
          from: 'ned@neutral.test',
          to: [`${number(103)}@${FAX_DOMAIN}`],
        });
        assert.match(r.output, /<\*\* +550 5\.7\.23 SPF check neutral: .*Publish an SPF record/);
      });

      it('temperror (the DNS server never answers): 451 4.4.3, so the sender retries', async () => {
        const started = Date.now();
        const r = await send({
          ip: '127.0.0.2',
          from: 'tim@timeout.test',
          to: [`${number(103)}@${FAX_DOMAIN}`],
        });
        assert.match(r.output, /<\*\* +451 4\.4\.3 The SPF record of timeout\.test could not be looked up/);
        assert.ok(Date.now() - started < 20_000, 'bounded by the resolver timeout');
      });

      it('a registered person signed in with SMTP AUTH needs no SPF; a wrong password is 535 5.7.8', async () => {
        const { users, hasher } = stack.edge.people;
        const user = users.create({
          enterpriseId,
          email: 'claire@corp.test',
          displayName: 'Claire Roux',
          language: 'fr',
        });
        users.setPasswordHash(user.id, await hasher.hash('correct horse 42'), new Date());
        const wrong = await send({
          ip: '127.0.0.3',
          from: 'claire@corp.test',
          to: [`${number(104)}@${FAX_DOMAIN}`],
          extra: ['--auth', 'PLAIN', '--auth-user', 'claire@corp.test', '--auth-password', 'wrong one'],
        });
        assert.match(wrong.output, /<\*\* +535 5\.7\.8 Wrong email address or password/);
        const unauthenticated = await send({
          ip: '127.0.0.3',
          from: 'claire@corp.test',
          to: [`${number(104)}@${FAX_DOMAIN}`],
        });
        assert.match(unauthenticated.output, /<\*\* +550 5\.7\.23 SPF check none/);
        const signedIn = await send({
          ip: '127.0.0.3',
          from: 'claire@corp.test',
          to: [`${number(104)}@${FAX_DOMAIN}`],
          extra: [
            '--auth',
            'LOGIN',
            '--auth-user',
            'claire@corp.test',
            '--auth-password',
            'correct horse 42',
          ],
        });
        assert.match(signedIn.output, /<- +235/);
        assert.match(last(signedIn), /^250 2\.0\.0/);
        await receivedBy(e164(104));
        const receipt = await receiptFor(jobIdOf(signedIn));
        assert.match(receipt.subject ?? '', /Fax/);
        assert.match(receipt.text ?? '', /Bonjour|Votre fax/, 'in her language (fr)');
        const job = stack.edge.repositories.jobs.get(jobIdOf(signedIn))!;
        assert.equal(job.userId, user.id, 'sent as her');
        assert.equal(job.source, 'email');
      });

      it('SMTP AUTH is under the lockout policy: 6 wrong passwords lock the account, the right one then fails', async () => {
        const { users, hasher } = stack.edge.people;
        const user = users.create({ enterpriseId, email: 'lou@corp.test', displayName: 'Lou' });
        users.setPasswordHash(user.id, await hasher.hash('right password 1'), new Date());
        const attempt = (password: string) =>
          send({
            ip: '127.0.0.3',
            from: 'lou@corp.test',
            to: [`${number(107)}@${FAX_DOMAIN}`],
            extra: ['--auth', 'PLAIN', '--auth-user', 'lou@corp.test', '--auth-password', password],
          });
        for (let i = 0; i < 6; i++) await attempt(`wrong ${i}`);
        const locked = await attempt('right password 1');
        assert.match(
          locked.output,
          /<\*\* +535 5\.7\.8 The account is locked after too many failed attempts/,
        );
        assert.ok(users.get(user.id)!.lockedAt, 'locked in the database');
      });
    });

    it('offers STARTTLS with the edge certificate; AUTH beyond loopback only after it (538 5.7.11)', async () => {
      const { users, hasher } = stack.edge.people;
      const user = users.create({ enterpriseId, email: 'dan@corp.test', displayName: 'Dan Berg' });
      users.setPasswordHash(user.id, await hasher.hash('another horse 7'), new Date());
      const auth = ['--auth', 'PLAIN', '--auth-user', 'dan@corp.test', '--auth-password', 'another horse 7'];
      const base = ['--server', '10.9.9.1', '--port', String(SMTP_PORT), '--local-interface', '10.9.9.1'];
      const mail = ['--from', 'dan@corp.test', `--to=${number(106)}@${FAX_DOMAIN}`, '--body', 'Over TLS.'];
      const clear = await swaks([...base, ...mail, ...auth]);
      assert.match(clear.output, /<- +250-STARTTLS/);
      assert.match(clear.output, /<\*\* +538 5\.7\.11 Use STARTTLS before AUTH/);
      const tls = await swaks([...base, ...mail, ...auth, '--tls']);
      assert.match(tls.output, /TLS started/);
      assert.match(tls.output, /<~ +235/);
      assert.match(tls.output, /<~ +250 2\.0\.0 Fax job/);
      await receivedBy(e164(106));
    });

    it('refuses a sender who is neither registered nor of a trusted domain (550 5.7.1)', async () => {
      const r = await send({ from: 'mallory@elsewhere.test', to: [`${number(105)}@${FAX_DOMAIN}`] });
      assert.match(r.output, /<\*\* +550 5\.7\.1 mallory@elsewhere\.test may not send faxes/);
    });

    it('faxes a 3-page PDF to two numbers: both remote machines get 3 pages, the receipt names both', async () => {
      setPolicy({ body: 'ignore' });
      const pdf = join(files.path, 'three-pages.pdf');
      writeFileSync(pdf, await pdfWithPages(3));
      const r = await send({
        from: 'bob@partner.test',
        to: [`${number(110)}@${FAX_DOMAIN}`, `${number(111)}@${FAX_DOMAIN}`],
        attach: [{ file: pdf, type: 'application/pdf' }],
      });
      assert.match(last(r), /^250 2\.0\.0 Fax job [\w-]+ queued for 2 numbers/);
      const [first] = await receivedBy(e164(110));
      const [second] = await receivedBy(e164(111));
      assert.equal(first!.pages, 3);
      assert.equal(second!.pages, 3);
      const receipt = await receiptFor(jobIdOf(r));
      assert.match(receipt.text ?? '', /\+12125550110 \| Delivered/);
      assert.match(receipt.text ?? '', /\+12125550111 \| Delivered/);
      const listed = stack.edge.repositories.jobs.get(jobIdOf(r))!;
      assert.equal(listed.source, 'email');
      setPolicy({ body: 'cover-page' });
    });

    it('sends from an online device, and moves a waiting email fax off a printer that went offline', async () => {
      const { devices, jobs } = stack.edge.repositories;
      const [a, b] = devices.list().filter((d) => d.enterpriseId === enterpriseId && d.faxUrl !== null);
      const origin = new URL(stack.simulator.url);
      const proxy = await new DeviceProxy(stack.simulator.url).start();
      const through = (url: string | null) =>
        url && url.replace(`//${origin.host}`, `//${new URL(proxy.url).host}`);
      const original = { scannerUrl: a!.scannerUrl, faxUrl: a!.faxUrl };
      try {
        devices.setUrls(a!.id, { scannerUrl: through(a!.scannerUrl), faxUrl: through(a!.faxUrl) });
        // A is offline; it is the only email-fax device, so the job waits for it.
        proxy.target = null;
        proxy.cut();
        setPolicy({ devices: [a!.id] });
        const waiting = await send({ from: 'bob@partner.test', to: [`${number(140)}@${FAX_DOMAIN}`] });
        assert.match(last(waiting), /^250 2\.0\.0/);
        assert.equal(jobs.get(jobIdOf(waiting))!.deviceId, a!.id);
        // B may send email faxes too now: the waiting job moves to it and goes out.
        setPolicy({ devices: [a!.id, b!.id] });
        await receivedBy(e164(140));
        assert.equal(jobs.get(jobIdOf(waiting))!.deviceId, b!.id, 'moved to the online printer');
        // A new message goes straight to the printer that answers.
        const direct = await send({ from: 'bob@partner.test', to: [`${number(141)}@${FAX_DOMAIN}`] });
        assert.equal(jobs.get(jobIdOf(direct))!.deviceId, b!.id);
        await receivedBy(e164(141));
      } finally {
        setPolicy({ devices: [] });
        devices.setUrls(a!.id, original);
        await proxy.stop();
      }
    });

    describe('bad input and abuse: the right reply, and the edge stays up', () => {
      it('malformed MIME: 554 5.6.0 nothing to fax', async () => {
        const eml = join(files.path, 'broken.eml');
        writeFileSync(
          eml,
          'From: bob@partner.test\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n',
        );
        const r = await send({
          from: 'bob@partner.test',
          to: [`${number(120)}@${FAX_DOMAIN}`],
          extra: ['--data', `@${eml}`],
        });
        assert.match(r.output, /<\*\* +554 5\.6\.[01] /);
      });

      it('a 50 MB attachment: 552 5.3.4 (the 20 MB default), read while streaming', async () => {
        const big = join(files.path, 'big.pdf');
        writeFileSync(big, Buffer.alloc(50 * 1024 * 1024, 0x41));
        const r = await send({
          from: 'bob@partner.test',
          to: [`${number(121)}@${FAX_DOMAIN}`],
          attach: [{ file: big, type: 'application/pdf' }],
        });
        assert.match(r.output, /<\*\* +552 5\.3\.4 The message is larger than the 20 MB/);
      });

      it('a zip bomb: 554 5.6.1 naming the attachment, never opened', async () => {
        const zip = join(files.path, 'bomb.zip');
        writeFileSync(zip, zipOfZeros('zeros.bin', 64 * 1024 * 1024));
        const r = await send({
          from: 'bob@partner.test',
          to: [`${number(122)}@${FAX_DOMAIN}`],
          attach: [{ file: zip, type: 'application/zip' }],
        });
        assert.match(r.output, /<\*\* +554 5\.6\.1 Not faxed: "bomb\.zip" is not PDF, TIFF, JPEG or PNG/);
      });

      it('an encrypted PDF: 554 5.7.5 saying to remove the password', async () => {
        const pdf = join(files.path, 'secret.pdf');
        writeFileSync(pdf, await pdfWithPages(1, 'secret'));
        const r = await send({
          from: 'bob@partner.test',
          to: [`${number(123)}@${FAX_DOMAIN}`],
          attach: [{ file: pdf, type: 'application/pdf' }],
        });
        assert.match(r.output, /<\*\* +554 5\.7\.5 "secret\.pdf" is protected by a password/);
      });

      it('an image that decodes to a gigapixel: 554 5.6.1, never decoded', async () => {
        const png = join(files.path, 'huge.png');
        writeFileSync(png, bilevelPng(32_768, 32_768));
        const r = await send({
          from: 'bob@partner.test',
          to: [`${number(124)}@${FAX_DOMAIN}`],
          attach: [{ file: png, type: 'image/png' }],
        });
        assert.match(r.output, /<\*\* +554 5\.6\.1 "huge\.png" has more pixels than a fax page can use/);
      });

      it('invalid and refused numbers: per recipient 553 5.1.3 / 550 5.7.1, the valid one still goes', async () => {
        setPolicy({ body: 'cover-page' });
        stack.edge.people.policies.update(enterpriseId, { faxBlockPremium: true } as never, 'test');
        const r = await send({
          from: 'bob@partner.test',
          to: [`not-a-number@${FAX_DOMAIN}`, `19005550123@${FAX_DOMAIN}`, `${number(125)}@${FAX_DOMAIN}`],
        });
        assert.match(r.output, /<\*\* +553 5\.1\.3 "not-a-number" is not a fax number/);
        assert.match(r.output, /<\*\* +550 5\.7\.1 \+19005550123 may not be faxed: Premium-rate/);
        assert.match(last(r), /^250 2\.0\.0 Fax job [\w-]+ queued for 1 number:/);
      });

      it('500 recipients: the first 20 accepted, then 452 4.5.3 each; a sender hammering on gets 421 4.7.0', async () => {
        const to = Array.from({ length: 500 }, (_, i) => `${number(1000 + i)}@${FAX_DOMAIN}`);
        const r = await send({
          ip: '127.0.0.9',
          from: 'bob@partner.test',
          to,
          extra: ['--quit-after', 'RCPT'],
        });
        assert.equal(r.output.match(/<- +250 Accepted/g)?.length, 20 + 1, 'MAIL FROM and 20 recipients');
        assert.equal(r.output.match(/<\*\* +452 4\.5\.3 At most 20 fax numbers per message/g)?.length, 480);
        const again = await send({
          ip: '127.0.0.9',
          from: 'bob@partner.test',
          to: [`${number(126)}@${FAX_DOMAIN}`],
        });
        assert.match(again.output, /421 4\.7\.0 Too many connections or messages from your address/);
        // Others are not punished for it, and the edge is up.
        const other = await send({
          ip: '127.0.0.2',
          from: 'bob@partner.test',
          to: [`${number(126)}@${FAX_DOMAIN}`],
        });
        assert.match(last(other), /^250 2\.0\.0/);
        assert.equal((await fetch(`${stack.edge.url}/healthz`)).status, 200);
      });
    });
  });

  describe('email-to-fax: the edge SIGKILLed right after 250 still delivers, once', function () {
    this.timeout(240_000);
    const edgeDir = tempDir('mfp-email-crash-edge-');
    const simDir = tempDir('mfp-email-crash-sim-');
    const env = { MFP_EDGE_SMTP_INTAKE_PORT: '2526', MFP_EDGE_FAX_RETRY_INTERVAL_SECONDS: '1' };
    let simUrl = '';

    after(async () => {
      await CliProcess.killAll();
      edgeDir.remove();
      simDir.remove();
    });

    const startEdge = async () => {
      const edge = new CliProcess(
        ['start', '--port', '0', '--data', edgeDir.path, '--simulator-url', simUrl],
        env,
      );
      await edge.waitFor(/demo device panel/, 60_000);
      return edge;
    };

    it('sends each number exactly one fax after the restart, and one receipt', async () => {
      const simulator = new CliProcess([
        'simulator',
        '--port',
        '0',
        '--time-factor',
        '0.05',
        '--data',
        simDir.path,
      ]);
      simUrl = (await simulator.waitFor(/console:\s+(http:\/\/[\d.]+:\d+)\//, 30_000))[1]!;
      let edge = await startEdge();
      const admin = new CliProcess([
        'admin',
        'policy',
        'set',
        '--data',
        edgeDir.path,
        'emailToFax.enabled=true',
        `emailToFax.faxDomain=${FAX_DOMAIN}`,
        'emailToFax.trustedDomains=partner.test',
        'emailToFax.ipAllowList=127.0.0.0/8',
      ]);
      assert.equal((await admin.exited).code, 0, admin.output);
      // The running edge takes the policy change within its poll.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const accepted = await swaks([
        '--server',
        '127.0.0.1',
        '--port',
        '2526',
        '--from',
        'bob@partner.test',
        `--to=12125550130@${FAX_DOMAIN},12125550131@${FAX_DOMAIN}`,
        '--body',
        'Sent just before the edge died.',
      ]);
      assert.match(accepted.output, /<- +250 2\.0\.0 Fax job/);
      await edge.kill('SIGKILL');
      edge = await startEdge();
      const received = async (to: string) => {
        const deadline = Date.now() + 90_000;
        for (;;) {
          const faxes = (await (await fetch(`${simUrl}/sim/api/faxes`)).json()) as {
            to: string;
            status: string;
          }[];
          const done = faxes.filter((f) => f.to === to && f.status === 'received');
          if (done.length > 0) return;
          if (Date.now() > deadline)
            throw new Error(`no fax to ${to}: ${JSON.stringify(faxes)}\n${edge.output}`);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      };
      await received('+12125550130');
      await received('+12125550131');
      // Time for a duplicate to show up, if there were one.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const faxes = (await (await fetch(`${simUrl}/sim/api/faxes`)).json()) as {
        to: string;
        status: string;
      }[];
      for (const to of ['+12125550130', '+12125550131'])
        assert.equal(faxes.filter((f) => f.to === to && f.status === 'received').length, 1, `once to ${to}`);
      const outbox = join(edgeDir.path, 'outbox');
      const deadline = Date.now() + 20_000;
      let receipts: string[] = [];
      while (Date.now() < deadline) {
        receipts = readdirSync(outbox, { withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => readFileSync(join(outbox, e.name), 'utf8'))
          .filter((text) => /To: bob@partner\.test/.test(text));
        if (receipts.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      assert.equal(receipts.length, 1, 'one receipt');
      await edge.kill('SIGTERM');
      await simulator.kill('SIGTERM');
    });

    it('killed in the middle of the transaction (no 250 yet): nothing sent, and the retried message goes once', async () => {
      const simulator = new CliProcess(['simulator', '--port', '0', '--time-factor', '0.05']);
      simUrl = (await simulator.waitFor(/console:\s+(http:\/\/[\d.]+:\d+)\//, 30_000))[1]!;
      let edge = await startEdge();
      const pdf = join(edgeDir.path, '..', `mid-data-${process.pid}.pdf`);
      writeFileSync(pdf, await pdfWithPages(30));
      const mail = [
        '--server',
        '127.0.0.1',
        '--port',
        '2526',
        '--from',
        'bob@partner.test',
        '--to',
        `12125550140@${FAX_DOMAIN}`,
        '--attach-type',
        'application/pdf',
        '--attach',
        `@${pdf}`,
      ];
      // The edge reads and converts 30 pages before it answers the end of DATA: kill it meanwhile,
      // as soon as swaks has sent the final dot.
      const client = spawn('swaks', ['--timeout', '30', ...mail], { stdio: ['ignore', 'pipe', 'pipe'] });
      let transcript = '';
      client.stdout.on('data', (chunk: Buffer) => (transcript += chunk.toString()));
      const clientDone = new Promise((resolve) => client.once('exit', resolve));
      const sentAt = Date.now() + 30_000;
      while (!/^ -> \.\r?$/m.test(transcript) && Date.now() < sentAt)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await edge.kill('SIGKILL');
      await clientDone;
      assert.match(transcript, /^ -> \.\r?$/m, transcript.slice(-2000));
      assert.doesNotMatch(transcript, /<- +250 2\.0\.0 Fax job/, 'no 250 came before the kill');
      edge = await startEdge();
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const faxes = async () =>
        ((await (await fetch(`${simUrl}/sim/api/faxes`)).json()) as { to: string; status: string }[]).filter(
          (f) => f.to === '+12125550140',
        );
      assert.deepEqual(await faxes(), [], 'a message never accepted is never sent');
      const retried = await swaks(mail);
      assert.match(retried.output, /<- +250 2\.0\.0 Fax job/);
      const deadline = Date.now() + 120_000;
      while ((await faxes()).filter((f) => f.status === 'received').length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 500));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.equal((await faxes()).filter((f) => f.status === 'received').length, 1, 'sent once');
      rmSync(pdf, { force: true });
      await edge.kill('SIGTERM');
      await simulator.kill('SIGTERM');
    });
  });
}

/** A PDF of `pages` pages of text (pdfkit, a dependency of the edge); with `password`, encrypted. */
function pdfWithPages(pages: number, password?: string): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    autoFirstPage: false,
    ...(password ? { userPassword: password, ownerPassword: `${password}-owner`, pdfVersion: '1.7' } : {}),
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  for (let n = 1; n <= pages; n++) {
    doc.addPage();
    doc.fontSize(40).text(`Page ${n} of ${pages}`, 72, 100);
    doc.fontSize(14).text('Faxed by email through the edge.', 72, 200);
  }
  doc.end();
  return done;
}

/** A real zip holding one file of `size` zero bytes, deflated (a few KB per MB): a zip bomb's shape. */
function zipOfZeros(name: string, size: number): Buffer {
  const data = Buffer.alloc(size);
  const packed = deflateRawSync(data, { level: 9 });
  const crc = crc32(data);
  const fileName = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(fileName.length, 28);
  const centralOffset = local.length + fileName.length + packed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, packed, central, fileName, end]);
}

/** A valid 1-bit PNG of width × height white pixels: tiny on disk, a gigapixel once decoded. */
function bilevelPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const row = Math.ceil(width / 8) + 1;
  const raw = Buffer.alloc(row * height, 0xff);
  for (let y = 0; y < height; y++) raw[y * row] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
