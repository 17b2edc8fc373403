import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Each entry's exports, exactly: the public surface is the documented surface (issue 13.6). */
const EXPECTED: Record<string, string[]> = {
  'snapstart-hooks': [
    'HookTimeoutError',
    'LifecycleBus',
    'LifecycleError',
    'formatReport',
    'refreshRandomCaches',
    'registerAfterRestore',
    'registerBeforeSnapshot',
    'registerResource',
    'snapStartBus',
  ],
  'snapstart-hooks/lambda': [
    'AFTER_RESTORE_DEADLINE_ENV',
    'BEFORE_SNAPSHOT_DEADLINE_ENV',
    'DEFAULT_AFTER_RESTORE_DEADLINE',
    'DEFAULT_BEFORE_SNAPSHOT_DEADLINE',
    'HandlerLoadError',
    'LambdaExitCode',
    'RuntimeApiClient',
    'RuntimeApiError',
    'SnapStartPhaseError',
    'loadHandler',
    'runInvocationLoop',
    'runSnapStartPhases',
    'startRuntime',
    'toErrorBody',
  ],
  'snapstart-hooks/emulator': ['RuntimeApiEmulator', 'formatSimulation', 'formatSimulationEvent', 'simulate'],
  'snapstart-hooks/v8': [
    'BUILD_REPORT_ENV',
    'OPEN_HANDLE_CURE',
    'SnapshotExitCode',
    'diagnoseOpenHandle',
    'refreshRandomCaches',
    'snapshotMain',
  ],
  'snapstart-hooks/eslint': ['default', 'rules'],
  'snapstart-hooks/otel': ['DEFAULT_TRACER_NAME', 'SnapStartAttributes', 'instrumentBus'],
};
const entries = Object.keys(EXPECTED);

// The built package as users load it (self-reference through package.json "exports"); npm test builds first.
t.test(
  'package - every entry loads with import() and require(), with the same exports',
  { skip: !existsSync(`${root}dist/index.js`) && 'dist/ is not built' },
  async (t) => {
    const script = `
    const out = {};
    for (const entry of ${JSON.stringify(entries)}) {
      const esm = await import(entry);
      const cjs = require(entry);
      out[entry] = { esm: Object.keys(esm).sort(), cjs: Object.keys(cjs).sort() };
    }
    const { snapStartBus: viaImport } = await import('snapstart-hooks');
    out.sameBus = viaImport === require('snapstart-hooks').snapStartBus;
    process.stdout.write(JSON.stringify(out));
  `;
    const child = spawnSync(
      process.execPath,
      [
        '--no-warnings',
        '--input-type=commonjs',
        '-e',
        `(async () => { ${script} })().catch((e) => { console.error(e); process.exit(1); })`,
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    t.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout) as Record<string, { esm: string[]; cjs: string[] }> & { sameBus: boolean };
    for (const entry of entries) {
      t.ok(out[entry]?.esm.length, `${entry} has exports`);
      // require(esm) adds `__esModule` beside a default export, as interop expects.
      const required = out[entry]?.cjs.filter((key) => key !== '__esModule');
      t.same(required, out[entry]?.esm, `${entry}: require() sees what import sees`);
    }
    for (const entry of entries)
      t.same(out[entry]?.esm, EXPECTED[entry], `${entry} exports exactly the documented names`);
    t.equal(out.sameBus, true, 'one snapStartBus for both module systems');
  },
);

t.test("import 'snapstart-hooks' loads no heavy built-in its import does not need", async (t) => {
  // node:crypto (with the streams stack) is for the restore step only, node:http for the Lambda bridge.
  const script = [
    "await import('snapstart-hooks');",
    "const loaded = ['crypto', 'http', 'internal/mime'].filter((name) => process.moduleLoadList.includes('NativeModule ' + name));",
    'process.stdout.write(JSON.stringify(loaded));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  t.equal(child.status, 0, child.stderr);
  t.same(JSON.parse(child.stdout), [], 'none of node:crypto, node:http, or util.inspect (internal/mime) at import');
});

// The built entries share their common modules (one copy each, in dist/chunks/): a class or function
// made by one entry is the one another entry checks against.
t.test(
  'package - entries share one copy of each module: LifecycleError, snapStartBus, refreshRandomCaches',
  { skip: !existsSync(`${root}dist/index.js`) && 'dist/ is not built' },
  async (t) => {
    const script = `
    const core = await import('snapstart-hooks');
    const lambda = await import('snapstart-hooks/lambda');
    const v8 = await import('snapstart-hooks/v8');
    core.registerBeforeSnapshot(() => { throw new RangeError('hook failed'); });
    const posted = [];
    const client = {
      restoreNext: async () => {},
      postInitError: async (error, type) => { posted.push(type); },
      postRestoreError: async () => {},
    };
    let failure;
    try {
      await lambda.runSnapStartPhases({ client, beforeSnapshotDeadline: 5000, afterRestoreDeadline: 5000 });
    } catch (error) {
      failure = error;
    }
    process.stdout.write(JSON.stringify({
      phaseError: failure instanceof lambda.SnapStartPhaseError,
      causeIsCoreLifecycleError: failure?.cause instanceof core.LifecycleError,
      // Set only when the lambda entry's own instanceof LifecycleError accepts the core bus's error.
      reportEvent: failure?.report?.event,
      posted,
      sameRefresh: v8.refreshRandomCaches === core.refreshRandomCaches,
    }));
  `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    t.equal(child.status, 0, child.stderr);
    t.same(JSON.parse(child.stdout), {
      phaseError: true,
      causeIsCoreLifecycleError: true,
      reportEvent: 'beforeSnapshot',
      posted: ['Runtime.BeforeSnapshotError'],
      sameRefresh: true,
    });
  },
);
