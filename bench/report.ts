/**
 * Turns the bench results into the Markdown tables of `results.md` (also used by the README section)
 * and checks the targets of the latency bench.
 *
 * @module
 */
import type { ImportCostResult } from './import-cost.js';
import type { LambdaRestoreResult } from './lambda-restore.js';
import type { LatencyResult } from './latency.js';
import type { MemoryResult } from './memory.js';
import { isSkipped, type Skipped } from './stats.js';
import type { TimeoutPrecisionResult } from './timeout-precision.js';

/** Where and how the bench ran. */
export interface Machine {
  readonly date: string;
  readonly mode: 'full' | 'quick';
  readonly node: string;
  readonly v8: string;
  readonly os: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly loadAverage: number[];
  readonly commit: string;
  /** What was measured: the built `dist/`. */
  readonly measured: string;
  readonly command: string;
}

/** Everything one run of the bench produced. */
export interface BenchResults {
  readonly machine: Machine;
  readonly latency: LatencyResult | Skipped;
  readonly targets: Target[];
  readonly timeoutPrecision: TimeoutPrecisionResult | Skipped;
  readonly importCost: ImportCostResult | Skipped;
  readonly memory: MemoryResult | Skipped;
  readonly lambdaRestore: LambdaRestoreResult | Skipped;
}

/** One target of the issue, checked on the measured ratio. */
export interface Target {
  readonly description: string;
  /** The measured ratio. */
  readonly ratio: number;
  /** `ratio <= limit` or `ratio >= limit`, as `comparison` says. */
  readonly comparison: '<=' | '<' | '>=';
  readonly limit: number;
  readonly met: boolean;
  /** What `ratio` and `limit` are: a ratio (`×`, the default) or milliseconds. */
  readonly unit?: '×' | ' ms';
}

/** The N at which the targets are checked. */
export const TARGET_N = 100;

/** p50 ns per emit of `id` at `n`, or NaN if not measured. */
function p50(latency: LatencyResult, id: string, n: number): number {
  return latency.cells[id]?.[n]?.p50 ?? Number.NaN;
}

/** Checks the issue's targets at {@link TARGET_N} (ratios of p50 emit times from the same run). */
export function checkTargets(latency: LatencyResult): Target[] {
  if (!latency.sizes.includes(TARGET_N)) return [];
  const at = (id: string): number => p50(latency, id, TARGET_N);
  const target = (description: string, ratio: number, comparison: Target['comparison'], limit: number): Target => ({
    description,
    ratio,
    comparison,
    limit,
    met: comparison === '<=' ? ratio <= limit : comparison === '<' ? ratio < limit : ratio >= limit,
  });
  const clockFloor = at('floor-serial-clock');
  const untimed = at('bus-untimed');
  return [
    target('bus default ÷ (loop + one clock read)', at('bus-default') / clockFloor, '<=', 1.1),
    target('bus with per-hook timeouts ÷ (loop + one clock read)', at('bus-timeout') / clockFloor, '<=', 1.25),
    target('bus timing: false ÷ plain serial await loop', untimed / at('floor-serial'), '<=', 1.4),
    target('bus timing: false ÷ emittery emitSerial', untimed / at('emittery-serial'), '<', 1),
    target('bus timing: false ÷ hookable callHook', untimed / at('hookable'), '<', 1),
    target('bus timing: false ÷ tapable AsyncSeriesHook (fresh processes)', untimed / at('tapable-series'), '<', 1),
    target(
      'bus timing: false ÷ tapable AsyncSeriesHook (warm processes)',
      at('bus-untimed-warm') / at('tapable-series-warm'),
      '<',
      1,
    ),
    target('bus default ÷ hookable callHook', at('bus-default') / at('hookable'), '<', 1),
    target('bus default ÷ tapable AsyncSeriesHook', at('bus-default') / at('tapable-series'), '<', 1),
    target('p-queue priority+timeout ÷ bus with per-hook timeouts', at('p-queue') / at('bus-timeout'), '>=', 20),
  ];
}

