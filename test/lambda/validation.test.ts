/**
 * Bad input to the runtime and the CLIs, table-driven: every row must end in a clear message naming
 * the bad value and a non-zero exit (or, for an unknown init type, a warning naming it). The runtime
 * rows run the real `snapstart-runtime` bin; the CLI rows run the real `snapstart` bin.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli/commands.js';
import { RuntimeApiEmulator, simulate } from '../../src/emulator/index.js';
import type { LifecycleBus, SnapStartEvents } from '../../src/index.js';
import { RuntimeApiClient, startRuntime } from '../../src/lambda/index.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES, sequence, spawnRuntime, within } from '../helpers/lambda-harness.js';

const LONG = 30_000;

/** Runs `rows` through `check`, two at a time: the machine is shared, and each row is a process. */
async function inPairs<T>(rows: T[], check: (row: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += 2) await Promise.all(rows.slice(i, i + 2).map(check));
}

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'snapstart-validation-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('snapstart-runtime - a malformed _HANDLER posts Runtime.MalformedHandlerName naming it, exit 1', async (t) => {
  const rows: [string | undefined, RegExp][] = [
    [undefined, /Bad handler "": expected "file\.export"/],
    ['', /Bad handler "": expected "file\.export"/],
    ['index', /Bad handler "index": expected "file\.export"/],
    ['app.', /Bad handler "app\.": expected "file\.export"/],
    ['.handler', /Bad handler "\.handler": expected "file\.export"/],
    ['app..handler', /Bad handler "app\.\.handler": expected "file\.export"/],
    ['src/.handler', /Bad handler "src\/\.handler": expected "file\.export"/],
    ['../x.handler', /Bad handler "\.\.\/x\.handler": the module path "\.\.\/x" leaves the task root/],
    ['src/../../x.handler', /the module path "src\/\.\.\/\.\.\/x" leaves the task root/],
    ['/etc/app.handler', /the module path "\/etc\/app" leaves the task root/],
  ];
  await inPairs(rows, async ([handler, message]) => {
    const name = String(JSON.stringify(handler));
    const run = await spawnRuntime(t, {
      handler: handler ?? '',
      initType: 'on-demand',
      env: handler === undefined ? ({ _HANDLER: undefined } as unknown as Record<string, string>) : {},
    });
    t.equal(await within(run.exited, LONG, `exit for ${name}`), 1, name);
    t.same(sequence(run.emulator), ['POST init/error'], name);
    t.equal(run.emulator.errors[0]?.errorType, 'Runtime.MalformedHandlerName', name);
    t.match(run.emulator.errors[0]?.body, { errorType: 'MalformedHandlerName', errorMessage: message }, name);
    t.match(run.stderr(), message, `${name} on stderr too`);
  });
});

t.test('snapstart-runtime - a module path inside the task root via ".." is fine', async (t) => {
  const run = await spawnRuntime(t, { handler: 'src/../faults.echo', initType: 'on-demand' });
  t.match(await within(run.emulator.invoke({ a: 1 }), LONG, 'invocation'), { ok: true, body: { event: { a: 1 } } });
});

t.test('snapstart-runtime - a handler module that throws a non-Error is Runtime.ImportModuleError', async (t) => {
  const run = await spawnRuntime(t, { handler: 'throws-string.handler', initType: 'on-demand' });
  t.equal(await within(run.exited, LONG, 'exit'), 1);
  t.match(run.emulator.errors[0], {
    errorType: 'Runtime.ImportModuleError',
    body: { errorMessage: /Error importing .*throws-string\.mjs: not an Error object/ },
  });
});

t.test('snapstart-runtime - AWS_LAMBDA_RUNTIME_API missing or malformed: exit 1 naming it, no request', async (t) => {
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
  await inPairs(rows, async ([value, message]) => {
    const name = String(JSON.stringify(value));
    const run = await spawnRuntime(t, {
      handler: 'faults.echo',
      env: { AWS_LAMBDA_RUNTIME_API: value } as Record<string, string>,
    });
    t.equal(await within(run.exited, LONG, `exit for ${name}`), 1, name);
    t.match(run.stderr(), message, name);
    t.same(run.emulator.requests, [], `${name}: nothing was sent anywhere`);
  });
});

