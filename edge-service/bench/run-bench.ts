import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { buildArchivePdf } from '../src/pipeline/archive-pdf.ts';
import { renderFaxPage } from '../src/pipeline/fax-page.ts';
import { buildFaxPdf } from '../src/pipeline/fax-pdf.ts';
import { buildFaxTiff } from '../src/pipeline/fax-tiff.ts';
import type { FaxPage } from '../src/pipeline/fax-types.ts';
import { ditherPhoto } from '../src/pipeline/halftone.ts';
import { configureImageRuntime } from '../src/pipeline/image-runtime.ts';
import { forEachInFlight } from '../src/pipeline/in-flight.ts';
import { benchPages, type BenchPage } from './bench-pages.ts';
import { formatGreyFax, runGreyFaxBench } from './grey-fax-bench.ts';
import { findTools, quote, runTool, type ToolRun, type Tools } from './external-tools.ts';

export interface BenchOptions {
  /** Only the first n pages (the smoke test uses 1). */
  pages?: number;
  /** Repetitions per page for our pipeline's timings. */
  repeat?: number;
  /** Skip the comparison tools (and the child-process memory runs). */
  noTools?: boolean;
  /** apt-get install missing tools when root (default true). */
  install?: boolean;
  /** Pages in the memory run (default 50). */
  jobPages?: number;
  log?: (line: string) => void;
}

export interface BenchRow {
  conversion: string;
  tool: string;
  msPerPage: number;
  bytesPerPage: number | undefined;
  peakRssBytes: number | undefined;
  /** CPU time per page, all threads and processes: a ratio of these holds under other load. */
  cpuMsPerPage?: number | undefined;
  /** The tool's ms/page over ours (> 1: we are faster), and our bytes over the tool's. */
  speedup?: number | undefined;
  sizeRatio?: number | undefined;
}

export interface BenchReport {
  machine: string;
  loadBefore: number[];
  loadAfter: number[];
  rows: BenchRow[];
  notes: string[];
  /** Issue 15's greyscale fax fine figures (stages, C and netpbm, OCR), already formatted. */
  greyFax?: string;
}

const CLI = resolve(import.meta.dirname, '../../bin/mfp-edge.js');

/** Our fax fine conversion of one page: the service's code path, JPEG in, TIFF-F out. */
async function oursFine(page: BenchPage): Promise<{ page: FaxPage; tiff: Buffer }> {
  const fax = await renderFaxPage(page.jpeg, { resolution: 'fine' });
  return { page: fax, tiff: buildFaxTiff([fax]) };
}

async function timeInFlight(
  count: number,
  inFlight: number,
  work: (i: number) => Promise<unknown>,
): Promise<number> {
  const started = performance.now();
  await forEachInFlight(
    Array.from({ length: count }, (_, i) => i),
    inFlight,
    work,
    (outcome) => {
      if (!outcome.ok) throw outcome.error;
    },
  );
  return (performance.now() - started) / count;
}

/**
 * glibc malloc settings for a process that runs libvips on several threads: two arenas instead of one
 * per thread, and a fixed mmap threshold so freed page buffers (MBs each) go back to the system
 * instead of fragmenting the heap (glibc otherwise raises the threshold after the first such free).
 * They only work from the environment a process starts with; the README says where to set them.
 */
export const MALLOC_TUNING = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' } as const;

/** Runs our CLI in a child process, for a peak RSS that is the conversion's own. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<ToolRun> {
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${quote(value)} `);
  return runTool(`${assignments.join('')}node ${quote(CLI)} ${args.map(quote).join(' ')}`);
}

/** The longest the event loop was blocked while `work` ran: what a panel WebSocket would wait. */
async function maxLoopDelay(work: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
  }
  return histogram.max / 1e6;
}

