import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { SimClock } from '../../../simulator/src/clock.ts';
import { Faults } from '../../../simulator/src/faults.ts';
import { createLogger } from '../../../simulator/src/logger.ts';
import { createEsclRouter } from '../../../simulator/src/scanner/escl-router.ts';
import { VirtualScanner } from '../../../simulator/src/scanner/virtual-scanner.ts';
import { CliProcess } from '../../helpers/cli-process.ts';

/** Runs scanimage with a private SANE config; killed if it outlives `timeoutMs`. */
function scanimage(configDir: string, cwd: string, args: string[], timeoutMs = 30_000) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(
      'scanimage',
      args,
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, SANE_CONFIG_DIR: configDir } },
      (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
    );
    child.stdin?.end();
  });
}

async function sizes(dir: string, prefix: string) {
  const files = (await readdir(dir)).filter((f) => f.startsWith(prefix)).sort();
  return Promise.all(
    files.map(async (f) => {
      const m = await sharp(join(dir, f)).metadata();
      return { file: f, width: m.width, height: m.height, channels: m.channels };
    }),
  );
}

interface Peer {
  url: string;
  close(): Promise<void>;
}

async function startScanner(nextDocumentHoldMs: number): Promise<Peer> {
  const scanner = new VirtualScanner({
    clock: new SimClock(0.01),
    faults: new Faults(),
    logger: createLogger({ level: 'silent' }),
    nextDocumentHoldMs,
  });
  await scanner.start();
  const app = express();
  app.use('/eSCL', createEsclRouter(scanner));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await scanner.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('simulator scanner with real SANE clients', function () {
  this.timeout(90_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfp-sane-'));
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('sane-airscan', () => {
    let config: string;
    let peer: Peer | undefined;
    const device = ['-d', 'airscan:e0:Virtual MFP'];
    before(async () => {
      // sane-airscan retries 503 on NextDocument: the scanner answers 503 while a page is scanned.
      peer = await startScanner(0);
      const url = peer.url;
      config = await mkdtemp(join(dir, 'airscan-'));
      await writeFile(join(config, 'dll.conf'), 'airscan\n');
      await writeFile(
        join(config, 'airscan.conf'),
        `[devices]\n"Virtual MFP" = ${url}/eSCL, escl\n[options]\ndiscovery = disable\nws-discovery = off\n`,
      );
    });

    after(async () => {
      await peer?.close();
    });

    it('scans one A4 platen page in colour at 150 dpi', async () => {
      const a4 = ['-x', '210', '-y', '297'];
      const args = [...device, '--source', 'Flatbed', '--mode', 'Color', '--resolution', '150', ...a4];
      const run = await scanimage(config, dir, [...args, '--format=png', '-o', 'airscan-platen.png']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await sizes(dir, 'airscan-platen'), [
        { file: 'airscan-platen.png', width: 1240, height: 1754, channels: 3 },
      ]);
    });

    it('scans the whole ADF batch in grey at 300 dpi and stops at the end of the feeder', async () => {
      const args = [
        ...device,
        '--source',
        'ADF',
        '--mode',
        'Gray',
        '--resolution',
        '300',
        '-x',
        '210',
        '-y',
        '297',
      ];
      const run = await scanimage(config, dir, [...args, '--format=png', '--batch=airscan-adf-%d.png']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /3 pages scanned/);
      const pages = await sizes(dir, 'airscan-adf-');
      assert.equal(pages.length, 3);
      for (const page of pages) assert.deepEqual([page.width, page.height, page.channels], [2480, 3508, 1]);
    });

    it('scans both sides of every sheet in ADF Duplex', async () => {
      const args = [...device, '--source', 'ADF Duplex', '--mode', 'Gray', '--resolution', '75'];
      const run = await scanimage(config, dir, [...args, '--format=png', '--batch=airscan-duplex-%d.png']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal((await sizes(dir, 'airscan-duplex-')).length, 6);
    });
  });

  describe("libsane's escl backend", () => {
    let config: string;
    let device: string[];
    let peer: Peer | undefined;
    before(async () => {
      // libsane's escl backend reads a 503 body as the image: it needs a device that holds NextDocument.
      peer = await startScanner(10_000);
      const url = peer.url;
      config = await mkdtemp(join(dir, 'escl-'));
      await writeFile(join(config, 'dll.conf'), 'escl\n');
      await writeFile(join(config, 'escl.conf'), `device ${url} VirtualMFP\n`);
      device = ['-d', `escl:${url}`];
    });

    after(async () => {
      await peer?.close();
    });

    it('scans a platen page in colour at 150 dpi (it picks application/pdf)', async () => {
      const args = [
        ...device,
        '--source',
        'Flatbed',
        '--mode',
        'Color',
        '--resolution',
        '150',
        '-x',
        '210',
        '-y',
        '297',
      ];
      const run = await scanimage(config, dir, [...args, '--format=png', '-o', 'escl-platen.png']);
      assert.equal(run.code, 0, run.stderr);
      const [page] = await sizes(dir, 'escl-platen');
      assert.deepEqual([page?.width, page?.height], [1240, 1754]);
    });

    // Grey is left out: libsane 1.2.1 asks for image/png in grey and then rejects 8-bit grey PNGs.
    it('scans the ADF batch in colour at 300 dpi', async () => {
      const args = [
        ...device,
        '--source',
        'ADF',
        '--mode',
        'Color',
        '--resolution',
        '300',
        '-x',
        '210',
        '-y',
        '297',
      ];
      const run = await scanimage(config, dir, [...args, '--format=png', '--batch=escl-adf-%d.png']);
      assert.equal(run.code, 0, run.stderr);
      const pages = await sizes(dir, 'escl-adf-');
      assert.equal(pages.length, 3);
      for (const page of pages) assert.deepEqual([page.width, page.height], [2480, 3508]);
    });
  });

  // What a tester gets from `mfp-edge simulator` with no option at all: real time, standard profile.
  // Each backend scans the platen and the whole ADF three times in a row, so a job that a client left
  // behind (or a scanner that stays busy after one) shows up as a failed next scan.
  describe('`mfp-edge simulator` as the CLI starts it, several scans in a row', () => {
    let simulator: CliProcess;
    let url: string;

    before(async () => {
      simulator = new CliProcess(['simulator', '--port', '0']);
      url = (await simulator.waitFor(/console:\s+(http:\/\/[\d.]+:\d+)\//))[1]!;
    });

    after(async () => {
      await simulator?.kill('SIGTERM');
      await CliProcess.killAll();
    });

    const backends = [
      {
        name: "libsane's escl backend",
        device: () => `escl:${url}`,
        config: async (configDir: string) => {
          await writeFile(join(configDir, 'dll.conf'), 'escl\n');
          await writeFile(join(configDir, 'escl.conf'), `device ${url} VirtualMFP\n`);
        },
        platen: 'Flatbed',
        adf: 'ADF',
      },
      {
        name: 'sane-airscan',
        device: () => 'airscan:e0:Virtual MFP',
        config: async (configDir: string) => {
          await writeFile(join(configDir, 'dll.conf'), 'airscan\n');
          await writeFile(
            join(configDir, 'airscan.conf'),
            `[devices]\n"Virtual MFP" = ${url}/eSCL, escl\n[options]\ndiscovery = disable\nws-discovery = off\n`,
          );
        },
        platen: 'Flatbed',
        adf: 'ADF',
      },
    ];

    for (const backend of backends) {
      it(`${backend.name}: platen then ADF, three times, each within its timeout`, async () => {
        const prefix = backend.name.replace(/\W+/g, '-');
        const configDir = await mkdtemp(join(dir, `${prefix}cli-`));
        await backend.config(configDir);
        const device = ['-d', backend.device(), '--mode', 'Color', '--resolution', '150'];
        for (let round = 1; round <= 3; round++) {
          const platen = await scanimage(
            configDir,
            dir,
            [...device, '--source', backend.platen, '--format=png', '-o', `${prefix}cli-platen-${round}.png`],
            20_000,
          );
          assert.equal(platen.code, 0, `platen scan ${round}: ${platen.stderr}`);
          const adf = await scanimage(
            configDir,
            dir,
            [...device, '--source', backend.adf, '--format=png', `--batch=${prefix}cli-adf-${round}-%d.png`],
            30_000,
          );
          assert.equal(adf.code, 0, `ADF scan ${round}: ${adf.stderr}`);
          assert.match(adf.stderr, /3 pages scanned/);
        }
        const platens = await sizes(dir, `${prefix}cli-platen-`);
        assert.equal(platens.length, 3);
        for (const page of platens) assert.equal(page.width, 1275, JSON.stringify(page)); // 8.5 in at 150 dpi
        assert.equal((await sizes(dir, `${prefix}cli-adf-`)).length, 9);
      });
    }
  });
});
