import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { convertCommand } from '../../bin/cli/convert-command.ts';
import { tool, tiffinfoDirectories } from '../edge-service/pipeline/pipeline-helpers.ts';
import { nearlyBlankPage, photoPage, scannedPage } from '../edge-service/pipeline/scanned-page.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const execFileAsync = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../../bin/mfp-edge.js');

/** Runs the real CLI; resolves with its exit code and output instead of throwing on failure. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('node', [CLI, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function imagesIn(pdf: string): Promise<string[][]> {
  return (await tool('pdfimages', ['-list', pdf]))
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/));
}

describe('cli/convert', function () {
  this.timeout(120_000);
  const dir = tempDir('convert-test-');
  const file = (name: string): string => join(dir.path, name);
  after(() => dir.remove());

  before(async () => {
    writeFileSync(file('text.jpg'), await scannedPage({ dpi: 300 }));
    writeFileSync(
      file('letter.png'),
      await scannedPage({ dpi: 200, widthInches: 8.5, heightInches: 11, format: 'png' }),
    );
    writeFileSync(file('blank.jpg'), await nearlyBlankPage());
    writeFileSync(file('photo.jpg'), await photoPage(200));
    writeFileSync(
      file('corrupt.jpg'),
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(500, 7)]),
    );
  });

  it('fax-fine: a TIFF that tiffinfo reads as N pages of 1728-wide G4, 204×196 dpi, min-is-white, one strip', async () => {
    const { code, stderr } = await cli([
      'convert',
      '--to',
      'fax-fine',
      '-o',
      file('fax.tif'),
      file('text.jpg'),
      file('letter.png'),
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '', 'no progress lines when stderr is not a terminal');
    const sections = tiffinfoDirectories(await tool('tiffinfo', [file('fax.tif')]));
    assert.equal(sections.length, 2);
    for (const section of sections) {
      assert.match(section, /Image Width: 1728 /);
      assert.match(section, /Compression Scheme: CCITT Group 4/);
      assert.match(section, /Photometric Interpretation: min-is-white/);
      assert.match(section, /Resolution: 204, 196 pixels\/inch/);
      assert.match(section, /Rows\/Strip: (\d+)/);
      const [, length] = /Image Length: (\d+)/.exec(section) ?? [];
      assert.equal(/Rows\/Strip: (\d+)/.exec(section)?.[1], length, 'one strip');
    }
  });

  it('--drop-blank leaves out the blank page; fax targets write a CCITT PDF when OUT ends with .pdf', async () => {
    const { code, stderr } = await cli([
      'convert',
      '--to',
      'fax-standard',
      '--drop-blank',
      '-o',
      file('fax.pdf'),
      file('text.jpg'),
      file('blank.jpg'),
      file('letter.png'),
    ]);
    assert.equal(code, 0, stderr);
    const images = await imagesIn(file('fax.pdf'));
    assert.deepEqual(
      images.map((row) => [row[0], row[3], row[8]]),
      [
        ['1', '1728', 'ccitt'],
        ['2', '1728', 'ccitt'],
      ],
    );
    const kept = await cli([
      'convert',
      '--to',
      'fax-standard',
      '-o',
      file('kept.tif'),
      file('text.jpg'),
      file('blank.jpg'),
    ]);
    assert.equal(kept.code, 0);
    assert.equal(
      tiffinfoDirectories(await tool('tiffinfo', [file('kept.tif')])).length,
      2,
      'kept without --drop-blank',
    );
  });

  it('pdf: text mode gives G4 pages, photo mode passes the scans through as JPEG', async () => {
    assert.equal((await cli(['convert', '--to', 'pdf', '-o', file('text.pdf'), file('text.jpg')])).code, 0);
    assert.equal((await imagesIn(file('text.pdf')))[0]?.[8], 'ccitt');
    const photo = await cli([
      'convert',
      '--to',
      'pdf',
      '--mode',
      'photo',
      '-o',
      file('photo.pdf'),
      file('photo.jpg'),
      file('text.jpg'),
    ]);
    assert.equal(photo.code, 0, photo.stderr);
    assert.deepEqual(
      (await imagesIn(file('photo.pdf'))).map((row) => row[8]),
      ['jpeg', 'jpeg'],
    );
  });

  it('bad input: exit 1 and a message naming the page and file; the good pages are still written', async () => {
    const { code, stderr } = await cli([
      'convert',
      '--to',
      'fax-fine',
      '-o',
      file('partial.tif'),
      file('text.jpg'),
      file('corrupt.jpg'),
      file('letter.png'),
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /Page 2 could not be read.*corrupt\.jpg/);
    assert.equal(tiffinfoDirectories(await tool('tiffinfo', [file('partial.tif')])).length, 2);
    const missing = await cli(['convert', '--to', 'fax-fine', '-o', file('none.tif'), file('no-such.jpg')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Page 1\b.*no-such\.jpg/);
  });

  it('usage errors exit 2 and print the usage', async () => {
    for (const args of [
      ['--to', 'fax-ultra', '-o', file('x.tif'), file('text.jpg')],
      ['--to', 'fax-fine', file('text.jpg')],
      ['--to', 'pdf', '-o', file('x.pdf')],
    ]) {
      const { code, stderr } = await cli(['convert', ...args]);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /Usage: mfp-edge convert/);
    }
  });

  it('prints a progress line per page on a terminal', async () => {
    const lines: string[] = [];
    const code = await convertCommand(
      ['--to', 'fax-fine', '--drop-blank', '-o', file('tty.tif'), file('text.jpg'), file('blank.jpg')],
      {
        isTTY: true,
        write: (text: string) => lines.push(text),
      },
    );
    assert.equal(code, 0);
    const output = lines.join('');
    assert.match(output, /^page 1\/2 text\.jpg: \d+ KB G4, \d+ ms$/m);
    assert.match(output, /^page 2\/2 blank\.jpg: blank, dropped/m);
    assert.match(output, /^wrote .*tty\.tif: 1 page\(s\)/m);
    assert.ok(readFileSync(file('tty.tif')).length > 0);
  });
});
