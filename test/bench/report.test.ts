/**
 * The bench's pure parts: statistics, target checks, Markdown and SVG rendering, and the latency
 * cases (each must call every hook once per emit). No timing is asserted.
 */
import t from 'tap';
import { hookCalls, latencyCases } from '../../bench/cases.js';
import { renderChart } from '../../bench/chart.js';
import type { LatencyResult } from '../../bench/latency.js';
import {
  type BenchResults,
  checkTargets,
  formatNs,
  markdownSection,
  readmeSummary,
  renderMarkdown,
  startupTargets,
} from '../../bench/report.js';
import { isSkipped, quantile, summarise } from '../../bench/stats.js';
import * as lib from '../../src/index.js';

function latencyWith(p50ByCase: Record<string, number>): LatencyResult {
  const cells: LatencyResult['cells'] = {};
  for (const [id, p50] of Object.entries(p50ByCase))
    cells[id] = { 100: { p50, medianP50: p50, avg: p50, p99: p50, rounds: [p50] } };
  return {
    sizes: [100],
    rounds: 1,
    minCpuTimeMs: 1,
    cases: Object.keys(p50ByCase).map((id) => ({ id, label: id, kind: 'peer' as const, concurrent: false })),
    cells,
  };
}

t.test('quantile() / summarise() - interpolate and summarise a sample', async (t) => {
  t.equal(quantile([3, 1, 2], 0.5), 2);
  t.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  t.equal(quantile([0, 10], 0.99), 9.9);
  t.ok(Number.isNaN(quantile([], 0.5)));
  t.same(summarise([5, 1, 3]), { runs: 3, p50: 3, p99: 4.96, min: 1, max: 5 });
  t.equal(isSkipped({ skipped: 'why' }), true);
  t.equal(isSkipped({ runs: 1 }), false);
});

t.test('checkTargets() - computes the ratios of the issue at N=100 and says which are met', async (t) => {
  const targets = checkTargets(
    latencyWith({
      'floor-serial': 100,
      'floor-serial-clock': 125,
      'bus-default': 140,
      'bus-timeout': 150,
      'bus-untimed': 130,
      'emittery-serial': 120,
      hookable: 300,
      'tapable-series': 200,
      'bus-untimed-warm': 150,
      'tapable-series-warm': 120,
      'p-queue': 10_000,
    }),
  );
  t.same(
    targets.map((target) => [target.ratio, target.met]),
    [
      [140 / 125, false],
      [150 / 125, true],
      [1.3, true],
      [130 / 120, false],
      [130 / 300, true],
      [0.65, true],
      [150 / 120, false],
      [140 / 300, true],
      [0.7, true],
      [10_000 / 150, true],
    ],
  );
  t.same(checkTargets({ ...latencyWith({}), sizes: [1, 10] }), [], 'no targets without N=100');
});

t.test('formatNs() - picks a unit and keeps 3 significant digits', async (t) => {
  t.equal(formatNs(61.23), '61.2 ns');
  t.equal(formatNs(1_234), '1.23 µs');
  t.equal(formatNs(17_000_000), '17.0 ms');
  t.equal(formatNs(Number.NaN), '–');
});

t.test('renderChart() - one line and one legend entry per series, on log axes', async (t) => {
  const svg = renderChart(
    [
      {
        label: 'a <b>',
        kind: 'ours',
        points: [
          [1, 500],
          [1000, 100],
        ],
      },
      {
        label: 'floor',
        kind: 'floor',
        points: [
          [1, 60],
          [1000, 50],
        ],
      },
    ],
    'title',
    'note',
  );
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  t.equal(svg.match(/<polyline /g)?.length, 2);
  t.match(svg, /a &lt;b&gt;/, 'labels are escaped');
  t.match(svg, /stroke-dasharray/, 'the floor is dashed');
  for (const tick of ['10 ns', '100 ns', '1 µs']) t.match(svg, new RegExp(`>${tick}<`), `decade tick ${tick}`);
});

