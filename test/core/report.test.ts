import t from 'tap';
import { formatReport, type PhaseReport } from '../../src/index.js';

const report: PhaseReport = {
  event: 'afterRestore',
  ok: false,
  startedAt: 0,
  durationMs: 100,
  hooks: [
    { name: 'db', priority: 10, status: 'fulfilled', startMs: 0, durationMs: 50 },
    { name: 'cache', priority: 0, status: 'timedOut', startMs: 50, durationMs: 50, error: new Error('slow') },
    { name: 'metrics', priority: 0, status: 'skipped', startMs: -1, durationMs: 0 },
  ],
};

t.test('formatReport() - a header and one waterfall line per hook', async (t) => {
  const lines = formatReport(report, { width: 20 }).split('\n');
  t.equal(lines[0], 'afterRestore FAILED in 100.0 ms (3 hooks)');
  t.equal(lines.length, 4);
  t.match(lines[1], /^ {2}db +p10 fulfilled +\+0\.00 ms +50\.0 ms \|█{10} {10}\|$/);
  t.match(lines[2], /^ {2}cache +p0 +timedOut +\+50\.0 ms +50\.0 ms \| {10}█{10}\| slow$/);
  t.match(lines[3], /^ {2}metrics +p0 +skipped +\| {20}\|$/);
});

t.test('formatReport() - ok phases, one hook, default width and colour', async (t) => {
  const single: PhaseReport = {
    event: 'beforeSnapshot',
    ok: true,
    startedAt: 0,
    durationMs: 2,
    hooks: [{ name: 'close', priority: 0, status: 'fulfilled', startMs: 0, durationMs: 2 }],
  };
  const plain = formatReport(single);
  t.match(plain, /^beforeSnapshot ok in 2\.00 ms \(1 hook\)\n/);
  t.match(plain, /\|█{40}\|$/);
  const colored = formatReport(single, { color: true });
  t.ok(colored.includes('\u001b[32mfulfilled\u001b[0m'), 'status painted green');
});

t.test('formatReport() - an empty phase and a narrow width', async (t) => {
  t.equal(
    formatReport({ event: 'x', ok: true, startedAt: 0, durationMs: 0, hooks: [] }, { width: 1 }),
    'x ok in 0.00 ms (0 hooks)',
  );
});

t.test('formatReport() - bad options are refused, naming the option', async (t) => {
  const empty: PhaseReport = { event: 'x', ok: true, startedAt: 0, durationMs: 0, hooks: [] };
  t.throws(
    () => formatReport(empty, { width: 'wide' as never }),
    new TypeError('options.width must be a number, got "wide"'),
  );
  t.throws(
    () => formatReport(empty, { width: Number.NaN }),
    new RangeError('options.width must be a finite number, got NaN'),
  );
  t.throws(
    () => formatReport(empty, { color: 'yes' as never }),
    new TypeError('options.color must be a boolean, got "yes"'),
  );
});
