/**
 * What every fuzz test shares: how many cases to run (small inside `npm test`, MFP_EDGE_FUZZ_RUNS in
 * `npm run fuzz`), the seed to run them with (printed, so a failure can be replayed with
 * MFP_EDGE_FUZZ_SEED and MFP_EDGE_FUZZ_PATH), the real-device corpus, byte mutations of it, and the
 * contract check: a parser returns, or throws one of its documented errors, in bounded time.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';

/** The real-device captures (QUIRKS.md, PROVENANCE.md), as the driver tests read them. */
export const REAL_DEVICES = join(import.meta.dirname, '../../../shared/fixtures/real-devices');

const envRuns = Number.parseInt(process.env.MFP_EDGE_FUZZ_RUNS ?? '', 10);
/** True in `npm run fuzz`: more cases, seeds and tallies printed. */
export const LONG_RUN = Number.isInteger(envRuns) && envRuns > 0;

/** Cases per property: the bounded default inside `npm test`, or MFP_EDGE_FUZZ_RUNS scaled by weight. */
export function runs(defaultRuns: number, weight = 1): number {
  return LONG_RUN ? Math.max(1, Math.round(envRuns * weight)) : defaultRuns;
}

const tally = new Map<string, number>();

/**
 * fast-check parameters for one property: the seed (MFP_EDGE_FUZZ_SEED or a fresh one, printed in
 * the long run; fast-check prints seed and path in every failure), and the cases it counts.
 */
