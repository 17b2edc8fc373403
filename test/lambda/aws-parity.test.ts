// The built snapstart-runtime behaves as AWS's managed Node.js runtime (aws-lambda-nodejs-runtime-interface-client
// v3.3) where a function can observe it: logs, handler lookup, error bodies and headers, init and process failures,
// phases that can never settle (issue 9 items 3-7, issue 11.1 and 11.11). Each scenario runs against the AWS oracle
// (test/helpers/aws-runtime-api.ts, written from AWS's documents) and, for each item, once more through the emulator.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { RuntimeApiEmulator } from '../../src/emulator/index.js';
import { awsNodePath } from '../../src/lambda/node-path.js';
import { AwsRuntimeApi, type InitType, type RecordedRequest } from '../helpers/aws-runtime-api.js';
import { type RuntimeProcess, spawnBuiltRuntime, within } from '../helpers/runtime-process.js';

type Teardown = { teardown(fn: () => unknown): void };

const FIXTURES = fileURLToPath(new URL('../fixtures/lambda/', import.meta.url));
const AWS_ROOT = path.join(FIXTURES, 'aws');
const LONG = 20_000;
const RECORD = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t/;

/** The oracle with a runtime child serving `handler` from `taskRoot`. */
async function onOracle(
  t: Teardown,
  handler: string,
  options: { initType?: InitType; taskRoot?: string; env?: Record<string, string> } = {},
): Promise<{ api: AwsRuntimeApi; run: RuntimeProcess }> {
  const api = await AwsRuntimeApi.start({ initType: options.initType ?? 'on-demand', waitTimeoutMs: LONG });
  t.teardown(() => api.close());
  const run = spawnBuiltRuntime(t, {
    ...api.env(),
    _HANDLER: handler,
    LAMBDA_TASK_ROOT: options.taskRoot ?? AWS_ROOT,
    ...options.env,
  });
  return { api, run };
}

/** The emulator with a runtime child serving `handler` from `taskRoot`. */
async function onEmulator(
  t: Teardown,
  handler: string,
  options: { initType?: 'on-demand' | 'snap-start'; taskRoot?: string; env?: Record<string, string> } = {},
  stdio?: ['ignore', 'pipe', 'pipe', 'pipe'],
): Promise<{ emulator: RuntimeApiEmulator; run: RuntimeProcess }> {
  const emulator = await RuntimeApiEmulator.start({ initType: options.initType ?? 'on-demand', autoRestore: true });
  t.teardown(() => emulator.close());
  const env = {
    ...emulator.runtimeEnv(),
    _HANDLER: handler,
    LAMBDA_TASK_ROOT: options.taskRoot ?? AWS_ROOT,
    ...options.env,
  };
  return { emulator, run: spawnBuiltRuntime(t, env, stdio === undefined ? {} : { stdio }) };
}

const errorType = (request: RecordedRequest | undefined) => request?.headers['lambda-runtime-function-error-type'];
const body = (request: RecordedRequest | undefined) => JSON.parse(request?.text ?? '{}');

t.test('9.3 logging - text records on stdout, request ids, levels, multi-line records (AWS oracle)', async (t) => {
  const { api, run } = await onOracle(t, 'serve.handler');
  const result = await api.invoke('{"log":true}', { requestId: 'req-log' });
  t.equal(result.text, '"logged"');
  await api.polling(1);
  const lines = run.lines();
  t.ok(
    lines.every((line) => RECORD.test(line)),
    'every stdout line is a record: timestamp<TAB>requestId<TAB>LEVEL<TAB>message',
  );
  const fields = lines.map((line) => line.split('\t'));
  t.same(
    fields.slice(0, 2).map((f) => f.slice(1)),
    [
      ['undefined', 'INFO', 'init log: loading'],
      ['undefined', 'WARN', 'init warning\rsecond line'],
    ],
  );
  const invocation = fields.filter((f) => f[1] === 'req-log');
  t.same(
    invocation.map((f) => f[2]),
    ['INFO', 'INFO', 'DEBUG', 'TRACE', 'WARN', 'ERROR', 'FATAL'],
  );
  t.equal(invocation[0]?.[3], 'plain 1');
  t.equal(invocation[1]?.[3], '{ nested: { a: [ 1, 2 ] } }');
  t.equal(invocation[3]?.[3], 'trace record', 'console.trace writes no stack');
  t.equal(invocation[4]?.[3], 'multi\rline\rmessage', 'one record, line breaks as \\r');
  t.match(invocation[5]?.[3], /^failed: RangeError: out of range\r {4}at /);
  t.equal(run.stderr(), '', 'nothing on stderr');
});