/** Formats nanoseconds with a unit that keeps 3 significant digits. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toPrecision(3)} µs`;
  return `${ns.toPrecision(3)} ns`;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function skippedLine(title: string, result: Skipped): string[] {
  return [`### ${title}`, '', `Skipped: ${result.skipped}.`, ''];
}

function latencyTables(latency: LatencyResult, targets: Target[]): string[] {
  const lines = ['### Hook latency', ''];
  lines.push(
    'Time per hook (p50 time of one `emit` ÷ N) to emit one phase to N no-op async hooks. Lower is better.',
    `Each case is measured with mitata in a fresh \`node\` process (so no case inherits another's JIT state), every case once per round, ${latency.rounds} round(s) interleaved; each figure is the best round's p50, the one least disturbed by other load on the machine (per-round medians are in latest.json).`,
    '',
  );
  const hasFloor = latency.sizes.includes(TARGET_N);
  lines.push(
    `| implementation | ${latency.sizes.map((n) => `N=${n}`).join(' | ')} |${hasFloor ? ` × serial loop (N=${TARGET_N}) |` : ''}`,
    `|---|${latency.sizes.map(() => '---:').join('|')}|${hasFloor ? '---:|' : ''}`,
  );
  const floor = p50(latency, 'floor-serial', TARGET_N);
  for (const testCase of latency.cases) {
    const cells = latency.sizes.map((n) => formatNs(p50(latency, testCase.id, n) / n));
    const label = testCase.kind === 'ours' ? `**${testCase.label}**` : testCase.label;
    const ratio = hasFloor ? ` ${(p50(latency, testCase.id, TARGET_N) / floor).toFixed(2)}× |` : '';
    lines.push(`| ${label} | ${cells.join(' | ')} |${ratio}`);
  }
  lines.push('');
  if (targets.length > 0) {
    lines.push(`### Targets (N = ${TARGET_N}, ratios of p50 from the same run)`, '');
    lines.push('| target | measured | goal | met |', '|---|---:|---:|:---:|');
    for (const target of targets) {
      lines.push(
        `| ${target.description} | ${target.ratio.toFixed(2)}${target.unit ?? '×'} | ${target.comparison} ${target.limit}${target.unit ?? '×'} | ${target.met ? 'yes' : '**no**'} |`,
      );
    }
    const clockFloor = p50(latency, 'floor-serial-clock', TARGET_N);
    if (Number.isFinite(clockFloor)) {
      lines.push(
        '',
        `For context: the loop plus one clock read per hook (what a bus that reports each hook's start and duration cannot go below) is ${(clockFloor / floor).toFixed(2)}× the plain loop; the bus default is ${(p50(latency, 'bus-default', TARGET_N) / clockFloor).toFixed(2)}× that, with per-hook timeouts ${(p50(latency, 'bus-timeout', TARGET_N) / clockFloor).toFixed(2)}×; the bus with \`timing: false\` is ${(p50(latency, 'bus-untimed', TARGET_N) / floor).toFixed(2)}× the plain loop.`,
        ...designReferences(latency),
      );
    }
    lines.push('');
  }
  return lines;
}

/**
 * The targets of issue 12 outside the hook loop: restore → first \`invocation/next\` (p50, with the
 * runtime's warm-up) and the import cost of the main entry over an empty module's.
 */