t.test(
  'snapstart-runtime - an unknown AWS_LAMBDA_INITIALIZATION_TYPE is served as on-demand, with a warning',
  async (t) => {
    await inPairs(['snapstart', 'SNAP-START'], async (value) => {
      const run = await spawnRuntime(t, {
        handler: 'app.handler',
        initType: 'on-demand',
        env: { AWS_LAMBDA_INITIALIZATION_TYPE: value },
      });
      const result = await within(run.emulator.invoke({}), LONG, `invocation under ${value}`);
      t.same((result.body as { calls: string[] }).calls, [], `${value}: no hooks ran`);
      t.notOk(
        run.emulator.requests.some((r) => r.endpoint === 'restore/next'),
        `${value}: no restore/next`,
      );
      t.match(
        run.stderr(),
        `warning: unknown AWS_LAMBDA_INITIALIZATION_TYPE "${value}" (expected on-demand, provisioned-concurrency, snap-start, lambda-managed-instances); serving it as on-demand`,
      );
    });
    for (const known of ['on-demand', 'provisioned-concurrency', 'lambda-managed-instances']) {
      const run = await spawnRuntime(t, {
        handler: 'faults.echo',
        initType: 'on-demand',
        env: { AWS_LAMBDA_INITIALIZATION_TYPE: known },
      });
      t.equal((await within(run.emulator.invoke({}), LONG, known)).ok, true, known);
      t.notMatch(run.stderr(), /warning/, `${known}: no warning`);
    }
  },
);

t.test('snapstart-runtime - a bad SNAPSTART_AFTER_RESTORE_DEADLINE_MS is Runtime.InvalidConfiguration', async (t) => {
  await inPairs(['0', '-5', 'NaN', '-Infinity', '12abc', 'soon'], async (value) => {
    const run = await spawnRuntime(t, {
      handler: 'app.handler',
      env: { SNAPSTART_AFTER_RESTORE_DEADLINE_MS: value },
    });
    t.equal(await within(run.exited, LONG, `exit for ${value}`), 1, value);
    t.same(sequence(run.emulator), ['POST init/error'], `${value}: refused before the handler is loaded`);
    t.equal(run.emulator.errors[0]?.errorType, 'Runtime.InvalidConfiguration', value);
    t.match(
      run.emulator.errors[0]?.body,
      { errorMessage: `SNAPSTART_AFTER_RESTORE_DEADLINE_MS must be a number of ms > 0 or Infinity, got "${value}"` },
      value,
    );
  });
  const onDemand = await spawnRuntime(t, {
    handler: 'faults.echo',
    initType: 'on-demand',
    env: { SNAPSTART_AFTER_RESTORE_DEADLINE_MS: 'soon' },
  });
  t.equal(
    (await within(onDemand.emulator.invoke({}), LONG, 'on-demand')).ok,
    true,
    'ignored without SnapStart: no after-restore phase runs',
  );
});

