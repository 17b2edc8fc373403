/**
 * Entry of `npm run bench`: hook latency against the floor and the peers, timeout precision, import
 * cost, memory per hook, and the Lambda bridge's restore overhead, all measured against the built
 * `dist/` (built first when missing or stale). Writes `latest.json`, `results.md` and `chart.svg`
 * to `bench/results/`, the full tables to `bench/README.md`, and the chart and the targets to the
 * benchmark section of README.md.
 *
 * Options: `--quick` (a smaller run, under a minute, written to `bench/results/quick/` and not to the
 * READMEs), `--out <dir>` (where to write results), `--only <module,...>` (latency, timeout, import,
 * memory, lambda), `--rerender <latest.json>` (write the outputs again from saved results).
 *
 * @module
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type LatencyCase, latencyCases } from './cases.js';
import { renderChart } from './chart.js';
import { ensureBuilt, loadLibrary, ROOT } from './dist.js';
import { runImportCost } from './import-cost.js';
import { runLambdaRestore } from './lambda-restore.js';
import { measureCase, runLatency, type Sample } from './latency.js';
import { runMemory } from './memory.js';
import { isPlainRun, rerunPlain } from './plain.js';
import { type BenchResults, checkTargets, type Machine, readmeSummary, renderMarkdown } from './report.js';
import { isSkipped, type Skipped } from './stats.js';
import { runTimeoutPrecision } from './timeout-precision.js';

const MODULES = ['latency', 'timeout', 'import', 'memory', 'lambda'] as const;
type ModuleName = (typeof MODULES)[number];

/** Sizes and repetitions of a full and of a quick run. */
const PLANS = {
  full: {
    sizes: [1, 10, 100, 1000],
    rounds: 10,
    minCpuTimeMs: 120,
    timeoutRuns: 200,
    timeoutMs: 20,
    importRuns: 60,
    memoryCount: 10_000,
    memoryRepeats: 3,
    lambdaRuns: 30,
  },
  quick: {
    sizes: [1, 10, 100, 1000],
    rounds: 1,
    minCpuTimeMs: 30,
    timeoutRuns: 200,
    timeoutMs: 10,
    importRuns: 10,
    memoryCount: 5_000,
    memoryRepeats: 1,
    lambdaRuns: 5,
  },
} as const;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    // Internal: measure one latency case in this (fresh) process and print its figures as JSON.
    'latency-case': { type: 'string' },
    /** Re-render the outputs from a saved latest.json instead of measuring. */
    rerender: { type: 'string' },
  },
});
const mode = values.quick ? 'quick' : 'full';
const plan = PLANS[mode];
const only = new Set<string>(values.only === undefined ? MODULES : values.only.split(',').map((name) => name.trim()));
for (const name of only) {
  if (!(MODULES as readonly string[]).includes(name)) {
    throw new RangeError(`--only: unknown module ${JSON.stringify(name)}; expected some of ${MODULES.join(', ')}`);
  }
}
const outDir = resolve(values.out ?? join(ROOT, 'bench', 'results', ...(mode === 'quick' ? ['quick'] : [])));
const writeDocs = mode === 'full' && values.out === undefined && values.only === undefined;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const notRun: Skipped = { skipped: 'not selected by --only' };

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty === '' ? head : `${head} (src modified)`;
  } catch {
    return 'unknown';
  }
}

function machine(): Machine {
  return {
    date: new Date().toISOString(),
    mode,
    node: process.versions.node,
    v8: process.versions.v8,
    os: `${platform()} ${release()} ${arch()}`,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg(),
    commit: commit(),
    measured: 'the built dist/ (npm run build)',
    command: mode === 'quick' ? 'npm run bench -- --quick' : 'npm run build && npm run bench',
  };
}

