/**
 * Hook latency: time to emit one phase to N no-op async hooks, for every case of `cases.ts`,
 * measured with mitata. Cases are interleaved round by round (every case at one N, then the next
 * round), so a burst of load on a shared machine hits all cases alike, and each headline figure is
 * the best round's p50: load only ever adds time, so the fastest round is the closest to the
 * cost of the code itself. The median over rounds is kept as well.
 *
 * @module
 */
import { measure } from 'mitata';
import { type CaseKind, hookCalls, type LatencyCase } from './cases.js';
import { median } from './stats.js';

/** The timing of one case at one N. All times are nanoseconds per emit. */
export interface LatencyCell {
  /** Lowest per-round p50: the headline figure. */
  readonly p50: number;
  /** Median over rounds of the per-round p50. */
  readonly medianP50: number;
  /** Median over rounds of the per-round mean. */
  readonly avg: number;
  /** Median over rounds of the per-round p99. */
  readonly p99: number;
  /** p50 of each round, to show the spread. */
  readonly rounds: number[];
}

/** The result of the latency bench. */
export interface LatencyResult {
  readonly sizes: number[];
  readonly rounds: number;
  readonly minCpuTimeMs: number;
  readonly cases: Array<{ id: string; label: string; kind: CaseKind; concurrent: boolean }>;
  /** `cells[caseId][n]`. */
  readonly cells: Record<string, Record<number, LatencyCell>>;
}

/** How long and how often to measure. */
export interface LatencyOptions {
  readonly sizes: number[];
  readonly rounds: number;
  /** Minimum CPU time mitata spends on one case in one round, in ms. */
  readonly minCpuTimeMs: number;
  readonly log: (line: string) => void;
}

/** Checks that a case's emit calls each of its hooks once, so no case is measured doing less work. */
async function checkCallsEveryHook(testCase: LatencyCase): Promise<void> {
  const n = 7;
  const emit = testCase.setup(n);
  const before = hookCalls();
  await emit();
  const called = hookCalls() - before;
  if (called !== n) throw new Error(`case ${testCase.id} called ${called} of ${n} hooks in one emit`);
}

/** Runs the latency bench. */
export async function runLatency(cases: LatencyCase[], options: LatencyOptions): Promise<LatencyResult> {
  const { sizes, rounds, minCpuTimeMs, log } = options;
  const samples: Record<string, Record<number, Array<{ p50: number; avg: number; p99: number }>>> = {};
  for (const testCase of cases) {
    await checkCallsEveryHook(testCase);
    samples[testCase.id] = Object.fromEntries(sizes.map((n) => [n, []]));
  }
  for (let round = 1; round <= rounds; round++) {
    for (const n of sizes) {
      const emits = cases.map((testCase) => testCase.setup(n));
      // Alternate the order between rounds so no case always runs right after the same neighbour.
      const order = cases.map((_, index) => index);
      if (round % 2 === 0) order.reverse();
      for (const index of order) {
        const testCase = cases[index] as LatencyCase;
        const stats = await measure(emits[index] as () => unknown, { min_cpu_time: minCpuTimeMs * 1e6 });
        samples[testCase.id]?.[n]?.push({ p50: stats.p50, avg: stats.avg, p99: stats.p99 });
      }
      log(`  round ${round}/${rounds}, N=${n}: done`);
    }
  }
  const cells: Record<string, Record<number, LatencyCell>> = {};
  for (const testCase of cases) {
    const byN: Record<number, LatencyCell> = {};
    for (const n of sizes) {
      const perRound = samples[testCase.id]?.[n] ?? [];
      byN[n] = {
        p50: Math.min(...perRound.map((s) => s.p50)),
        medianP50: median(perRound.map((s) => s.p50)),
        avg: median(perRound.map((s) => s.avg)),
        p99: median(perRound.map((s) => s.p99)),
        rounds: perRound.map((s) => s.p50),
      };
    }
    cells[testCase.id] = byN;
  }
  return {
    sizes,
    rounds,
    minCpuTimeMs,
    cases: cases.map(({ id, label, kind, concurrent }) => ({ id, label, kind, concurrent })),
    cells,
  };
}
