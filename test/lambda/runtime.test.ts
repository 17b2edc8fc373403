import t from 'tap';
import { sequence, spawnRuntime, within } from '../helpers/lambda-harness.js';

const LONG = 30_000;

t.test(
  'snapstart-runtime - snap-start success path: hooks, restore, invocations, exact request sequence',
  async (t) => {
    const run = await spawnRuntime(t, { handler: 'app.handler' });
    const { emulator } = run;
    await within(emulator.snapshotReached(), LONG, 'snapshot point');
    t.equal(emulator.state, 'snapshot');
    t.same(sequence(emulator), ['GET restore/next'], 'before-snapshot hooks ran, then restore/next blocks');
    emulator.restore();
    const first = await within(
      emulator.invoke(
        { n: 1 },
        {
          clientContext: { custom: { a: 1 } },
          cognitoIdentity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool' },
        },
      ),
      LONG,
      'first invocation',
    );
    const second = await within(
      emulator.invoke({ n: 2 }, { traceId: 'Root=1-abc;Sampled=1', timeout: 60_000 }),
      LONG,
      'second invocation',
    );

    t.equal(first.ok, true);
    const body = first.body as Record<string, unknown>;
    t.same(body.event, { n: 1 });
    t.same(
      body.calls,
      ['flushCache', 'closeDb', 'reconnectDb', 'refreshConfig'],
      'before-snapshot LIFO, after-restore FIFO',
    );
    t.equal(body.awsRequestId, first.requestId);
    t.equal(body.invokedFunctionArn, emulator.functionArn);
    t.equal(body.functionName, 'snapstart-function');
    t.equal(body.functionVersion, '$LATEST');
    t.equal(body.memoryLimitInMB, '128');
    t.equal(body.logGroupName, '/aws/lambda/snapstart-function');
    t.match(body.logStreamName, /^local\//);
    t.ok(
      (body.remainingMs as number) > 0 && (body.remainingMs as number) <= 3_000,
      'remaining time counts down from the deadline',
    );
    t.same(body.clientContext, { custom: { a: 1 } });
    t.same(body.identity, { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool' });
    t.match(body.traceId, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    t.equal(
      (second.body as Record<string, unknown>).traceId,
      'Root=1-abc;Sampled=1',
      '_X_AMZN_TRACE_ID set per invocation',
    );
    t.ok(((second.body as Record<string, unknown>).remainingMs as number) > 3_000);

    await within(
      emulator.waitForRequest((r) => r.endpoint === 'invocation/next' && r.seq === 6),
      LONG,
      'third poll',
    );
    t.same(sequence(emulator), [
      'GET restore/next',
      'GET invocation/next',
      'POST invocation/response',
      'GET invocation/next',
      'POST invocation/response',
      'GET invocation/next',
    ]);
    t.equal(emulator.requests[0]?.status, 200);
    t.equal(emulator.requests[2]?.status, 202);
    t.same(emulator.errors, []);
    await emulator.close();
    t.equal(
      await within(run.exited, LONG, 'exit after the API went away'),
      1,
      'runtime stops when the Runtime API is gone',
    );
  },
);

t.test('snapstart-runtime - before-snapshot failure posts init/error and exits 64 without restore/next', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', env: { FIXTURE_MODE: 'before-fail' } });
  t.equal(await within(run.exited, LONG, 'exit'), 64);
  const { emulator } = run;
  t.same(sequence(emulator), ['POST init/error']);
  const request = emulator.requests[0];
  t.equal(request?.headers['lambda-runtime-function-error-type'], 'Runtime.BeforeSnapshotError');
  t.equal(request?.headers['content-type'], 'application/json');
  t.equal(request?.status, 202);
  const body = JSON.parse(request?.body ?? '{}');
  // AWS parity (issue 9.5): the body is the failing hook's own error, class and stack; the log names the hooks.
  t.equal(body.errorType, 'Error');
  t.equal(body.errorMessage, 'cannot close db');
  t.match(body.trace, ['Error: cannot close db', /^ {4}at closeDb \(.*app\.mjs:\d+:\d+\)$/]);
  t.match(
    run.stdout(),
    /ERROR\tsnapstart-runtime: Runtime\.BeforeSnapshotError: beforeSnapshot failed: beforeSnapshot: 1 of 2 hooks failed: closeDb \(cannot close db\)/,
  );
  t.same(
    emulator.errors.map((e) => [e.endpoint, e.errorType]),
    [['init/error', 'Runtime.BeforeSnapshotError']],
  );
  t.equal(emulator.state, 'failed');
});

t.test('snapstart-runtime - a failing restore/next (500) posts init/error and exits 64', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler' });
  run.emulator.inject('restore/next', { kind: 'status', status: 500, body: '{"errorType":"ServiceException"}' });
  t.equal(await within(run.exited, LONG, 'exit'), 64);
  t.same(sequence(run.emulator), ['GET restore/next', 'POST init/error']);
  const posted = run.emulator.errors[0];
  t.equal(posted?.errorType, 'Runtime.BeforeSnapshotError');
  t.match(posted?.body, { errorType: 'RuntimeApiError', errorMessage: /restore\/next answered 500/ });
});

t.test('snapstart-runtime - after-restore failure posts restore/error and exits 65', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', env: { FIXTURE_MODE: 'after-fail' }, autoRestore: true });
  t.equal(await within(run.exited, LONG, 'exit'), 65);
  t.same(sequence(run.emulator), ['GET restore/next', 'POST restore/error']);
  const request = run.emulator.requests[1];
  t.equal(request?.headers['lambda-runtime-function-error-type'], 'Runtime.AfterRestoreError');
  t.match(JSON.parse(request?.body ?? '{}'), {
    errorType: 'Error',
    errorMessage: 'ECONNREFUSED 10.0.0.1:5432',
    trace: ['Error: ECONNREFUSED 10.0.0.1:5432', /reconnectDb/],
  });
  t.match(run.stdout(), /afterRestore: 1 of 2 hooks failed: reconnectDb \(ECONNREFUSED 10\.0\.0\.1:5432\)/);
});

t.test('snapstart-runtime - a slow after-restore hook is named in restore/error at the deadline', async (t) => {
  const run = await spawnRuntime(t, {
    handler: 'app.handler',
    env: { FIXTURE_MODE: 'after-slow', SNAPSTART_AFTER_RESTORE_DEADLINE_MS: '1500' },
    autoRestore: true,
  });
  t.equal(await within(run.exited, LONG, 'exit'), 65);
  const [restoreNext, restoreError] = run.emulator.requests;
  const elapsed = (restoreError?.at ?? 0) - (restoreNext?.respondedAt ?? 0);
  t.ok(
    elapsed >= 1_400 && elapsed < 8_000,
    `restore/error posted at the deadline (${elapsed.toFixed(0)} ms after restore)`,
  );
  t.equal(restoreError?.headers['lambda-runtime-function-error-type'], 'Runtime.AfterRestoreError');
  t.match(JSON.parse(restoreError?.body ?? '{}'), {
    errorType: 'HookTimeoutError',
    errorMessage: 'Hook "warmCache" was still running at the phase deadline of 1500 ms',
  });
  t.match(run.stdout(), /phase deadline of 1500 ms reached; 1 of 3 hooks failed: warmCache \(still running/);
});

// The 9 s default itself: deadlinesFromEnv() in phases.test.ts (a spawned run would wait those 9 s).

t.test('snapstart-runtime - on-demand init runs no hooks and never calls restore/next', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', initType: 'on-demand' });
  const result = await within(run.emulator.invoke({}), LONG, 'invocation');
  t.same((result.body as { calls: string[] }).calls, []);
  t.same(sequence(run.emulator).slice(0, 2), ['GET invocation/next', 'POST invocation/response']);
  t.notOk(run.emulator.requests.some((r) => r.endpoint === 'restore/next'));
});

t.test('snapstart-runtime - a throwing handler posts invocation/error and the loop goes on', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', autoRestore: true });
  const failed = await within(run.emulator.invoke({ throw: 'bad input' }), LONG, 'failing invocation');
  t.equal(failed.ok, false);
  // AWS parity (issue 9.5): no error-type header on invocation errors (the emulator records none), the
  // body's `trace` starts with `Name: message`, content type application/json.
  t.equal(failed.errorType, 'Runtime.Unknown');
  t.match(failed.body, {
    errorType: 'TypeError',
    errorMessage: 'bad input',
    trace: ['TypeError: bad input', /^ {4}at /],
  });
  const request = run.emulator.requests.find((r) => r.endpoint === 'invocation/error');
  t.equal(request?.headers['content-type'], 'application/json');
  t.notOk('lambda-runtime-function-error-type' in (request?.headers ?? {}));
  const thrownString = await within(run.emulator.invoke({ throwString: 'plain text' }), LONG, 'string throw');
  t.match(thrownString, { ok: false, body: { errorType: 'string', errorMessage: 'plain text', trace: [] } });
  const unserialisable = await within(run.emulator.invoke({ bigint: true }), LONG, 'bigint result');
  t.match(unserialisable, { ok: false });
  const after = await within(run.emulator.invoke({ n: 3 }), LONG, 'next invocation');
  t.equal(after.ok, true);
  t.match(run.stdout(), /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"bad input"/);
});