async function step<T>(name: ModuleName, title: string, body: () => Promise<T> | T): Promise<T | Skipped> {
  if (!only.has(name)) return notRun;
  log(`${title}…`);
  const started = performance.now();
  const result = await body();
  log(
    isSkipped(result)
      ? `${title}: skipped: ${result.skipped}`
      : `${title}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return result;
}

async function main(): Promise<void> {
  const results = values.rerender === undefined ? await measureAll() : rerender(values.rerender);
  writeResults(results);
}

/** Re-renders saved results (e.g. after a change of the Markdown layout) without measuring again. */
function rerender(path: string): BenchResults {
  const results = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
  log(`re-rendering ${path} (measured ${results.machine.date})`);
  return results;
}

async function measureAll(): Promise<BenchResults> {
  ensureBuilt(log);
  const lib = await loadLibrary();
  const info = machine();
  log(`snapstart-hooks bench (${mode}) on ${info.cpu}, ${info.cores} cores, Node ${info.node}`);

  const latency = await step('latency', 'hook latency', () =>
    runLatency(
      latencyCases(lib),
      { sizes: [...plan.sizes], rounds: plan.rounds, minCpuTimeMs: plan.minCpuTimeMs, log },
      measureInChild,
    ),
  );
  const timeoutPrecision = await step('timeout', 'timeout precision', () =>
    runTimeoutPrecision(lib, { runs: plan.timeoutRuns, timeoutMs: plan.timeoutMs }),
  );
  const importCost = await step('import', 'import cost', () => runImportCost({ runs: plan.importRuns }));
  const memory = await step('memory', 'memory per hook', () =>
    runMemory({ count: plan.memoryCount, repeats: plan.memoryRepeats }),
  );
  const lambdaRestore = await step('lambda', 'Lambda restore overhead', () =>
    runLambdaRestore({ runs: plan.lambdaRuns, hookCounts: [0, 10] }),
  );

  return {
    machine: info,
    latency,
    targets: isSkipped(latency) ? [] : checkTargets(latency),
    timeoutPrecision,
    importCost,
    memory,
    lambdaRestore,
  };
}

/** Writes latest.json, results.md, chart.svg and, for a full run, bench/README.md and the README's benchmark section. */
function writeResults(results: BenchResults): void {
  const { latency, machine: info } = results;
  const markdown = renderMarkdown(results);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'results.md'), `# snapstart-hooks benchmark results\n\n${markdown}`);
  if (!isSkipped(latency)) {
    const series = latency.cases.map((testCase) => ({
      label: testCase.label,
      kind: testCase.kind,
      points: latency.sizes.map((n) => [n, (latency.cells[testCase.id]?.[n]?.p50 ?? Number.NaN) / n] as const),
    }));
    const note = `${info.cpu}, ${info.cores} cores, Node ${info.node}, ${info.date.slice(0, 10)} (${mode} run)`;
    writeFileSync(join(outDir, 'chart.svg'), renderChart(series, 'snapstart-hooks: time per hook vs N', note));
  }
  if (writeDocs) {
    writeReadmeSection(readmeSummary(markdown));
    writeFormatted(join(ROOT, 'bench', 'README.md'), renderBenchReadme(markdown));
  }
  process.stdout.write(`${markdown}\n`);
  log(`results written to ${relative(ROOT, outDir) || '.'}${writeDocs ? ', bench/README.md and README.md' : ''}`);
}

/** Runs {@link measureCase} for `testCase` in a fresh process (this same script, plain node). */
async function measureInChild(testCase: LatencyCase): Promise<Record<number, Sample>> {
  const script = process.argv[1] as string;
  const args = [script, '--latency-case', testCase.id, ...(mode === 'quick' ? ['--quick'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`measuring ${testCase.id} failed (exit code ${code})`);
  return JSON.parse(output) as Record<number, Sample>;
}

/** The child side of {@link measureInChild}. */
async function measureOneCase(id: string): Promise<void> {
  const lib = await loadLibrary();
  const testCase = latencyCases(lib).find((candidate) => candidate.id === id);
  if (testCase === undefined) throw new RangeError(`--latency-case: unknown case ${JSON.stringify(id)}`);
  for (const warmId of testCase.warmAfter ?? []) {
    const warming = latencyCases(lib).find((candidate) => candidate.id === warmId);
    if (warming === undefined) throw new RangeError(`${id}: warmAfter names an unknown case ${JSON.stringify(warmId)}`);
    await measureCase(warming, plan.sizes, plan.minCpuTimeMs / 4); // its figures are not kept
  }
  const byN = await measureCase(testCase, plan.sizes, plan.minCpuTimeMs);
  process.stdout.write(JSON.stringify(byN));
}

const README_START = '<!-- bench:start (written by npm run bench) -->';
const README_END = '<!-- bench:end -->';

/**
 * Replaces the README's benchmark section (between the bench markers) with the chart and `summary`
 * (the targets of the latest run), formatted by the project's Biome so the lint stays green.
 */
function writeReadmeSection(summary: string): void {
  const path = join(ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} ... ${README_END} section`);
  const section = [
    README_START,
    '## Benchmarks',
    '',
    'Restore hooks are latency that every restored process pays, so the bus is built to cost little more',
    'than awaiting the hooks yourself. `npm run bench` measures, side by side, the time to emit one phase',
    'to N no-op async hooks for a plain `for…of await` loop (the floor), the bus, and emittery, hookable,',
    'tapable, p-queue, p-limit and eventemitter3. The full tables (timeout precision, import cost, memory per hook, the Lambda',
    "bridge's restore overhead), the method and how to run it: [bench/README.md](bench/README.md).",
    '',
    '![time per hook against N, log scales](bench/results/chart.svg)',
    '',
    summary,
    README_END,
  ].join('\n');
  writeFileSync(path, readme.slice(0, start) + section + readme.slice(end + README_END.length));
  formatWithBiome(path);
}

/** Writes `text` to `path`, formatted by the project's Biome. */
function writeFormatted(path: string, text: string): void {
  writeFileSync(path, text);
  formatWithBiome(path);
}

function formatWithBiome(path: string): void {
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', path], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  } catch {
    log(`could not run biome on ${relative(ROOT, path)}: run npx biome check --write ${relative(ROOT, path)}`);
  }
}

/** bench/README.md: how to run, what is measured, then every table of the latest full run. */
function renderBenchReadme(markdown: string): string {
  return [
    '# Benchmarks',
    '',
    '<!-- Written by npm run bench (bench/run.ts): edit the generator, not this file. -->',
    '',
    'Restore hooks are latency that every restored process pays, so the bus is built to cost little more',
    'than awaiting the hooks yourself. `npm run bench` (mitata) measures, in one run and side by side, the',
    'time to emit one phase to N no-op async hooks for a plain `for…of await` loop and `Promise.all` (the',
    'floor), the bus in five configurations, and the peers: emittery, hookable, tapable and p-queue',
    '(priority + timeout, the only peer with comparable features), with p-limit as the concurrency-8',
    'reference and eventemitter3 as the synchronous one. It also measures timeout precision, import cost, memory per hook and, when the Lambda',
    'bridge is built, its restore-phase overhead. It runs against the built `dist/`.',
    '',
    '```sh',
    'npm run build && npm run bench      # full run (~11 min): writes bench/results/, this file and the README section',
    'npm run bench -- --quick            # under a minute: writes bench/results/quick/',
    'npm run bench -- --only latency     # one module: latency, timeout, import, memory, lambda',
    'npx tsx bench/v8-restore.ts 40      # the V8 bridge: restore → main-start with and without its warm-up',
    '```',
    '',
    '![time per hook against N, log scales](results/chart.svg)',
    '',
    markdown,
    '',
    '### Reading the numbers',
    '',
    '- Every timed bus phase reads the clock once per hook: the report gives each hook its `startMs` and',
    '  `durationMs`. With Node 20 a clock read (`process.hrtime()`, the cheapest; `performance.now()` is',
    '  a few ns more) costs 20-40 ns, close to the `await` of a no-op hook itself, so a timed bus is',
    '  compared with the `for…of await + one clock read` row, and the bus with `timing: false` (which',
    '  reads no clock per hook) with the plain loop. emittery and tapable time nothing and return no report.',
    '- tapable compiles a function per hook shape on its first call; each case runs in a fresh process,',
    '  so the figure includes that warm-up amortised over the measured iterations. The "warm process" rows',
    '  measure tapable and the untimed bus again, each in a process where the default bus, hookable,',
    "  emittery and tapable's parallel hook ran first (as in an application, where the shared paths of",
    '  promises and async functions have seen other code): the target compares those two like for like.',
    '- `ctx.signal` creates an `AbortController` on first read; Node 20 needs microseconds for that, so',
    '  read it only when you pass it on. Hooks that never read it pay nothing.',
    '- A per-hook timeout costs no timer per hook: one timer serves the whole phase. A hook is never',
    "  abandoned before its `timeout`: when Node's millisecond timer fires a fraction early, the phase",
    '  re-arms for the rest.',
    '- Each latency case runs in its own process: in one shared process, measuring the clock-read floor',
    '  first made the bus itself about 1.7× slower for the rest of the run (a JIT effect on Node 20).',
    '- The machine is shared and noisy: compare ratios from one run rather than absolute times across runs.',
    '',
  ].join('\n');
}

if (!isPlainRun()) process.exitCode = rerunPlain(fileURLToPath(import.meta.url), process.argv.slice(2));
else if (values['latency-case'] !== undefined) await measureOneCase(values['latency-case']);
else await main();
