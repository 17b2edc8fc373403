import t from 'tap';
import { compareRestores, leavesOf } from '../../src/check/compare.js';
import type { Observation } from '../../src/check/probe.js';
import type { RunResult } from '../../src/check/runner.js';

const initTime = Date.parse('2026-06-01T12:00:00.000Z');
const UUID_A = '3b241101-e2bb-4255-8caf-4136c566a962';
const UUID_B = '6f1c2e8a-9b0d-4c3e-8f7a-1b2c3d4e5f60';
const UUID_C = '0a9b8c7d-6e5f-4a3b-9c1d-2e3f4a5b6c7d';

const run = (restores: Observation[], atInit: Observation['values'] = {}): Extract<RunResult, { ok: true }> => ({
  ok: true,
  atInit,
  restores,
});
const output = (value: Observation['output'], values: Observation['values'] = {}): Observation => ({
  output: value,
  values,
});

t.test('compareRestores() - a per-environment value repeated in every restore is reported', async (t) => {
  const main = run([
    output({ id: UUID_A, perCall: UUID_B, status: 'ok' }),
    output({ id: UUID_A, perCall: UUID_C, status: 'ok' }),
    output({ id: UUID_A, perCall: UUID_A.replace('3b', '4c'), status: 'ok' }),
  ]);
  const control = run([output({ id: UUID_C, perCall: UUID_B, status: 'ok' })]);
  const { compared, findings } = compareRestores(main, control, initTime, false);
  t.equal(compared, 3);
  t.same(findings, [{ path: '$.id', kind: 'UUID', value: UUID_A }]);
});

t.test(
  'compareRestores() - the control init tells a constant that looks random from a value made at init',
  async (t) => {
    const main = run([output({ apiKey: UUID_A }), output({ apiKey: UUID_A })]);
    t.same(compareRestores(main, run([output({ apiKey: UUID_A })]), initTime, false).findings, []);
    t.equal(compareRestores(main, run([output({ apiKey: UUID_B })]), initTime, false).findings.length, 1);
    const failedControl: RunResult = { ok: false, stage: 'init', message: 'x' };
    t.equal(compareRestores(main, failedControl, initTime, false).findings.length, 1, 'judged by its look alone');
    t.equal(compareRestores(main, undefined, initTime, false).findings.length, 1);
  },
);

t.test('compareRestores() - values missing from a restore, or differing, are not reported', async (t) => {
  const main = run([output({ a: UUID_A, b: UUID_A }), output({ a: UUID_A })]);
  t.same(compareRestores(main, undefined, initTime, false).findings, [{ path: '$.a', kind: 'UUID', value: UUID_A }]);
  t.same(compareRestores(run([]), undefined, initTime, false), { compared: 0, findings: [] });
});

t.test('compareRestores() - in one process, a named value must be the one init made', async (t) => {
  const lazy = run(
    [output(undefined, { token: UUID_A, salt: UUID_B }), output(undefined, { token: UUID_A, salt: UUID_B })],
    { token: { $snapstart: 'undefined' }, salt: UUID_B },
  );
  t.same(
    compareRestores(lazy, undefined, initTime, true).findings.map((finding) => finding.path),
    ['salt'],
    'token was filled by the first call after the restore: made per environment on Lambda',
  );
  t.same(
    compareRestores(lazy, undefined, initTime, false).findings.map((finding) => finding.path),
    ['token', 'salt'],
  );
});

t.test('leavesOf() - the result under $, each value under its name', async (t) => {
  t.same(Object.fromEntries(leavesOf(output({ a: 1 }, { config: { id: 'x' } }))), { '$.a': 1, 'config.id': 'x' });
  t.same(Object.fromEntries(leavesOf({ values: {} })), {});
});