t.test('snapstart-runtime - serves many invocations in a row, in order', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', autoRestore: true });
  const count = 50;
  const results = await within(
    Promise.all(Array.from({ length: count }, (_, n) => run.emulator.invoke({ n }))),
    LONG,
    `${count} invocations`,
  );
  t.same(
    results.map((r) => (r.body as { event: { n: number } }).event.n),
    Array.from({ length: count }, (_, n) => n),
  );
  t.ok(results.every((r) => r.ok));
  t.equal(new Set(results.map((r) => r.requestId)).size, count);
  t.equal(run.emulator.requests.filter((r) => r.endpoint === 'invocation/response').length, count);
});

t.test('snapstart-runtime - CommonJS, callback-style, context.succeed and nested handlers', async (t) => {
  // Five independent runtimes, started together.
  const [cjs, callback, done, nested, deep] = await Promise.all([
    spawnRuntime(t, { handler: 'cjs/app.handler', autoRestore: true }),
    spawnRuntime(t, { handler: 'cjs/app.legacy', initType: 'on-demand' }),
    spawnRuntime(t, { handler: 'cjs/app.legacyDone', initType: 'on-demand' }),
    spawnRuntime(t, { handler: 'src/nested/app.handler', initType: 'on-demand' }),
    spawnRuntime(t, { handler: 'app.handlers.deep.main', initType: 'on-demand' }),
  ]);
  const [fromCjs, fromCallback, fromDone, fromNested, fromDeep] = await Promise.all([
    within(cjs.emulator.invoke({ a: 1 }), LONG, 'cjs'),
    within(callback.emulator.invoke(7), LONG, 'callback'),
    within(done.emulator.invoke(null), LONG, 'succeed'),
    within(nested.emulator.invoke({}), LONG, 'nested path'),
    within(deep.emulator.invoke({}), LONG, 'nested export'),
  ]);
  t.match(fromCjs.body, { module: 'commonjs', restored: true, event: { a: 1 } });
  t.match(fromCallback.body, { style: 'callback', event: 7 });
  t.match(fromDone.body, { style: 'context.succeed' });
  t.same(fromNested.body, { module: 'src/nested/app.js' });
  t.equal(fromDeep.body, 'nested export');
});

t.test(
  'snapstart-runtime - without hooks, a snap-start runtime is snapshotted at its first invocation/next',
  async (t) => {
    const run = await spawnRuntime(t, {
      handler: 'src/nested/app.handler',
      env: { AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' },
    });
    await within(run.emulator.snapshotReached(), LONG, 'snapshot point');
    t.same(sequence(run.emulator), ['GET invocation/next']);
    t.equal(run.emulator.state, 'snapshot');
    run.emulator.restore();
    t.equal((await within(run.emulator.invoke({}), LONG, 'invocation')).ok, true);
  },
);

t.test('snapstart-runtime - exits 1 with a message when AWS_LAMBDA_RUNTIME_API is missing or bad', async (t) => {
  for (const value of ['', 'not-an-endpoint']) {
    const run = await spawnRuntime(t, { handler: 'app.handler', env: { AWS_LAMBDA_RUNTIME_API: value } });
    t.equal(await within(run.exited, LONG, 'exit'), 1);
    t.match(run.stdout(), value ? /must be "host:port"/ : /AWS_LAMBDA_RUNTIME_API is not set/);
  }
});
