import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { renderFaxPage } from '../src/pipeline/fax-page.ts';
import { buildFaxTiff } from '../src/pipeline/fax-tiff.ts';
import { greyJpegDecoder } from '../src/pipeline/grey-jpeg-decoder.ts';
import { INPUT_OPTIONS } from '../src/pipeline/image-input.ts';
import { configureImageRuntime } from '../src/pipeline/image-runtime.ts';
import { forEachInFlight } from '../src/pipeline/in-flight.ts';
import type { StageTimes } from '../src/pipeline/stage-clock.ts';
import { greyScanVariants, words, type BenchPage } from './bench-pages.ts';
import { quote, runTool, type Tools } from './external-tools.ts';

/**
 * Issue 15's figures: A4 300 dpi greyscale scans (what the fax engine asks the scanner for) to fax
 * fine (1728 × 2292, G4) — ours stage by stage, against a plain C pipeline and netpbm in the same
 * run, as CPU ratios (CPU time barely moves with other load; wall time does), with bytes per page
 * and a legibility figure: the share of the page's printed words tesseract reads back.
 */

const execFileAsync = promisify(execFile);
const C_SOURCE = resolve(import.meta.dirname, 'c-baseline.c');
const CLI = resolve(import.meta.dirname, '../../bin/mfp-edge.js');
/** The C pipeline's fixed threshold: the middle of the grey range, as a plain pipeline would pick. */
const C_THRESHOLD = 128;

export interface GreyFaxRow {
  pipeline: string;
  cpuMsPerPage: number | undefined;
  wallMsPerPage: number | undefined;
  bytesPerPage: number | undefined;
  /** Share of the printed words OCR recovers, 0–1. */
  ocr: number | undefined;
}

export interface GreyFaxFigures {
  stages: { stage: string; cpuMs: number }[];
  /** OCR word recovery and bytes per resampling kernel (resize-kernel.ts is chosen from these). */
  kernels: { kernel: string; ocr: number | undefined; bytesPerPage: number }[];
  rows: GreyFaxRow[];
  notes: string[];
}

export interface GreyFaxOptions {
  pages: BenchPage[];
  dir: string;
  tools: Tools;
  repeat: number;
  /** Seeds of the extra scans the legibility figure averages over (bench-pages.ts greyScanVariants). */
  variantSeeds?: number[];
  /** Pages in the `mfp-edge convert` whole-process run (default 40). */
  convertPages?: number;
  log: (line: string) => void;
}

/** Word recovery: each printed word counts once per occurrence, matched against tesseract's words. */
export function wordRecovery(printed: string[], read: string[]): number {
  if (printed.length === 0) return 1;
  const pool = new Map<string, number>();
  for (const word of read) pool.set(word, (pool.get(word) ?? 0) + 1);
  let found = 0;
  for (const word of printed) {
    const left = pool.get(word) ?? 0;
    if (left > 0) {
      found++;
      pool.set(word, left - 1);
    }
  }
  return found / printed.length;
}

