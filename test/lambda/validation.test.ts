/**
 * Bad input to the runtime and the CLIs, table-driven: every row must end in a clear message naming
 * the bad value and a non-zero exit (or, for an unknown init type, a warning naming it). The runtime
 * rows run the real `snapstart-runtime` bin (the `snapstart` CLI's rows are in test/cli/).
 */
import { relative } from 'node:path';
import t from 'tap';
import { RuntimeApiEmulator } from '../../src/emulator/index.js';
import type { LifecycleBus, SnapStartEvents } from '../../src/index.js';
import { loadHandler, RuntimeApiClient, startRuntime } from '../../src/lambda/index.js';
import { reportInitError } from '../../src/lambda/init.js';
import { createFailureGate } from '../../src/lambda/process-failures.js';
import { FIXTURES, sequence, spawnRuntime, within } from '../helpers/lambda-harness.js';

const LONG = 30_000;

/** Runs `rows` through `check`, two at a time: the machine is shared, and each row is a process. */
async function inPairs<T>(rows: T[], check: (row: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += 2) await Promise.all(rows.slice(i, i + 2).map(check));
}

t.test(
  'snapstart-runtime - a bad _HANDLER is posted as AWS names it, exit 129 (more rows in handler.test.ts)',
  async (t) => {
    const rows: [string | undefined, string, string | RegExp][] = [
      [undefined, 'Runtime.MalformedHandlerName', 'Bad handler'],
      [
        '../x.handler',
        'Runtime.MalformedHandlerName',
        "'../x.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.",
      ],
      ['app.', 'Runtime.HandlerNotFound', 'app. is undefined or not exported'],
      ['/etc/app.handler', 'Runtime.ImportModuleError', /^Error: Cannot find module 'app'/],
    ];
    await inPairs(rows, async ([handler, errorType, message]) => {
      const name = String(JSON.stringify(handler));
      const run = await spawnRuntime(t, {
        handler: handler ?? '',
        initType: 'on-demand',
        env: handler === undefined ? ({ _HANDLER: undefined } as unknown as Record<string, string>) : {},
      });
      t.equal(await within(run.exited, LONG, `exit for ${name}`), 129, name);
      t.same(sequence(run.emulator), ['POST init/error'], name);
      t.equal(run.emulator.errors[0]?.errorType, errorType, name);
      t.match(run.emulator.errors[0]?.body, { errorType, errorMessage: message }, name);
      t.match(run.stdout(), `\tundefined\tERROR\tUncaught Exception \t{"errorType":"${errorType}"`, `${name} logged`);
    });
  },
);

t.test('startRuntime() - AWS_LAMBDA_RUNTIME_API missing or malformed: 1, naming it, nothing sent', async (t) => {
  const rows: [string | undefined, string][] = [
    [undefined, 'snapstart-runtime: AWS_LAMBDA_RUNTIME_API is not set'],
    ['', 'snapstart-runtime: AWS_LAMBDA_RUNTIME_API is not set'],
    [
      'notahost',
      'snapstart-runtime: AWS_LAMBDA_RUNTIME_API is malformed: Runtime API endpoint must be "host:port", got "notahost"',
    ],
    ['host:notaport', 'got "host:notaport"'],
    ['http://x:1', 'got "http://x:1"'],
    ['127.0.0.1:0', 'got "127.0.0.1:0"'],
    ['127.0.0.1:70000', 'got "127.0.0.1:70000"'],
    [':9001', 'got ":9001"'],
    ['127.0.0.1:9001/path', 'got "127.0.0.1:9001/path"'],
    [' 127.0.0.1:9001', 'got " 127.0.0.1:9001"'],
  ];
  for (const [value, message] of rows) {
    const logs: string[] = [];
    const env = value === undefined ? {} : { AWS_LAMBDA_RUNTIME_API: value };
    const code = await startRuntime({ env, log: (line) => logs.push(line), patchConsole: false });
    t.equal(code, 1, String(value));
    t.match(logs.join('\n'), message, String(value));
  }
  // The bin, once: the message is a log record on stdout.
  const run = await spawnRuntime(t, { handler: 'faults.echo', env: { AWS_LAMBDA_RUNTIME_API: '' } });
  t.equal(await within(run.exited, LONG, 'exit'), 1);
  t.match(run.stdout(), /\tundefined\tERROR\tsnapstart-runtime: AWS_LAMBDA_RUNTIME_API is not set/);
  t.same(run.emulator.requests, [], 'nothing was sent anywhere');
});

