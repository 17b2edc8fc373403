/**
 * The emulator fails what Lambda fails: deadlines, oversized responses, second posts, a restore/next
 * outside SnapStart, a bad response mode. Driven by hand over HTTP, so each rule is seen on the wire.
 */
import t from 'tap';
import { apiBase, poll, post, restoreBy, startEmulator } from '../helpers/emulator.js';

t.test(
  'invoke() - past its deadline an invocation ends as Sandbox.Timedout and the environment is reset',
  async (t) => {
    const emulator = await startEmulator(t, { initType: 'on-demand' });
    const failed: string[] = [];
    emulator.on('failed', (failure) => failed.push(failure.reason));
    const started = Date.now();
    const invocation = emulator.invoke({ slow: true }, { requestId: 'slow-1', timeout: 300 });
    const other = emulator.invoke({}, { requestId: 'other-1' }).catch((error: unknown) => error);
    const delivered = await poll(emulator);
    t.equal(delivered.requestId, 'slow-1');
    // A runtime that polls again without answering gets the next event (and Lambda keeps waiting for
    // the first answer until its deadline); a third poll waits.
    t.equal((await poll(emulator)).requestId, 'other-1');
    const waiting = poll(emulator);
    t.ok(
      delivered.deadline >= started + 300 && delivered.deadline <= Date.now() + 300,
      'the deadline is delivery + timeout',
    );
    const result = await invocation;
    t.ok(Date.now() - started >= 290, 'not before the deadline');
    t.match(result, {
      requestId: 'slow-1',
      ok: false,
      errorType: 'Sandbox.Timedout',
      body: {
        errorType: 'Sandbox.Timedout',
        errorMessage: 'RequestId: slow-1 Error: Task timed out after 0.30 seconds',
      },
    });
    t.ok(result.durationMs >= 290);
    t.equal(emulator.state, 'failed');
    t.match(emulator.failure, { reason: 'timeout', requestId: 'slow-1', message: /timed out after 0\.30 seconds/ });
    t.same(failed, ['timeout']);
    t.match(
      await other,
      { message: /The execution environment failed: invocation slow-1 timed out/ },
      'in flight, gone with the environment',
    );
    t.match(await waiting, { status: 403 }, 'the waiting poll is refused: no event will come');
    await t.rejects(emulator.invoke({}), /The execution environment failed/, 'no event is served any more');
    // The runtime answers too late: Lambda's 410 InvokeTimeout; and it may not poll again.
    t.same(await post(emulator, 'slow-1', '"late"'), {
      status: 410,
      body: { errorMessage: 'Invoke timeout', errorType: 'InvokeTimeout' },
    });
    t.equal((await poll(emulator)).status, 403);
    t.equal(emulator.results.length, 1);
  },
);

t.test('invoke() - with concurrency a timeout ends only its invocation', async (t) => {
  const emulator = await startEmulator(t, { initType: 'lambda-managed-instances', maxConcurrency: 2 });
  const slow = emulator.invoke({}, { requestId: 'slow', timeout: 200 });
  const fast = emulator.invoke({}, { requestId: 'fast', timeout: 60_000 });
  const [first, second] = await Promise.all([poll(emulator), poll(emulator)]);
  t.same([first.requestId, second.requestId], ['slow', 'fast']);
  t.match(await slow, { ok: false, errorType: 'Sandbox.Timedout' });
  t.equal(emulator.state, 'invoking', 'the other invocation goes on');
  t.equal(emulator.failure, undefined);
  t.equal((await post(emulator, 'fast', '1')).status, 202);
  t.match(await fast, { ok: true, body: 1 });
  t.equal(emulator.state, 'ready');
});

t.test(
  'invoke() - a response over the limit ends as Function.ResponseSizeTooLarge; Lambda limit by default',
  async (t) => {
    const emulator = await startEmulator(t, { initType: 'on-demand' });
    const limit = 6 * 1024 * 1024 + 100;
    const rows: [string, number, boolean][] = [
      ['exactly the limit', limit, true],
      ['one byte over', limit + 1, false],
    ];
    for (const [what, size, ok] of rows) {
      const invocation = emulator.invoke({});
      const { requestId } = await poll(emulator);
      const answer = await post(emulator, requestId as string, `"${'x'.repeat(size - 2)}"`);
      t.equal(answer.status, ok ? 202 : 413, what);
      const result = await invocation;
      t.equal(result.ok, ok, what);
      if (!ok) {
        t.match(result, { errorType: 'Function.ResponseSizeTooLarge' }, what);
        t.match(answer.body, {
          errorType: 'RequestEntityTooLarge',
          errorMessage: `Exceeded maximum allowed payload size (${limit} bytes).`,
        });
      }
    }
    t.equal(emulator.state, 'ready', 'an oversized response does not reset the environment');
  },
);