t.test('9.3 logging - JSON format, WARN level, telemetry frames, the fd variable removed (emulator)', async (t) => {
  const { emulator, run } = await onEmulator(
    t,
    'serve.handler',
    { env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN', _LAMBDA_TELEMETRY_LOG_FD: '3' } },
    ['ignore', 'pipe', 'pipe', 'pipe'],
  );
  const frames: { type: number; record: Record<string, unknown> }[] = [];
  let pending = Buffer.alloc(0);
  (run.child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 16 && pending.length >= 16 + pending.readInt32BE(4)) {
      const length = pending.readInt32BE(4);
      frames.push({ type: pending.readUInt32BE(0), record: JSON.parse(pending.subarray(16, 16 + length).toString()) });
      pending = pending.subarray(16 + length);
    }
  });
  t.equal((await within(emulator.invoke({ log: true }), LONG, 'logging invocation')).body, 'logged');
  const leaked = await within(emulator.invoke({ env: '_LAMBDA_TELEMETRY_LOG_FD' }), LONG, 'env read');
  t.equal(leaked.body, null, 'the function never sees _LAMBDA_TELEMETRY_LOG_FD');
  const failed = await within(emulator.invoke({ throw: 'string' }), LONG, 'failing invocation');
  t.equal(failed.ok, false);
  const requestId = emulator.requests.find((r) => r.endpoint === 'invocation/response')?.requestId;
  // Frames travel through a pipe: wait (bounded) until the last one, the Invoke Error, has arrived.
  for (let waited = 0; frames.length < 5 && waited < LONG; waited += 50) await new Promise((r) => setTimeout(r, 50));
  t.same(
    frames.map((f) => [f.type.toString(16), f.record.level]),
    [
      ['a55a0012', 'WARN'],
      ['a55a0012', 'WARN'],
      ['a55a0016', 'ERROR'],
      ['a55a001a', 'FATAL'],
      ['a55a0016', 'ERROR'],
    ],
    'only WARN and above, in JSON frames whose type carries the level',
  );
  t.match(frames[0]?.record, { message: 'init warning\nsecond line', timestamp: /Z$/ });
  t.notOk('requestId' in (frames[0]?.record ?? {}), 'no requestId at init');
  t.match(frames[1]?.record, { requestId, message: 'multi\nline\nmessage' });
  t.match(frames[2]?.record, {
    message: /^failed: RangeError: out of range/,
    errorType: 'RangeError',
    errorMessage: 'out of range',
  });
  t.match(frames[4]?.record, { message: { errorType: 'Error', errorMessage: 'plain text' } }, 'Invoke Error logged');
  t.equal(run.stdout(), '', 'records go to the descriptor, not stdout');
});

t.test(
  '9.4 finding the handler - extensionless first, dir/index.js, ESM .js, NODE_PATH layers (AWS oracle)',
  async (t) => {
    // A layer's node_modules (made here: node_modules is not committed).
    const layers = mkdtempSync(path.join(tmpdir(), 'snapstart-layers-'));
    t.teardown(() => rmSync(layers, { recursive: true, force: true }));
    mkdirSync(path.join(layers, 'nodejs', 'node_modules'), { recursive: true });
    writeFileSync(
      path.join(layers, 'nodejs', 'node_modules', 'layered.js'),
      "exports.handler = async () => 'handler module from a layer';\n",
    );
    const cases: [string, Record<string, string>, string][] = [
      ['both.handler', {}, 'extensionless file'],
      ['dir.handler', {}, 'dir/index.js'],
      ['notype/tla.handler', {}, 'ESM with top-level await'],
      ['layered.handler', { NODE_PATH: path.join(layers, 'nodejs', 'node_modules') }, 'handler module from a layer'],
    ];
    await Promise.all(
      cases.map(async ([handler, env, expected]) => {
        const { api, run } = await onOracle(t, handler, { env });
        const result = await within(api.invoke('{}'), LONG, handler);
        t.equal(JSON.parse(result.text), expected, `${handler} ${run.stderr()}`);
      }),
    );
  },
);

