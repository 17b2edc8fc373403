/**
 * `simulate()` in process (its runtime child is the compiled bin, run by plain node): the lifecycle and
 * its timeline, each step as it happens, and what ends a simulation early.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import t from 'tap';
import { formatSimulation, formatSimulationEvent, type SimulationEvent, simulate } from '../../src/emulator/index.js';
import { hostileValues } from '../helpers/hostile.js';
import { FIXTURES } from '../helpers/lambda-harness.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/lambda/', import.meta.url));

t.test(
  'simulate() - the TypeScript example: init, snapshot, restore, two invocations, each step as it happens',
  async (t) => {
    const events: SimulationEvent[] = [];
    const simulation = await simulate({
      taskRoot: EXAMPLE,
      handler: 'handler.handler',
      invocations: 2,
      event: { orderId: 42 },
      nodeArgs: ['--import=tsx'],
      env: { MY_APP_CONFIG: 'local_test_config', DB_HOST: 'test_db_instance' },
      onEvent: (event) => events.push(event),
    });
    t.equal(simulation.ok, true, simulation.failure ?? 'ok');
    t.equal(simulation.exitCode, null, 'still serving when the simulator stopped it');
    const steps = [
      'process:process start',
      'init:init: import handler.handler',
      'phase:beforeSnapshot (1 hook)',
      'hook:beforeSnapshotHook',
      'snapshot:snapshot + restore (restore/next)',
      'phase:afterRestore (1 hook)',
      'hook:afterRestoreHook',
      'invocation:invocation 1',
      'invocation:invocation 2',
    ];
    t.same(
      simulation.timeline.map((span) => `${span.kind}:${span.name}`),
      steps,
    );
    for (let i = 1; i < simulation.timeline.length; i++) {
      const [previous, span] = [simulation.timeline[i - 1], simulation.timeline[i]];
      if (span?.kind !== 'hook' && previous)
        t.ok((span?.startMs ?? 0) >= previous.startMs - 1, `${span?.name} starts after ${previous.name}`);
    }
    // The same steps were reported as they happened, with the after-restore phase and each invocation
    // announced when they started.
    const reported = events.flatMap((event) =>
      event.type === 'step' ? [`${event.span.kind}:${event.span.name}`] : [],
    );
    t.same([...reported].sort(), [...steps].sort(), 'every step reported once');
    const running = events.flatMap((event) => (event.type === 'running' ? [event.name] : []));
    t.same(running, ['afterRestore', 'invocation 1', 'invocation 2']);
    const order = events.map((event) =>
      event.type === 'log' ? `log:${event.text}` : event.type === 'step' ? event.span.name : `running:${event.name}`,
    );
    t.ok(order.indexOf('running:afterRestore') < order.indexOf('afterRestore (1 hook)'), 'announced before it ended');
    t.ok(order.indexOf('running:invocation 1') < order.indexOf('invocation 1'));
    t.ok(
      order.some(
        (entry) =>
          entry.startsWith('log:') && entry.endsWith('\tINFO\tExecuting afterRestoreHook: Re-establishing resources.'),
      ),
      'logs as they come',
    );
    t.match(
      formatSimulationEvent(events.find((e) => e.type === 'running') as SimulationEvent),
      /^ +\+[\d.]+ ms {2}afterRestore running…$/,
    );

    t.equal(simulation.beforeSnapshot?.hooks[0]?.status, 'fulfilled');
    t.equal(simulation.afterRestore?.hooks[0]?.name, 'afterRestoreHook');
    const body = JSON.parse((simulation.invocations[0]?.body as { body?: string } | undefined)?.body ?? 'null');
    t.same(body, { message: 'Function executed successfully!', event: { orderId: 42 } });
    t.same(simulation.hints, []);
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
  },
);

t.test('simulate() - an after-restore failure stops the simulation and names the hook', async (t) => {
  const simulation = await simulate({
    taskRoot: FIXTURES,
    handler: 'app.handler',
    env: { FIXTURE_MODE: 'after-fail' },
  });
  t.equal(simulation.ok, false);
  t.equal(simulation.exitCode, 65);
  t.equal(simulation.failure, 'the runtime posted restore/error (Runtime.AfterRestoreError) and exited with code 65');
  t.equal(simulation.errors[0]?.errorType, 'Runtime.AfterRestoreError');
  t.match(
    simulation.timeline.find((span) => span.name === 'reconnectDb'),
    {
      kind: 'hook',
      ok: false,
      detail: 'rejected: ECONNREFUSED 10.0.0.1:5432',
    },
  );
  t.same(simulation.invocations, []);
  const text = formatSimulation(simulation, { color: true, width: 10 });
  t.ok(text.includes('\u001b[31mFAILED\u001b[0m'), 'failure painted red');
  t.match(
    text,
    // The body is the failing hook's own error (AWS parity, issue 9.5); the hook is named in the timeline above.
    /Errors posted by the runtime:\n {2}restore\/error Runtime\.AfterRestoreError: ECONNREFUSED 10\.0\.0\.1:5432/,
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
    invocations: [{ requestId: 'r\u001b[2J', ok: false, body: undefined, startMs: 0, durationMs: 0 }],
    logs: [{ stream: 'stdout', text: 'line\u001b[31m red' }],
  });
  t.match(odd, /init\/error Runtime\.Unknown: "raw"/);
  t.match(odd, /#1 r\\u001b\[2J error in 0\.00 ms: undefined/, 'a hostile id cannot drive the terminal');
  t.match(odd, /\| line\\u001b\[31m red/);
  t.throws(
    () => formatSimulation(simulation, { width: 5 }),
    /^options\.width must be an integer from 10 to 1000, got 5$/,
  );
  t.throws(() => formatSimulation(simulation, { width: 1e9 }), RangeError);
  t.throws(() => formatSimulation(simulation, { colour: true } as never), /^options has an unknown key "colour"/);
});

t.test(
  'simulate() - on-demand runs no hooks and no restore, delivers a null event as null; an import error is reported',
  async (t) => {
    const [onDemand, broken] = await Promise.all([
      simulate({ taskRoot: FIXTURES, handler: 'faults.echo', initType: 'on-demand', invocations: 2, event: null }),
      simulate({ taskRoot: FIXTURES, handler: 'broken.handler' }),
    ]);
    t.equal(onDemand.ok, true, onDemand.failure ?? 'ok');
    t.same(
      onDemand.timeline.map((span) => span.kind),
      ['process', 'init', 'invocation', 'invocation'],
    );
    t.same(
      onDemand.invocations.map((invocation) => invocation.body),
      [{ event: null }, { event: null }],
    );
    t.notOk(onDemand.requests.some((request) => request.endpoint === 'restore/next'));

    t.equal(broken.ok, false);
    // AWS parity: a module that throws at init is posted as its own error (header `Error`, which Lambda
    // records as Runtime.Unknown), then exit 129.
    t.equal(broken.exitCode, 129);
    t.match(broken.timeline[1], { kind: 'init', ok: false, detail: 'Error' });
    t.match(broken.timeline.at(-1), { kind: 'init', name: 'init/error posted', ok: false });
    t.match(broken.errors[0], {
      endpoint: 'init/error',
      errorType: 'Runtime.Unknown',
      rawErrorType: 'Error',
      body: { errorType: 'Error', errorMessage: 'top-level explosion' },
    });
    t.match(broken.failure, /^the runtime posted init\/error \(Runtime\.Unknown\) and exited with code 129$/);
  },
);

t.test(
  'simulate() - an invocation past the function timeout ends as Sandbox.Timedout and the runtime is stopped',
  async (t) => {
    const simulation = await simulate({
      taskRoot: FIXTURES,
      handler: 'faults.stuck',
      initType: 'on-demand',
      invocations: 2,
      functionTimeout: 400,
    });
    t.equal(simulation.ok, false);
    t.match(simulation.invocations, [
      {
        ok: false,
        errorType: 'Sandbox.Timedout',
        body: { errorMessage: /Error: Task timed out after 0\.40 seconds$/ },
      },
    ]);
    t.equal(simulation.invocations.length, 1, 'no second invocation in a reset environment');
    t.match(simulation.failure, /^invocation [0-9a-f-]{36} timed out after 0\.40 seconds; Lambda stops the runtime/);
    t.equal(simulation.exitCode, 128, 'killed, as Lambda kills it');
    t.match(simulation.timeline.at(-1), {
      kind: 'invocation',
      name: 'invocation 1',
      ok: false,
      detail: 'Sandbox.Timedout',
    });
    t.ok((simulation.invocations[0]?.durationMs ?? 0) >= 390);
  },
);

t.test('simulate() - its own timeout kills the runtime and draws the step that was running', async (t) => {
  const rows: [string, Parameters<typeof simulate>[0], object][] = [
    [
      'a stuck invocation',
      { taskRoot: FIXTURES, handler: 'faults.stuck', initType: 'on-demand', timeout: 5_000, functionTimeout: 60_000 },
      { kind: 'invocation', name: 'invocation 1', ok: false, detail: 'timed out' },
    ],
    [
      'a long after-restore phase',
      { taskRoot: FIXTURES, handler: 'app.handler', env: { FIXTURE_MODE: 'after-slow' }, timeout: 5_000 },
      { kind: 'phase', name: 'afterRestore', ok: false, detail: 'timed out' },
    ],
    [
      'a long before-snapshot phase',
      { taskRoot: FIXTURES, handler: 'slow-phases.handler', env: { FIXTURE_MODE: 'slow-before' }, timeout: 5_000 },
      { kind: 'phase', name: 'beforeSnapshot', ok: false, detail: 'timed out' },
    ],
    [
      'a long init',
      { taskRoot: FIXTURES, handler: 'slow-phases.handler', env: { FIXTURE_MODE: 'slow-init' }, timeout: 2_000 },
      { kind: 'init', name: 'init: import slow-phases.handler', startMs: 0, ok: false, detail: 'timed out' },
    ],
  ];
  // Side by side: each waits out its timeout, which is generous so that a busy machine still reaches the step.
  const simulations = await Promise.all(rows.map(([, options]) => simulate(options)));
  for (const [index, [what, options, running]] of rows.entries()) {
    const simulation = simulations[index] as Awaited<ReturnType<typeof simulate>>;
    t.equal(simulation.ok, false, what);
    t.equal(simulation.failure, `gave up after the ${options.timeout} ms timeout and killed the runtime`, what);
    t.equal(simulation.exitCode, 128, `${what}: killed by a signal`);
    t.same(simulation.invocations, [], what);
    const last = simulation.timeline.at(-1);
    t.match(last, running, `${what}: drawn, failed, up to the timeout`);
    t.ok((last?.durationMs ?? 0) > 0, what);
  }
});

t.test(
  'simulate() - hooks skipped at the after-restore deadline are drawn without times; skipped by unsubscription is ok',
  async (t) => {
    const [deadline, unsubscribed] = await Promise.all([
      simulate({
        taskRoot: FIXTURES,
        handler: 'deadline.handler',
        env: { SNAPSTART_AFTER_RESTORE_DEADLINE_MS: '500' },
      }),
      simulate({ taskRoot: FIXTURES, handler: 'unsubscribe.handler' }),
    ]);
    t.equal(deadline.exitCode, 65);
    t.match(
      deadline.timeline.find((span) => span.name === 'slowWarmup'),
      { ok: false, detail: /^timedOut/ },
    );
    t.match(
      deadline.timeline.find((span) => span.name === 'neverStarted'),
      { kind: 'hook', startMs: -1, ok: false, detail: 'skipped' },
    );
    const text = formatSimulation(deadline, { width: 20 });
    t.match(text, /^ {2}neverStarted +\| {20}\| FAIL skipped$/m, 'no start, no duration, an empty bar');
    t.match(text, /^ {2}\| \S+\tundefined\tINFO\tdeadline fixture loaded$/m, 'stdout lines (log records) are marked |');

    t.equal(unsubscribed.ok, true, unsubscribed.failure ?? 'a skipped hook alone does not fail the phase');
    t.match(unsubscribed.afterRestore, {
      ok: true,
      hooks: [
        { name: 'dropLate', status: 'fulfilled' },
        { name: 'late', status: 'skipped' },
      ],
    });
    t.match(
      unsubscribed.timeline.find((span) => span.name === 'late'),
      { ok: true, detail: 'skipped' },
    );
  },
);

t.test('simulate() - a failed invocation and a refused restore/next are in the timeline', async (t) => {
  const [failed, forced] = await Promise.all([
    simulate({ taskRoot: FIXTURES, handler: 'app.handler', initType: 'on-demand', event: { throw: 'boom' } }),
    // The runtime told it is snap-start, in an environment that is not: Lambda answers restore/next 403.
    simulate({
      taskRoot: FIXTURES,
      handler: 'faults.echo',
      initType: 'on-demand',
      env: { AWS_LAMBDA_INITIALIZATION_TYPE: 'snap-start' },
    }),
  ]);
  t.equal(failed.ok, false);
  // AWS's Node.js runtime posts no error-type header for invocation errors: the body's type is shown.
  t.match(failed.invocations, [
    { ok: false, errorType: 'TypeError', body: { errorType: 'TypeError', errorMessage: 'boom' } },
  ]);
  t.match(failed.timeline.at(-1), { kind: 'invocation', ok: false, detail: 'TypeError' });

  t.equal(forced.exitCode, 64);
  t.match(
    forced.timeline.find((span) => span.kind === 'snapshot'),
    { ok: false, detail: 'restore/next answered 403' },
  );
  t.match(forced.errors, [{ endpoint: 'init/error', errorType: 'Runtime.BeforeSnapshotError' }]);
});

t.test('simulate() - a TypeScript handler without a loader gets a hint', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'snapstart-simulate-ts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'handler.ts'), 'export const handler = async (): Promise<number> => 1;\n');
  const simulation = await simulate({ taskRoot: dir, handler: 'handler.handler', initType: 'on-demand' });
  t.equal(simulation.ok, false);
  // AWS parity: the import's own error is posted (header `TypeError`, recorded by Lambda as Runtime.Unknown).
  t.match(simulation.errors[0], {
    errorType: 'Runtime.Unknown',
    rawErrorType: 'TypeError',
    body: { errorMessage: /Unknown file extension "\.ts"/ },
  });
  t.match(simulation.hints, [/pass one, e\.g\. `--node-arg=--import=tsx`/]);
  t.match(formatSimulation(simulation), /\nHint: The handler is TypeScript and node has no TypeScript loader/);
});

t.test('simulate() - bad options are refused before anything starts, naming them', async (t) => {
  const base = { taskRoot: FIXTURES, handler: 'faults.echo' };
  const rows: [Record<string, unknown> | undefined, ErrorConstructor, RegExp][] = [
    [undefined, TypeError, /^options must be an object, got undefined$/],
    [{ ...base, invocations: -1 }, RangeError, /^options\.invocations must be an integer from 0 to 100000, got -1$/],
    [{ ...base, invocations: 1.5 }, RangeError, /got 1\.5/],
    [
      { ...base, initType: 'warm' },
      RangeError,
      /^options\.initType must be one of 'snap-start', 'on-demand', got "warm"$/,
    ],
    [{ ...base, timeout: 0 }, RangeError, /^options\.timeout must be an integer from 1 to 2147483647, got 0$/],
    [{ ...base, timeout: Number.POSITIVE_INFINITY }, RangeError, /got Infinity/],
    [{ ...base, timeout: '5000' }, TypeError, /^options\.timeout must be a number, got "5000"$/],
    [{ ...base, functionTimeout: 0 }, RangeError, /^options\.functionTimeout must be an integer from 1/],
    [
      { ...base, timeoutMs: 5000 },
      TypeError,
      /^options has an unknown key "timeoutMs"; the known keys are taskRoot, handler/,
    ],
    [
      { ...base, taskRoot: join(FIXTURES, 'missing') },
      TypeError,
      /^options\.taskRoot must be an existing directory, got ".*missing"$/,
    ],
    [
      { ...base, taskRoot: join(FIXTURES, 'faults.mjs') },
      TypeError,
      /must be an existing directory, got ".*faults\.mjs"$/,
    ],
    [{ ...base, taskRoot: 42 }, TypeError, /^options\.taskRoot must be a string, got 42$/],
    [{ ...base, taskRoot: `${FIXTURES}\u0000` }, RangeError, /^options\.taskRoot must not contain a NUL character/],
    [{ ...base, handler: '' }, RangeError, /^options\.handler must not be empty/],
    [
      { ...base, handler: 'faults\u0000.echo' },
      RangeError,
      /^options\.handler must not contain a NUL character, got one at index 6$/,
    ],
    [{ ...base, handler: undefined }, TypeError, /^options\.handler must be a string, got undefined$/],
    [{ ...base, env: { A: 'x\u0000y' } }, RangeError, /^options\.env\.A must not contain a NUL character/],
    [{ ...base, env: { 'A\u0000': 'x' } }, RangeError, /^options\.env key "A\\u0000" must not contain a NUL character/],
    [{ ...base, env: { 'A=B': 'x' } }, RangeError, /^options\.env key must be a name without "=", got "A=B"$/],
    [{ ...base, env: { A: 1 } }, TypeError, /^options\.env\.A must be a string, got 1$/],
    [{ ...base, env: 'A=1' }, TypeError, /^options\.env must be an object, got "A=1"$/],
    [{ ...base, nodeArgs: ['--x\u0000'] }, RangeError, /^options\.nodeArgs\[0\] must not contain a NUL character/],
    [{ ...base, nodeArgs: '--import=tsx' }, TypeError, /^options\.nodeArgs must be an array, got "--import=tsx"$/],
    [
      { ...base, event: { n: 1n } },
      TypeError,
      /^options\.event cannot be sent as JSON: Do not know how to serialize a BigInt$/,
    ],
    [{ ...base, event: Symbol('e') }, TypeError, /^options\.event cannot be sent as JSON/],
    [{ ...base, onEvent: 'print' }, TypeError, /^options\.onEvent must be a function, got "print"$/],
  ];
  for (const [options, type, message] of rows) {
    await t.rejects(simulate(options as never), type, inspect(options));
    await t.rejects(simulate(options as never), message);
  }
});

t.test('simulate() - a process whose simulate() is refused exits by itself: nothing leaks', async (t) => {
  const script = `
    const { simulate } = await import(${JSON.stringify(new URL('../../dist/emulator/index.js', import.meta.url).href)});
    for (const options of [
      { taskRoot: ${JSON.stringify(FIXTURES)}, handler: 'a\\u0000b' },
      { taskRoot: ${JSON.stringify(FIXTURES)}, handler: 'faults.echo', env: { X: '\\u0000' } },
      { taskRoot: ${JSON.stringify(FIXTURES)}, handler: 'faults.echo', nodeArgs: ['\\u0000'] },
    ]) await simulate(options).catch((error) => console.log(error.name));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise((resolve) => child.on('close', (exitCode, signal) => resolve(exitCode ?? signal)));
  clearTimeout(timer);
  t.equal(code, 0, 'exited by itself, well before the 30 s kill');
  t.equal(stdout, 'RangeError\nRangeError\nRangeError\n');
});

t.test('simulate() - an onEvent that throws any badly-behaved value cannot break the run: one warning', async (t) => {
  const values = hostileValues();
  let calls = 0;
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  // Each call throws the next hostile value: thrown from the runtime's output or an emulator event, any
  // of them would be an uncaught exception of this process.
  const simulation = await simulate({
    taskRoot: FIXTURES,
    handler: 'app.handler',
    invocations: 2,
    onEvent: () => {
      throw (values[calls++ % values.length] as [string, unknown])[1];
    },
  });
  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  t.equal(simulation.ok, true, 'the run is as without the observer');
  t.equal(simulation.invocations.length, 2);
  t.ok(calls > 2, `onEvent was still called for every step (${calls} calls)`);
  const ours = warnings.filter((warning) => (warning as { code?: string }).code === 'SNAPSTART_HOOKS_OBSERVER');
  t.equal(ours.length, 1, 'its first error is reported once');
  t.match(ours[0]?.message, /^simulate\(\) options\.onEvent threw: /);
});
