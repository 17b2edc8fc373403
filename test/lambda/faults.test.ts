/**
 * Fault injection on the Runtime API: the real `snapstart-runtime` child process against an emulator
 * that refuses, resets, stalls or answers garbage. Every case must end in a known state (an exit code
 * and a message naming the failed request, or an error for that one invocation and the loop going on),
 * never in a hang. Faults already covered by lambda-reliability.test.ts and lambda-runtime.test.ts
 * (500 on restore/next, 413 on a response, reset init/error after a hook failure, ...) are not repeated.
 */
import t from 'tap';
import { RuntimeApiEmulator } from '../../src/emulator/index.js';
import type { Endpoint, FaultAction } from '../../src/emulator/types.js';
import { RuntimeApiError } from '../../src/lambda/index.js';
import { sequence, spawnRuntime, within } from '../helpers/lambda-harness.js';

const LONG = 30_000;

/** An address where nothing listens: an emulator's, once it is closed. */
async function refusedAddress(): Promise<string> {
  const emulator = await RuntimeApiEmulator.start();
  const { address } = emulator;
  await emulator.close();
  return address;
}

/** Bytes that are not HTTP, and an HTTP answer cut off in the middle of its body. */
const GARBAGE = 'SSH-2.0-OpenSSH_9.6\r\n\r\n';
const TRUNCATED = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"half":';

t.test('snapstart-runtime - connection refused at start: exit 64 (snap-start) or 1, naming the address', async (t) => {
  const address = await refusedAddress();
  const snapStart = await spawnRuntime(t, { handler: 'faults.echo', env: { AWS_LAMBDA_RUNTIME_API: address } });
  t.equal(await within(snapStart.exited, LONG, 'exit'), 64, 'restore/next failed: a before-snapshot failure');
  t.match(snapStart.stdout(), `restore/next failed: connect ECONNREFUSED ${address}`);
  t.match(
    snapStart.stdout(),
    /could not report it: Runtime API POST http:\/\/[\d.:]+\/2018-06-01\/runtime\/init\/error/,
  );

  const onDemand = await spawnRuntime(t, {
    handler: 'faults.echo',
    initType: 'on-demand',
    env: { AWS_LAMBDA_RUNTIME_API: address },
  });
  t.equal(await within(onDemand.exited, LONG, 'exit'), 1);
  t.match(
    onDemand.stdout(),
    `stopping, the Runtime API is gone: Runtime API GET http://${address}/2018-06-01/runtime/invocation/next failed: connect ECONNREFUSED ${address}`,
  );
});

t.test('snapstart-runtime - restore/next answering 403, garbage or a reset: init/error posted, exit 64', async (t) => {
  const cases: [string, FaultAction, RegExp][] = [
    [
      '403',
      { kind: 'status', status: 403, body: '{"errorType":"InvalidStateTransition"}' },
      /restore\/next answered 403: \{"errorType":"InvalidStateTransition"\}/,
    ],
    ['garbage', { kind: 'garbage', bytes: GARBAGE }, /restore\/next failed: Parse Error/],
    ['reset', { kind: 'reset' }, /restore\/next failed: socket hang up/],
    ['truncated answer', { kind: 'garbage', bytes: TRUNCATED }, /restore\/next failed: aborted/],
  ];
  for (const [name, fault, message] of cases) {
    const run = await spawnRuntime(t, { handler: 'app.handler' });
    run.emulator.inject('restore/next', fault);
    t.equal(await within(run.exited, LONG, `exit after ${name}`), 64, name);
    t.same(sequence(run.emulator), ['GET restore/next', 'POST init/error'], name);
    t.equal(run.emulator.errors[0]?.errorType, 'Runtime.BeforeSnapshotError', name);
    t.match(run.emulator.errors[0]?.body, { errorType: 'RuntimeApiError', errorMessage: message }, name);
  }
});

