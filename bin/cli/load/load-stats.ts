/** Reply latencies by request type, ms, kept whole (a run has at most a few hundred thousand). */
export class Latencies {
  readonly #byType = new Map<string, number[]>();

  add(type: string, ms: number): void {
    let list = this.#byType.get(type);
    if (!list) this.#byType.set(type, (list = []));
    list.push(ms);
  }

  summary(): Record<string, LatencySummary> {
    const out: Record<string, LatencySummary> = {};
    for (const [type, list] of [...this.#byType].sort(([a], [b]) => a.localeCompare(b)))
      out[type] = summarize(list);
    return out;
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles, rounded to 0.1 ms. */
export function summarize(values: number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const round = (v: number) => Math.round(v * 10) / 10;
  return { count: sorted.length, p50: round(rank(50)), p99: round(rank(99)), max: round(sorted.at(-1) ?? 0) };
}

/** Small seeded PRNG (mulberry32): a soak's restart times (--seed) and the crash matrix's delays (CRASH_SEED) replay. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The few samples of the edge's /metrics (text format 0.0.4) the report needs, by full series name. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value)) out.set(line.slice(0, space), value);
  }
  return out;
}
