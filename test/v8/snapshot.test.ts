import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { lifecycleEntry, runCli, runNode, type Step, steps, type Teardown } from '../helpers/cli.js';

// Real snapshots: every blob is built by `snapstart snapshot` (esbuild + node --build-snapshot) from
// the lifecycle fixture, and restored in fresh `node --snapshot-blob` processes.

async function tempDir(t: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'snapstart-v8-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function stepNames(list: Step[]): string[] {
  return list.map((entry) => entry.step);
}

t.test(
  'snapshotMain() - a real blob: init and beforeSnapshot at build, afterRestore then main in every restore',
  async (t) => {
    const dir = await tempDir(t);
    const blob = join(dir, 'app.blob');
    const build = await runCli(t, ['snapshot', lifecycleEntry, '--out', blob]);
    t.equal(build.code, 0, build.stderr);
    t.ok(existsSync(blob), 'the blob was written');
    const built = steps(build.stdout);
    t.same(
      stepNames(built),
      ['init', 'beforeSnapshot:second-registered', 'beforeSnapshot:first-registered'],
      'init, then beforeSnapshot hooks newest first',
    );
    const buildPid = built[0]?.pid;
    t.match(build.stdout, /init\s+[\d.]+ ms/, 'prints how long init took');
    t.match(build.stdout, /beforeSnapshot\s+[\d.]+ ms\s+2 hooks/, 'prints how long beforeSnapshot took');
    t.match(build.stdout, /serialization\s+[\d.]+ ms/, 'prints how long serialization took');

    const mains: Step[] = [];
    for (let restore = 0; restore < 3; restore++) {
      const run = await runNode(t, ['--snapshot-blob', blob]);
      t.equal(run.code, 0, run.stderr);
      const ran = steps(run.stdout);
      t.same(
        stepNames(ran),
        ['afterRestore:first-registered', 'afterRestore:second-registered', 'main'],
        `restore ${restore + 1}: afterRestore hooks oldest first, then main`,
      );
      const main = ran[2] as Step;
      t.not(main.pid, buildPid, 'a new process');
      t.equal(main.restored, true);
      t.equal(main.tableSize, 10_000, 'state built at init survived');
      t.equal(main.checksum, 49_995_000, 'state built at init survived intact');
      t.equal(main.builtBy, buildPid, 'the state is the one the build process made');
      mains.push(main);
    }
    const initUuids = new Set(mains.map((main) => main.initUuid));
    t.equal(initUuids.size, 1, 'the UUID drawn at init is part of the snapshot');
    const uuids = mains.map((main) => main.uuid);
    t.equal(new Set(uuids).size, 3, 'crypto.randomUUID() differs between restores');
    t.notOk(initUuids.has(uuids[0]), 'and from the one drawn at init');
    t.equal(new Set(mains.map((main) => main.globalUuid)).size, 3, 'globalThis.crypto.randomUUID() too');

    t.test('a restored process arms its own timers, also ones expiring after every timer of the build', async (t) => {
      const run = await runNode(t, ['--snapshot-blob', blob], { V8_FIXTURE_TIMER: '1' }, 15_000);
      t.equal(run.code, 0, run.stderr);
      t.same(stepNames(steps(run.stdout)), [
        'afterRestore:first-registered',
        'afterRestore:second-registered',
        'timer',
        'main',
      ]);
    });

    t.test('a failing afterRestore hook exits 65 with its report, and main does not run', async (t) => {
      const run = await runNode(t, ['--snapshot-blob', blob], { V8_FIXTURE_FAIL: 'afterRestore' });
      t.equal(run.code, 65);
      t.same(stepNames(steps(run.stdout)), ['afterRestore:first-registered']);
      t.match(run.stderr, 'afterRestore: 1 of 2 hooks failed: reconnect (database refused) (main did not run)');
      t.match(run.stderr, /afterRestore FAILED in [\d.]+ ms \(2 hooks\)/);
      t.match(run.stderr, /reconnect\s+p0 rejected/);
      t.match(run.stderr, 'Error: database refused');
    });

    t.test('a failing main exits 1 with its error', async (t) => {
      const run = await runNode(t, ['--snapshot-blob', blob], { V8_FIXTURE_FAIL: 'main' });
      t.equal(run.code, 1);
      t.same(stepNames(steps(run.stdout)), ['afterRestore:first-registered', 'afterRestore:second-registered']);
      t.match(run.stderr, 'snapstart-hooks/v8: main failed: Error: main exploded');
    });
  },
);