function hasTesseract(): boolean {
  return spawnSync('tesseract', ['--version'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
}

async function ocr(tiff: string, printed: string[]): Promise<number> {
  const { stdout } = await execFileAsync('tesseract', [tiff, 'stdout'], {
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
    // One thread: OpenMP's spinning threads would only add noise to the other figures.
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
  });
  return wordRecovery(printed, words(stdout));
}

/** Compiles the C baseline with Debian's libjpeg-turbo and libtiff, or says why not. */
function buildCBaseline(dir: string): { binary?: string; note?: string } {
  const binary = join(dir, 'c-baseline');
  const run = spawnSync('cc', ['-O2', '-o', binary, C_SOURCE, '-ljpeg', '-ltiff'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status === 0 && existsSync(binary)) return { binary };
  return {
    note: `C baseline not built (needs cc with Debian's libjpeg-turbo and libtiff dev packages: libjpeg62-turbo-dev libtiff-dev): ${(run.stderr ?? run.error?.message ?? '').split('\n')[0]}`,
  };
}

/** CPU and wall ms per page of a shell command run `times` per page, in one process tree per page. */
async function toolPerPage(
  files: string[],
  times: number,
  command: (input: string, out: string) => string,
  outFor: (i: number) => string,
): Promise<{ cpuMs: number | undefined; wallMs: number; bytes: number }> {
  let cpu = 0;
  let cpuKnown = true;
  let wall = 0;
  let bytes = 0;
  for (const [i, file] of files.entries()) {
    const out = outFor(i);
    const once = command(file, out);
    const run = await runTool(Array.from({ length: times }, () => once).join(' && '));
    if (run.cpuMs === undefined) cpuKnown = false;
    cpu += run.cpuMs ?? 0;
    wall += run.ms;
    bytes += statSync(out).size;
  }
  const count = files.length * times;
  return { cpuMs: cpuKnown ? cpu / count : undefined, wallMs: wall / count, bytes: bytes / files.length };
}

export async function runGreyFaxBench(options: GreyFaxOptions): Promise<GreyFaxFigures> {
  const { dir, tools, repeat, log } = options;
  const notes: string[] = [];
  const rows: GreyFaxRow[] = [];
  const given = options.pages.filter((page) => !page.colour && page.dpi === 300);
  if (given.length === 0)
    return { stages: [], kernels: [], rows, notes: ['no greyscale 300 dpi page in this run'] };
  const pages = [...given, ...(await greyScanVariants(options.variantSeeds ?? [11, 22]))];
  notes.push(
    `${pages.length} pages: the letter and the table, each with ${pages.length / 2} seeds of noise and dust`,
  );
  const files = pages.map((page) => {
    const path = join(dir, `${page.name}.grey-bench.jpg`);
    writeFileSync(path, page.jpeg);
    return path;
  });
  const ocrOn = hasTesseract();
  if (!ocrOn) notes.push('tesseract not found (Debian package tesseract-ocr): no OCR figures');
  const ocrOf = async (tiffs: string[]): Promise<number | undefined> => {
    if (!ocrOn) return undefined;
    let sum = 0;
    for (const [i, tiff] of tiffs.entries()) sum += await ocr(tiff, (pages[i] as BenchPage).words);
    return sum / tiffs.length;
  };

  // Ours, one page in flight: CPU per stage (process-wide, so libvips' threads count).
  configureImageRuntime();
  const stageTimes: StageTimes = {};
  const oursTiffs: string[] = [];
  let oursBytes = 0;
  for (const [i, page] of pages.entries()) {
    const fax = await renderFaxPage(page.jpeg, { resolution: 'fine' });
    const tiff = buildFaxTiff([fax]);
    oursBytes += tiff.length;
    const path = join(dir, `${page.name}.grey-ours.tif`);
    writeFileSync(path, tiff);
    oursTiffs[i] = path;
  }
  let containerCpu = 0;
  for (let r = 0; r < repeat; r++) {
    for (const page of pages) {
      const fax = await renderFaxPage(page.jpeg, { resolution: 'fine', stageTimes });
      const started = process.cpuUsage();
      buildFaxTiff([fax]);
      const cpu = process.cpuUsage(started);
      containerCpu += (cpu.user + cpu.system) / 1000;
    }
  }
  const count = repeat * pages.length;
  const stages = Object.entries(stageTimes).map(([stage, ms]) => ({ stage, cpuMs: ms / count }));
  stages.push({ stage: 'TIFF-F container', cpuMs: containerCpu / count });
  // The decoders alone, to a raw grey buffer: the measured reason the service decodes grey JPEGs with
  // TurboJPEG (grey-jpeg-decoder.ts) rather than libvips.
  const decoderCpu = async (decode: (page: BenchPage) => Promise<unknown>): Promise<number> => {
    const started = process.cpuUsage();
    for (let r = 0; r < repeat; r++) for (const page of pages) await decode(page);
    const cpu = process.cpuUsage(started);
    return (cpu.user + cpu.system) / 1000 / count;
  };
  const libvipsDecode = await decoderCpu((page) =>
    sharp(page.jpeg, INPUT_OPTIONS).greyscale().raw().toBuffer(),
  );
  const turbo = greyJpegDecoder();
  const sizes = new Map<BenchPage, { width: number; height: number }>();
  for (const page of pages) {
    const { width = 0, height = 0 } = await sharp(page.jpeg).metadata();
    sizes.set(page, { width, height });
  }
  const turboDecode =
    turbo === undefined
      ? undefined
      : await decoderCpu((page) => {
          const { width, height } = sizes.get(page) as { width: number; height: number };
          return turbo.decode(page.jpeg, width, height);
        });
  notes.push(
    `the decode alone, to raw grey: libvips ${libvipsDecode.toFixed(1)} ms CPU, TurboJPEG ${turboDecode === undefined ? 'not available (prebuilt addon did not load)' : `${turboDecode.toFixed(1)} ms CPU`}`,
  );
  const oneTotal = stages.reduce((sum, stage) => sum + stage.cpuMs, 0);
  stages.push({ stage: 'total, 1 page in flight', cpuMs: oneTotal });

  // Ours, 2 pages in flight: what a running service spends per page. Its pool threads are warm (they
  // stay between jobs), so a first round warms both before the measured one.
  const inFlightCount = Math.max(repeat * pages.length, 8);
  const twoInFlight = (count: number) =>
    forEachInFlight(
      Array.from({ length: count }, (_, i) => pages[i % pages.length] as BenchPage),
      2,
      async (page) => buildFaxTiff([await renderFaxPage(page.jpeg, { resolution: 'fine' })]),
      (outcome) => {
        if (!outcome.ok) throw outcome.error;
      },
    );
  await twoInFlight(8);
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await twoInFlight(inFlightCount);
  const cpu = process.cpuUsage(cpuStart);
  rows.push({
    pipeline: "mfp-edge, the service's code path, 2 pages in flight",
    cpuMsPerPage: (cpu.user + cpu.system) / 1000 / inFlightCount,
    wallMsPerPage: (performance.now() - wallStart) / inFlightCount,
    bytesPerPage: oursBytes / pages.length,
    ocr: await ocrOf(oursTiffs),
  });
  log(`  grey fax fine, ours: ${rows[0]?.cpuMsPerPage?.toFixed(1)} ms CPU/page`);

  // The same, with libvips decoding and resizing as before TurboJPEG: what the decoder buys.
  const libvipsTiffs: string[] = [];
  let libvipsBytes = 0;
  const libvipsStart = process.cpuUsage();
  await forEachInFlight(
    Array.from({ length: inFlightCount }, (_, i) => pages[i % pages.length] as BenchPage),
    2,
    async (page) =>
      buildFaxTiff([await renderFaxPage(page.jpeg, { resolution: 'fine', decoder: 'libvips' })]),
    (outcome, i) => {
      if (!outcome.ok) throw outcome.error;
      if (i < pages.length) {
        const path = join(dir, `${(pages[i] as BenchPage).name}.grey-libvips.tif`);
        writeFileSync(path, outcome.value);
        libvipsTiffs[i] = path;
        libvipsBytes += outcome.value.length;
      }
    },
  );
  const libvipsCpu = process.cpuUsage(libvipsStart);
  rows.push({
    pipeline: 'mfp-edge decoding and resizing with libvips (decoder: libvips), 2 pages in flight',
    cpuMsPerPage: (libvipsCpu.user + libvipsCpu.system) / 1000 / inFlightCount,
    wallMsPerPage: undefined,
    bytesPerPage: libvipsBytes / pages.length,
    ocr: await ocrOf(libvipsTiffs),
  });

  const times = Math.max(2, Math.ceil(repeat / 2));
  if (options.tools.notes.some((note) => /skipped \(--no-tools\)/.test(note))) {
    notes.push('C baseline and netpbm skipped (--no-tools)');
    return { stages, kernels: [], rows, notes };
  }
  const c = buildCBaseline(dir);
  if (c.note !== undefined) notes.push(c.note);
  if (c.binary !== undefined) {
    const binary = c.binary;
    const outFor = (i: number): string => join(dir, `${(pages[i] as BenchPage).name}.grey-c.tif`);
    const heights = await Promise.all(
      pages.map(async (page) => (await renderFaxPage(page.jpeg, { resolution: 'fine' })).height),
    );
    const run = await toolPerPage(
      files,
      times,
      (input, out) => {
        const i = files.indexOf(input);
        return `${quote(binary)} ${quote(input)} ${quote(out)} 1728 ${heights[i]} ${C_THRESHOLD} 196`;
      },
      outFor,
    );
    rows.push({
      pipeline: `plain C (libjpeg-turbo grey decode, bilinear, threshold ${C_THRESHOLD}, libtiff G4), 1 process a page`,
      cpuMsPerPage: run.cpuMs,
      wallMsPerPage: run.wallMs,
      bytesPerPage: run.bytes,
      ocr: await ocrOf(pages.map((_, i) => outFor(i))),
    });
  }
  if (tools.found.netpbm !== undefined && tools.found.djpeg !== undefined) {
    const outFor = (i: number): string => join(dir, `${(pages[i] as BenchPage).name}.grey-netpbm.tif`);
    const heights = await Promise.all(
      pages.map(async (page) => (await renderFaxPage(page.jpeg, { resolution: 'fine' })).height),
    );
    const run = await toolPerPage(
      files,
      times,
      (input, out) =>
        `djpeg -grayscale ${quote(input)} | pamscale -xsize 1728 -ysize ${heights[files.indexOf(input)]} | pamthreshold 2>/dev/null | pamtotiff -g4 -xresolution 204 -yresolution 196 > ${quote(out)}`,
      outFor,
    );
    rows.push({
      pipeline: 'netpbm (djpeg -grayscale | pamscale | pamthreshold | pamtotiff -g4)',
      cpuMsPerPage: run.cpuMs,
      wallMsPerPage: run.wallMs,
      bytesPerPage: run.bytes,
      ocr: await ocrOf(pages.map((_, i) => outFor(i))),
    });
  } else notes.push('netpbm or djpeg not found: no netpbm row');

  const kernels: GreyFaxFigures['kernels'] = [];
  if (ocrOn) {
    for (const kernel of ['nearest', 'linear', 'mitchell', 'lanczos3'] as const) {
      let bytes = 0;
      const tiffs = [];
      for (const page of pages) {
        const tiff = buildFaxTiff([
          await renderFaxPage(page.jpeg, { resolution: 'fine', resizeKernel: kernel }),
        ]);
        bytes += tiff.length;
        const path = join(dir, `${page.name}.kernel-${kernel}.tif`);
        writeFileSync(path, tiff);
        tiffs.push(path);
      }
      kernels.push({ kernel, ocr: await ocrOf(tiffs), bytesPerPage: bytes / pages.length });
    }
  }

  await convertThroughput(options, files, notes, rows);
  return { stages, kernels, rows, notes };
}

/**
 * `mfp-edge convert` over N pages against netpbm over the same N pages (2 at a time, as a user's
 * `xargs -P2` would), whole process against whole process, and the CLI's time to its first page.
 */
async function convertThroughput(
  options: GreyFaxOptions,
  files: string[],
  notes: string[],
  rows: GreyFaxRow[],
): Promise<void> {
  const { dir } = options;
  const n = options.convertPages ?? 40;
  const inputs = Array.from({ length: n }, (_, i) => files[i % files.length] as string);
  const out = join(dir, 'convert-40.tif');
  const started = performance.now();
  const { stderr } = await execFileAsync(
    'node',
    [CLI, 'convert', '--to', 'fax-fine', '--timings', '-o', out, ...inputs],
    {
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const wall = performance.now() - started;
  const firstPage = /first page done at (\d+) ms/.exec(stderr)?.[1];
  const ready = /pipeline ready at (\d+) ms/.exec(stderr)?.[1];
  rows.push({
    pipeline: `mfp-edge convert over ${n} pages, whole process`,
    cpuMsPerPage: undefined,
    wallMsPerPage: wall / n,
    bytesPerPage: readFileSync(out).length / n,
    ocr: undefined,
  });
  if (firstPage !== undefined) {
    notes.push(
      `mfp-edge convert: command to pipeline ready ${ready ?? '?'} ms, to the first page converted ${firstPage} ms (process start, i.e. node + tsx + modules, included)`,
    );
  }
  if (options.tools.found.netpbm !== undefined && options.tools.found.djpeg !== undefined) {
    const scripts = inputs.map((input, i) => {
      const script = join(dir, `np-${i}.sh`);
      writeFileSync(
        script,
        `djpeg -grayscale ${quote(input)} | pamscale -xsize 1728 -ysize 2292 | pamthreshold 2>/dev/null | pamtotiff -g4 -xresolution 204 -yresolution 196 > ${quote(join(dir, `np-${i}.tif`))}\n`,
      );
      return script;
    });
    const list = join(dir, 'np-scripts.txt');
    writeFileSync(list, `${scripts.join('\n')}\n`);
    const run = await runTool(`xargs -P2 -n1 sh < ${quote(list)}`);
    rows.push({
      pipeline: `netpbm over ${n} pages, 2 at a time (xargs -P2), whole processes`,
      cpuMsPerPage: run.cpuMs === undefined ? undefined : run.cpuMs / n,
      wallMsPerPage: run.ms / n,
      bytesPerPage: undefined,
      ocr: undefined,
    });
    notes.push(
      `mfp-edge convert throughput over netpbm's (${n} pages, wall): ${(run.ms / wall).toFixed(2)}×`,
    );
  }
}

const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export function formatGreyFax(figures: GreyFaxFigures): string {
  const table = (header: string[], lines: string[][]): string[] => {
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? '').length)));
    const format = (cells: string[]): string =>
      `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
    return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)];
  };
  const total = figures.stages.find((stage) => stage.stage.startsWith('total'))?.cpuMs ?? 0;
  const c = figures.rows.find((row) => row.pipeline.startsWith('plain C'));
  const netpbm = figures.rows.find((row) => row.pipeline.startsWith('netpbm ('));
  return [
    'A4 300 dpi greyscale scans to fax fine (1728 × 2292 G4): our stages, CPU per page, 1 page in flight',
    ...table(
      ['stage', 'CPU ms/page', 'share'],
      figures.stages.map((stage) => [
        stage.stage,
        fmt(stage.cpuMs, 1),
        stage.stage.startsWith('total') ? '' : `${fmt((stage.cpuMs / total) * 100)}%`,
      ]),
    ),
    '',
    'resampling kernels on the same pages (ours otherwise): legibility decides (resize-kernel.ts)',
    ...table(
      ['kernel', 'OCR words', 'bytes/page'],
      figures.kernels.map((k) => [k.kernel, fmt(k.ocr, 3), fmt(k.bytesPerPage)]),
    ),
    '',
    'the same pages, ours against a plain C pipeline and netpbm in this run (CPU: all threads and processes)',
    ...table(
      ['pipeline', 'CPU ms/page', 'wall ms/page', 'bytes/page', 'OCR words', 'CPU × C', 'bytes × netpbm'],
      figures.rows.map((row) => [
        row.pipeline,
        fmt(row.cpuMsPerPage, 1),
        fmt(row.wallMsPerPage, 1),
        fmt(row.bytesPerPage),
        fmt(row.ocr, 3),
        c?.cpuMsPerPage !== undefined && row.cpuMsPerPage !== undefined
          ? fmt(row.cpuMsPerPage / c.cpuMsPerPage, 2)
          : '–',
        netpbm?.bytesPerPage !== undefined && row.bytesPerPage !== undefined
          ? fmt(row.bytesPerPage / netpbm.bytesPerPage, 3)
          : '–',
      ]),
    ),
    ...figures.notes.map((note) => `note: ${note}`),
  ].join('\n');
}