t.test('reportInitError() - after another failure was reported first, an init error is only logged', async (t) => {
  const gate = createFailureGate();
  t.equal(gate.claim(), true);
  const posted: unknown[] = [];
  const logged: string[] = [];
  const code = await reportInitError(
    {
      client: { postInitError: async (error: unknown) => void posted.push(error) },
      env: {},
      gate,
      log: () => {},
      logError: (label) => logged.push(label),
      report: undefined,
    },
    new Error('second failure'),
  );
  t.equal(code, 129);
  t.same(posted, [], 'one failure, one post');
  t.same(logged, ['Uncaught Exception']);
});

t.test('startRuntime() - bad options are refused, naming them', async (t) => {
  await t.rejects(startRuntime(null as never), {
    name: 'TypeError',
    message: /startRuntime\(options\) must be an object/,
  });
  await t.rejects(startRuntime({ env: 'x' as never }), {
    name: 'TypeError',
    message: /options\.env must be an object/,
  });
  await t.rejects(startRuntime({ log: 1 as never }), { name: 'TypeError', message: /options\.log must be a function/ });
  await t.rejects(startRuntime({ maxInvocations: 0 }), { name: 'RangeError', message: /options\.maxInvocations/ });
  await t.rejects(startRuntime({ patchConsole: 'yes' as never }), {
    name: 'TypeError',
    message: /options\.patchConsole/,
  });
  await t.rejects(startRuntime({ bus: {} as never }), {
    name: 'TypeError',
    message: /options\.bus must be a LifecycleBus/,
  });
});

t.test(
  'startRuntime() - an unknown AWS_LAMBDA_INITIALIZATION_TYPE is served as on-demand, with a warning',
  async (t) => {
    const known = ['on-demand', 'provisioned-concurrency', 'snap-start', 'lambda-managed-instances'];
    for (const value of ['snapstart', 'SNAP-START', ...known.filter((type) => type !== 'snap-start')]) {
      const emulator = await RuntimeApiEmulator.start({ initType: 'on-demand' });
      const logs: string[] = [];
      const exit = startRuntime({
        env: {
          ...emulator.runtimeEnv(),
          LAMBDA_TASK_ROOT: FIXTURES,
          _HANDLER: 'faults.echo',
          AWS_LAMBDA_INITIALIZATION_TYPE: value,
        },
        maxInvocations: 1,
        log: (line) => logs.push(line),
        patchConsole: false,
      });
      t.equal((await within(emulator.invoke({}), LONG, value)).ok, true, value);
      t.equal(await exit, 0, value);
      t.notOk(
        emulator.requests.some((r) => r.endpoint === 'restore/next'),
        `${value}: no restore/next`,
      );
      if (known.includes(value)) t.same(logs, [], `${value}: no warning`);
      else {
        t.match(
          logs.join('\n'),
          `warning: unknown AWS_LAMBDA_INITIALIZATION_TYPE "${value}" (expected ${known.join(', ')}); serving it as on-demand`,
          value,
        );
      }
      await emulator.close();
    }
  },
);

