import t from 'tap';
import { RuntimeApiEmulator } from '../../src/emulator/index.js';
import { LifecycleBus, LifecycleError, type PhaseReport, type SnapStartEvents } from '../../src/index.js';
import { createContext } from '../../src/lambda/context.js';
import { functionErrorType } from '../../src/lambda/errors.js';
import { parseHandlerName } from '../../src/lambda/handler.js';
import {
  RuntimeApiClient,
  runInvocationLoop,
  runSnapStartPhases,
  SnapStartPhaseError,
} from '../../src/lambda/index.js';
import { deadlinesFromEnv, neverSettledError } from '../../src/lambda/phases.js';
import { createReportWriter, parseReportLine } from '../../src/lambda/timeline.js';
import { hostileValues } from '../helpers/hostile.js';

async function setup(t: { teardown(fn: () => unknown): void }, options = {}) {
  const emulator = await RuntimeApiEmulator.start({ autoRestore: true, ...options });
  const client = new RuntimeApiClient(emulator.address);
  t.teardown(async () => {
    client.close();
    await emulator.close();
  });
  return { emulator, client, bus: new LifecycleBus<SnapStartEvents>() };
}

t.test('runSnapStartPhases() - runs both phases around restore/next and reports them', async (t) => {
  const { emulator, client, bus } = await setup(t);
  const order: string[] = [];
  bus.on('beforeSnapshot', () => void order.push('before'));
  bus.on('afterRestore', () => void order.push(`after (${emulator.state})`));
  const phases: PhaseReport[] = [];
  const result = await runSnapStartPhases({ client, bus, onPhase: (report) => phases.push(report) });
  t.same(order, ['before', 'after (restoring)']);
  t.same(
    phases.map((report) => report.event),
    ['beforeSnapshot', 'afterRestore'],
  );
  t.equal(result.beforeSnapshot.ok, true);
  t.equal(result.afterRestore.hooks.length, 1);
  t.ok(result.restoreWaitMs >= 0);
});

t.test('runSnapStartPhases() - before-snapshot deadline failure posts init/error', async (t) => {
  const { emulator, client, bus } = await setup(t);
  bus.on('beforeSnapshot', () => new Promise((resolve) => setTimeout(resolve, 5_000).unref()), { name: 'slowFlush' });
  const error = await runSnapStartPhases({ client, bus, beforeSnapshotDeadline: 100 }).catch((e: unknown) => e);
  t.ok(error instanceof SnapStartPhaseError);
  t.match(error, {
    step: 'beforeSnapshot',
    exitCode: 64,
    errorType: 'Runtime.BeforeSnapshotError',
    postError: undefined,
  });
  t.equal((error as SnapStartPhaseError).report?.hooks[0]?.status, 'timedOut');
  t.match(emulator.errors[0]?.body, {
    errorType: 'HookTimeoutError',
    errorMessage: 'Hook "slowFlush" was still running at the phase deadline of 100 ms',
  });
  t.match((error as SnapStartPhaseError).message, /slowFlush \(still running at the phase deadline of 100 ms\)/);
});

t.test('runSnapStartPhases() - a failed restore/error post is kept on the error', async (t) => {
  const { emulator, client, bus } = await setup(t);
  bus.on('afterRestore', () => {
    throw new Error('no network');
  });
  emulator.inject('restore/error', { kind: 'status', status: 503 });
  const error = (await runSnapStartPhases({ client, bus }).catch((e: unknown) => e)) as SnapStartPhaseError;
  t.match(error, { step: 'afterRestore', exitCode: 65, errorType: 'Runtime.AfterRestoreError' });
  t.match(error.postError, { status: 503 });
});

t.test('runSnapStartPhases() - bad options are rejected, naming them', async (t) => {
  const { client, bus } = await setup(t);
  await t.rejects(runSnapStartPhases({} as never), /options\.client must be a RuntimeApiClient, got undefined/);
  await t.rejects(runSnapStartPhases(null as never), { name: 'TypeError' });
  await t.rejects(runSnapStartPhases({ client, bus: {} as never }), /options\.bus must be a LifecycleBus/);
  await t.rejects(runSnapStartPhases({ client, onPhase: 1 as never }), /options\.onPhase must be a function/);
  await t.rejects(runSnapStartPhases({ client, bus, afterRestoreDeadline: 0 }), {
    name: 'RangeError',
    message: 'options.afterRestoreDeadline must be greater than 0 ms, got 0',
  });
  await t.rejects(
    runSnapStartPhases({ client, bus, beforeSnapshotDeadline: Number.NaN }),
    /options\.beforeSnapshotDeadline .* got NaN/,
  );
  await t.rejects(runSnapStartPhases({ client, bus, beforeSnapshotDeadline: '5' as never }), { name: 'TypeError' });
  await t.rejects(
    runSnapStartPhases({ client, bus, env: { SNAPSTART_AFTER_RESTORE_DEADLINE_MS: '-5' } }),
    /SNAPSTART_AFTER_RESTORE_DEADLINE_MS must be .* got "-5"/,
  );
});