t.test('9.4 AWS default NODE_PATH: set when unset, and the function code requires through it (emulator)', async (t) => {
  // Lambda's runtime directory, with a module in its node_modules (made here: node_modules is not committed).
  const runtimeDir = mkdtempSync(path.join(tmpdir(), 'snapstart-runtime-dir-'));
  t.teardown(() => rmSync(runtimeDir, { recursive: true, force: true }));
  mkdirSync(path.join(runtimeDir, 'node_modules/runtime-lib'), { recursive: true });
  writeFileSync(
    path.join(runtimeDir, 'node_modules/runtime-lib/index.js'),
    "exports.value = 'found through the default NODE_PATH';\n",
  );
  const { emulator } = await onEmulator(t, 'serve.handler', { env: { LAMBDA_RUNTIME_DIR: runtimeDir } });
  const required = await within(emulator.invoke({ require: 'runtime-lib' }), LONG, 'require');
  t.equal(required.body, 'found through the default NODE_PATH');
  const nodePath = await within(emulator.invoke({ env: 'NODE_PATH' }), LONG, 'env');
  t.equal(nodePath.body, awsNodePath({ LAMBDA_RUNTIME_DIR: runtimeDir, LAMBDA_TASK_ROOT: AWS_ROOT }));
});

t.test('9.5 / 11.1 errors - bodies, headers and X-Ray cause for every kind of thrown value (AWS oracle)', async (t) => {
  const { api, run } = await onOracle(t, 'serve.handler');
  const rows: [string, Record<string, unknown>][] = [
    ['error', { errorType: 'TypeError', errorMessage: 'bad input', trace: ['TypeError: bad input', /^ {4}at /] }],
    ['string', { errorType: 'string', errorMessage: 'plain text', trace: [] }],
    ['object', { errorType: 'object', errorMessage: '[object Object]', trace: [] }],
    ['number', { errorType: 'number', errorMessage: '42', trace: [] }],
    ['nullPrototype', { errorType: 'object', errorMessage: '{"reason":"no prototype"}', trace: [] }],
    // The stack was written while `name` was still the inherited 'Error' (the field is set after super()).
    [
      'classField',
      { errorType: 'HttpError', errorMessage: 'http failure', trace: ['Error: http failure', /^ {4}at /] },
    ],
    ['emptyWithCode', { errorType: 'Error', errorMessage: '', trace: ['Error', /^ {4}at /] }],
    ['circular', { errorType: 'object', errorMessage: '[object Object]', trace: [] }],
    ['revokedProxy', { errorType: 'object', trace: [] }],
    ['throwingGetters', { errorType: 'Error', errorMessage: '', trace: ['Error'] }],
    ['unicode', { errorType: 'Error', errorMessage: 'Grüße 日本 😀' }],
  ];
  for (const [kind, expected] of rows) {
    const result = await api.invoke(JSON.stringify({ throw: kind }));
    t.equal(result.kind, 'error', kind);
    t.match(JSON.parse(result.text), expected, kind);
    t.notOk('lambda-runtime-function-error-type' in result.headers, `${kind}: no error-type header, as AWS`);
    t.equal(result.headers['content-type'], 'application/json', kind);
    const cause = JSON.parse(String(result.headers['lambda-runtime-function-xray-error-cause']));
    t.match(
      cause,
      { working_directory: String, exceptions: [{ type: expected.errorType, stack: Array }], paths: Array },
      kind,
    );
  }
  t.equal((await api.invoke('{}')).kind, 'response', 'still serving');
  t.notMatch(run.stdout(), /Runtime API is gone/);
  t.match(run.stdout(), /\tERROR\tInvoke Error \t\{"errorType":"HttpError","errorMessage":"http failure"/);
  t.same(api.violations, []);
});

t.test('9.5 errors - the same bodies through the emulator', async (t) => {
  const { emulator } = await onEmulator(t, 'serve.handler');
  const thrown = await within(emulator.invoke({ throw: 'classField' }), LONG, 'class field');
  t.match(thrown, { ok: false, body: { errorType: 'HttpError', errorMessage: 'http failure' } });
  const text = await within(emulator.invoke({ throw: 'string' }), LONG, 'string');
  t.match(text.body, { errorType: 'string', errorMessage: 'plain text', trace: [] });
  const request = emulator.requests.find((r) => r.endpoint === 'invocation/error');
  t.notOk('lambda-runtime-function-error-type' in (request?.headers ?? {}));
  t.ok(request?.headers['lambda-runtime-function-xray-error-cause']);
});

/** Runs `handler` until the runtime exits; resolves the exit code and the oracle's error posts. */
async function initFailure(t: Teardown, handler: string, options: Parameters<typeof onOracle>[2] = {}) {
  const { api, run } = await onOracle(t, handler, options);
  const started = Date.now();
  const code = await within(run.exited, LONG, `${handler} exit`);
  return { api, run, code, elapsed: Date.now() - started, post: api.initErrors[0] ?? api.restoreErrors[0] };
}

t.test(
  '9.5 init errors - AWS types, the Runtime. prefix kept, header = errorType, exit 129 (AWS oracle)',
  async (t) => {
    const [syntax, inherited, thrownString] = await Promise.all([
      initFailure(t, 'syntax.handler'),
      initFailure(t, 'serve.constructor'),
      initFailure(t, 'throws-string.handler', { taskRoot: FIXTURES }),
    ]);
    t.equal(syntax.code, 129);
    t.equal(errorType(syntax.post), 'Runtime.UserCodeSyntaxError');
    t.match(body(syntax.post), {
      errorType: 'Runtime.UserCodeSyntaxError',
      errorMessage: `SyntaxError: Unexpected token ',' (${path.join(AWS_ROOT, 'syntax.mjs')}:4)`,
      trace: [/^Runtime\.UserCodeSyntaxError: SyntaxError: /, `    at ${path.join(AWS_ROOT, 'syntax.mjs')}:4`],
    });
    t.match(
      syntax.run.stdout(),
      /\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime\.UserCodeSyntaxError"/,
    );
    t.same(syntax.api.sequence(), ['POST init/error'], 'nothing else');
    t.match(body(inherited.post), {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'serve.constructor is undefined or not exported',
    });
    t.same(body(thrownString.post), { errorType: 'string', errorMessage: 'not an Error object', trace: [] });
    t.equal(errorType(thrownString.post), 'string');
    t.equal(thrownString.code, 129);
  },
);

t.test(
  '9.5 init errors - the same through the emulator; a hook failure posts the hook own class and stack',
  async (t) => {
    const { emulator, run } = await onEmulator(t, 'nope.handler');
    t.equal(await within(run.exited, LONG, 'exit'), 129);
    t.match(emulator.errors, [
      {
        endpoint: 'init/error',
        errorType: 'Runtime.ImportModuleError',
        body: { errorType: 'Runtime.ImportModuleError', errorMessage: /^Error: Cannot find module 'nope'\n/ },
      },
    ]);
    const hook = await initFailure(t, 'hooks.handler', {
      taskRoot: FIXTURES,
      initType: 'snap-start',
      env: { FIXTURE_MODE: 'before-class' },
    });
    t.equal(hook.code, 64);
    t.equal(errorType(hook.post), 'Runtime.BeforeSnapshotError');
    t.match(body(hook.post), {
      errorType: 'DatabaseError',
      errorMessage: 'pool still busy',
      trace: ['DatabaseError: pool still busy', /^ {4}at closePool \(.*hooks\.mjs:\d+:\d+\)$/],
    });
    t.same(hook.api.sequence(), ['POST init/error']);
  },
);

t.test('9.6 failures outside any promise at init or in a hook: posted, then 128 / 129 (AWS oracle)', async (t) => {
  const [rejected, uncaught] = await Promise.all([
    initFailure(t, 'init-rejects.handler'),
    initFailure(t, 'hooks.handler', {
      taskRoot: FIXTURES,
      initType: 'snap-start',
      env: { FIXTURE_MODE: 'before-uncaught' },
    }),
  ]);
  t.equal(rejected.code, 128);
  t.equal(errorType(rejected.post), 'Runtime.UnhandledPromiseRejection');
  t.match(body(rejected.post), {
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: 'Error: rejected at init',
  });
  t.match(
    rejected.run.stdout(),
    /\tERROR\tUnhandled Promise Rejection \t\{"errorType":"Runtime\.UnhandledPromiseRejection"/,
  );
  t.equal(uncaught.code, 129);
  t.equal(uncaught.post?.endpoint, 'init/error');
  t.equal(errorType(uncaught.post), 'RangeError');
  t.match(body(uncaught.post), { errorType: 'RangeError', errorMessage: 'thrown in a timer during before-snapshot' });
  t.same(uncaught.api.sequence(), ['POST init/error'], 'no restore/next after the failure');
});

t.test(
  '11.1 an unhandled rejection whose reason String() cannot convert: the reason is posted, exit 128 (AWS oracle)',
  async (t) => {
    const { api, run } = await onOracle(t, 'serve.handler');
    const result = await api.invoke('{"rejectNullPrototype":true}');
    t.match(JSON.parse(result.text), {
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: '{"reason":"no prototype"}',
    });
    t.notOk('lambda-runtime-function-error-type' in result.headers);
    t.equal(await within(run.exited, LONG, 'exit'), 128);
  },
);

t.test('9.6 a rejection during the after-restore phase goes to restore/error, exit 128 (emulator)', async (t) => {
  const { emulator, run } = await onEmulator(t, 'hooks.handler', {
    taskRoot: FIXTURES,
    initType: 'snap-start',
    env: { FIXTURE_MODE: 'after-reject' },
  });
  t.equal(await within(run.exited, LONG, 'exit'), 128);
  t.match(emulator.errors, [
    {
      endpoint: 'restore/error',
      rawErrorType: 'Runtime.UnhandledPromiseRejection',
      body: { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: token refresh rejected' },
    },
  ]);
});

t.test('9.7 phases that can never settle are named at once, not at the deadline (AWS oracle)', async (t) => {
  const [tla, before] = await Promise.all([
    initFailure(t, 'tla-never.handler'),
    initFailure(t, 'hooks.handler', {
      taskRoot: FIXTURES,
      initType: 'snap-start',
      env: { FIXTURE_MODE: 'before-stall' },
    }),
  ]);
  t.equal(tla.code, 129);
  t.match(body(tla.post), {
    errorType: 'Runtime.NodeJsExit',
    errorMessage: /"tla-never\.handler" never finished loading/,
  });
  t.equal(before.code, 64);
  t.equal(errorType(before.post), 'Runtime.BeforeSnapshotError');
  t.match(body(before.post), {
    errorType: 'Runtime.BeforeSnapshotError',
    errorMessage: /^beforeSnapshot hook "drainQueue" can never settle/,
  });
  t.ok(before.elapsed < 15_000, `named in ${before.elapsed} ms, not at the 100 s deadline`);
});

t.test(
  '9.7 an after-restore hook that can never settle: restore/error before the 9 s deadline (emulator)',
  async (t) => {
    const { emulator, run } = await onEmulator(t, 'hooks.handler', {
      taskRoot: FIXTURES,
      initType: 'snap-start',
      env: { FIXTURE_MODE: 'after-stall' },
    });
    t.equal(await within(run.exited, LONG, 'exit'), 65);
    const [restoreNext, restoreError] = emulator.requests;
    const elapsed = (restoreError?.at ?? 0) - (restoreNext?.respondedAt ?? 0);
    t.ok(elapsed < 8_000, `named ${elapsed.toFixed(0)} ms after the restore`);
    t.match(emulator.errors, [
      {
        endpoint: 'restore/error',
        errorType: 'Runtime.AfterRestoreError',
        body: {
          errorType: 'Runtime.AfterRestoreError',
          errorMessage: /^afterRestore hook "reconnectDb" can never settle/,
        },
      },
    ]);
  },
);