t.test('snapstart - unknown or missing command exits 2 with the usage', async (t) => {
  const unknown = await runCli(t, ['nope']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /snapstart: unknown command "nope"\n\nUsage: snapstart <command>/);
  const none = await runCli(t, []);
  t.equal(none.code, 2);
  t.match(none.stdout, /^Usage: snapstart <command> \[options\]/);
  const help = await runCli(t, ['help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Commands:\n {2}simulate/);
});

t.test('snapstart simulate - bad flags exit 2 naming the value (rows not in simulate.test.ts)', async (t) => {
  const dir = await tempDir(t);
  const badJson = join(dir, 'bad.json');
  await writeFile(badJson, '{"orderId": ');
  const aFile = join(dir, 'file.txt');
  await writeFile(aFile, 'x');
  const base = ['simulate', FIXTURES, '--handler', 'faults.echo'];
  const rows: [string[], string | RegExp][] = [
    [[...base, '--handlr', 'x'], "Unknown option '--handlr'"],
    [['simulate', FIXTURES, '--handler'], "Option '--handler <value>' argument missing"],
    [[...base, '--invocations'], "Option '--invocations <value>' argument missing"],
    [
      [...base, '--invocations', '-1'],
      '--invocations got "-1", which looks like an option; to pass it as the value write --invocations=-1',
    ],
    [[...base, '--invocations=-1'], '--invocations must be an integer >= 0, got "-1"'],
    [[...base, '--invocations', 'abc'], '--invocations must be an integer >= 0, got "abc"'],
    [[...base, '--invocations', ''], '--invocations must be an integer >= 0, got ""'],
    [[...base, '--invocations', '1.5'], '--invocations must be an integer >= 0, got "1.5"'],
    [[...base, '--init-type', 'provisioned-concurrency'], '--init-type must be snap-start or on-demand'],
    [[...base, '--init-type'], "Option '--init-type <value>' argument missing"],
    [[...base, '--timeout', 'Infinity'], '--timeout must be a number of ms > 0, got "Infinity"'],
    [[...base, '--timeout', '99999999999'], /got "99999999999" \(whole ms, at most 2147483647\)/],
    [[...base, '--timeout', '-5'], '--timeout got "-5", which looks like an option'],
    [[...base, '--env', '=value'], '--env must be KEY=VALUE, got "=value"'],
    [[...base, '--event', badJson], /cannot read the event from .*bad\.json: .*JSON/],
    [['simulate', join(dir, 'missing'), '--handler', 'a.b'], /<task-root> ".*missing" is not a directory/],
    [['simulate', aFile, '--handler', 'a.b'], /<task-root> ".*file\.txt" is not a directory/],
  ];
  await inPairs(rows, async ([args, message]) => {
    const result = await runCli(t, args);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, message, args.join(' '));
    t.match(result.stderr, 'Usage: snapstart simulate', `${args.join(' ')}: with the usage`);
  });
});

t.test('snapstart simulate - a malformed --handler shows the runtime refusing it, exit 1', async (t) => {
  const result = await runCli(t, ['simulate', FIXTURES, '--handler', '../escape.handler', '--no-color']);
  t.equal(result.code, 1);
  t.match(result.stdout, /init: import \.\.\/escape\.handler .* FAIL Runtime\.MalformedHandlerName/);
  t.match(result.stdout, /init\/error Runtime\.MalformedHandlerName: Bad handler "\.\.\/escape\.handler"/);
  t.match(result.stdout, 'Runtime exited with code 1');
});

t.test('snapstart snapshot - bad flags and paths exit non-zero naming the value', async (t) => {
  const dir = await tempDir(t);
  const entry = join(FIXTURES, 'faults.mjs');
  const rows: [string[], number, string | RegExp][] = [
    [['snapshot', entry, '--out'], 2, "Option '-o, --out <value>' argument missing"],
    [
      ['snapshot', entry, '-o', '-x.blob'],
      2,
      '-o got "-x.blob", which looks like an option; to pass it as the value write --out=-x.blob',
    ],
    [['snapshot', entry, '--bundle'], 2, "Option '--bundle <value>' argument missing"],
    [['snapshot', entry, entry], 2, 'expected one entry file, got 2'],
    [['snapshot', dir], 1, /entry ".*snapstart-validation-[^"]*" is not a file/],
    [
      ['snapshot', entry, '--out', join(dir, 'no/such/dir/app.blob')],
      1,
      /--out ".*app\.blob": its directory .*no\/such\/dir does not exist/,
    ],
    [['snapshot', entry, '--out', dir], 1, /--out ".*": is a directory; name a file/],
    [['snapshot', entry, '--out='], 1, '--out "": the path is empty'],
    [
      ['snapshot', entry, '--out', join(dir, 'a.blob'), '--bundle', join(dir, 'none/b.cjs')],
      1,
      /--bundle ".*b\.cjs": its directory .*none does not exist/,
    ],
  ];
  await inPairs(rows, async ([args, code, message]) => {
    const result = await runCli(t, args);
    t.equal(result.code, code, args.join(' '));
    t.match(result.stderr, message, args.join(' '));
  });
});

t.test('simulate() - bad timeoutMs and taskRoot are refused before anything starts', async (t) => {
  const rows: [Record<string, unknown>, RegExp][] = [
    [{ timeoutMs: 0 }, /timeoutMs must be a number of ms from 1 to 2147483647, got 0/],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, /got Infinity/],
    [{ timeoutMs: '5000' }, /got 5000/],
    [{ taskRoot: join(FIXTURES, 'missing') }, /taskRoot must be an existing directory, got ".*missing"/],
    [{ taskRoot: join(FIXTURES, 'faults.mjs') }, /taskRoot must be an existing directory, got ".*faults\.mjs"/],
    [{ taskRoot: 42 }, /taskRoot must be an existing directory, got 42/],
  ];
  for (const [options, message] of rows) {
    await t.rejects(simulate({ taskRoot: FIXTURES, handler: 'faults.echo', ...options } as never), message);
  }
});

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

t.test('snapstart-runtime - CommonJS exports found only on the default export; a throwing getter', async (t) => {
  const found = await spawnRuntime(t, { handler: 'cjs/dynamic.handler', initType: 'on-demand' });
  t.match(await within(found.emulator.invoke({ a: 1 }), LONG, 'invocation'), {
    ok: true,
    body: { found: 'through the default export', event: { a: 1 } },
  });
  const exploding = await spawnRuntime(t, { handler: 'cjs/dynamic.exploding', initType: 'on-demand' });
  t.equal(await within(exploding.exited, LONG, 'exit'), 1);
  t.match(exploding.emulator.errors[0], {
    errorType: 'Runtime.ImportModuleError',
    body: { errorMessage: /Error reading "exploding" from .*dynamic\.cjs: lazy export exploded/ },
  });
});

t.test('main() - unknown command, no command and --help, in process', async (t) => {
  const out: string[] = [];
  const err: string[] = [];
  const { stdout, stderr } = process;
  const writeOut = stdout.write;
  const writeErr = stderr.write;
  stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof stdout.write;
  stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof stderr.write;
  let codes: number[];
  try {
    codes = [await main(['nope']), await main([]), await main(['-h'])];
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
  }
  t.same(codes, [2, 2, 0]);
  t.match(err.join(''), /^snapstart: unknown command "nope"\n\nUsage: snapstart <command> \[options\]/);
  t.match(out.join(''), /snapshot +Build a V8 startup snapshot blob/);
});

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
    });
    await t.rejects(within(started, LONG, 'startRuntime'), TypeError);
    t.same(emulator.errors, [], 'nothing was posted as a before-snapshot error');
  },
);