t.test(
  'snapstart-runtime - a 200 restore/next with an unexpected body still restores (the body is unused)',
  async (t) => {
    const run = await spawnRuntime(t, { handler: 'app.handler' });
    run.emulator.inject('restore/next', { kind: 'status', status: 200, body: '<html>surprise</html>' });
    // The injected answer bypasses the emulator's own restore, so the environment stays in `init`; an
    // on-demand style first poll then meets the snapshot point, and restore() lets it through.
    await within(run.emulator.snapshotReached(), LONG, 'first invocation/next');
    run.emulator.restore();
    const result = await within(run.emulator.invoke({}), LONG, 'invocation');
    t.same((result.body as { calls: string[] }).calls, ['flushCache', 'closeDb', 'reconnectDb', 'refreshConfig']);
  },
);

t.test('snapstart-runtime - invocation/next failing (reset, 500, garbage): exit 1 naming the request', async (t) => {
  const cases: [string, FaultAction, RegExp][] = [
    ['reset', { kind: 'reset' }, /invocation\/next failed: socket hang up/],
    [
      '500',
      { kind: 'status', status: 500, body: 'ServiceException' },
      /invocation\/next answered 500: ServiceException/,
    ],
    ['garbage', { kind: 'garbage', bytes: GARBAGE }, /invocation\/next failed: Parse Error/],
  ];
  for (const [name, fault, message] of cases) {
    const run = await spawnRuntime(t, { handler: 'faults.echo', initType: 'on-demand' });
    run.emulator.inject('invocation/next', fault);
    t.equal(await within(run.exited, LONG, `exit after ${name}`), 1, name);
    t.match(run.stdout(), /stopping, the Runtime API is gone: /, name);
    t.match(run.stdout(), message, name);
  }
});

t.test('snapstart-runtime - a reset on a response or error post: exit 1 naming the post', async (t) => {
  const cases: [Endpoint, unknown][] = [
    ['invocation/response', { n: 1 }],
    ['invocation/error', { throw: 'bad input' }],
  ];
  for (const [endpoint, event] of cases) {
    const run = await spawnRuntime(t, { handler: 'app.handler', initType: 'on-demand' });
    run.emulator.inject(endpoint, { kind: 'reset' });
    const lost = run.emulator.invoke(event).catch((error: unknown) => error);
    t.equal(await within(run.exited, LONG, `exit after a reset ${endpoint}`), 1, endpoint);
    t.match(
      run.stdout(),
      new RegExp(`Runtime API POST http://[^ ]+/runtime/${endpoint.replace('/', '/[^/]+/')} failed`),
    );
    t.equal(run.emulator.results.length, 0, 'the emulator never got an answer');
    await run.emulator.close();
    t.match(await lost, { message: /closed before the invocation completed/ }, 'the caller is not left hanging');
  }
});

t.test('snapstart-runtime - a refused invocation error post (500) is logged and the loop goes on', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', initType: 'on-demand' });
  run.emulator.inject('invocation/error', { kind: 'status', status: 500, body: 'busy' });
  const lost = run.emulator.invoke({ throw: 'first' }).catch((error: unknown) => error);
  const refused = await within(
    run.emulator.waitForRequest((r) => r.endpoint === 'invocation/error'),
    LONG,
    'error post',
  );
  const next = await within(run.emulator.invoke({ n: 2 }), LONG, 'next event');
  t.equal(refused.status, 500);
  t.equal(next.ok, true);
  t.match(run.stdout(), /invocation\/[^/]+\/error answered 500: busy/);
  await run.emulator.close();
  t.ok((await lost) instanceof Error);
});

t.test('snapstart-runtime - failing restore/error and init/error posts still exit 65, 64 and 129', async (t) => {
  const cases: [string, Record<string, string>, Endpoint, FaultAction, number][] = [
    ['after-restore failure, reset', { FIXTURE_MODE: 'after-fail' }, 'restore/error', { kind: 'reset' }, 65],
    [
      'after-restore failure, 500',
      { FIXTURE_MODE: 'after-fail' },
      'restore/error',
      { kind: 'status', status: 500 },
      65,
    ],
    [
      'before-snapshot failure, 403',
      { FIXTURE_MODE: 'before-fail' },
      'init/error',
      { kind: 'status', status: 403 },
      64,
    ],
    [
      'bad configuration, garbage',
      { SNAPSTART_AFTER_RESTORE_DEADLINE_MS: 'soon' },
      'init/error',
      { kind: 'garbage', bytes: GARBAGE },
      129,
    ],
  ];
  for (const [name, env, endpoint, fault, code] of cases) {
    const run = await spawnRuntime(t, { handler: 'app.handler', env, autoRestore: true });
    run.emulator.inject(endpoint, fault);
    t.equal(await within(run.exited, LONG, `exit after ${name}`), code, name);
    t.match(run.stdout(), /could not report (it|the init error): Runtime API POST /, name);
  }
});

