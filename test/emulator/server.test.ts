import t from 'tap';
import { RuntimeApiEmulator } from '../../src/emulator/index.js';
import { RuntimeApiClient, RuntimeApiError } from '../../src/lambda/index.js';

const base = (emulator: RuntimeApiEmulator): string => `http://${emulator.address}/2018-06-01/runtime`;

async function start(t: { teardown(fn: () => unknown): void }, options = {}): Promise<RuntimeApiEmulator> {
  const emulator = await RuntimeApiEmulator.start(options);
  t.teardown(() => emulator.close());
  return emulator;
}

t.test('RuntimeApiEmulator - restore/next blocks until restore(), then invocations flow', async (t) => {
  const emulator = await start(t);
  t.match(emulator.address, /^127\.0\.0\.1:\d+$/);
  t.equal(emulator.state, 'init');
  const states: string[] = [];
  emulator.on('state', (state: string) => states.push(state));
  let restored = false;
  const restoreNext = fetch(`${base(emulator)}/restore/next`).then((response) => {
    restored = true;
    return response;
  });
  await emulator.snapshotReached();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(restored, false, 'restore/next still blocked');
  emulator.restore();
  t.equal((await restoreNext).status, 200);
  t.equal(await (await restoreNext).text(), '');
  const invocation = emulator.invoke({ a: 1 }, { requestId: 'req-1' });
  const next = await fetch(`${base(emulator)}/invocation/next`);
  t.equal(next.headers.get('lambda-runtime-aws-request-id'), 'req-1');
  t.equal(next.headers.get('lambda-runtime-invoked-function-arn'), emulator.functionArn);
  t.ok(Number(next.headers.get('lambda-runtime-deadline-ms')) > Date.now());
  t.same(await next.json(), { a: 1 });
  const posted = await fetch(`${base(emulator)}/invocation/req-1/response`, { method: 'POST', body: '{"ok":true}' });
  t.equal(posted.status, 202);
  t.same(await posted.json(), { status: 'OK' });
  t.match(await invocation, { requestId: 'req-1', ok: true, body: { ok: true } });
  t.same(states, ['snapshot', 'restoring', 'ready', 'invoking', 'ready']);
  t.ok(
    emulator.requests.every((request, i) => i === 0 || request.at >= (emulator.requests[i - 1]?.at ?? 0)),
    'timestamps ordered',
  );
  t.ok(emulator.requests.every((request) => Math.abs(request.receivedAt - Date.now()) < 60_000));

  const again = await fetch(`${base(emulator)}/restore/next`);
  t.equal(again.status, 403, 'restore/next after an invocation');
  t.same(await again.json(), {
    errorMessage: 'State transition from ready to restore/next is not allowed',
    errorType: 'InvalidStateTransition',
  });
  t.equal(
    (await fetch(`${base(emulator)}/init/error`, { method: 'POST', body: '{}' })).status,
    403,
    'init/error after restore',
  );
  t.equal(
    (await fetch(`${base(emulator)}/restore/error`, { method: 'POST', body: '{}' })).status,
    403,
    'restore/error outside restore',
  );
});

t.test('RuntimeApiEmulator - error posts answer 202 and validate the error-type header', async (t) => {
  const emulator = await start(t);
  const post = (headers: Record<string, string>) =>
    fetch(`${base(emulator)}/init/error`, {
      method: 'POST',
      headers,
      body: '{"errorMessage":"x","errorType":"Error","stackTrace":[]}',
    });
  const response = await post({ 'lambda-runtime-function-error-type': 'Runtime.not-valid1' });
  t.equal(response.status, 202);
  t.same(await response.json(), { status: 'OK' });
  t.match(emulator.errors[0], {
    endpoint: 'init/error',
    errorType: 'Runtime.Unknown',
    rawErrorType: 'Runtime.not-valid1',
    body: { errorMessage: 'x' },
  });
  t.equal(emulator.state, 'failed');
  t.equal((await fetch(`${base(emulator)}/invocation/next`)).status, 403, 'no invocations after an init error');

  const valid = await start(t);
  await fetch(`${base(valid)}/init/error`, {
    method: 'POST',
    headers: { 'lambda-runtime-function-error-type': 'Function.MyError' },
    body: 'not json',
  });
  t.match(valid.errors[0], { errorType: 'Function.MyError', body: 'not json' });
});

