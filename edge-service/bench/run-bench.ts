import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildArchivePdf } from '../src/pipeline/archive-pdf.ts';
import { renderFaxPage } from '../src/pipeline/fax-page.ts';
import { buildFaxPdf } from '../src/pipeline/fax-pdf.ts';
import { buildFaxTiff } from '../src/pipeline/fax-tiff.ts';
import type { FaxPage } from '../src/pipeline/fax-types.ts';
import { configureImageRuntime } from '../src/pipeline/image-runtime.ts';
import { forEachInFlight } from '../src/pipeline/in-flight.ts';
import { benchPages, type BenchPage } from './bench-pages.ts';
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

/** Runs our CLI in a child process, for a peak RSS that is the conversion's own. */
function runCli(args: string[]): Promise<ToolRun> {
  return runTool(`node ${quote(CLI)} ${args.map(quote).join(' ')}`);
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
    for (const threads of [1, 2]) {
      configureImageRuntime({ concurrency: threads });
      for (const inFlight of [1, 2]) {
        const ms = await timeInFlight(pages.length * repeat, inFlight, (i) => oursFine(mix(i)));
        if (inFlight === 2 && threads === 2) best = Math.min(best, ms);
        if (inFlight === 2 && threads === 1) best = Math.min(best, ms);
        rows.push({
          conversion: 'fax fine, all pages',
          tool: `mfp-edge ${inFlight} in flight, ${threads} libvips thread(s)`,
          msPerPage: ms,
          bytesPerPage: oursMix,
          peakRssBytes: undefined,
        });
        log(`  ours ${inFlight} in flight, ${threads} threads: ${ms.toFixed(1)} ms/page`);
      }
    }
    configureImageRuntime();

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
      rows.push({
        conversion: 'fax fine, all pages',
        tool: `${name} 2 in flight`,
        msPerPage: inFlightMs,
        bytesPerPage: toolBytes,
        peakRssBytes: undefined,
        speedup: inFlightMs / best,
        sizeRatio: oursMix / toolBytes,
      });
      log(`  ${name}: ${inFlightMs.toFixed(0)} ms/page with 2 in flight`);
    }

    // Bilevel PDF: our G4 pass-through vs libtiff's tiff2pdf of the same TIFF.
    const faxPages = pages.map((page) => ours.get(page.name)?.page as FaxPage);
    const pdfStarted = performance.now();
    const faxPdf = await buildFaxPdf(faxPages);
    const pdfMs = (performance.now() - pdfStarted) / pages.length;
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

    // A 50-page job through the CLI (the service's code, pages in flight): peak memory of the process.
    if (options.noTools !== true) {
      const jobPages = options.jobPages ?? 50;
      const inputs = Array.from({ length: jobPages }, (_, i) => files[i % files.length] as string);
      const run = await runCli(['convert', '--to', 'fax-fine', '-o', join(dir, 'job.tif'), ...inputs]);
      const bytes = readFileSync(join(dir, 'job.tif')).length;
      rows.push({
        conversion: `${jobPages}-page job, fax fine (CLI process)`,
        tool: 'mfp-edge convert',
        msPerPage: run.ms / jobPages,
        bytesPerPage: bytes / jobPages,
        peakRssBytes: run.peakRssBytes,
      });
      log(`  ${jobPages}-page job: ${((run.peakRssBytes ?? 0) / 2 ** 20).toFixed(0)} MB peak`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { machine, loadBefore, loadAfter: loadavg(), rows, notes };
}

const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export function formatReport(report: BenchReport): string {
  const header = ['conversion', 'tool', 'ms/page', 'pages/s', 'KB/page', 'peak RSS MB', 'speed ×', 'size ×'];
  const lines = report.rows.map((row) => [
    row.conversion,
    row.tool,
    fmt(row.msPerPage, 1),
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
  ].join('\n');
}