t.test(
  'startRuntime() - a bad deadline variable is Runtime.InvalidConfiguration, before the handler loads',
  async (t) => {
    const rows: [string, string][] = [
      ...['0', '-5', 'NaN', '-Infinity', '12abc', 'soon'].map((value): [string, string] => [
        'SNAPSTART_AFTER_RESTORE_DEADLINE_MS',
        value,
      ]),
      ['SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS', '-1'],
    ];
    for (const [variable, value] of rows) {
      const emulator = await RuntimeApiEmulator.start();
      const code = await startRuntime({
        env: {
          ...emulator.runtimeEnv(),
          LAMBDA_TASK_ROOT: FIXTURES,
          _HANDLER: 'does-not-exist.handler',
          [variable]: value,
        },
        log: () => {},
        patchConsole: false,
      });
      t.equal(code, 129, value);
      t.same(sequence(emulator), ['POST init/error'], `${value}: refused before the handler is loaded`);
      t.match(
        emulator.errors[0],
        {
          errorType: 'Runtime.InvalidConfiguration',
          body: {
            errorType: 'Runtime.InvalidConfiguration',
            errorMessage: `${variable} must be a number of ms > 0 or Infinity, got "${value}"`,
          },
        },
        value,
      );
      await emulator.close();
    }
    const emulator = await RuntimeApiEmulator.start({ initType: 'on-demand' });
    t.teardown(() => emulator.close());
    const exit = startRuntime({
      env: {
        ...emulator.runtimeEnv(),
        LAMBDA_TASK_ROOT: FIXTURES,
        _HANDLER: 'faults.echo',
        SNAPSTART_AFTER_RESTORE_DEADLINE_MS: 'soon',
      },
      maxInvocations: 1,
      log: () => {},
      patchConsole: false,
    });
    t.equal((await within(emulator.invoke({}), LONG, 'on-demand')).ok, true, 'ignored without SnapStart');
    t.equal(await exit, 0);
  },
);

t.test('new RuntimeApiClient() - rejects what is not host:port, naming it', async (t) => {
  for (const value of [undefined, 42, '', 'host', 'host:', 'host:-1', '[::1]', 'a b:1']) {
    t.throws(
      () => new RuntimeApiClient(value as string),
      { name: 'TypeError', message: `Runtime API endpoint must be "host:port", got ${JSON.stringify(value)}` },
      String(value),
    );
  }
  for (const value of ['127.0.0.1:9001', 'localhost:1', '[::1]:65535']) {
    const client = new RuntimeApiClient(value);
    t.equal(client.endpoint, value);
    client.close();
  }
});

t.test(
  'loadHandler() - CommonJS exports Node cannot detect are served (require), a throwing getter throws as is',
  async (t) => {
    const handler = await loadHandler(FIXTURES, 'cjs/dynamic.handler');
    t.match(await handler({ a: 1 }, {} as never, () => {}), { found: 'through the default export', event: { a: 1 } });
    t.equal(
      await loadHandler(FIXTURES, 'cjs/dynamic.exploding').catch((error: unknown) => error),
      'lazy export exploded',
    );
  },
);

t.test('startRuntime() - without LAMBDA_TASK_ROOT the handler is found in the working directory', async (t) => {
  const emulator = await RuntimeApiEmulator.start({ initType: 'on-demand' });
  t.teardown(() => emulator.close());
  const handler = `${relative(process.cwd(), FIXTURES)}/faults.echo`;
  t.notOk(handler.startsWith('..'), `tests run from the repository root (${process.cwd()})`);
  const logs: string[] = [];
  const exit = startRuntime({
    env: { ...emulator.runtimeEnv(), _HANDLER: handler },
    maxInvocations: 1,
    log: (message) => logs.push(message),
    patchConsole: false,
  });
  t.match(await within(emulator.invoke({ in: 'process' }), LONG, 'invocation'), {
    ok: true,
    body: { event: { in: 'process' } },
  });
  t.equal(await within(exit, LONG, 'startRuntime'), 0, 'resolves 0 once maxInvocations were served');
  t.same(logs, []);
});

t.test(
  'startRuntime() - a custom bus breaking the phase contract rejects; it is not taken for a hook failure',
  async (t) => {
    const emulator = await RuntimeApiEmulator.start({ autoRestore: true });
    t.teardown(() => emulator.close());
    // A "bus" whose emit resolves no report: drawing the phase on the report stream throws a TypeError.
    const bus = { emit: async () => ({}) } as unknown as LifecycleBus<SnapStartEvents>;
    const started = startRuntime({
      env: {
        ...emulator.runtimeEnv(),
        LAMBDA_TASK_ROOT: FIXTURES,
        _HANDLER: 'faults.echo',
        SNAPSTART_REPORT_FD: '987',
      },
      bus,
      log: () => {},
      patchConsole: false,
    });
    await t.rejects(within(started, LONG, 'startRuntime'), TypeError);
    t.same(emulator.errors, [], 'nothing was posted as a before-snapshot error');
  },
);
