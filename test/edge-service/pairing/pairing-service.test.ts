import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import type { AuditEntry, AuditEntryInput, AuditTrail } from '../../../edge-service/src/domain/audit.ts';
import type { EnterpriseRecord, UserRecord } from '../../../edge-service/src/domain/device.ts';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import {
  PAIRING_TTL_MS,
  USER_CODE_ALPHABET,
  formatUserCode,
  newUserCode,
  normaliseUserCode,
  userCodeKey,
} from '../../../edge-service/src/pairing/pairing-codes.ts';
import { PairingService } from '../../../edge-service/src/pairing/pairing-service.ts';
import { PanelPairing } from '../../../edge-service/src/pairing/panel-pairing.ts';
import { newPanelSession, type PanelPeer } from '../../../edge-service/src/panel/panel-session.ts';
import { hashDeviceToken } from '../../../edge-service/src/services/device-credentials.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqlitePairingRepository } from '../../../edge-service/src/storage/sqlite-pairing-repository.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** Records entries in memory (the hash-chained trail is the REST API's; this layer only calls record). */
class MemoryAudit implements AuditTrail {
  readonly entries: AuditEntryInput[] = [];
  record(entry: AuditEntryInput): AuditEntry {
    this.entries.push(entry);
    return {
      ...entry,
      seq: this.entries.length,
      id: String(this.entries.length),
      at: '',
      hash: '',
      prevHash: '',
    } as AuditEntry;
  }
}

function codeOf(error: unknown): string | undefined {
  return error instanceof EdgeError ? error.code : undefined;
}

describe('pairing codes', () => {
  it('are 8 letters of the 20-consonant alphabet, shown XXXX-XXXX', () => {
    assert.equal(USER_CODE_ALPHABET, 'BCDFGHJKLMNPQRSTVWXZ');
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = newUserCode();
      assert.match(code, /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      for (const c of code) seen.add(c);
    }
    assert.equal(seen.size, 20, 'every letter of the alphabet is drawn');
    assert.equal(formatUserCode('WDJBMJHT'), 'WDJB-MJHT');
  });

  it('normalise case, dashes and spaces; refuse what cannot be a code', () => {
    for (const typed of ['WDJB-MJHT', 'wdjb-mjht', ' wdjb mjht ', 'WDJB–MJHT', 'wdjbmjht'])
      assert.equal(normaliseUserCode(typed), 'WDJBMJHT', typed);
    for (const bad of ['WDJB-MJH', 'WDJB-MJHTX', 'AEIO-UWDJ', '1234-5678', ''])
      assert.equal(normaliseUserCode(bad), null, bad);
  });
});

describe('PairingService (real SQLite, injected clock)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let now: Date;
  let audit: MemoryAudit;
  let service: PairingService;
  let devices: SqliteDeviceRepository;
  let enterprise: EnterpriseRecord;
  let frontDesk: UserRecord;
  const by = { actor: 'user:admin', source: '10.0.0.9' };

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(join(dir.path, 'edge.db'));
    now = new Date('2026-12-15T09:00:00Z');
    audit = new MemoryAudit();
    devices = new SqliteDeviceRepository(db);
    const directory = new SqliteDirectoryRepository(db);
    enterprise = directory.createEnterprise('Acme', 'acme');
    frontDesk = directory.createUser({
      enterpriseId: enterprise.id,
      email: 'desk@acme.test',
      displayName: 'Desk',
    });
    service = new PairingService({
      repository: new SqlitePairingRepository(db),
      devices,
      users: { get: (id) => directory.getUser(id) },
      audit,
      userCodeKey: userCodeKey(randomBytes(32)),
      now: () => now,
      beginLimit: { max: 3, windowMs: PAIRING_TTL_MS },
      guessLimit: { max: 4, windowMs: PAIRING_TTL_MS },
    });
  });

  afterEach(() => {
    db.close();
    dir.remove();
  });

  const approveInput = {
    name: 'Front desk MFP',
    authMode: 'shared-account' as const,
    sharedUserId: '',
    scannerUrl: 'http://192.0.2.10/eSCL',
    faxUrl: 'ipp://192.0.2.10/ipp/faxout',
  };

  it('begins, approves by the typed code, claims once; the credential opens hello', () => {
    const begun = service.begin('10.0.0.5', { app: { name: 'panel', version: '1' } });
    assert.match(begun.userCode, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(begun.expiresAt, new Date(now.getTime() + 10 * 60_000).toISOString());
    assert.ok(begun.deviceCode.length >= 43);
    assert.throws(
      () => service.claim(begun.deviceCode, '10.0.0.5'),
      (e) => codeOf(e) === 'PAIRING_PENDING',
    );

    const typed = ` ${begun.userCode.toLowerCase().replace('-', ' ')} `;
    assert.equal(service.pending(typed, by.source).expiresAt, begun.expiresAt);
    const device = service.approve(typed, enterprise.id, { ...approveInput, sharedUserId: frontDesk.id }, by);
    assert.equal(device.name, 'Front desk MFP');
    assert.equal(device.sharedUserId, frontDesk.id);

    const { deviceToken } = service.claim(begun.deviceCode, '10.0.0.5');
    assert.equal(devices.findByTokenHash(hashDeviceToken(deviceToken))?.id, device.id);
    // Single use: the device code and the user code are dead now.
    assert.throws(
      () => service.claim(begun.deviceCode, '10.0.0.5'),
      (e) => codeOf(e) === 'PAIRING_CODE_INVALID',
    );
    assert.throws(
      () => service.pending(begun.userCode, by.source),
      (e) => codeOf(e) === 'PAIRING_CODE_INVALID',
    );
    assert.deepEqual(
      audit.entries.map((e) => e.action),
      ['device.pair', 'device.pair-claim'],
    );
  });

  it('stores only hashes of both codes (and of the credential)', () => {
    const begun = service.begin('10.0.0.5', null);
    service.approve(begun.userCode, enterprise.id, { ...approveInput, sharedUserId: frontDesk.id }, by);
    const { deviceToken } = service.claim(begun.deviceCode, '10.0.0.5');
    const dump = JSON.stringify([
      db.prepare('SELECT * FROM pairings').all(),
      db.prepare('SELECT * FROM device_credentials').all(),
      db.prepare('SELECT * FROM devices').all(),
    ]);
    for (const secret of [begun.userCode, begun.userCode.replace('-', ''), begun.deviceCode, deviceToken])
      assert.ok(!dump.includes(secret), `${secret.slice(0, 4)}… is not stored in clear`);
  });

  it('expires after 10 minutes unapproved', () => {
    const begun = service.begin('10.0.0.5', null);
    now = new Date(now.getTime() + PAIRING_TTL_MS - 1000);
    assert.doesNotThrow(() => service.pending(begun.userCode, by.source));
    now = new Date(now.getTime() + 1000);
    assert.throws(
      () => service.pending(begun.userCode, by.source),
      (e) => codeOf(e) === 'PAIRING_CODE_INVALID',
    );
    assert.throws(
      () =>
        service.approve(begun.userCode, enterprise.id, { ...approveInput, sharedUserId: frontDesk.id }, by),
      (e) => codeOf(e) === 'PAIRING_CODE_INVALID',
    );
    assert.throws(
      () => service.claim(begun.deviceCode, '10.0.0.5'),
      (e) => codeOf(e) === 'PAIRING_CODE_INVALID',
    );
  });

  it('rate-limits begins per address', () => {
    for (let i = 0; i < 3; i++) service.begin('10.0.0.5', null);
    assert.throws(
      () => service.begin('10.0.0.5', null),
      (e) => codeOf(e) === 'RATE_LIMITED' && !!(e as EdgeError).until,
    );
    assert.doesNotThrow(() => service.begin('10.0.0.6', null), 'another address is not held back');
    now = new Date(now.getTime() + PAIRING_TTL_MS + 1);
    assert.doesNotThrow(() => service.begin('10.0.0.5', null));
  });

  it('rate-limits guessing codes per address, even a right code after too many wrong ones', () => {
    const begun = service.begin('10.0.0.5', null);
    for (let i = 0; i < 4; i++)
      assert.throws(
        () => service.pending('BBBB-BBBB', by.source),
        (e) => codeOf(e) === 'PAIRING_CODE_INVALID',
      );
    assert.throws(
      () => service.pending(begun.userCode, by.source),
      (e) => codeOf(e) === 'RATE_LIMITED',
    );
    assert.doesNotThrow(() => service.pending(begun.userCode, '10.0.0.77'));
  });

  it('re-pairs an existing device: same record, a new credential, the old one refused', () => {
    const first = service.begin('10.0.0.5', null);
    const device = service.approve(
      first.userCode,
      enterprise.id,
      { ...approveInput, sharedUserId: frontDesk.id },
      by,
    );
    const old = service.claim(first.deviceCode, '10.0.0.5').deviceToken;
    const second = service.begin('10.0.0.5', null);
    const again = service.approve(
      second.userCode,
      enterprise.id,
      { ...approveInput, name: 'Front desk MFP (new panel)', authMode: 'user-prompt', deviceId: device.id },
      by,
    );
    assert.equal(again.id, device.id);
    assert.equal(again.authMode, 'user-prompt');
    assert.equal(
      devices.findByTokenHash(hashDeviceToken(old)),
      null,
      'the old credential is refused at approval',
    );
    const fresh = service.claim(second.deviceCode, '10.0.0.5').deviceToken;
    assert.equal(devices.findByTokenHash(hashDeviceToken(fresh))?.id, device.id);
    assert.ok(audit.entries.some((e) => e.action === 'device.re-pair' && e.target === device.id));
  });

  it('validates the approval: shared account of this enterprise, URL schemes, unique name', () => {
    const begun = service.begin('10.0.0.5', null);
    const refuse = (input: object) =>
      assert.throws(
        () =>
          service.approve(
            begun.userCode,
            enterprise.id,
            { ...approveInput, sharedUserId: frontDesk.id, ...input },
            by,
          ),
        (e) => codeOf(e) === 'VALIDATION_FAILED',
        JSON.stringify(input),
      );
    refuse({ sharedUserId: null });
    refuse({ scannerUrl: 'ftp://192.0.2.10/eSCL' });
    refuse({ faxUrl: 'file:///etc/passwd' });
    refuse({ scannerUrl: 'http://admin:secret@192.0.2.10/eSCL' });
    refuse({ name: '   ' });
    // The code survives refused approvals.
    assert.doesNotThrow(() => service.pending(begun.userCode, '10.0.0.8'));
  });

  it('tells a waiting panel its code expired after 10 minutes (pairing.expired), and begins anew', async () => {
    const timers: { at: number; run: () => void }[] = [];
    const clock = {
      now: () => now.getTime(),
      setTimeout: (run: () => void, ms: number) => {
        const timer = { at: now.getTime() + ms, run };
        timers.push(timer);
        return timer;
      },
      clearTimeout: (timer: unknown) => {
        const i = timers.indexOf(timer as (typeof timers)[0]);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const pushed: string[] = [];
    const peer: PanelPeer = {
      session: newPanelSession('10.0.0.5', 'http://edge.test:8080'),
      push: (event) => void pushed.push(event),
      close: () => undefined,
    };
    const panelPairing = new PanelPairing({ service, publicOrigin: () => 'http://unused', clock });
    panelPairing.start();
    const begun = await panelPairing.begin(peer, { app: { name: 'panel', version: '1' } });
    assert.equal(
      begun.approveUrl,
      `http://edge.test:8080/admin/#/pair?code=${begun.userCode.replace('-', '')}`,
    );
    now = new Date(now.getTime() + PAIRING_TTL_MS);
    for (const timer of timers.filter((t) => t.at <= now.getTime())) timer.run();
    assert.deepEqual(pushed, ['pairing.expired']);
    assert.equal(peer.session.pairing, null);
    const again = await panelPairing.begin(peer, { app: { name: 'panel', version: '1' } });
    service.approve(again.userCode, enterprise.id, { ...approveInput, sharedUserId: frontDesk.id }, by);
    assert.deepEqual(pushed, ['pairing.expired', 'pairing.approved']);
    assert.equal(timers.length, 0, 'no expiry once approved');
    assert.ok(panelPairing.claim(peer, { deviceCode: again.deviceCode }).deviceToken);
    panelPairing.stop();
  });
});
