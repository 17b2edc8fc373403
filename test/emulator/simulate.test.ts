import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { formatSimulation, simulate } from '../../src/emulator/index.js';
import { FIXTURES } from '../helpers/lambda-harness.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/lambda/', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

t.test('simulate() - the TypeScript example goes through init, snapshot, restore and two invocations', async (t) => {
  const simulation = await simulate({
    taskRoot: EXAMPLE,
    handler: 'handler.handler',
    invocations: 2,
    event: { orderId: 42 },
    nodeArgs: ['--import=tsx'],
    env: { MY_APP_CONFIG: 'local_test_config', DB_HOST: 'test_db_instance' },
  });
  t.equal(simulation.ok, true, simulation.failure ?? 'ok');
  t.equal(simulation.exitCode, null, 'still serving when the simulator stopped it');
  t.same(
    simulation.timeline.map((span) => `${span.kind}:${span.name}`),
    [
      'process:process start',
      'init:init: import handler.handler',
      'phase:beforeSnapshot (1 hook)',
      'hook:beforeSnapshotHook',
      'snapshot:snapshot + restore (restore/next)',
      'phase:afterRestore (1 hook)',
      'hook:afterRestoreHook',
      'invocation:invocation 1',
      'invocation:invocation 2',
    ],
  );
  for (let i = 1; i < simulation.timeline.length; i++) {
    const [previous, span] = [simulation.timeline[i - 1], simulation.timeline[i]];
    if (span?.kind !== 'hook' && previous)
      t.ok((span?.startMs ?? 0) >= previous.startMs - 1, `${span?.name} starts after ${previous.name}`);
  }
  t.equal(simulation.beforeSnapshot?.hooks[0]?.status, 'fulfilled');
  t.equal(simulation.afterRestore?.hooks[0]?.name, 'afterRestoreHook');
  t.equal(simulation.invocations.length, 2);
  const body = JSON.parse((simulation.invocations[0]?.body as { body?: string } | undefined)?.body ?? 'null');
  t.same(body, { message: 'Function executed successfully!', event: { orderId: 42 } });
  const output = simulation.logs.map((log) => log.text);
  t.ok(
    output.indexOf('Executing beforeSnapshotHook: Closing DB connection.') <
      output.indexOf('Executing afterRestoreHook: Re-establishing resources.'),
  );
  t.ok(output.some((line) => line.includes('Database connected: DB_Connection_to_test_db_instance')));
  t.same(
    simulation.requests.map((request) => `${request.method} ${request.endpoint} ${request.status}`),
    [
      'GET restore/next 200',
      'GET invocation/next 200',
      'POST invocation/response 202',
      'GET invocation/next 200',
      'POST invocation/response 202',
      'GET invocation/next undefined',
    ],
  );
});

