import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { EdgeError } from '../../edge-service/src/edge-error.ts';
import { isBlankPage, renderFaxPage } from '../../edge-service/src/pipeline/fax-page.ts';
import { buildFaxTiff } from '../../edge-service/src/pipeline/fax-tiff.ts';
import type { FaxPage, FaxResolution } from '../../edge-service/src/pipeline/fax-types.ts';
import { startDitherPool } from '../../edge-service/src/pipeline/dither-pool.ts';
import { forEachInFlight } from '../../edge-service/src/pipeline/in-flight.ts';
import { PAGES_IN_FLIGHT } from '../../edge-service/src/pipeline/image-runtime.ts';

/** pdfkit and its fonts cost ~25 MB of memory: a TIFF job never loads them. */
const archivePdf = async () =>
  (await import('../../edge-service/src/pipeline/archive-pdf.ts')).buildArchivePdf;
const faxPdf = async () => (await import('../../edge-service/src/pipeline/fax-pdf.ts')).buildFaxPdf;

export const CONVERT_USAGE = `Usage: mfp-edge convert --to fax-fine|fax-standard|fax-superfine|pdf [--mode text|photo]
                        [--drop-blank] [--quality N] [--timings] -o OUT IN...
  --timings: print when the pipeline is ready, the first page done and the file written
  fax-*: a TIFF-F G4 fax document (a PDF with the same G4 data if OUT ends with .pdf)
  pdf:   an archive PDF; text mode: bilevel G4 pages, photo mode: the scans as they are
         (--quality N re-encodes them as JPEG of quality N, smaller)
`;

const TARGETS: Record<string, FaxResolution | 'pdf'> = {
  'fax-standard': 'standard',
  'fax-fine': 'fine',
  'fax-superfine': 'superfine',
  pdf: 'pdf',
};

interface Output {
  write: (text: string) => unknown;
  isTTY?: boolean;
}

/**
 * Converts scanned pages with the service's own pipeline. A page that cannot be read is reported by
 * number and file; the other pages are still written, and the exit status is 1.
 */
export async function convertCommand(argv: string[], stderr: Output = process.stderr): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        to: { type: 'string' },
        mode: { type: 'string', default: 'text' },
        'drop-blank': { type: 'boolean', default: false },
        quality: { type: 'string' },
        output: { type: 'string', short: 'o' },
        timings: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    stderr.write(`mfp-edge convert: ${(error as Error).message}\n\n${CONVERT_USAGE}`);
    return 2;
  }
  const { values, positionals: inputs } = parsed;
  const target = TARGETS[values.to ?? ''];
  const mode = values.mode;
  const quality = values.quality === undefined ? undefined : Number(values.quality);
  const problem =
    target === undefined
      ? `--to must be one of ${Object.keys(TARGETS).join(', ')}`
      : mode !== 'text' && mode !== 'photo'
        ? '--mode must be text or photo'
        : values.output === undefined
          ? '-o OUT is required'
          : inputs.length === 0
            ? 'no input pages'
            : quality !== undefined && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)
              ? '--quality must be 1–100'
              : undefined;
  if (problem !== undefined || target === undefined || values.output === undefined) {
    stderr.write(`mfp-edge convert: ${problem}\n\n${CONVERT_USAGE}`);
    return 2;
  }
  const output = values.output;
  const pageMode = mode as 'text' | 'photo';
  const dropBlank = values['drop-blank'] === true;
  // --timings: since the process started (performance.now()'s origin), what `npm run bench` reads.
  const timings = values.timings === true;
  if (timings) stderr.write(`pipeline ready at ${performance.now().toFixed(0)} ms\n`);
  let firstDone = false;
  const started = performance.now();
  const failures: string[] = [];
  const progress = (index: number, text: string): void => {
    if (stderr.isTTY === true)
      stderr.write(`page ${index + 1}/${inputs.length} ${basename(inputs[index] ?? '')}: ${text}\n`);
  };
  const fail = (index: number, error: unknown): void => {
    const message =
      error instanceof EdgeError
        ? error.message
        : `Page ${index + 1} could not be read: ${(error as Error).message ?? String(error)}`;
    failures.push(`${message} (${inputs[index]})`);
    stderr.write(`mfp-edge convert: ${message} (${inputs[index]})\n`);
  };

  let document: Buffer | undefined;
  let kept = 0;
  if (target === 'pdf' && pageMode === 'photo') {
    const scans: Buffer[] = [];
    // Scans pass through as they are, so they are only read (and checked for blankness if asked).
    await forEachInFlight(
      inputs,
      PAGES_IN_FLIGHT,
      async (path, index) => {
        const scan = await readFile(path);
        const blank = dropBlank && (await isBlankPage(scan, { pageNumber: index + 1 }));
        return { scan, blank };
      },
      (outcome, index) => {
        if (!outcome.ok) return fail(index, outcome.error);
        const { scan, blank } = outcome.value;
        progress(index, blank ? 'blank, dropped' : `${Math.round(scan.length / 1024)} KB`);
        if (!blank) scans.push(scan);
      },
    );
    kept = scans.length;
    if (kept > 0) {
      try {
        const buildArchivePdf = await archivePdf();
        document = await buildArchivePdf(scans, quality === undefined ? {} : { jpegQuality: quality });
      } catch (error) {
        const page = error instanceof EdgeError ? error.page : undefined;
        fail(page === undefined ? 0 : page - 1, error);
      }
    }
  } else {
    const resolution = target === 'pdf' ? 'fine' : target;
    const pages: FaxPage[] = [];
    startDitherPool();
    await forEachInFlight(
      inputs,
      PAGES_IN_FLIGHT,
      async (path, index) => {
        const pageStarted = performance.now();
        const page = await renderFaxPage(await readFile(path), {
          resolution,
          mode: pageMode,
          pageNumber: index + 1,
        });
        return { page, ms: performance.now() - pageStarted };
      },
      (outcome, index) => {
        if (!outcome.ok) return fail(index, outcome.error);
        if (timings && !firstDone) stderr.write(`first page done at ${performance.now().toFixed(0)} ms\n`);
        firstDone = true;
        const { page, ms } = outcome.value;
        const dropped = dropBlank && page.blank === true;
        progress(
          index,
          `${dropped ? 'blank, dropped' : `${Math.round(page.g4.length / 1024)} KB G4`}, ${ms.toFixed(0)} ms`,
        );
        if (!dropped) pages.push(page);
      },
    );
    kept = pages.length;
    if (kept > 0) {
      document =
        target === 'pdf'
          ? await (
              await archivePdf()
            )(pages)
          : output.toLowerCase().endsWith('.pdf')
            ? await (
                await faxPdf()
              )(pages)
            : buildFaxTiff(pages);
    }
  }

  if (document === undefined) {
    stderr.write(
      `mfp-edge convert: no pages to write${failures.length > 0 ? '' : ' (all blank)'}; ${output} not written\n`,
    );
    return 1;
  }
  await writeFile(output, document);
  if (timings) stderr.write(`written at ${performance.now().toFixed(0)} ms\n`);
  if (stderr.isTTY === true) {
    const seconds = (performance.now() - started) / 1000;
    stderr.write(
      `wrote ${output}: ${kept} page(s), ${Math.round(document.length / 1024)} KB in ${seconds.toFixed(2)} s\n`,
    );
  }
  return failures.length > 0 ? 1 : 0;
}
