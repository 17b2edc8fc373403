import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCheckCommand } from '../../src/cli/check.js';
import { runNode, type Teardown } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const builtCli = `${root}dist/cli/main.js`;
const notBuilt = !existsSync(builtCli) && 'dist/ is not built (npm run build)';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `snapstart check` in this process, capturing what it writes. */
async function checkInProcess(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const { write: writeOut } = process.stdout;
  const { write: writeErr } = process.stderr;
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await runCheckCommand(argv), stdout, stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

/** Runs the built `snapstart check` with plain node (its children are plain node too). */
function checkBuilt(t: Teardown, argv: string[]): Promise<Run> {
  return runNode(t, [builtCli, 'check', ...argv]);
}

t.test('snapstart check --help - the usage, exit 0', async (t) => {
  const run = await checkInProcess(['--help']);
  t.equal(run.code, 0);
  t.match(run.stdout, 'Usage: snapstart check --handler <file.export>');
  t.match(run.stdout, 'Exit code: 0 nothing found, 1 values found, 2 bad usage, 3 the check could not run');
});

t.test('snapstart check - bad usage exits 2 naming the argument', async (t) => {
  const cases: [string[], string][] = [
    [[], 'name what to compare: --handler, --probe or --value'],
    [['--fast'], "Unknown option '--fast'"],
    [['a.mjs', 'b.mjs'], 'expected at most one <module>, got 2'],
    [['--handler', 'x.handler', '--probe', 'p'], 'use --handler or --probe, not both'],
    [['--probe', 'p'], '--probe needs a <module>'],
    [['no/such.mjs', '--value', 'x'], '<module> "no/such.mjs" is not a file'],
    [['--handler', 'nodot'], '--handler "nodot": Bad handler; expected "file.export"'],
    [['--handler', '../out.handler'], '--handler "../out.handler": \'../out.handler\' is not a valid handler name'],
    [
      ['--handler', 'examples/uniqueness/nothing.handler'],
      '--handler: cannot find the module of "examples/uniqueness/nothing.handler"',
    ],
    [['examples/uniqueness/buggy.mjs', '--handler', 'a..b'], '--handler "a..b" is not an export name'],
    [['examples/uniqueness/buggy.mjs', '--value', '1x'], '--value "1x": "1x" does not start with a variable name'],
    [['examples/uniqueness/buggy.mjs', '--value', '$'], '--value "$": $ stands for the result of the call'],
    [['examples/uniqueness/buggy.mjs', '--value', 'a', '--event', 'e.json'], '--event needs --handler or --probe'],
    [
      ['--handler', 'examples/uniqueness/buggy.handler', '--event', 'no/such.json'],
      '--event: cannot read JSON from "no/such.json"',
    ],
    [
      ['--handler', 'examples/uniqueness/buggy.handler', '--event', 'README.md'],
      '--event: cannot read JSON from "README.md"',
    ],
    [
      ['--handler', 'examples/uniqueness/buggy.handler', '--restores', '1'],
      '--restores must be an integer from 2 to 50, got "1"',
    ],
    [
      ['--handler', 'examples/uniqueness/buggy.handler', '--restores', '3.5'],
      '--restores must be an integer from 2 to 50, got "3.5"',
    ],
    [['--handler', 'examples/uniqueness/buggy.handler', '--restores', '51'], 'got "51"'],
    [
      ['--handler', 'examples/uniqueness/buggy.handler', '--timeout', '0'],
      '--timeout must be an integer from 1 to 2147483647, got "0"',
    ],
    [
      ['--handler', 'examples/uniqueness/buggy.handler', '--mode', 'fast'],
      "--mode must be one of 'auto', 'v8', 'process', got \"fast\"",
    ],
    [
      ['--handler', 'examples/uniqueness/buggy.handler', '--restores', '-1'],
      'to pass it as the value write --restores=-1',
    ],
  ];
  for (const [argv, message] of cases) {
    const run = await checkInProcess(argv);
    t.equal(run.code, 2, argv.join(' '));
    t.match(run.stderr, `snapstart check: ${message}`.slice(0, 17), argv.join(' '));
    t.match(run.stderr, message, argv.join(' '));
    t.match(run.stderr, 'Usage: snapstart check', 'with the usage');
    t.equal(run.stdout, '');
  }
});

t.test(
  'snapstart check - the buggy example: each value made at init, by its path; exit 1',
  { skip: notBuilt },
  async (t) => {
    const run = await checkBuilt(t, [
      '--handler',
      'examples/uniqueness/buggy.handler',
      '--event',
      'test/fixtures/check/event.json',
      '--mode',
      'process',
    ]);
    t.equal(run.code, 1, run.stderr);
    t.match(run.stdout, 'snapstart check: examples/uniqueness/buggy.mjs (handler: handler), 3 restores in one process');
    t.match(run.stdout, '✗ 2 values are the same after every restore but should differ per environment:');
    t.match(run.stdout, /\$\.headers\["x-instance-id"\] +UUID +"[0-9a-f-]{36}"/);
    t.match(run.stdout, /\$\.body\.hash +hex id +"[0-9a-f]{32}:check"/);
    t.notMatch(run.stdout, 'requestId', 'made per invocation: differs');
    t.notMatch(run.stdout, 'statusCode');
  },
);

t.test('snapstart check - the fixed example is clean; exit 0 with a JSON report', { skip: notBuilt }, async (t) => {
  const run = await checkBuilt(t, ['--handler', 'examples/uniqueness/fixed.handler', '--mode', 'process', '--json']);
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  t.match(report, {
    ok: true,
    mode: 'process',
    call: { kind: 'handler', export: 'handler' },
    restores: 3,
    findings: [],
    controlled: true,
  });
  t.ok(report.compared >= 5, `compared ${report.compared} values`);
});

t.test(
  'snapstart check --mode v8 - real snapshot restores; a constant that looks random is not reported',
  { skip: notBuilt },
  async (t) => {
    const run = await checkInProcess([
      'test/fixtures/check/snapshot-app.mjs',
      '--probe',
      'probe',
      '--value',
      'bootedAt',
      '--value',
      'config',
      '--mode',
      'v8',
      '--restores',
      '2',
      '--json',
    ]);
    t.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    t.equal(report.mode, 'v8');
    t.equal(report.restores, 2);
    t.same(
      report.findings.map((finding: { path: string; kind: string }) => [finding.path, finding.kind]),
      [
        ['$.sessionKey', 'random token'],
        ['bootedAt', 'timestamp'],
      ],
      'config.apiKey is hex but the same in the control init: a constant',
    );
  },
);

t.test('snapstart check - auto mode falls back to one process when the module cannot be bundled', async (t) => {
  const run = await checkInProcess(['test/fixtures/check/top-level-await.mjs', '--probe', 'probe', '--restores', '2']);
  t.equal(run.code, 1, run.stderr);
  t.match(run.stdout, '(probe: probe), 2 restores in one process');
  t.match(run.stdout, /note: not in V8 mode: the module could not be bundled into one file: Top-level await/);
  t.match(run.stdout, /\$\.token +UUID/);
  t.notMatch(run.stdout, 'status');
});

t.test('snapstart check - an export the module lacks, found by the run, exits 2', { skip: notBuilt }, async (t) => {
  const run = await checkInProcess([
    'test/fixtures/check/snapshot-app.mjs',
    '--probe',
    'nope',
    '--mode',
    'process',
    '--restores',
    '2',
  ]);
  t.equal(run.code, 2);
  t.match(run.stderr, 'snapstart check: --probe: the module has no function export "nope"');
  t.equal(run.stdout, '');
});

t.test('snapstart check - a module that cannot be checked exits 3', { skip: notBuilt }, async (t) => {
  const initFails = await checkBuilt(t, ['test/fixtures/check/init-throws.mjs', '--value', 'x', '--mode', 'process']);
  t.equal(initFails.code, 3);
  t.match(initFails.stdout, '✗ could not check (init): importing the module failed: Error: config missing');
  const noBundle = await checkInProcess(['test/fixtures/v8/top-level-await.ts', '--value', 'x', '--mode', 'v8']);
  t.equal(noBundle.code, 3);
  t.match(
    noBundle.stdout,
    /could not check \(bundle\): the module could not be bundled into one file: Top-level await/,
  );
});