t.test('renderMarkdown() - tables for measured modules, a reason for skipped ones', async (t) => {
  const latency = latencyWith({ 'floor-serial': 100, 'floor-serial-clock': 150, 'bus-default': 150 });
  const results: BenchResults = {
    machine: {
      date: '2026-01-01T00:00:00.000Z',
      mode: 'quick',
      node: '20.0.0',
      v8: '11',
      os: 'linux',
      cpu: 'CPU',
      cores: 2,
      memoryGiB: 4,
      loadAverage: [0, 0, 0],
      commit: 'abc',
      measured: 'dist/',
      command: 'npm run bench -- --quick',
    },
    latency,
    targets: checkTargets(latency),
    timeoutPrecision: { skipped: 'not selected' },
    importCost: {
      runs: 1,
      variants: [{ id: 'bare', label: "node -e ''", wallMs: summarise([40]), ratio: 1, extraMs: 0 }],
      missing: [{ id: 'lambda', reason: 'dist/lambda/index.js is missing' }],
    },
    memory: { count: 10, repeats: 1, variants: [{ id: 'bus-default', label: 'bus.on', bytesPerHook: 300.4 }] },
    lambdaRestore: { skipped: 'dist/lambda/bin.js is missing' },
  };
  const markdown = renderMarkdown(results);
  t.match(markdown, /Node 20\.0\.0/);
  t.match(markdown, /`npm run bench -- --quick`/);
  t.match(markdown, /\| floor-serial \| 1\.00 ns \| 1\.00× \|/);
  t.match(markdown, /\| bus default ÷ \(loop \+ one clock read\) \| 1\.00× \| <= 1\.1× \| yes \|/);
  t.match(markdown, /### Timeout precision\n\nSkipped: not selected\./);
  t.match(markdown, /Not measured: `lambda`, dist\/lambda\/index\.js is missing\./);
  t.match(markdown, /\| bus\.on \| 300 \|/);
  t.match(markdown, /restore-phase overhead\n\nSkipped: dist\/lambda\/bin\.js is missing\./);

  const measured = renderMarkdown({
    ...results,
    lambdaRestore: {
      runs: 2,
      byHooks: [{ hooks: 10, warmUp: true, restoreToNextMs: summarise([2, 3]) }],
      floorMs: summarise([1, 1.5]),
    },
  });
  t.match(measured, /\| 10 \| on \| 2\.50 ms \|/);
  t.match(measured, /\| floor: a warmed plain client, no runtime \| – \| 1\.25 ms \|/, 'the floor, as its own row');
  const older = renderMarkdown({
    ...results,
    lambdaRestore: { runs: 1, byHooks: [{ hooks: 0, warmUp: true, restoreToNextMs: summarise([2]) }] },
  });
  t.notMatch(older, /floor: a warmed plain client/, 'results saved before the floor existed: no floor row');
});

t.test('readmeSummary() - the README gets where it was measured and the targets, not the full tables', async (t) => {
  const latency = latencyWith({ 'floor-serial': 100, 'floor-serial-clock': 150, 'bus-default': 150 });
  const results: BenchResults = {
    machine: {
      date: '2026-01-01T00:00:00.000Z',
      mode: 'full',
      node: '20.0.0',
      v8: '11',
      os: 'linux',
      cpu: 'CPU',
      cores: 2,
      memoryGiB: 4,
      loadAverage: [0, 0, 0],
      commit: 'abc',
      measured: 'dist/',
      command: 'npm run bench',
    },
    latency,
    targets: checkTargets(latency),
    timeoutPrecision: { skipped: 'not selected' },
    importCost: { skipped: 'not selected' },
    memory: { skipped: 'not selected' },
    lambdaRestore: { skipped: 'not selected' },
  };
  const markdown = renderMarkdown(results);
  const summary = readmeSummary(markdown);
  t.notMatch(summary, /machine was busy/, 'no warning on a quiet machine');
  const busy = readmeSummary(renderMarkdown({ ...results, machine: { ...results.machine, loadAverage: [9, 9, 9] } }));
  t.match(busy, /The machine was busy \(load above its 2 cores\)/, 'a warning when the load exceeded the cores');
  t.match(summary, /^### Targets \(N = 100/);
  t.match(summary, /\| bus default ÷ \(loop \+ one clock read\) \| 1\.00× \| <= 1\.1× \| yes \|/);
  t.match(summary, /\n\nMeasured on 2026-01-01T00:00:00\.000Z \(full run\): CPU, 2 cores/);
  t.notMatch(summary, '### Hook latency', 'the full tables stay in bench/README.md');
  t.notMatch(summary, '### Timeout precision');

  t.equal(markdownSection('### A\n\none\n\n### B\ntwo\n', 'B'), '### B\ntwo');
  t.equal(markdownSection('### A\n\none\n\n### B\ntwo\n', 'A'), '### A\n\none');
  t.equal(markdownSection('### A\n', 'C'), undefined);
  t.match(
    readmeSummary('Measured here.\n\n### Hook latency\n'),
    /^### Targets\n\nNot measured in this run\.\n\nMeasured here\.$/,
  );
});

t.test('latencyCases() - ids are unique: results are kept by id, two cases under one would be pooled', async (t) => {
  const ids = latencyCases(lib).map((testCase) => testCase.id);
  t.same(
    ids.filter((id, index) => ids.indexOf(id) !== index),
    [],
  );
});

t.test('latencyCases() - every case calls each of its hooks once per emit', async (t) => {
  for (const testCase of latencyCases(lib)) {
    const emit = testCase.setup(5);
    const before = hookCalls();
    await emit();
    t.equal(hookCalls() - before, 5, testCase.id);
  }
});

t.test('startupTargets() - restore p50 in ms with the warm-up, import cost over an empty module', async (t) => {
  const restore = (hooks: number, warmUp: boolean, p50: number) => ({
    hooks,
    warmUp,
    restoreToNextMs: { runs: 1, p50, p99: p50, min: p50, max: p50 },
  });
  const variant = (id: string, extraMs: number) => ({ id, label: id, wallMs: summarise([1]), ratio: 1, extraMs });
  const targets = startupTargets({
    lambdaRestore: { runs: 1, byHooks: [restore(0, false, 3), restore(0, true, 0.5), restore(10, true, 1.2)] },
    importCost: { runs: 1, variants: [variant('empty-module', 3), variant('main', 6)], missing: [] },
  });
  t.same(
    targets.map((target) => [target.ratio, target.limit, target.met, target.unit]),
    [
      [0.5, 0.6, true, ' ms'],
      [1.2, 0.9, false, ' ms'],
      [2, 1.5, false, undefined],
    ],
  );
  t.same(startupTargets({ lambdaRestore: { skipped: 'x' }, importCost: { skipped: 'y' } }), []);
});