export function startupTargets(results: Pick<BenchResults, 'lambdaRestore' | 'importCost'>): Target[] {
  const targets: Target[] = [];
  const restore = results.lambdaRestore;
  if (!isSkipped(restore)) {
    for (const [hooks, limit] of [
      [0, 0.6],
      [10, 0.9],
    ] as const) {
      const row = restore.byHooks.find((entry) => entry.hooks === hooks && entry.warmUp === true);
      if (row === undefined) continue;
      const p50ms = row.restoreToNextMs.p50;
      targets.push({
        description: `restore → first invocation/next, ${hooks} no-op hooks (p50, warm-up on)`,
        ratio: p50ms,
        unit: ' ms',
        comparison: '<=',
        limit,
        met: p50ms <= limit,
      });
    }
  }
  const imports = results.importCost;
  if (!isSkipped(imports)) {
    const extra = (id: string): number => imports.variants.find((variant) => variant.id === id)?.extraMs ?? Number.NaN;
    const ratio = extra('main') / extra('empty-module');
    if (Number.isFinite(ratio)) {
      targets.push({
        description: "import 'snapstart-hooks' ÷ an empty module, cost over bare node",
        ratio,
        comparison: '<=',
        limit: 1.5,
        met: ratio <= 1.5,
      });
    }
  }
  return targets;
}

/** Why the design's emitter and limiter are not the phase loop, with this run's figures (N = 100). */
function designReferences(latency: LatencyResult): string[] {
  const perHook = (id: string): string => formatNs(p50(latency, id, TARGET_N) / TARGET_N);
  const observed = (p50(latency, 'bus-observed', TARGET_N) - p50(latency, 'bus-default', TARGET_N)) / TARGET_N;
  if (![observed, p50(latency, 'eventemitter3', TARGET_N), p50(latency, 'p-limit', TARGET_N)].every(Number.isFinite))
    return [];
  return [
    '',
    `Why neither of the design's own dependencies runs the hooks: eventemitter3 (behind \`observe()\`) calls listeners synchronously and awaits nothing (${perHook('eventemitter3')} per hook); a phase must await each hook and read the clock, which is where the bus's ${perHook('bus-default')} per hook go, so eventemitter3 only carries observer events (an observer with \`hookStart\` and \`hookEnd\` adds ${formatNs(observed)} per hook). p-limit (the Lambda runtime's invocation slots) allocates a promise and a queue entry per task: ${perHook('p-limit')} per hook at concurrency 8, against ${perHook('bus-concurrency8')} for the bus's own lanes.`,
  ];
}

