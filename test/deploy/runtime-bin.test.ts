/**
 * The `snapstart-runtime` command line: --help, --version, bad usage, and the handler taken from the first
 * argument (a container image's CMD) when _HANDLER is unset. The bin runs from its source under tsx, so
 * that its coverage counts (the container tests run the packed, built one).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { nodeBinary, repoRoot, runLifecycle } from './lifecycle.js';

const bin = path.join(repoRoot, 'src/lambda/bin.ts');
const tsx = ['--import', 'tsx'];
const fixtures = path.join(repoRoot, 'test/deploy/fixtures');
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

function runBin(args: string[]) {
  const env = {
    PATH: path.dirname(nodeBinary),
    ...(process.env.NODE_V8_COVERAGE ? { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE } : {}),
  };
  return spawnSync(nodeBinary, [...tsx, bin, ...args], { cwd: repoRoot, encoding: 'utf8', env, timeout: 60_000 });
}

t.test('--help prints the usage, the handler sources, the environment and the exit codes', async (t) => {
  const run = runBin(['--help']);
  t.equal(run.status, 0);
  t.match(run.stdout, /^Usage: snapstart-runtime \[<file\.export>\]/);
  t.match(run.stdout, /from _HANDLER, or, when _HANDLER is unset, from the first argument/);
  t.match(run.stdout, /AWS_LAMBDA_RUNTIME_API/);
  t.match(run.stdout, /64 a before-snapshot hook failed, 65 an after-restore hook failed/);
  t.match(run.stdout, /129 an uncaught exception or the handler could not be loaded/, 'as LambdaExitCode.initFailed');
  t.match(run.stdout, /SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS \(default 100000\)/);
  t.equal(run.stderr, '');
});

t.test('--version prints the package version and the Node.js version', async (t) => {
  const run = runBin(['-v']);
  t.equal(run.status, 0);
  t.equal(run.stdout, `snapstart-runtime ${version} (Node.js ${process.version})\n`);
});

t.test('bad usage exits 2 naming the problem, before any Runtime API call', async (t) => {
  const two = runBin(['index.handler', 'extra']);
  t.equal(two.status, 2);
  t.match(two.stderr, /expected at most one argument, the handler; got 2: "index\.handler" "extra"/);
  t.match(two.stderr, /Run `snapstart-runtime --help` for the usage/);
  const unknown = runBin(['--handler=index.handler']);
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /^snapstart-runtime: Unknown option '--handler'/);
});

const lambdaEnv = (extra: Record<string, string> = {}) => ({
  PATH: path.dirname(nodeBinary),
  LAMBDA_TASK_ROOT: fixtures,
  ...extra,
});

t.test('the handler comes from the first argument when _HANDLER is unset, and is exported as _HANDLER', async (t) => {
  const run = await runLifecycle({
    argv: [nodeBinary, ...tsx, bin, 'echo.handler'],
    cwd: fixtures,
    env: lambdaEnv(),
    events: [{ n: 1 }],
  });
  t.strictSame(run.results[0]?.body, { handler: 'echo.handler', event: { n: 1 } });
  t.notMatch(run.stderr, /warning/);
});

t.test('_HANDLER wins over a different argument, with a warning naming both', async (t) => {
  const run = await runLifecycle({
    argv: [nodeBinary, ...tsx, bin, 'other.handler'],
    cwd: fixtures,
    env: lambdaEnv({ _HANDLER: 'echo.handler' }),
    events: [{ n: 2 }],
    initType: 'on-demand',
  });
  t.strictSame(run.results[0]?.body, { handler: 'echo.handler', event: { n: 2 } });
  t.match(
    run.stderr,
    'snapstart-runtime: warning: _HANDLER="echo.handler" is set; the argument "other.handler" is ignored',
  );
});

t.test('_HANDLER equal to the argument is no conflict: no warning', async (t) => {
  const run = await runLifecycle({
    argv: [nodeBinary, ...tsx, bin, 'echo.handler'],
    cwd: fixtures,
    env: lambdaEnv({ _HANDLER: 'echo.handler' }),
    events: [{ n: 3 }],
    initType: 'on-demand',
  });
  t.strictSame(run.results[0]?.body, { handler: 'echo.handler', event: { n: 3 } });
  t.notMatch(run.stderr, /warning/);
});