export function fuzzParameters<T>(
  target: string,
  defaultRuns: number,
  options: { weight?: number; timeoutMs?: number } = {},
): fc.Parameters<T> {
  const numRuns = runs(defaultRuns, options.weight);
  const seedText = process.env.MFP_EDGE_FUZZ_SEED;
  const seed = seedText ? Number.parseInt(seedText, 10) : (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const path = process.env.MFP_EDGE_FUZZ_PATH;
  if (LONG_RUN) console.log(`      fuzz ${target}: ${numRuns} cases, MFP_EDGE_FUZZ_SEED=${seed}`);
  tally.set(target, (tally.get(target) ?? 0) + numRuns);
  return {
    numRuns,
    seed,
    ...(path ? { path } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    endOnFailure: true,
    reporter: (details) => reportFailure(target, details),
  };
}

/**
 * A failure, short: the seed and path to replay it, the error, and the counterexample written to the
^ * system temp folder, mfp-edge-fuzz-failures/ (a mutated page is hundreds of KB; printed, it would bury the error).
 */
function reportFailure<T>(target: string, details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const slug = target.replace(/[^\w-]+/g, '-');
  const dir = join(tmpdir(), 'mfp-edge-fuzz-failures');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${slug}-${details.seed}.json`);
  const example = details.counterexample;
  writeFileSync(
    file,
    JSON.stringify(example, (_key, value: unknown) =>
      value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer'
        ? { base64: Buffer.from((value as { data: number[] }).data).toString('base64') }
        : value,
    ),
  );
  const error = details.errorInstance;
  const reason = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  throw new Error(
    `fuzz ${target} failed after ${details.numRuns} cases; replay with MFP_EDGE_FUZZ_SEED=${details.seed}` +
      ` MFP_EDGE_FUZZ_PATH=${details.counterexamplePath ?? ''}; counterexample in ${file}\n${reason.slice(0, 4000)}`,
  );
}

/** Cases run per target so far (printed after each fuzz file in the long run). */
export function printTally(): void {
  if (!LONG_RUN) return;
  for (const [target, count] of tally) console.log(`      fuzz tally ${target}: ${count} cases`);
}

// ---------------------------------------------------------------------------------------------
// Corpus and mutations

/** Every file under a real-device folder whose name ends with one of the extensions, as bytes. */
export function corpus(...extensions: string[]): { name: string; bytes: Buffer }[] {
  const found: { name: string; bytes: Buffer }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (extensions.some((ext) => entry.endsWith(ext)))
        found.push({ name: path.slice(REAL_DEVICES.length + 1), bytes: readFileSync(path) });
    }
  };
  walk(REAL_DEVICES);
  assert.ok(found.length > 0, `no ${extensions.join('/')} files in ${REAL_DEVICES}`);
  return found;
}

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'set16'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'repeat'; at: number; length: number; times: number };

const at = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    op: fc.constant('set' as const),
    at,
    value: fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x3c, 0x26),
  }),
  fc.record({
    op: fc.constant('set16' as const),
    at,
    value: fc.constantFrom(0x0000, 0x7fff, 0x8000, 0xffff, 0x0001),
  }),
  fc.record({ op: fc.constant('truncate' as const), at }),
  fc.record({
    op: fc.constant('insert' as const),
    at,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    op: fc.constant('repeat' as const),
    at,
    length: fc.integer({ min: 1, max: 64 }),
    times: fc.integer({ min: 2, max: 50 }),
  }),
);

function apply(input: Buffer, m: Mutation): Buffer {
  if (input.length === 0) return m.op === 'insert' ? Buffer.from(m.bytes) : input;
  const i = m.at % input.length;
  switch (m.op) {
    case 'flip': {
      const out = Buffer.from(input);
      out[i] = out[i]! ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      const out = Buffer.from(input);
      out[i] = m.value;
      return out;
    }
    case 'set16': {
      const out = Buffer.from(input);
      if (i + 2 <= out.length) out.writeUInt16BE(m.value, i);
      return out;
    }
    case 'truncate':
      return input.subarray(0, i);
    case 'insert':
      return Buffer.concat([input.subarray(0, i), m.bytes, input.subarray(i)]);
    case 'delete':
      return Buffer.concat([input.subarray(0, i), input.subarray(i + m.length)]);
    case 'repeat': {
      const slice = input.subarray(i, i + m.length);
      return Buffer.concat([input.subarray(0, i), ...Array<Buffer>(m.times).fill(slice), input.subarray(i)]);
    }
  }
}

/** A corpus file with up to `maxMutations` byte-level mutations (flips, truncation, inserts, repeats). */
export function mutated(
  seeds: readonly { name: string; bytes: Buffer }[],
  maxMutations = 6,
): fc.Arbitrary<{ name: string; bytes: Buffer }> {
  return fc
    .record({
      index: fc.nat({ max: seeds.length - 1 }),
      mutations: fc.array(mutation, { minLength: 1, maxLength: maxMutations }),
    })
    .map(({ index, mutations }) => {
      const seed = seeds[index]!;
      return { name: seed.name, bytes: mutations.reduce(apply, seed.bytes) };
    });
}

// ---------------------------------------------------------------------------------------------
// The contract

export type ErrorCheck = (error: unknown) => boolean;

/** An error of one class (and, when given, with one of the codes). */
export function isError(type: new (...args: never[]) => Error, codes?: readonly string[]): ErrorCheck {
  return (error) =>
    error instanceof type &&
    (codes === undefined || codes.includes((error as unknown as { code: string }).code));
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ''}`;
  return String(error);
}

/** Runs a synchronous parser: it returns or throws a documented error, within `limitMs`. */
export function withinContract<T>(parse: () => T, documented: ErrorCheck, limitMs = 2000): T | undefined {
  const started = performance.now();
  let result: T | undefined;
  try {
    result = parse();
  } catch (error) {
    if (!documented(error)) assert.fail(`undocumented exception: ${describeFailure(error)}`);
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < limitMs, `took ${Math.round(elapsed)} ms (limit ${limitMs} ms)`);
  return result;
}

/** The same for an async parser, with a timer so a hang fails the case instead of the suite. */
export async function withinContractAsync<T>(
  parse: () => Promise<T>,
  documented: ErrorCheck,
  limitMs = 5000,
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: no answer within ${limitMs} ms`)), limitMs);
  });
  const started = performance.now();
  let result: T | undefined;
  try {
    result = await Promise.race([parse(), hang]);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('HANG:')) assert.fail(error.message);
    if (!documented(error)) assert.fail(`undocumented exception: ${describeFailure(error)}`);
  } finally {
    clearTimeout(timer);
  }
  // A parser that blocks the event loop finishes "before" the timer can fire: measure it too.
  const elapsed = performance.now() - started;
  assert.ok(
    elapsed < limitMs,
    `took ${Math.round(elapsed)} ms (limit ${limitMs} ms), blocking the event loop`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Memory

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** Heap in use after a full collection, in bytes. */
export function heapAfterGc(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** Fails when the heap grew by more than `maxBytes` since `before` (unbounded growth, leaks). */
export function assertHeapBounded(before: number, maxBytes: number, what: string): void {
  const grown = heapAfterGc() - before;
  assert.ok(
    grown < maxBytes,
    `${what}: heap grew by ${Math.round(grown / 1e6)} MB (limit ${maxBytes / 1e6} MB)`,
  );
}