t.test('deadlinesFromEnv() - defaults 100000 and 9000, numbers, Infinity, bad values named', async (t) => {
  t.same(deadlinesFromEnv({}), { beforeSnapshot: 100_000, afterRestore: 9_000 });
  t.same(deadlinesFromEnv({ SNAPSTART_AFTER_RESTORE_DEADLINE_MS: ' ', SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS: '' }), {
    beforeSnapshot: 100_000,
    afterRestore: 9_000,
  });
  t.same(
    deadlinesFromEnv({
      SNAPSTART_AFTER_RESTORE_DEADLINE_MS: '2500',
      SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS: 'Infinity',
    }),
    { beforeSnapshot: Number.POSITIVE_INFINITY, afterRestore: 2_500 },
  );
  t.throws(() => deadlinesFromEnv({ SNAPSTART_AFTER_RESTORE_DEADLINE_MS: '0' }), {
    name: 'RangeError',
    message: 'SNAPSTART_AFTER_RESTORE_DEADLINE_MS must be a number of ms > 0 or Infinity, got "0"',
  });
  t.throws(
    () => deadlinesFromEnv({ SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS: 'soon' }),
    /SNAPSTART_BEFORE_SNAPSHOT_DEADLINE_MS .*"soon"/,
  );
  t.equal(typeof deadlinesFromEnv().afterRestore, 'number');
});

t.test('neverSettledError() - names every hook that can never settle; a failure without hook errors', async (t) => {
  t.match(neverSettledError('beforeSnapshot', ['drainQueue', 'flush\nLogs']), {
    name: 'Runtime.BeforeSnapshotError',
    message:
      /^beforeSnapshot hooks "drainQueue", "flush\\nLogs" can never settle: .* while they were pending, .* settle them$/,
  });
  t.match(neverSettledError('afterRestore', ['db']), {
    name: 'Runtime.AfterRestoreError',
    message: /^afterRestore hook "db" can never settle: .* while it was pending, .* settle it$/,
  });
  // A bus whose emit rejects a LifecycleError that names no failed hook: the error itself is posted.
  const { emulator, client } = await setup(t);
  const report = { event: 'beforeSnapshot' as const, ok: false, startedAt: 0, durationMs: 0, hooks: [] };
  const empty = { emit: async () => Promise.reject(new LifecycleError(report, { deadline: 5 })) };
  await runSnapStartPhases({ client, bus: empty as never }).catch(() => {});
  t.match(emulator.errors[0]?.body, { errorType: 'LifecycleError', errorMessage: /phase deadline of 5 ms reached/ });
});

t.test('runSnapStartPhases() - Infinity deadline means none', async (t) => {
  const { client, bus } = await setup(t);
  bus.on('afterRestore', () => new Promise((resolve) => setTimeout(resolve, 50)));
  const result = await runSnapStartPhases({ client, bus, afterRestoreDeadline: Number.POSITIVE_INFINITY });
  t.equal(result.afterRestore.ok, true);
});

t.test('functionErrorType() - letters of the class name', async (t) => {
  class My2Error extends Error {
    override name = 'my-2_error';
  }
  t.equal(functionErrorType(new My2Error()), 'Function.Myerror');
  t.equal(functionErrorType('text'), 'Function.Error');
  t.equal(functionErrorType(new TypeError('x')), 'Function.TypeError');
  t.type(parseHandlerName, 'function');
});

t.test('createContext() - empty headers, no deadline, a deadline past', async (t) => {
  const settled: unknown[] = [];
  const context = createContext(
    {
      requestId: 'r',
      deadlineMs: undefined,
      invokedFunctionArn: 'arn',
      traceId: undefined,
      clientContext: '',
      cognitoIdentity: '',
      rawEvent: '{}',
    },
    { AWS_LAMBDA_FUNCTION_NAME: 'fn' },
    (error, value) => settled.push([error, value]),
  );
  t.match(context, { functionName: 'fn', clientContext: undefined, identity: undefined });
  t.equal(context.getRemainingTimeInMillis(), Number.POSITIVE_INFINITY);
  context.done(undefined, 1);
  context.fail('f');
  context.succeed(2);
  t.same(settled, [
    [null, 1],
    ['f', undefined],
    [null, 2],
  ]);
  const past = createContext(
    {
      requestId: 'r',
      deadlineMs: Date.now() - 1_000,
      invokedFunctionArn: '',
      traceId: undefined,
      clientContext: undefined,
      cognitoIdentity: undefined,
      rawEvent: '',
    },
    {},
    () => {},
  );
  t.equal(past.getRemainingTimeInMillis(), 0);
});