/** Renders every result as Markdown (no top-level heading, so it can be embedded). */
export function renderMarkdown(results: BenchResults): string {
  const { machine } = results;
  const lines: string[] = [];
  lines.push(
    `Measured on ${machine.date} (${machine.mode} run): ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node} (V8 ${machine.v8}); load average at start ${machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}; commit ${machine.commit}; measuring ${machine.measured}.${(machine.loadAverage[0] ?? 0) > machine.cores ? ` **The machine was busy (load above its ${machine.cores} cores): these figures are noisy, rerun \`npm run bench\` on a quiet machine before relying on them.**` : ''}`,
    '',
    `Reproduce with \`${machine.command}\`.`,
    '',
  );
  if (isSkipped(results.latency)) lines.push(...skippedLine('Hook latency', results.latency));
  else lines.push(...latencyTables(results.latency, [...results.targets, ...startupTargets(results)]));

  const precision = results.timeoutPrecision;
  if (isSkipped(precision)) lines.push(...skippedLine('Timeout precision', precision));
  else {
    lines.push(
      '### Timeout precision',
      '',
      `A hook that never settles, with \`timeout: ${precision.timeoutMs}\`: how long after ${precision.timeoutMs} ms \`emit\` rejects, over ${precision.bus.runs} runs, next to a bare \`setTimeout(${precision.timeoutMs})\`.`,
      '',
      '| | p50 late | p99 late | min | max |',
      '|---|---:|---:|---:|---:|',
      `| bus: hung hook timed out | ${ms(precision.bus.p50)} | ${ms(precision.bus.p99)} | ${ms(precision.bus.min)} | ${ms(precision.bus.max)} |`,
      `| bare setTimeout | ${ms(precision.bareTimer.p50)} | ${ms(precision.bareTimer.p99)} | ${ms(precision.bareTimer.min)} | ${ms(precision.bareTimer.max)} |`,
      '',
    );
  }

  const imports = results.importCost;
  if (isSkipped(imports)) lines.push(...skippedLine('Import cost', imports));
  else {
    lines.push(
      '### Import cost',
      '',
      `Wall time of a whole \`node\` process that imports the entry and exits, ${imports.runs} interleaved runs each.`,
      '',
      "| process | p50 | p99 | × `node -e ''` | extra |",
      '|---|---:|---:|---:|---:|',
    );
    for (const variant of imports.variants) {
      lines.push(
        `| \`${variant.label}\` | ${ms(variant.wallMs.p50)} | ${ms(variant.wallMs.p99)} | ${variant.ratio.toFixed(3)}× | ${variant.extraMs >= 0 ? '+' : ''}${ms(variant.extraMs)} |`,
      );
    }
    lines.push('');
    for (const skip of imports.missing) lines.push(`Not measured: \`${skip.id}\`, ${skip.reason}.`, '');
  }

  const memory = results.memory;
  if (isSkipped(memory)) lines.push(...skippedLine('Memory per registered hook', memory));
  else {
    lines.push(
      '### Memory per registered hook',
      '',
      `Heap retained by registering ${memory.count} hooks (functions created beforehand), ÷ ${memory.count}; median of ${memory.repeats} fresh processes.`,
      '',
      '| registration | bytes per hook |',
      '|---|---:|',
    );
    for (const variant of memory.variants) lines.push(`| ${variant.label} | ${Math.round(variant.bytesPerHook)} |`);
    lines.push('');
  }

  const lambda = results.lambdaRestore;
  if (isSkipped(lambda)) lines.push(...skippedLine('Lambda bridge: restore-phase overhead', lambda));
  else {
    lines.push(
      '### Lambda bridge: restore-phase overhead',
      '',
      `From the moment the Runtime API's answer to \`restore/next\` is handed to the kernel to the first byte of the runtime's \`invocation/next\` read off the socket (both taken by a plain-TCP stand-in, so no HTTP parsing is counted), ${lambda.runs} runs, with the runtime's restore warm-up (the default) and without it (\`SNAPSTART_RESTORE_WARM_UP=off\`).`,
      '',
      '| after-restore hooks | warm-up | p50 | p99 | min | max |',
      '|---:|:---:|---:|---:|---:|---:|',
    );
    for (const row of lambda.byHooks) {
      const s = row.restoreToNextMs;
      // Results saved before the warm-up existed have no `warmUp`: they were measured without it.
      const warm = row.warmUp === true ? 'on' : 'off';
      lines.push(`| ${row.hooks} | ${warm} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.min)} | ${ms(s.max)} |`);
    }
    const floor = lambda.floorMs;
    if (floor !== undefined) {
      lines.push(
        `| floor: a warmed plain client, no runtime | – | ${ms(floor.p50)} | ${ms(floor.p99)} | ${ms(floor.min)} | ${ms(floor.max)} |`,
        '',
        "The floor (`bench/restore-floor.mjs`) is a plain Node HTTP client, warmed up as the runtime is, that sends `invocation/next` as soon as `restore/next` is answered: what is left of it is this machine's (process wake-ups, loopback, Node's HTTP client), and the runtime's own work is its p50 minus the floor's.",
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * The `### ` section of `markdown` whose title starts with `title`, up to the next `### ` heading
 * (without trailing blank lines); `undefined` when there is none.
 */
export function markdownSection(markdown: string, title: string): string | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`### ${title}`));
  if (start === -1) return undefined;
  let end = lines.findIndex((line, index) => index > start && line.startsWith('### '));
  if (end === -1) end = lines.length;
  return lines.slice(start, end).join('\n').trimEnd();
}

/**
 * What the README shows of a run: where it was measured (the first paragraph) and the targets
 * table; the full tables go to `bench/README.md`.
 */
export function readmeSummary(markdown: string): string {
  const measured = markdown.split('\n\n', 1)[0] ?? '';
  const targets = markdownSection(markdown, 'Targets') ?? '### Targets\n\nNot measured in this run.';
  return `${targets}\n\n${measured}`;
}