t.test('snapshotMain() - build failures write no blob and exit non-zero', async (t) => {
  const dir = await tempDir(t);
  const cases: { fail: string; code: number; stderr: (string | RegExp)[]; stdout?: string[] }[] = [
    {
      fail: 'init',
      code: 1,
      stderr: ['snapstart-hooks/v8: init failed (no snapshot was written): Error: data file missing'],
      stdout: [],
    },
    {
      fail: 'beforeSnapshot',
      code: 64,
      stderr: [
        'beforeSnapshot: 1 of 2 hooks failed: second (cannot flush the cache) (no snapshot was written)',
        /beforeSnapshot FAILED in [\d.]+ ms \(2 hooks\)/,
        /second\s+p0 rejected/,
        /first\s+p0 fulfilled/,
        'Error: cannot flush the cache',
      ],
      stdout: ['init', 'beforeSnapshot:first-registered'],
    },
    {
      fail: 'open-handle',
      code: 66,
      stderr: [
        '500 ms after beforeSnapshot settled, the event loop is still kept alive by TCPServerWrap.',
        'Close it in a beforeSnapshot hook and reopen it in afterRestore',
      ],
    },
    {
      fail: 'unref-handle',
      code: 1,
      stderr: [
        'snapstart snapshot: the snapshot failed because an open Server handle was still alive at snapshot time',
        'Close it in a beforeSnapshot hook and reopen it in afterRestore',
        'the snapshot build was killed by SIGTRAP',
      ],
    },
    {
      fail: 'stalled',
      code: 67,
      stderr: ['beforeSnapshot never settled: it awaits a promise that nothing left in the event loop can settle'],
    },
  ];
  for (const failure of cases) {
    t.test(`V8_FIXTURE_FAIL=${failure.fail}`, async (t) => {
      const blob = join(dir, `${failure.fail}.blob`);
      const build = await runCli(t, ['snapshot', lifecycleEntry, '--out', blob], { V8_FIXTURE_FAIL: failure.fail });
      t.equal(build.code, failure.code, build.stderr);
      t.notOk(existsSync(blob), 'no blob was written');
      for (const expected of failure.stderr) t.match(build.stderr, expected);
      t.match(build.stderr, 'no blob was written');
      if (failure.stdout) t.same(stepNames(steps(build.stdout)), failure.stdout);
    });
  }
});

t.test('snapshotMain() - without a snapshot, init then main run in order and no hook runs', async (t) => {
  const run = await runNode(t, ['--import', 'tsx', lifecycleEntry]);
  t.equal(run.code, 0, run.stderr);
  const ran = steps(run.stdout);
  t.same(stepNames(ran), ['init', 'main']);
  t.equal(ran[1]?.restored, false);
  t.equal(ran[1]?.tableSize, 10_000);
});

t.test('snapshotMain() - without a snapshot, a failing init exits 1 and main does not run', async (t) => {
  const run = await runNode(t, ['--import', 'tsx', lifecycleEntry], { V8_FIXTURE_FAIL: 'init' });
  t.equal(run.code, 1);
  t.same(stepNames(steps(run.stdout)), []);
  t.match(run.stderr, 'snapstart-hooks/v8: init failed: Error: data file missing');
});

t.test('snapshotMain() - without a snapshot, a failing main exits 1', async (t) => {
  const run = await runNode(t, ['--import', 'tsx', lifecycleEntry], { V8_FIXTURE_FAIL: 'main' });
  t.equal(run.code, 1);
  t.same(stepNames(steps(run.stdout)), ['init']);
  t.match(run.stderr, 'snapstart-hooks/v8: main failed: Error: main exploded');
});
