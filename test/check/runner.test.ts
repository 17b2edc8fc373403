// The process-mode lifecycle and the V8 entry's observation, run in this test's own process (each tap
// file has its own): the movable clock and the loader hooks they install stay within it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { type RunResult, runLifecycle } from '../../src/check/runner.js';
import { observeOnce, prepareClock } from '../../src/check/v8-entry.js';
import { describeBuildFailure } from '../../src/check/v8-mode.js';
import { parseValuePath } from '../../src/check/values.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/check/${name}`, import.meta.url));
const values = (...paths: string[]) => paths.map(parseValuePath);
type Ok = Extract<RunResult, { ok: true }>;

async function tempModule(t: Test, source: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'snapstart-runner-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'module.mjs');
  await writeFile(file, source);
  return file;
}

t.test(
  'runLifecycle() - init once, then each restore on a later day: init values repeat, hook values do not',
  async (t) => {
    const result = (await runLifecycle({
      module: fixture('snapshot-app.mjs'),
      spec: {
        call: { kind: 'probe', exportPath: ['probe'] },
        event: 'hi',
        values: values('bootedAt', 'config.region', 'restoredId'),
      },
      restores: 2,
      clockOffset: 0,
      resultFile: '',
    })) as Ok;
    t.equal(result.ok, true, JSON.stringify(result));
    t.equal(result.restores.length, 2);
    const [first, second] = result.restores as [Ok['restores'][0], Ok['restores'][0]];
    t.equal(first.values.bootedAt, result.atInit.bootedAt, 'made at init');
    t.equal(second.values.bootedAt, result.atInit.bootedAt);
    t.equal(first.values['config.region'], 'eu-west-1');
    t.not(first.values.restoredId, second.values.restoredId, 'made again by the afterRestore hook');
    const at = (observation: typeof first) => (observation.output as { perCall: { at: number } }).perCall.at;
    t.ok(at(second) - at(first) >= 86_400_000 - 60_000, 'the clock moved a day between restores');
    t.match(first.output, { status: 'ok', echo: 'hi' });
  },
);

t.test('runLifecycle() - a TypeScript module, through tsx and the reader', async (t) => {
  const result = (await runLifecycle({
    module: fixture('typescript-app.ts'),
    spec: {
      call: { kind: 'handler', exportPath: ['handler'] },
      event: { name: 'ts' },
      values: values('startedAt', 'lazyToken'),
    },
    restores: 2,
    clockOffset: 0,
    resultFile: '',
  })) as Ok;
  t.equal(result.ok, true, JSON.stringify(result));
  t.same(result.atInit.lazyToken, { $snapstart: 'undefined' });
  t.type(result.restores[0]?.values.startedAt, 'number');
  t.match(result.restores[0]?.output, { statusCode: 200, body: /"hello":"ts"/ });
});

t.test('runLifecycle() - failures are reported with their stage', async (t) => {
  const base = { restores: 1, clockOffset: 0, resultFile: '' };
  t.match(await runLifecycle({ ...base, module: fixture('init-throws.mjs'), spec: { event: undefined, values: [] } }), {
    ok: false,
    stage: 'init',
    message: 'importing the module failed: Error: config missing',
  });
  t.match(
    await runLifecycle({
      ...base,
      module: fixture('snapshot-app.mjs'),
      spec: { call: { kind: 'probe', exportPath: ['nope'] }, event: undefined, values: [] },
    }),
    { ok: false, stage: 'usage', message: '--probe: the module has no function export "nope"' },
  );
  const bus = "globalThis[Symbol.for('snapstart-hooks.snapStartBus')]";
  const beforeFails = await tempModule(t, `${bus}.once('beforeSnapshot', () => { throw new Error('flush failed'); });`);
  t.match(await runLifecycle({ ...base, module: beforeFails, spec: { event: undefined, values: [] } }), {
    ok: false,
    stage: 'beforeSnapshot',
    message: /^beforeSnapshot failed: LifecycleError: beforeSnapshot: 1 of \d+ hooks? failed/,
  });
  const afterFails = await tempModule(
    t,
    `${bus}.once('afterRestore', () => { throw new Error('reconnect failed'); });`,
  );
  t.match(await runLifecycle({ ...base, module: afterFails, spec: { event: undefined, values: [] } }), {
    ok: false,
    stage: 'afterRestore',
  });
});

t.test('v8 entry - observeOnce() and prepareClock()', async (t) => {
  process.env.SNAPSTART_CHECK_CLOCK = String(400 * 86_400_000);
  const realYear = new Date().getUTCFullYear();
  prepareClock();
  t.ok(new Date().getUTCFullYear() > realYear, 'the clock moved 400 days on');
  process.env.SNAPSTART_CHECK_CLOCK = 'not a number';
  prepareClock();
  t.equal(new Date().getUTCFullYear(), realYear, 'a bad offset counts as none');
  const restored: (() => void)[] = [];
  const building = {
    isBuildingSnapshot: () => true,
    addDeserializeCallback: (callback: () => void) => restored.push(callback),
  };
  delete process.env.SNAPSTART_CHECK_CLOCK;
  prepareClock(building);
  t.equal(restored.length, 1, 'while building, the clock is moved again after the restore');
  process.env.SNAPSTART_CHECK_CLOCK = String(800 * 86_400_000);
  restored[0]?.();
  t.ok(new Date().getUTCFullYear() >= realYear + 2, "moved by the restored process's own offset");
  delete process.env.SNAPSTART_CHECK_CLOCK;
  restored[0]?.();
  t.equal(new Date().getUTCFullYear(), realYear, 'no offset: the real time');
  const probe = { call: { kind: 'probe' as const, exportPath: ['probe'] }, event: 5, values: [] };
  t.same(await observeOnce({ probe: (n: number) => n + 1 }, probe), {
    ok: true,
    atInit: {},
    restores: [{ values: {}, output: 6 }],
  });
  t.same(await observeOnce({}, probe), {
    ok: false,
    stage: 'usage',
    message: '--probe: the module has no function export "probe"',
  });
});

t.test('describeBuildFailure() - names why no snapshot was built', async (t) => {
  const exit = { code: 1, signal: null, timedOut: false, output: '' };
  t.equal(describeBuildFailure({ ...exit, timedOut: true }, 500), 'the snapshot build did not finish within 500 ms');
  t.match(
    describeBuildFailure(
      {
        ...exit,
        output:
          'Warning: It\'s not yet fully verified whether built-in module "node:https" works in user snapshot builder scripts.\nglobal handle not serialized',
      },
      1,
    ),
    /^the module loads node:https, which V8 startup snapshots of Node v\d+/,
  );
  t.match(
    describeBuildFailure(
      { ...exit, code: null, signal: 'SIGABRT', output: 'global handle not serialized\n owner_symbol>: 0x1 <Socket' },
      1,
    ),
    /^the V8 snapshot could not be built \(killed by SIGABRT\): the snapshot failed because an open Socket handle/,
  );
  t.equal(
    describeBuildFailure(
      { ...exit, code: 66, output: 'noise\nsnapstart-hooks/v8: no snapshot was written: open\nmore' },
      1,
    ),
    'the V8 snapshot could not be built (exit code 66): snapstart-hooks/v8: no snapshot was written: open',
  );
  t.equal(
    describeBuildFailure({ ...exit, output: 'a\nb\nc\nd' }, 1),
    'the V8 snapshot could not be built (exit code 1): b c d',
  );
});