export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const log = options.log ?? (() => undefined);
  const repeat = options.repeat ?? 6;
  const loadBefore = loadavg();
  const machine = `${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${process.platform}`;
  const tools: Tools = findTools({ install: options.install ?? true, skip: options.noTools === true });
  const notes = [...tools.notes];
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mfp-edge-bench-'));
  let greyFax: string | undefined;
  try {
    log('generating pages…');
    const pages = await benchPages(options.pages === undefined ? {} : { only: options.pages });
    const files = pages.map((page) => {
      const path = join(dir, `${page.name}.jpg`);
      writeFileSync(path, page.jpeg);
      return path;
    });

    // Our pipeline, per page, one at a time (latency) — with libvips at 2 threads per image.
    configureImageRuntime({ concurrency: 2 });
    const ours = new Map<string, { ms: number; bytes: number; page: FaxPage }>();
    for (const page of pages) {
      const first = await oursFine(page);
      const ms = await timeInFlight(repeat, 1, () => oursFine(page));
      ours.set(page.name, { ms, bytes: first.tiff.length, page: first.page });
      writeFileSync(join(dir, `${page.name}.ours.tif`), first.tiff);
      const memory =
        options.noTools === true
          ? undefined
          : await runCli([
              'convert',
              '--to',
              'fax-fine',
              '-o',
              join(dir, `${page.name}.cli.tif`),
              files[pages.indexOf(page)] as string,
            ]);
      rows.push({
        conversion: `fax fine ${page.name}`,
        tool: 'mfp-edge (1 page alone)',
        msPerPage: ms,
        bytesPerPage: first.tiff.length,
        peakRssBytes: memory?.peakRssBytes,
      });
      log(`  ours ${page.name}: ${ms.toFixed(0)} ms`);
    }

    // Throughput with pages in flight, both libvips thread settings: what a running service sees.
    const mix = (i: number): BenchPage => pages[i % pages.length] as BenchPage;
    const oursMix = pages.reduce((sum, page) => sum + (ours.get(page.name)?.bytes ?? 0), 0) / pages.length;
    let best = Infinity;
    let oursCpu: number | undefined;
    for (const threads of [1, 2]) {
      configureImageRuntime({ concurrency: threads });
      for (const inFlight of [1, 2]) {
        let ms = 0;
        const cpuStart = process.cpuUsage();
        const delay = await maxLoopDelay(async () => {
          ms = await timeInFlight(pages.length * repeat, inFlight, (i) => oursFine(mix(i)));
        });
        const cpu = process.cpuUsage(cpuStart);
        const cpuMs = (cpu.user + cpu.system) / 1000 / (pages.length * repeat);
        if (inFlight === 2 && threads === 2) oursCpu = cpuMs;
        if (inFlight === 2 && threads === 2) {
          notes.push(`text mode, all pages, 2 in flight: event loop blocked at most ${delay.toFixed(0)} ms`);
        }
        if (inFlight === 2 && threads === 2) best = Math.min(best, ms);
        if (inFlight === 2 && threads === 1) best = Math.min(best, ms);
        rows.push({
          conversion: 'fax fine, all pages',
          tool: `mfp-edge ${inFlight} in flight, ${threads} libvips thread(s)`,
          msPerPage: ms,
          cpuMsPerPage: cpuMs,
          bytesPerPage: oursMix,
          peakRssBytes: undefined,
        });
        log(`  ours ${inFlight} in flight, ${threads} threads: ${ms.toFixed(1)} ms/page`);
      }
    }
    configureImageRuntime();

    // Photo mode: error diffusion on the dither pool's threads; the loop delay is what the service's
    // event loop (the panel's WebSocket) saw meanwhile, next to how long the dither blocks in-thread.
    const photo = pages.find((page) => page.kind === 'photo');
    if (photo !== undefined) {
      const photoFine = (): Promise<FaxPage> =>
        renderFaxPage(photo.jpeg, { resolution: 'fine', mode: 'photo' });
      await photoFine();
      let ms = 0;
      const cpuStart = process.cpuUsage();
      const delay = await maxLoopDelay(async () => {
        ms = await timeInFlight(repeat, 2, photoFine);
      });
      const cpu = process.cpuUsage(cpuStart);
      const height = ours.get(photo.name)?.page.height ?? 2291;
      const grey = await sharp(photo.jpeg)
        .extractChannel('green')
        .resize(1728, height, { fit: 'fill' })
        .raw()
        .toBuffer();
      ditherPhoto(grey, 1728, height);
      const inThreadStarted = performance.now();
      ditherPhoto(grey, 1728, height);
      const inThread = performance.now() - inThreadStarted;
      rows.push({
        conversion: `fax fine ${photo.name}, photo mode`,
        tool: 'mfp-edge 2 in flight (dither on worker threads)',
        msPerPage: ms,
        cpuMsPerPage: (cpu.user + cpu.system) / 1000 / repeat,
        bytesPerPage: (await photoFine()).g4.length,
        peakRssBytes: undefined,
      });
      notes.push(
        `photo mode: event loop blocked at most ${delay.toFixed(0)} ms while converting; the dither alone would block it ${inThread.toFixed(0)} ms a page in-thread`,
      );
      log(`  ours photo mode: ${ms.toFixed(1)} ms/page, loop blocked ≤ ${delay.toFixed(0)} ms`);
    }

    // The same conversions with the tools people use, 2 pages in flight like ours.
    const faxScripts: [string, string | undefined, (i: number, out: string) => string][] = [
      [
        'ImageMagick',
        tools.found.imagemagick,
        (i, out) =>
          `${tools.found.imagemagick} ${quote(files[i] as string)} -colorspace Gray -resize 1728x${ours.get(mix(i).name)?.page.height}! -threshold 50% -density 204x196 -units PixelsPerInch -compress Group4 ${quote(out)}`,
      ],
      [
        'netpbm',
        tools.found.netpbm !== undefined && tools.found.djpeg !== undefined ? 'netpbm' : undefined,
        (i, out) =>
          `djpeg -grayscale ${quote(files[i] as string)} | pamscale -xsize 1728 -ysize ${ours.get(mix(i).name)?.page.height} | pamthreshold | pamtotiff -g4 -xresolution 204 -yresolution 196 > ${quote(out)}`,
      ],
      [
        'Ghostscript (from a PDF of the scan)',
        tools.found.ghostscript !== undefined && tools.found.img2pdf !== undefined ? 'gs' : undefined,
        (i, out) =>
          `gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r204x196 -g1728x${ours.get(mix(i).name)?.page.height} -dPDFFitPage -o ${quote(out)} ${quote(`${files[i]}.pdf`)}`,
      ],
    ];
    if (tools.found.img2pdf !== undefined) {
      for (const file of files) await runTool(`img2pdf -o ${quote(`${file}.pdf`)} ${quote(file)}`);
    }
    for (const [name, found, script] of faxScripts) {
      if (found === undefined) continue;
      const perPage = pages.map((page, i) => ({ page, i, runs: [] as ToolRun[], bytes: 0 }));
      const reps = name === 'ImageMagick' ? 1 : 2;
      const started = performance.now();
      await forEachInFlight(
        Array.from({ length: pages.length * reps }, (_, k) => k % pages.length),
        2,
        async (i, k) => {
          const out = join(dir, `${(pages[i] as BenchPage).name}.${name.split(' ')[0]}.${k}.tif`);
          const run = await runTool(script(i, out));
          const entry = perPage[i] as (typeof perPage)[number];
          entry.runs.push(run);
          entry.bytes = statSync(out).size;
        },
        (outcome) => {
          if (!outcome.ok) throw outcome.error;
        },
      );
      const inFlightMs = (performance.now() - started) / (pages.length * reps);
      for (const { page, runs, bytes } of perPage) {
        const ms = runs.reduce((sum, run) => sum + run.ms, 0) / runs.length;
        const mine = ours.get(page.name);
        rows.push({
          conversion: `fax fine ${page.name}`,
          tool: `${name} (1 page alone)`,
          msPerPage: ms,
          bytesPerPage: bytes,
          peakRssBytes: Math.max(...runs.map((run) => run.peakRssBytes ?? 0)) || undefined,
          speedup: mine ? ms / mine.ms : undefined,
          sizeRatio: mine ? mine.bytes / bytes : undefined,
        });
      }
      const toolBytes = perPage.reduce((sum, entry) => sum + entry.bytes, 0) / pages.length;
      const allRuns = perPage.flatMap((entry) => entry.runs);
      const toolCpu = allRuns.every((run) => run.cpuMs !== undefined)
        ? allRuns.reduce((sum, run) => sum + (run.cpuMs ?? 0), 0) / allRuns.length
        : undefined;
      if (toolCpu !== undefined && oursCpu !== undefined) {
        notes.push(
          `CPU per page, all pages: ${name} ${toolCpu.toFixed(0)} ms, ours ${oursCpu.toFixed(0)} ms (${(toolCpu / oursCpu).toFixed(1)}×)`,
        );
      }
      rows.push({
        conversion: 'fax fine, all pages',
        tool: `${name} 2 in flight`,
        msPerPage: inFlightMs,
        cpuMsPerPage: toolCpu,
        bytesPerPage: toolBytes,
        peakRssBytes: undefined,
        speedup: inFlightMs / best,
        sizeRatio: oursMix / toolBytes,
      });
      log(`  ${name}: ${inFlightMs.toFixed(0)} ms/page with 2 in flight`);
    }

    // Bilevel PDF: our G4 pass-through vs libtiff's tiff2pdf of the same TIFF.
    // The first document in a process also pays for loading pdfkit's code and standard font (~40 ms):
    // a note, not the rate, since a running service pays it once.
    const faxPages = pages.map((page) => ours.get(page.name)?.page as FaxPage);
    const coldStarted = performance.now();
    const faxPdf = await buildFaxPdf(faxPages);
    notes.push(
      `bilevel PDF: the process's first document took ${(performance.now() - coldStarted).toFixed(0)} ms`,
    );
    const pdfMs = (await timeInFlight(repeat * 4, 1, () => buildFaxPdf(faxPages))) / pages.length;
    rows.push({
      conversion: 'bilevel PDF (G4 pages)',
      tool: 'mfp-edge buildFaxPdf',
      msPerPage: pdfMs,
      bytesPerPage: faxPdf.length / pages.length,
      peakRssBytes: undefined,
    });
    if (tools.found.tiff2pdf !== undefined) {
      const tiffPath = join(dir, 'all.tif');
      writeFileSync(tiffPath, buildFaxTiff(faxPages));
      const run = await runTool(`tiff2pdf -o ${quote(join(dir, 'all.pdf'))} ${quote(tiffPath)}`);
      const bytes = statSync(join(dir, 'all.pdf')).size / pages.length;
      rows.push({
        conversion: 'bilevel PDF (G4 pages)',
        tool: 'tiff2pdf',
        msPerPage: run.ms / pages.length,
        bytesPerPage: bytes,
        peakRssBytes: run.peakRssBytes,
        speedup: run.ms / pages.length / pdfMs,
        sizeRatio: faxPdf.length / pages.length / bytes,
      });
    }

    // Colour pass-through PDF: the scanner's JPEGs as they are.
    await buildArchivePdf(pages.map((page) => page.jpeg));
    const archiveMs = await timeInFlight(repeat, 1, () => buildArchivePdf(pages.map((page) => page.jpeg)));
    const archive = await buildArchivePdf(pages.map((page) => page.jpeg));
    rows.push({
      conversion: 'colour pass-through PDF',
      tool: 'mfp-edge buildArchivePdf',
      msPerPage: archiveMs / pages.length,
      bytesPerPage: archive.length / pages.length,
      peakRssBytes: undefined,
    });
    if (tools.found.img2pdf !== undefined) {
      const runs: ToolRun[] = [];
      for (let r = 0; r < 3; r++)
        runs.push(
          await runTool(`img2pdf -o ${quote(join(dir, 'img2pdf.pdf'))} ${files.map(quote).join(' ')}`),
        );
      const ms = runs.reduce((sum, run) => sum + run.ms, 0) / runs.length / pages.length;
      const bytes = statSync(join(dir, 'img2pdf.pdf')).size / pages.length;
      rows.push({
        conversion: 'colour pass-through PDF',
        tool: 'img2pdf',
        msPerPage: ms,
        bytesPerPage: bytes,
        peakRssBytes: runs[0]?.peakRssBytes,
        speedup: ms / (archiveMs / pages.length),
        sizeRatio: archive.length / pages.length / bytes,
      });
    }

    log('greyscale fax fine: stages, C baseline, netpbm, OCR…');
    greyFax = formatGreyFax(
      await runGreyFaxBench({
        pages,
        dir,
        tools,
        repeat,
        log,
        ...(options.noTools === true ? { convertPages: 0 } : {}),
      }),
    );
    configureImageRuntime();

    // A 50-page job through the CLI (the service's code, pages in flight): peak memory of the process.
    if (options.noTools !== true) {
      const jobPages = options.jobPages ?? 50;
      const inputs = Array.from({ length: jobPages }, (_, i) => files[i % files.length] as string);
      for (const [label, env] of [
        ['default malloc', {}],
        ['MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072', MALLOC_TUNING],
      ] as const) {
        const out = join(dir, 'job.tif');
        const run = await runCli(['convert', '--to', 'fax-fine', '-o', out, ...inputs], env);
        const bytes = readFileSync(out).length;
        rows.push({
          conversion: `${jobPages}-page job, fax fine (CLI process)`,
          tool: `mfp-edge convert, ${label}`,
          msPerPage: run.ms / jobPages,
          bytesPerPage: bytes / jobPages,
          peakRssBytes: run.peakRssBytes,
        });
        log(`  ${jobPages}-page job, ${label}: ${((run.peakRssBytes ?? 0) / 2 ** 20).toFixed(0)} MB peak`);
      }
      // What the CLI process holds before any page: node, tsx and the pipeline's modules.
      const idle = await runTool(`node ${quote(CLI)} convert 2>/dev/null || true`);
      if (idle.peakRssBytes !== undefined) {
        notes.push(
          `the CLI process before any page (usage error exit): ${(idle.peakRssBytes / 2 ** 20).toFixed(0)} MB`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    machine,
    loadBefore,
    loadAfter: loadavg(),
    rows,
    notes,
    ...(greyFax === undefined ? {} : { greyFax }),
  };
}

const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export function formatReport(report: BenchReport): string {
  const header = [
    'conversion',
    'tool',
    'ms/page',
    'CPU ms/page',
    'pages/s',
    'KB/page',
    'peak RSS MB',
    'speed ×',
    'size ×',
  ];
  const lines = report.rows.map((row) => [
    row.conversion,
    row.tool,
    fmt(row.msPerPage, 1),
    fmt(row.cpuMsPerPage, 0),
    fmt(1000 / row.msPerPage, 1),
    fmt(row.bytesPerPage === undefined ? undefined : row.bytesPerPage / 1024, 1),
    fmt(row.peakRssBytes === undefined ? undefined : row.peakRssBytes / 2 ** 20),
    fmt(row.speedup, 2),
    fmt(row.sizeRatio, 2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? '').length)));
  const format = (cells: string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    `machine: ${report.machine}; load average ${report.loadBefore.map((v) => v.toFixed(2)).join(' ')} before, ${report.loadAfter.map((v) => v.toFixed(2)).join(' ')} after`,
    "speed ×: the tool's ms/page over ours (above 1: we are faster); size ×: our bytes over the tool's (below 1: ours are smaller)",
    format(header),
    format(widths.map((w) => '-'.repeat(w))),
    ...lines.map(format),
    ...report.notes.map((note) => `note: ${note}`),
    ...(report.greyFax === undefined ? [] : ['', report.greyFax]),
  ].join('\n');
}
