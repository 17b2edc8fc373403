import t from 'tap';
import { formatCheckReport, renderLeaf } from '../../src/check/report.js';
import type { CheckReport } from '../../src/check/run.js';

const base: CheckReport = {
  ok: true,
  mode: 'process',
  module: '/work/app/handler.mjs',
  call: { kind: 'handler', export: 'handler' },
  restores: 3,
  compared: 7,
  findings: [],
  controlled: true,
};

t.test('formatCheckReport() - a clean run', async (t) => {
  t.equal(
    formatCheckReport(base, '/work/app'),
    'snapstart check: handler.mjs (handler: handler), 3 restores in one process\n✓ no value made at init repeats across the restores (7 compared)',
  );
});

t.test('formatCheckReport() - findings, aligned, with the cure', async (t) => {
  const text = formatCheckReport(
    {
      ...base,
      ok: false,
      mode: 'v8',
      call: { kind: 'probe', export: 'probe' },
      findings: [
        { path: '$.headers["x-id"]', kind: 'UUID', value: '3b241101-e2bb-4255-8caf-4136c566a962' },
        { path: 'salt', kind: 'random bytes', value: { $snapstart: 'bytes', hex: 'ab'.repeat(40), length: 40 } },
      ],
    },
    '/work/app',
  );
  t.match(text, 'handler.mjs (probe: probe), 3 processes restored from a V8 startup snapshot');
  t.match(text, '✗ 2 values are the same after every restore but should differ per environment:');
  t.match(text, '  $.headers["x-id"]  UUID          "3b241101-e2bb-4255-8caf-4136c566a962"');
  t.match(text, '  salt               random bytes  <40 bytes abababababababababababababababa…>');
  t.match(text, 'Make them in an afterRestore hook or per invocation (docs/uniqueness.md)');
  const one = formatCheckReport({ ...base, findings: [{ path: 'x', kind: 'UUID', value: 'u' }] });
  t.match(one, '✗ 1 value is the same');
});

t.test('formatCheckReport() - fallback, a failed control and a failed run', async (t) => {
  const fallback = formatCheckReport({ ...base, fallback: 'esbuild is missing', controlled: false, call: undefined });
  t.match(fallback, 'snapstart check: /work/app/handler.mjs, 3 restores in one process');
  t.match(fallback, '  note: not in V8 mode: esbuild is missing');
  t.match(fallback, 'values are judged by their look alone');
  const failed = formatCheckReport({ ...base, ok: false, error: { stage: 'init', message: 'boom' } }, '/work/app');
  t.match(failed, '✗ could not check (init): boom');
  t.notMatch(failed, '✓');
});

t.test('renderLeaf() - every leaf kind, bounded and on one line', async (t) => {
  t.equal(renderLeaf('a\nb'), '"a\\nb"');
  t.equal(renderLeaf('a\u2028b'), '"a\\u2028b"');
  t.equal(renderLeaf(12), '12');
  t.equal(renderLeaf(null), 'null');
  t.equal(renderLeaf({ $snapstart: 'bigint', value: '99' }), '99n');
  t.equal(renderLeaf({ $snapstart: 'number', value: 'Infinity' }), 'Infinity');
  t.equal(renderLeaf({ $snapstart: 'undefined' }), 'undefined');
  t.equal(renderLeaf('x'.repeat(200)).length, 80);
});