t.test('snapstart-runtime - slow answers are waited for: invocation/next, the response post', async (t) => {
  const run = await spawnRuntime(t, { handler: 'faults.echo', initType: 'on-demand' });
  run.emulator.inject('invocation/next', { kind: 'delay', ms: 1_200 });
  run.emulator.inject('invocation/response', { kind: 'delay', ms: 1_200 });
  const result = await within(run.emulator.invoke({ slow: true }), LONG, 'slow invocation');
  t.same(result.body, { event: { slow: true } });
  const [next, response] = run.emulator.requests;
  t.ok((next?.respondedAt ?? 0) - (next?.at ?? 0) >= 1_100, 'invocation/next answered late');
  t.ok((response?.respondedAt ?? 0) - (response?.at ?? 0) >= 1_100, 'the response post answered late');
  t.equal((await within(run.emulator.invoke({ n: 2 }), LONG, 'next event')).ok, true);
});

t.test('snapstart-runtime - an event without the optional headers is served with defaults', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', initType: 'on-demand' });
  run.emulator.inject('invocation/next', {
    kind: 'omitHeaders',
    headers: ['lambda-runtime-deadline-ms', 'lambda-runtime-invoked-function-arn', 'lambda-runtime-trace-id'],
  });
  const result = await within(run.emulator.invoke({ n: 1 }), LONG, 'invocation');
  t.match(result.body, {
    event: { n: 1 },
    invokedFunctionArn: '',
    remainingMs: null, // Infinity: no deadline was given
    traceId: null,
  });
});

t.test('snapstart-runtime - a non-numeric deadline and an unknown request id: logged, the loop goes on', async (t) => {
  const run = await spawnRuntime(t, { handler: 'app.handler', initType: 'on-demand' });
  run.emulator.inject('invocation/next', {
    kind: 'status',
    status: 200,
    body: '{"ghost":true}',
    headers: { 'lambda-runtime-aws-request-id': 'ghost', 'lambda-runtime-deadline-ms': 'soon' },
  });
  const real = await within(run.emulator.invoke({ n: 2 }), LONG, 'next event');
  t.equal(real.ok, true);
  const ghost = run.emulator.requests.find((r) => r.requestId === 'ghost');
  t.equal(ghost?.status, 400, 'the emulator refuses a post for an id it never sent');
  t.match(JSON.parse(ghost?.body ?? '{}'), { event: { ghost: true }, remainingMs: null });
  t.match(run.stdout(), /invocation\/ghost\/response answered 400: .*InvalidRequestID/);
});

t.test('snapstart-runtime - an empty event body is Runtime.UnmarshalError and the loop goes on', async (t) => {
  const run = await spawnRuntime(t, { handler: 'faults.echo', initType: 'on-demand' });
  run.emulator.inject('invocation/next', { kind: 'rawEvent', body: '' });
  t.match(await within(run.emulator.invoke({}), LONG, 'empty event'), {
    ok: false,
    body: { errorType: 'SyntaxError' },
  });
  t.equal((await within(run.emulator.invoke({ n: 2 }), LONG, 'next event')).ok, true);
});

t.test(
  'snapstart-runtime - a plain function whose promise can never settle answers null, as AWS does, not exit 13',
  async (t) => {
    // (An `async` handler gets Runtime.NodeJsExit instead: test/lambda/invocations.test.ts.)
    const run = await spawnRuntime(t, { handler: 'faults.neverSettles', initType: 'on-demand' });
    for (const n of [1, 2]) {
      t.match(await within(run.emulator.invoke({ n }), LONG, `invocation ${n}`), { ok: true, body: null });
    }
    t.equal(run.child.exitCode, null, 'still serving');
  },
);