t.test('simulate() - an after-restore failure stops the simulation and names the hook', async (t) => {
  const simulation = await simulate({
    taskRoot: FIXTURES,
    handler: 'app.handler',
    env: { FIXTURE_MODE: 'after-fail' },
  });
  t.equal(simulation.ok, false);
  t.equal(simulation.exitCode, 65);
  t.match(simulation.failure, /exited with code 65/);
  t.equal(simulation.errors[0]?.errorType, 'Runtime.AfterRestoreError');
  const hook = simulation.timeline.find((span) => span.name === 'reconnectDb');
  t.match(hook, { kind: 'hook', ok: false, detail: 'rejected: ECONNREFUSED 10.0.0.1:5432' });
  t.same(simulation.invocations, []);
  const text = formatSimulation(simulation, { color: true, width: 10 });
  t.ok(text.includes('\u001b[31mFAILED\u001b[0m'), 'failure painted red');
  t.match(
    text,
    /Errors posted by the runtime:\n {2}restore\/error Runtime\.AfterRestoreError: afterRestore: 1 of 2 hooks failed: reconnectDb/,
  );
  t.match(
    text,
    /Stopped early: the runtime posted restore\/error \(Runtime\.AfterRestoreError\) and exited with code 65/,
  );
  t.match(text, /Runtime exited with code 65/);
  t.notMatch(formatSimulation(simulation, { logs: false }), /Runtime output:/);
  const odd = formatSimulation({
    ...simulation,
    errors: [{ endpoint: 'init/error', errorType: 'Runtime.Unknown', rawErrorType: undefined, body: 'raw', at: 0 }],
    invocations: [{ requestId: 'r', ok: false, body: undefined, startMs: 0, durationMs: 0 }],
  });
  t.match(odd, /init\/error Runtime\.Unknown: "raw"/);
  t.match(odd, /#1 r error in 0\.00 ms: undefined/);
});

t.test('simulate() - on-demand runs no hooks and no restore; an import error is reported', async (t) => {
  const onDemand = await simulate({
    taskRoot: FIXTURES,
    handler: 'app.handler',
    initType: 'on-demand',
    invocations: 3,
  });
  t.equal(onDemand.ok, true);
  t.same(
    onDemand.timeline.map((span) => span.kind),
    ['process', 'init', 'invocation', 'invocation', 'invocation'],
  );
  t.notOk(onDemand.requests.some((request) => request.endpoint === 'restore/next'));

  const broken = await simulate({ taskRoot: FIXTURES, handler: 'broken.handler' });
  t.equal(broken.ok, false);
  t.equal(broken.exitCode, 1);
  t.match(broken.timeline[1], { kind: 'init', ok: false, detail: 'Runtime.ImportModuleError' });
  t.match(broken.errors[0], { endpoint: 'init/error', errorType: 'Runtime.ImportModuleError' });
});

t.test('simulate() - rejects bad options, naming them', async (t) => {
  await t.rejects(
    simulate({ taskRoot: FIXTURES, handler: 'app.handler', invocations: -1 }),
    /options\.invocations must be an integer from 0 to 100000, got -1/,
  );
  await t.rejects(
    simulate({ taskRoot: FIXTURES, handler: 'app.handler', initType: 'warm' as 'on-demand' }),
    /options\.initType must be one of 'snap-start', 'on-demand', got "warm"/,
  );
});

t.test('snapstart simulate - prints the waterfall, or JSON with --json', async (t) => {
  const text = await runCli([
    'simulate',
    FIXTURES,
    '--handler',
    'app.handler',
    '--invocations',
    '2',
    '--event',
    `${EXAMPLE}event.json`,
    '--no-color',
  ]);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /snapstart simulate: app\.handler in .* \(snap-start\) ok/);
  t.match(text.stdout, /^beforeSnapshot \(2 hooks\) +\+[\d.]+ ms +[\d.]+ ms \|[ █]+\| ok$/m);
  t.match(text.stdout, /^ {2}reconnectDb +\+[\d.]+ ms +[\d.]+ ms \|[ ▒]+\| ok$/m);
  t.match(
    text.stdout,
    /Invocations \(2\):\n {2}#1 [0-9a-f-]{36} ok in [\d.]+ ms: \{"event":\{"source":"snapstart simulate"/,
  );

  const json = await runCli([
    'simulate',
    FIXTURES,
    '--handler',
    'app.handler',
    '--json',
    '--env',
    'FIXTURE_MODE=before-fail',
  ]);
  t.equal(json.code, 1);
  const simulation = JSON.parse(json.stdout);
  t.equal(simulation.ok, false);
  t.equal(simulation.exitCode, 64);
  t.match(simulation.errors[0], { endpoint: 'init/error', errorType: 'Runtime.BeforeSnapshotError' });
  t.match(simulation.beforeSnapshot.hooks, [
    { name: 'flushCache', status: 'fulfilled' },
    { name: 'closeDb', status: 'rejected', error: 'cannot close db' },
  ]);
});

t.test('snapstart simulate - bad usage exits 2 with a message naming the problem', async (t) => {
  const cases: [string[], RegExp][] = [
    [['simulate'], /missing <task-root>/],
    [['simulate', FIXTURES], /missing --handler/],
    [['simulate', FIXTURES, 'extra', '--handler', 'a.b'], /unexpected argument "extra"/],
    [['simulate', FIXTURES, '--handler', 'a.b', '--invocations', 'two'], /--invocations must be a number, got "two"/],
    [
      ['simulate', FIXTURES, '--handler', 'a.b', '--init-type', 'warm'],
      /--init-type must be one of 'snap-start', 'on-demand', got "warm"/,
    ],
    [
      ['simulate', FIXTURES, '--handler', 'a.b', '--timeout', '0'],
      /--timeout must be an integer from 1 to 2147483647, got 0/,
    ],
    [['simulate', FIXTURES, '--handler', 'a.b', '--env', 'NOEQUALS'], /--env must be KEY=VALUE, got "NOEQUALS"/],
    [
      ['simulate', FIXTURES, '--handler', 'a.b', '--event', '/nonexistent.json'],
      /cannot read the event from \/nonexistent\.json/,
    ],
    [['simulate', '--bogus'], /Unknown option '--bogus'/],
  ];
  await Promise.all(
    cases.map(async ([args, message]) => {
      const result = await runCli(args);
      t.equal(result.code, 2, args.join(' '));
      t.match(result.stderr, message, args.join(' '));
    }),
  );
  const help = await runCli(['simulate', '--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: snapstart simulate <task-root> --handler file\.export/);
  const usage = await runCli(['--help']);
  t.match(usage.stdout, /simulate +run a Lambda handler/);
});