t.test('RuntimeApiEmulator - rejects unknown ids, large responses, unknown paths and wrong methods', async (t) => {
  const emulator = await start(t, { initType: 'on-demand', maxResponseBytes: 10 });
  t.equal((await fetch(`${base(emulator)}/restore/next`)).status, 403, 'no restore/next without SnapStart');
  const invocation = emulator.invoke('event', { requestId: 'r1' });
  await fetch(`${base(emulator)}/invocation/next`);
  const unknown = await fetch(`${base(emulator)}/invocation/nope/response`, { method: 'POST', body: '1' });
  t.equal(unknown.status, 400);
  t.match(await unknown.json(), { errorType: 'InvalidRequestID' });
  const big = await fetch(`${base(emulator)}/invocation/r1/response`, { method: 'POST', body: '"0123456789abcdef"' });
  t.equal(big.status, 413);
  t.same(await big.json(), {
    errorMessage: 'Exceeded maximum allowed payload size (10 bytes).',
    errorType: 'RequestEntityTooLarge',
  });
  t.match(await invocation, {
    ok: false,
    errorType: 'Function.ResponseSizeTooLarge',
    body: {
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size (18 bytes) exceeded maximum allowed payload size (10 bytes).',
    },
  });
  const error = await fetch(`${base(emulator)}/invocation/r1/error`, { method: 'POST', body: '{"errorType":"E"}' });
  t.equal(error.status, 403, 'the invocation already ended');
  t.equal((await fetch(`http://${emulator.address}/elsewhere`)).status, 404);
  t.equal((await fetch(`${base(emulator)}/invocation/next`, { method: 'POST' })).status, 405);
  t.equal(emulator.results.length, 1);
});

t.test('RuntimeApiEmulator.inject() - status, reset, delay, omitHeaders and rawEvent faults', async (t) => {
  const emulator = await start(t, { autoRestore: true });
  const client = new RuntimeApiClient(emulator.address);
  t.teardown(() => client.close());
  emulator.inject('restore/next', { kind: 'status', status: 500, body: 'boom' });
  const failed = await client.restoreNext().catch((error: unknown) => error);
  t.ok(failed instanceof RuntimeApiError);
  t.match(failed, { status: 500, body: 'boom', message: /restore\/next answered 500: boom/ });
  emulator.inject('restore/next', { kind: 'reset' });
  const reset = await client.restoreNext().catch((error: unknown) => error);
  t.match(reset, { status: undefined, message: /restore\/next failed/ });
  t.equal(emulator.requests[1]?.fault, 'reset');
  emulator.inject('restore/next', { kind: 'delay', ms: 300 });
  const started = Date.now();
  await client.restoreNext();
  t.ok(Date.now() - started >= 250, 'delayed answer');

  emulator.inject('invocation/next', {
    kind: 'omitHeaders',
    headers: ['Lambda-Runtime-Deadline-Ms', 'lambda-runtime-trace-id'],
  });
  emulator.inject('invocation/next', { kind: 'rawEvent', body: '{not json' });
  emulator.invoke({ x: 1 }, { requestId: 'a' }).catch(() => {});
  const next = await client.nextInvocation();
  t.match(next, { requestId: 'a', deadlineMs: undefined, traceId: undefined, rawEvent: '{not json' });
  await client.postInvocationResponse('a', '1');

  const remove = emulator.inject(
    'invocation/next',
    { kind: 'status', status: 200, body: 'garbage' },
    { times: Number.POSITIVE_INFINITY },
  );
  const garbage = await client.nextInvocation().catch((error: unknown) => error);
  t.match(garbage, { status: 200, message: /no Lambda-Runtime-Aws-Request-Id/ });
  remove();
  remove();
  emulator.invoke({}, { requestId: 'b' }).catch(() => {});
  t.equal((await client.nextInvocation()).requestId, 'b');
});