t.test('snapstart-runtime - a callback handler that never calls back answers null, as AWS does', async (t) => {
  const run = await spawnRuntime(t, { handler: 'faults.neverCallsBack', initType: 'on-demand' });
  t.match(await within(run.emulator.invoke({}), LONG, 'invocation'), { ok: true, body: null });
  t.match(await within(run.emulator.invoke({}), LONG, 'second invocation'), { ok: true, body: null });
});

t.test('snapstart-runtime - a handler resolving undefined answers null', async (t) => {
  const run = await spawnRuntime(t, { handler: 'faults.nothing', initType: 'on-demand' });
  const result = await within(run.emulator.invoke({}), LONG, 'invocation');
  t.match(result, { ok: true, body: null, rawBody: 'null' });
});

t.test('snapstart-runtime - a handler stuck on live work is waited for; no extra poll; SIGTERM ends it', async (t) => {
  const run = await spawnRuntime(t, { handler: 'faults.stuck', initType: 'on-demand' });
  // A deadline far away: the emulator enforces it (Sandbox.Timedout), and this test is about the runtime waiting.
  const pending = run.emulator.invoke({}, { timeout: 60_000 }).catch((error: unknown) => error);
  await within(
    run.emulator.waitForRequest((r) => r.endpoint === 'invocation/next'),
    LONG,
    'the event is delivered',
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  t.same(sequence(run.emulator), ['GET invocation/next'], 'no post, and no second poll while one is in flight');
  t.equal(run.emulator.state, 'invoking');
  t.equal(run.child.exitCode, null, 'the runtime is alive');
  run.child.kill('SIGTERM');
  t.equal(await within(run.exited, LONG, 'exit on SIGTERM'), 'SIGTERM');
  await run.emulator.close();
  t.match(await pending, { message: /closed before the invocation completed/ });
});

t.test('snapstart-runtime - an unhandled rejection is posted for its invocation, then exit 128', async (t) => {
  const run = await spawnRuntime(t, { handler: 'faults.rejectsUnobserved', initType: 'on-demand' });
  // AWS parity: the body is Runtime.UnhandledPromiseRejection with the reason as text; no error-type header.
  t.match(await within(run.emulator.invoke({}), LONG, 'invocation'), {
    ok: false,
    body: { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: fire and forget' },
  });
  t.equal(await within(run.exited, LONG, 'exit'), 128);
  t.match(
    run.stdout(),
    /\tERROR\tUnhandled Promise Rejection \t\{"errorType":"Runtime\.UnhandledPromiseRejection",.*"reason":\{"errorType":"Error","errorMessage":"fire and forget".*at rejectsUnobserved/,
  );
  t.notOk(
    run.emulator.requests.some((r) => r.endpoint === 'invocation/response'),
    'the late return is never posted',
  );
});

t.test('snapstart-runtime - two rejections at once: the first is posted, the second only logged', async (t) => {
  const run = await spawnRuntime(t, { handler: 'faults.rejectsTwice', initType: 'on-demand' });
  t.match(await within(run.emulator.invoke({}), LONG, 'invocation'), { body: { errorMessage: 'Error: first of two' } });
  t.equal(await within(run.exited, LONG, 'exit'), 128);
  t.match(run.stdout(), '"errorType":"Runtime.UnhandledPromiseRejection","errorMessage":"second, a plain string"');
  t.equal(run.emulator.requests.filter((r) => r.endpoint === 'invocation/error').length, 1);
});

t.test('snapstart-runtime - an uncaught exception is posted for its invocation, then exit 129', async (t) => {
  const run = await spawnRuntime(t, { handler: 'faults.throwsInTimer', initType: 'on-demand' });
  t.match(await within(run.emulator.invoke({}), LONG, 'invocation'), {
    ok: false,
    body: { errorType: 'RangeError', errorMessage: 'thrown in a timer' },
  });
  t.match(run.stdout(), /\tERROR\tUncaught Exception \t\{"errorType":"RangeError","errorMessage":"thrown in a timer"/);
  t.equal(await within(run.exited, LONG, 'exit'), 129);
});

t.test(
  'snapstart-runtime - an uncaught exception between invocations, or whose post fails: exit 129 / 128',
  async (t) => {
    // Before the first event a failure still belongs to init, as in AWS's runtime: init/error (which
    // Lambda refuses once the runtime polls /next: logged), then exit 129.
    const idle = await spawnRuntime(t, { handler: 'late-throw.handler', initType: 'on-demand' });
    t.equal(await within(idle.exited, LONG, 'exit'), 129);
    t.match(idle.stdout(), '"errorType":"Error","errorMessage":"late failure of a module timer"');
    t.same(
      idle.emulator.requests.filter((r) => r.method === 'POST').map((r) => [r.endpoint, r.status]),
      [['init/error', 403]],
    );

    const unreported = await spawnRuntime(t, { handler: 'faults.rejectsUnobserved', initType: 'on-demand' });
    unreported.emulator.inject('invocation/error', { kind: 'reset' });
    const lost = unreported.emulator.invoke({}).catch((error: unknown) => error);
    t.equal(await within(unreported.exited, LONG, 'exit'), 128);
    t.match(unreported.stdout(), /could not report it: Runtime API POST .*\/error failed/);
    await unreported.emulator.close();
    t.ok((await lost) instanceof Error);
  },
);

t.test(
  'snapstart-runtime - 1000 invocations in a row: no heap growth, one connection, no leaked resources',
  async (t) => {
    const run = await spawnRuntime(t, { handler: 'faults.measure', initType: 'on-demand', nodeArgs: ['--expose-gc'] });
    const { emulator } = run;
    type Sample = { heapUsed: number; gc: boolean; resources: string[]; beforeExitListeners: number };
    const serve = async (count: number): Promise<void> => {
      for (let n = 0; n < count; n++) {
        const result = await emulator.invoke({ n });
        if (!result.ok) throw new Error(`invocation ${n} failed: ${result.rawBody}`);
      }
    };
    const sample = async (): Promise<Sample> => (await emulator.invoke({ measure: true })).body as Sample;

    await within(serve(200), LONG * 2, '200 warm-up invocations');
    const before = await sample();
    const firstMeasured = emulator.requests.length;
    await within(serve(1_000), LONG * 4, '1000 invocations');
    const after = await sample();

    t.equal(before.gc, true, 'the runtime was started with --expose-gc');
    const growth = after.heapUsed - before.heapUsed;
    t.comment(
      `heap after GC: ${(before.heapUsed / 1_048_576).toFixed(2)} MiB -> ${(after.heapUsed / 1_048_576).toFixed(2)} MiB (${(growth / 1024).toFixed(0)} KiB over 1000 invocations)`,
    );
    t.ok(growth < 1_048_576, `heap growth under 1 MiB over 1000 invocations (was ${(growth / 1024).toFixed(0)} KiB)`);
    t.same(after.resources.sort(), before.resources.sort(), 'same active resources before and after');
    t.equal(after.beforeExitListeners, before.beforeExitListeners, 'no beforeExit listener left per invocation');
    const ports = new Set(emulator.requests.slice(firstMeasured).map((r) => r.remotePort));
    t.equal(ports.size, 1, `all ${emulator.requests.length - firstMeasured} requests on one keep-alive connection`);
  },
);

t.test('RuntimeApiError - names the endpoint and the cause, even a nameless AggregateError', async (t) => {
  // A dual-stack connect (localhost on ::1 and 127.0.0.1) fails with an AggregateError without a message.
  const dualStack = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
  t.equal(
    new RuntimeApiError('GET', '/2018-06-01/runtime/invocation/next', { cause: dualStack }, 'localhost:9001').message,
    'Runtime API GET http://localhost:9001/2018-06-01/runtime/invocation/next failed: ECONNREFUSED',
  );
  t.equal(
    new RuntimeApiError('POST', '/p', { cause: 'not an error' }).message,
    'Runtime API POST /p failed: not an error',
  );
  t.match(new RuntimeApiError('GET', '/p', { status: 502, body: '' }, 'h:1'), {
    message: 'Runtime API GET http://h:1/p answered 502',
    endpoint: 'h:1',
    status: 502,
  });
});