t.test('runInvocationLoop() - in process: rejecting, throwing and callback handlers; bad handler', async (t) => {
  const { emulator, client } = await setup(t, { initType: 'on-demand' });
  // In process the test's own server keeps the event loop alive: callbacks must not wait for it to empty.
  const handler = (
    event: { mode: string },
    context: { callbackWaitsForEmptyEventLoop: boolean },
    callback: (error: unknown, value?: unknown) => void,
  ) => {
    context.callbackWaitsForEmptyEventLoop = false;
    if (event.mode === 'reject') return Promise.reject(undefined);
    if (event.mode === 'throw') throw null;
    if (event.mode === 'callback-error') return callback(new SyntaxError('cb'));
    return callback(null, event.mode);
  };
  const records: unknown[] = [];
  const logs: string[] = [];
  const loop = runInvocationLoop({
    client,
    handler: handler as never,
    maxInvocations: 4,
    onInvocation: (r) => records.push(r),
    log: (m) => logs.push(m),
  });
  const results = await Promise.all(
    ['ok', 'reject', 'throw', 'callback-error'].map((mode) => emulator.invoke({ mode })),
  );
  t.equal(await loop, 4);
  t.match(results, [
    { ok: true, body: 'ok' },
    { ok: false, body: { errorMessage: 'handled' } },
    { ok: true, body: null },
    { ok: false, body: { errorType: 'SyntaxError' } },
  ]);
  t.equal(records.length, 4);
  t.equal(logs.length, 2);
  await t.rejects(runInvocationLoop({ client, handler: 42 as never }), /options\.handler must be a function/);
});

t.test('runInvocationLoop() - rethrows when the Runtime API is gone', async (t) => {
  const emulator = await RuntimeApiEmulator.start({ initType: 'on-demand' });
  const client = new RuntimeApiClient(emulator.address);
  t.teardown(() => client.close());
  const loop = runInvocationLoop({ client, handler: async () => 1 });
  await emulator.waitForRequest((r) => r.endpoint === 'invocation/next');
  await emulator.close();
  await t.rejects(loop, /invocation\/next failed/);
});

t.test('createReportWriter() and parseReportLine() - fd from env, junk lines ignored', async (t) => {
  t.equal(createReportWriter({}), undefined);
  t.equal(createReportWriter({ SNAPSTART_REPORT_FD: '2' }), undefined);
  const write = createReportWriter({ SNAPSTART_REPORT_FD: '987' });
  t.type(write, 'function');
  t.doesNotThrow(
    () => write?.({ type: 'init', handler: 'a.b', startedAt: 0, durationMs: 1, ok: true }),
    'a closed fd is ignored',
  );
  t.equal(createReportWriter(), undefined);
  t.equal(parseReportLine('not json'), undefined);
  t.equal(parseReportLine('{"type":"other"}'), undefined);
  t.equal(parseReportLine('null'), undefined);
  t.match(parseReportLine('{"type":"init","handler":"a.b"}'), { type: 'init' });
});

t.test(
  'runSnapStartPhases() - hooks and onRestored throwing any badly-behaved value are posted; onPhase rejects with its own error',
  async (t) => {
    const places = ['a before-snapshot hook', 'an after-restore hook', 'onRestored', 'onPhase'] as const;
    for (const [label, value] of hostileValues()) {
      for (const place of places) {
        const posts: string[] = [];
        const client = {
          restoreNext: async () => {},
          postInitError: async (_error: unknown, type: string) => void posts.push(type),
          postRestoreError: async (_error: unknown, type: string) => void posts.push(type),
        };
        const bus = new LifecycleBus<SnapStartEvents>();
        const thrower = () => {
          throw value;
        };
        if (place === 'a before-snapshot hook') bus.on('beforeSnapshot', thrower);
        if (place === 'an after-restore hook') bus.on('afterRestore', async () => thrower());
        const run = runSnapStartPhases({
          client: client as never,
          bus,
          env: {},
          ...(place === 'onRestored' ? { onRestored: thrower } : {}),
          ...(place === 'onPhase' ? { onPhase: thrower } : {}),
        });
        const what = `${label} from ${place}`;
        if (place === 'onPhase') {
          // The caller's own callback (the runtime draws the phase with it): its error is the call's, as it is.
          // Boxed: a revoked Proxy cannot be a promise's value (its `then` cannot be read).
          const caught = await run.then(
            () => ['resolved'],
            (error: unknown) => [error],
          );
          t.ok(caught[0] === value, `${what}: rejects with the very value`);
          t.same(posts, [], what);
          continue;
        }
        const error = await run.then(
          () => undefined,
          (caught: unknown) => caught,
        );
        t.ok(error instanceof SnapStartPhaseError, `${what}: a SnapStartPhaseError`);
        const expected =
          place === 'a before-snapshot hook' ? 'Runtime.BeforeSnapshotError' : 'Runtime.AfterRestoreError';
        t.same(posts, [expected], `${what}: posted once as ${expected}`);
        t.type((error as Error).message, 'string', what);
      }
    }
  },
);