t.test('invocation posts - a second response or error for the same id gets Lambda answer', async (t) => {
  const rows: [string, object, number, string][] = [
    ['classic', { initType: 'on-demand' }, 403, 'InvalidStateTransition'],
    ['concurrent', { initType: 'on-demand', maxConcurrency: 2 }, 400, 'InvalidRequestID'],
  ];
  for (const [what, options, status, errorType] of rows) {
    const emulator = await startEmulator(t, options);
    const invocation = emulator.invoke({}, { requestId: 'once' });
    await poll(emulator);
    t.equal((await post(emulator, 'once', '"first"')).status, 202, what);
    for (const kind of ['response', 'error'] as const) {
      t.match(
        await post(emulator, 'once', '"again"', kind),
        { status, body: { errorType } },
        `${what}: second ${kind}`,
      );
    }
    t.match(await invocation, { ok: true, body: 'first' }, `${what}: the first answer stands`);
    // Once the runtime polled again, the old id is simply not current any more.
    void fetch(`${apiBase(emulator)}/invocation/next`).catch(() => {});
    await emulator.waitForRequest((r) => r.endpoint === 'invocation/next' && r.seq > 1);
    t.match(await post(emulator, 'once', '"third"'), { status: 400, body: { errorType: 'InvalidRequestID' } }, what);
  }
});

t.test('restore/next - outside snap-start, after the snapshot, or twice: 403 InvalidStateTransition', async (t) => {
  for (const initType of ['on-demand', 'provisioned-concurrency', 'lambda-managed-instances'] as const) {
    const emulator = await startEmulator(t, { initType });
    const response = await fetch(`${apiBase(emulator)}/restore/next`);
    t.equal(response.status, 403, initType);
    t.same(await response.json(), {
      errorMessage: 'State transition from init to restore/next is not allowed',
      errorType: 'InvalidStateTransition',
    });
    await t.rejects(emulator.snapshotReached(), /No snapshot point: the environment's initType is/, initType);
  }
  const snapStart = await startEmulator(t);
  t.equal(await restoreBy(snapStart), 200);
  t.equal((await fetch(`${apiBase(snapStart)}/restore/next`)).status, 403, 'a second restore/next');
});

t.test('invocation/response - a response mode other than streaming is refused and fails the invocation', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const invocation = emulator.invoke({}, { requestId: 'mode' });
  await poll(emulator);
  const answer = await post(emulator, 'mode', '{}', 'response', {
    'Lambda-Runtime-Function-Response-Mode': 'buffered',
  });
  t.same(answer, {
    status: 400,
    body: { errorMessage: 'Invalid function response mode', errorType: 'InvalidFunctionResponseMode' },
  });
  t.match(await invocation, { ok: false, errorType: 'Runtime.InvalidResponseModeHeader' });
});

t.test('error posts - the error type is kept when valid, else Runtime.Unknown or Function.Unknown', async (t) => {
  const emulator = await startEmulator(t, { initType: 'on-demand' });
  const rows: [string | undefined, string][] = [
    ['Function.MyError', 'Function.MyError'],
    ['Runtime.HandlerNotFound', 'Runtime.HandlerNotFound'],
    ['Function.lower', 'Function.Unknown'],
    ['Function.', 'Function.Unknown'],
    ['Runtime.not-valid', 'Runtime.Unknown'],
    ['Other.Type', 'Runtime.Unknown'],
    [undefined, 'Runtime.Unknown'],
  ];
  for (const [header, expected] of rows) {
    const invocation = emulator.invoke({});
    const { requestId } = await poll(emulator);
    await post(
      emulator,
      requestId as string,
      '{"errorMessage":"x"}',
      'error',
      header ? { 'Lambda-Runtime-Function-Error-Type': header } : {},
    );
    t.equal((await invocation).errorType, expected, String(header));
  }
});