t.test('RuntimeApiEmulator - bad options and faults are rejected, naming them', async (t) => {
  await t.rejects(
    RuntimeApiEmulator.start({ initType: 'cold' as 'on-demand' }),
    /options\.initType must be one of .*got "cold"/,
  );
  await t.rejects(RuntimeApiEmulator.start({ port: -1 }), /options\.port must be an integer from 0 to 65535, got -1/);
  await t.rejects(RuntimeApiEmulator.start(null as unknown as object), /options must be an object/);
  const emulator = await start(t);
  t.throws(
    () => emulator.inject('restore/next', { kind: 'reset' }, { times: 0 }),
    /options\.times must be an integer from 1 to \d+, got 0/,
  );
  t.throws(
    () => emulator.inject('restore/next', { kind: 'explode' } as never),
    /action\.kind must be one of .*got "explode"/,
  );
  t.throws(
    () => emulator.inject('restore/next', { kind: 'rawEvent', body: '' }),
    /rawEvent applies to invocation\/next only, got restore\/next/,
  );
  t.throws(() => new RuntimeApiClient('nohost'), /Runtime API endpoint must be "host:port", got "nohost"/);
  t.throws(() => new RuntimeApiClient('h:99999'), /got "h:99999"/);
});

t.test(
  'RuntimeApiEmulator.close() - rejects queued invocations, resets long polls; waitForRequest times out',
  async (t) => {
    const emulator = await RuntimeApiEmulator.start({ initType: 'on-demand' });
    await t.rejects(
      emulator.waitForRequest(() => true, 50),
      /No matching request within 50 ms; received: none/,
    );
    const client = new RuntimeApiClient(emulator.address);
    const poll = client.nextInvocation().catch((error: unknown) => error);
    await emulator.waitForRequest((request) => request.endpoint === 'invocation/next');
    const queued = emulator.invoke({}).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // the event was delivered to the poll; another stays queued
    const second = emulator.invoke({}).catch((error: unknown) => error);
    await poll;
    await emulator.close();
    await emulator.close();
    t.match(await second, { message: /closed before the invocation completed/ });
    t.match(await queued, { message: /closed before the invocation completed/ });
    await t.rejects(emulator.invoke({}), /RuntimeApiEmulator is closed/);
    t.equal(emulator.state, 'closed');
    client.close();
  },
);

t.test(
  'RuntimeApiEmulator - faults at the edges: late answers after close, a dropped long poll, odd paths',
  async (t) => {
    const emulator = await RuntimeApiEmulator.start({ host: '::1', initType: 'on-demand' });
    t.teardown(() => emulator.close());
    t.match(emulator.address, /^\[::1\]:\d+$/, 'an IPv6 address is bracketed, as AWS_LAMBDA_RUNTIME_API wants');
    const base = `http://${emulator.address}/2018-06-01/runtime`;
    const client = new RuntimeApiClient(emulator.address);
    t.teardown(() => client.close());

    // An unknown path under the API prefix is a 404 naming it.
    const odd = await fetch(`${base}/invocation/a/b/response`, { method: 'POST', body: '{}' });
    t.equal(odd.status, 404);
    t.match(await odd.json(), {
      errorType: 'NotFound',
      errorMessage: /Unknown Runtime API path .*invocation\/a\/b\/response/,
    });
    t.equal(
      (await emulator.waitForRequest((r) => r.status === 404)).endpoint,
      undefined,
      'already received: found at once',
    );

    // A delayed answer still pending when the emulator closes is dropped: the client sees the connection go.
    emulator.inject('invocation/next', { kind: 'delay', ms: 500 });
    const late = client.nextInvocation().catch((error: unknown) => error);
    await emulator.waitForRequest((r) => r.endpoint === 'invocation/next');
    await emulator.close();
    t.match(await late, { name: 'RuntimeApiError', status: undefined, message: /invocation\/next failed/ });
    await new Promise((resolve) => setTimeout(resolve, 700));
    t.equal(emulator.requests.at(-1)?.status, undefined, 'nothing was answered after close');
  },
);

t.test('RuntimeApiEmulator - restore() after the runtime dropped its restore/next poll', async (t) => {
  const emulator = await RuntimeApiEmulator.start();
  t.teardown(() => emulator.close());
  const abort = new AbortController();
  const poll = fetch(`http://${emulator.address}/2018-06-01/runtime/restore/next`, { signal: abort.signal }).catch(
    (error: unknown) => error,
  );
  await emulator.snapshotReached();
  abort.abort();
  await poll;
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.doesNotThrow(() => emulator.restore(), 'answering a gone poll is a no-op');
  t.equal(emulator.state, 'restoring');
  t.equal(emulator.requests[0]?.status, undefined, 'the dead poll got no answer');
});
