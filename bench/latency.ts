/**
 * Hook latency: time to emit one phase to N no-op async hooks, for every case of `cases.ts`,
 * measured with mitata, each case in a fresh process. Cases are interleaved round by round (every
 * case once, then the next round), so a burst of load on a shared machine hits all cases alike, and each headline figure is
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

/** mitata's figures for one case at one N, ns per emit. */
export interface Sample {
  readonly p50: number;
  readonly avg: number;
  readonly p99: number;
}

/**
 * Measures one case at every N in this process: checks that it calls all its hooks, then runs
 * mitata on a fresh emitter per N. The bench calls it in a fresh child process per case and
 * round, because cases share code the JIT specialises: in one process, the clock-read floor case
 * alone made the bus's own `performance.now()` calls about 1.7× slower for the rest of the run.
 */
export async function measureCase(
  testCase: LatencyCase,
  sizes: readonly number[],
  minCpuTimeMs: number,
): Promise<Record<number, Sample>> {
  await checkCallsEveryHook(testCase);
  const byN: Record<number, Sample> = {};
  for (const n of sizes) {
    const stats = await measure(testCase.setup(n) as () => unknown, { min_cpu_time: minCpuTimeMs * 1e6 });
    byN[n] = { p50: stats.p50, avg: stats.avg, p99: stats.p99 };
  }
  return byN;
}

/**
 * Runs the latency bench: `rounds` rounds, each measuring every case once (alternating the order
 * between rounds) through `measureIsolated`, which runs {@link measureCase} in a fresh process.
 */
export async function runLatency(
  cases: LatencyCase[],
  options: LatencyOptions,
  measureIsolated: (testCase: LatencyCase) => Promise<Record<number, Sample>>,
): Promise<LatencyResult> {
  const { sizes, rounds, minCpuTimeMs, log } = options;
  const samples: Record<string, Record<number, Sample[]>> = {};
  for (const testCase of cases) samples[testCase.id] = Object.fromEntries(sizes.map((n) => [n, []]));
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? cases : [...cases].reverse();
    for (const testCase of order) {
      const byN = await measureIsolated(testCase);
      for (const n of sizes) {
        const sample = byN[n];
        if (sample === undefined) throw new Error(`case ${testCase.id} returned no figure for N=${n}`);
        samples[testCase.id]?.[n]?.push(sample);
      }
    }
    log(`  round ${round}/${rounds}: done`);
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
